import type { Readable } from 'node:stream';

/**
 * Body accepted by {@link ObjectStore.put}: a whole buffer, a Node readable stream, or any
 * async iterable of byte chunks (e.g. a web stream converted with `Readable.fromWeb`).
 */
export type ObjectBody = Buffer | Uint8Array | Readable | AsyncIterable<Uint8Array>;

/** Options of {@link ObjectStore.put}. */
export interface PutOptions {
  /**
   * Lower-case hex sha256 the body must have. When given and the streamed body does not
   * match, the write is discarded (nothing becomes visible) and {@link ObjectIntegrityError}
   * is thrown. Use it for uploads that announce a digest.
   */
  readonly expectedSha256?: string;
  /** Content type recorded where the backend supports it (S3 `Content-Type`); informative only. */
  readonly contentType?: string;
}

/** Result of a successful {@link ObjectStore.put}. */
export interface PutResult {
  /** The object's key, as passed in. */
  readonly key: string;
  /** Canonical URI of the object (`file:///abs/path`, `memory://<name>/<key>`, later `s3://bucket/key`). */
  readonly uri: string;
  /** Lower-case hex sha256 of the bytes written, computed while streaming. */
  readonly sha256: string;
  /** Number of bytes written. */
  readonly sizeBytes: number;
}

/** Options of the read methods. */
export interface GetOptions {
  /**
   * Lower-case hex sha256 the object must have. Checked as the bytes flow; on mismatch the
   * stream errors (or the promise rejects) with {@link ObjectIntegrityError}.
   */
  readonly expectedSha256?: string;
  /** Exact size in bytes the object must have; a short or long read is an {@link ObjectIntegrityError}. */
  readonly expectedSizeBytes?: number;
}

/** Metadata of one stored object, as returned by {@link ObjectStore.stat} and {@link ObjectStore.list}. */
export interface ObjectStat {
  readonly key: string;
  readonly uri: string;
  /** Size in bytes. */
  readonly sizeBytes: number;
  /** Last modification time. */
  readonly lastModified: Date;
  /**
   * sha256 when the backend knows it without reading the object (in-memory store; S3 with
   * `x-amz-checksum-sha256`). The local filesystem store does not persist digests, so this
   * is `undefined` there: keep the digest returned by `put` in your metadata database.
   */
  readonly sha256?: string;
}

/**
 * Object store port for the lake and for artifacts.
 *
 * Keys are relative, `/`-separated paths (`datasets/trips/<version>/data.parquet`): no
 * leading `/`, no `.`/`..` or empty segments, no backslash or NUL. Semantics follow S3 so an
 * `S3ObjectStore` (planned, not implemented) can satisfy the same contract: flat key space,
 * prefix listing, whole-object atomic puts (readers see the old object or the new one, never
 * a partial one), idempotent delete, last-writer-wins overwrite.
 *
 * Implementations: `LocalObjectStore` (filesystem, `file://` URIs), `InMemoryObjectStore`
 * (tests, `memory://` URIs). One contract spec (`object-store.contract.ts`) runs against both.
 */
export interface ObjectStore {
  /**
   * Writes `body` under `key` atomically (temp object + rename/commit), replacing any
   * existing object. sha256 and size are computed while streaming.
   * @throws InvalidObjectKeyError on a bad key.
   * @throws ObjectIntegrityError when `expectedSha256` is given and does not match (nothing is written).
   */
  put(key: string, body: ObjectBody, options?: PutOptions): Promise<PutResult>;

  /**
   * Opens the object as a stream. Integrity is checked as bytes flow: the stream errors with
   * {@link ObjectIntegrityError} if it ends short of the size seen at open time (or
   * `expectedSizeBytes`), or if `expectedSha256` does not match. Consume to the end before
   * trusting the data.
   * @throws ObjectNotFoundError when the key does not exist.
   */
  getStream(key: string, options?: GetOptions): Promise<Readable>;

  /**
   * Reads the whole object into memory, with the same integrity checks as {@link getStream}.
   * @throws ObjectNotFoundError, ObjectIntegrityError.
   */
  getBuffer(key: string, options?: GetOptions): Promise<Buffer>;

  /**
   * Metadata of the object, or `undefined` when it does not exist (S3 HeadObject 404).
   * @throws InvalidObjectKeyError on a bad key.
   */
  stat(key: string): Promise<ObjectStat | undefined>;

  /**
   * Every object whose key starts with `prefix` (plain string prefix, as S3 ListObjectsV2;
   * `''` lists everything), sorted by key. Temp objects of in-flight puts are never listed.
   */
  list(prefix: string): Promise<ObjectStat[]>;

  /** Deletes the object; deleting a missing key is not an error (S3 semantics). */
  delete(key: string): Promise<void>;

  /** Canonical URI of `key` (does not check existence). @throws InvalidObjectKeyError */
  uriFor(key: string): string;

  /**
   * Key of a URI produced by this store's {@link uriFor}/{@link put}.
   * @throws ForeignUriError when the URI belongs to another store (scheme or root differs).
   */
  resolve(uri: string): string;
}
