/**
 * @module @strata/shared/data-access-object-store
 *
 * Object store port for the lake and artifacts, with sha256 digests computed while
 * streaming and verified on read. S3-shaped semantics (flat keys, prefix listing, atomic
 * whole-object puts, idempotent delete); implementations: {@link LocalObjectStore}
 * (`file://` URIs), {@link S3ObjectStore} (`s3://`, AWS SDK v3) and {@link InMemoryObjectStore}
 * (`memory://`, tests); {@link createObjectStore} picks one from the environment.
 *
 * @example
 * ```ts
 * import { LocalObjectStore } from '@strata/shared/data-access-object-store';
 * const store = new LocalObjectStore('/var/lib/strata/lake');
 * const { uri, sha256, sizeBytes } = await store.put('datasets/trips/v1/data.parquet', fs.createReadStream(tmp));
 * const bytes = await store.getBuffer(store.resolve(uri), { expectedSha256: sha256 });
 * ```
 */
export type { ObjectBody, ObjectStat, ObjectStore, PutOptions, PutResult, GetOptions } from './lib/object-store';
export {
  ObjectStoreError,
  ObjectStoreErrorCode,
  ObjectNotFoundError,
  ObjectIntegrityError,
  InvalidObjectKeyError,
  ForeignUriError,
} from './lib/object-store.errors';
export { assertValidKey } from './lib/object-key';
export { LocalObjectStore } from './lib/local-object-store';
export { InMemoryObjectStore } from './lib/in-memory-object-store';
export { withLocalFiles } from './lib/local-file';
export { OBJECT_STORE } from './lib/object-store.constants';
export { S3ObjectStore, createS3Client, parseS3Uri, type S3ObjectStoreOptions, type S3ConnectionOptions } from './lib/s3-object-store';
export { objectStoreEnvShape, createObjectStore, s3ConnectionFromConfig, type ObjectStoreConfig } from './lib/object-store-config';
