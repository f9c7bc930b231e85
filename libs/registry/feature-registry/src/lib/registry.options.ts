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
}

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
