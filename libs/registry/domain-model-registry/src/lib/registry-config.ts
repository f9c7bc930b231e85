import * as path from 'node:path';

/**
 * The artifact store root of the statically imported `RegistryModule` (no `forRoot`):
 * `STRATA_DATA_DIR`, default `.stack/data`, resolved against the working directory. The app
 * passes its validated `STRATA_DATA_DIR` to `RegistryModule.forRoot` instead.
 */
export function defaultArtifactRoot(env: Record<string, string | undefined> = process.env): string {
  return path.resolve(env['STRATA_DATA_DIR'] ?? '.stack/data');
}

/**
 * `REGISTRY_MLFLOW_DEFAULT_ARTIFACT_ROOT` (MLflow's `--default-artifact-root`): when set, new
 * experiments get `<root>/<experiment id>` and MLflow clients write there directly; null (unset
 * or empty): experiments default to `mlflow-artifacts:/<id>` (uploads through the artifact proxy).
 */
export function defaultMlflowArtifactRoot(env: Record<string, string | undefined> = process.env): string | null {
  return env['REGISTRY_MLFLOW_DEFAULT_ARTIFACT_ROOT'] || null;
}
