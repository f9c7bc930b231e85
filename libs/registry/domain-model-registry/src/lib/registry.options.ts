import { LocalObjectStore, createObjectStore, type ObjectStore, type ObjectStoreConfig } from '@strata/shared/data-access-object-store';
import { RegistryArtifactStore } from './mlflow-artifacts/registry-artifact-store';

/** Options of {@link RegistryModule.forRoot}. */
export interface RegistryModuleOptions {
  /**
   * Root directory of the artifact store the registry reads (model artifacts to verify and
   * stream, MLflow run artifacts). Artifact URIs outside it are refused (never read arbitrary
   * host files). Default experiments (artifact location `mlflow-artifacts:/<experimentId>`) store run
   * artifacts, uploaded through the MLflow artifact proxy, under `<root>/mlflow/<experimentId>/`.
   */
  artifactRoot: string;
  /**
   * Backend of the artifact store: `STRATA_OBJECT_STORE` `local` (default: `artifactRoot`) or `s3`
   * (bucket `STRATA_S3_BUCKET` under `STRATA_S3_PREFIX`, connection from the S3 variables).
   */
  objectStore?: ObjectStoreConfig;
  /**
   * MLflow's `--default-artifact-root`: when set (e.g. `file:///var/lib/strata/mlflow`, `s3://bucket/mlflow`),
   * a new experiment's default artifact location is `<root>/<experiment_id>` and MLflow clients
   * read and write there directly; unset (default), it is `mlflow-artifacts:/<experiment_id>` and
   * clients go through the registry's artifact proxy (MLflow's `--serve-artifacts`).
   */
  mlflowDefaultArtifactRoot?: string | undefined;
}

/** DI token of the MLflow default artifact root ({@link RegistryModuleOptions.mlflowDefaultArtifactRoot}; `null` = the proxy). */
export const REGISTRY_MLFLOW_ARTIFACT_ROOT = Symbol('REGISTRY_MLFLOW_ARTIFACT_ROOT');

/** DI token of the registry's artifact {@link ObjectStore}. */
export const REGISTRY_ARTIFACT_STORE = Symbol('REGISTRY_ARTIFACT_STORE');

/**
 * Builds the artifact store for a root directory (files under `root`), resolving
 * `mlflow-artifacts:/<p>` URIs to the proxy's keys `mlflow/<p>` ({@link RegistryArtifactStore}).
 */
export function artifactStoreFor(root: string): ObjectStore {
  return new RegistryArtifactStore(new LocalObjectStore(root));
}

/** The artifact store of {@link RegistryModuleOptions}: the chosen backend, resolving `mlflow-artifacts:` URIs. */
export async function artifactStoreFrom(options: RegistryModuleOptions): Promise<ObjectStore> {
  if (!options.objectStore || options.objectStore.STRATA_OBJECT_STORE === 'local') return artifactStoreFor(options.artifactRoot);
  return new RegistryArtifactStore(await createObjectStore(options.objectStore, options.artifactRoot));
}
