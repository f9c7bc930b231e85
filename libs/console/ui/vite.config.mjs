// Vite build of the console's single-page app (libs/console/ui) into dist/console-ui, which
// apps/console serves. `@strata/contracts/api` resolves to the contracts' sources (zod schemas
// and endpoint tables shared with the services, the CLI and the tests).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  resolve: { alias: { '@strata/contracts/api': path.join(root, 'libs/contracts/src/api/index.ts') } },
  build: { outDir: path.join(root, 'dist/console-ui'), emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
  server: { port: 3108, proxy: { '/api': 'http://127.0.0.1:3107' } },
  logLevel: 'warn',
});
