import { LocalObjectStore, type ObjectStore } from '@strata/shared/data-access-object-store';

/** Options of {@link RegistryModule.forRoot}. */
export interface RegistryModuleOptions {
  /**
   * Root directory of the artifact store the registry reads (model artifacts to verify and
   * stream, MLflow run artifacts). Artifact URIs outside it are refused (never read arbitrary
   * host files). Default experiments store run artifacts under `<root>/mlflow/<experimentId>/`.
   */
  artifactRoot: string;
}

/** DI token of the registry's artifact {@link ObjectStore}. */
export const REGISTRY_ARTIFACT_STORE = Symbol('REGISTRY_ARTIFACT_STORE');

/** Builds the artifact store for a root directory. */
export function artifactStoreFor(root: string): ObjectStore & { rootDir: string } {
  return new LocalObjectStore(root);
}
