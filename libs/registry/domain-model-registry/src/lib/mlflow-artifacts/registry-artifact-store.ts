import type { GetOptions, ObjectBody, ObjectStat, ObjectStore, PutOptions, PutResult } from '@strata/shared/data-access-object-store';
import type { Readable } from 'node:stream';
import { keyOfMlflowArtifactsUri } from './mlflow-artifacts.paths';

/**
 * The registry's artifact store: any {@link ObjectStore} (file or S3 backend) whose `resolve`
 * also accepts `mlflow-artifacts:/<path>` URIs (→ key `mlflow/<path>`, where the proxy wrote
 * them), so run artifact listings, `runs:/` sources and model-version sources recorded by MLflow
 * clients through the proxy resolve to the same objects. Everything else is delegated unchanged.
 */
export class RegistryArtifactStore implements ObjectStore {
  constructor(private readonly inner: ObjectStore) {}

  put(key: string, body: ObjectBody, options?: PutOptions): Promise<PutResult> {
    return this.inner.put(key, body, options);
  }
  getStream(key: string, options?: GetOptions): Promise<Readable> {
    return this.inner.getStream(key, options);
  }
  getBuffer(key: string, options?: GetOptions): Promise<Buffer> {
    return this.inner.getBuffer(key, options);
  }
  stat(key: string): Promise<ObjectStat | undefined> {
    return this.inner.stat(key);
  }
  list(prefix: string): Promise<ObjectStat[]> {
    return this.inner.list(prefix);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  uriFor(key: string): string {
    return this.inner.uriFor(key);
  }
  /** `mlflow-artifacts:/<p>` → `mlflow/<p>`; any other URI as the backend resolves it. */
  resolve(uri: string): string {
    return keyOfMlflowArtifactsUri(uri) ?? this.inner.resolve(uri);
  }
}
