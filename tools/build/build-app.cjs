#!/usr/bin/env node
/**
 * Production build of one service: compiles apps/<service> and every lib under libs/ with
 * @swc/core (decorator metadata on, as NestJS needs) into dist/<service>/, rewriting the
 * `@strata/*` path aliases of tsconfig.base.json to relative requires, so the output runs with
 * plain `node dist/<service>/apps/<service>/src/main.js`. Type checking is `npm run typecheck`.
 *
 * Usage: node tools/build/build-app.cjs <service>
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '../..');
const service = process.argv[2];
if (!service || !fs.existsSync(path.join(root, 'apps', service, 'src/main.ts'))) {
  console.error(`usage: build-app.cjs <service>  (no apps/${service}/src/main.ts)`);
  process.exit(2);
}
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));
const outDir = path.join(root, 'dist', service);
fs.rmSync(outDir, { recursive: true, force: true });

const skip = (f) => /\.(spec|int-spec|e2e-spec|workflow\.spec)\.ts$/.test(f) || f.includes('__fixtures__') || f.endsWith('.d.ts');
function* walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'test') yield* walk(p);
    } else if (e.name.endsWith('.ts') && !skip(p)) yield p;
  }
}
let count = 0;
for (const base of [path.join(root, 'apps', service, 'src'), path.join(root, 'libs')]) {
  for (const file of walk(base)) {
    const rel = path.relative(root, file);
    const out = path.join(outDir, rel.replace(/\.ts$/, '.js'));
    const { code } = swc.transformFileSync(file, {
      filename: file,
      sourceMaps: false,
      module: { type: 'commonjs' },
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        keepClassNames: true,
        baseUrl: root,
        paths: compilerOptions.paths,
      },
    });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, code);
    count++;
  }
}
// Non-TS assets the services read at run time (generated schemas, topic list).
for (const asset of ['libs/contracts/generated']) {
  const src = path.join(root, asset);
  if (fs.existsSync(src)) fs.cpSync(src, path.join(outDir, asset), { recursive: true });
}
console.log(`built ${service}: ${count} files -> ${path.relative(root, outDir)}/apps/${service}/src/main.js`);
