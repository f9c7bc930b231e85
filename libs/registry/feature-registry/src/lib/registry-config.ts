import * as path from 'node:path';

/**
 * The artifact store root of the statically imported `RegistryModule` (no `forRoot`):
 * `STRATA_DATA_DIR`, default `.stack/data`, resolved against the working directory. The app
 * passes its validated `STRATA_DATA_DIR` to `RegistryModule.forRoot` instead.
 */
export function defaultArtifactRoot(env: Record<string, string | undefined> = process.env): string {
  return path.resolve(env['STRATA_DATA_DIR'] ?? '.stack/data');
}
