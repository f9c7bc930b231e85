import { createHash } from 'node:crypto';
import { Readable, type TransformCallback } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertValidKey } from './object-key';
import { HashingStream, iterateBody, readAll, VerifyingStream } from './hashing';
import type { GetOptions, ObjectBody, ObjectStat, ObjectStore, PutOptions, PutResult } from './object-store';
import { ForeignUriError, ObjectIntegrityError, ObjectNotFoundError, ObjectStoreError, ObjectStoreErrorCode } from './object-store.errors';

/** Connection settings of an S3-compatible endpoint (AWS S3, MinIO, moto, Ceph RGW...). */
export interface S3ConnectionOptions {
  /** Endpoint URL, e.g. `http://127.0.0.1:9000`; omit for AWS S3 (the region's endpoint). */
  readonly endpoint?: string;
  /** Region (default `us-east-1`). */
  readonly region?: string;
  /** Static credentials; omit to use the SDK's default chain (env, profile, instance role). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  /** Path-style addressing (`http://host/bucket/key`), needed by most non-AWS endpoints. Default: true when `endpoint` is set. */
  readonly forcePathStyle?: boolean;
  /** TCP connect deadline of one attempt, ms (S3_CONNECT_TIMEOUT_MS, default {@link DEFAULT_S3_CONNECT_TIMEOUT_MS}). */
  readonly connectTimeoutMs?: number;
  /**
   * Longest silence on an open connection, ms (S3_SOCKET_TIMEOUT_MS, default {@link DEFAULT_S3_SOCKET_TIMEOUT_MS}): a
   * request or a streamed body that receives no byte for this long fails. An idle limit, not a
   * total one, so large objects are not cut short while bytes flow.
   */
  readonly socketTimeoutMs?: number;
  /** Attempts per request including retries (S3_MAX_ATTEMPTS, default 3, the SDK's). Worst case of a hung S3 ≈ attempts × timeout. */
  readonly maxAttempts?: number;
}

/** Default TCP connect deadline of one S3 attempt, ms. */
export const DEFAULT_S3_CONNECT_TIMEOUT_MS = 3000;
/** Default longest silence on an S3 connection, ms. */
export const DEFAULT_S3_SOCKET_TIMEOUT_MS = 30_000;

/** Options of {@link S3ObjectStore}. */
export interface S3ObjectStoreOptions extends S3ConnectionOptions {
  /** Bucket holding the objects. */
  readonly bucket: string;
  /** Key prefix inside the bucket (e.g. `lake/`); every key is stored as `<prefix><key>`. Default `''`. */
  readonly prefix?: string;
  /** An existing client to use instead of building one from the connection options. */
  readonly client?: S3Client;
  /** Multipart part size in bytes for streamed puts (min 5 MiB, default 8 MiB); bodies up to one part use a single PutObject. */
  readonly partSizeBytes?: number;
  /** Parts uploaded concurrently per put (default 4); memory per put ≈ partSizeBytes × (queueSize + 1). */
  readonly queueSize?: number;
}

/** Builds an `S3Client` from {@link S3ConnectionOptions}. */
export function createS3Client(o: S3ConnectionOptions): S3Client {
  const cfg: S3ClientConfig = {
    region: o.region ?? 'us-east-1',
    forcePathStyle: o.forcePathStyle ?? o.endpoint !== undefined,
    // Our own sha256 covers integrity end to end; do not ask for CRC trailers (some S3-compatible servers reject them).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Never an endless wait: an endpoint that does not accept, or accepts and never answers, fails the attempt.
    requestHandler: { connectionTimeout: o.connectTimeoutMs ?? DEFAULT_S3_CONNECT_TIMEOUT_MS, socketTimeout: o.socketTimeoutMs ?? DEFAULT_S3_SOCKET_TIMEOUT_MS },
    maxAttempts: o.maxAttempts ?? 3,
  };
  if (o.endpoint !== undefined) cfg.endpoint = o.endpoint;
  if (o.credentials !== undefined) cfg.credentials = { ...o.credentials };
  return new S3Client(cfg);
}

/**
 * Parses `s3://bucket/key` into its parts.
 * @throws ForeignUriError when the URI is not an `s3://` URI with a bucket and a non-empty key.
 */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,62})\/(.+)$/.exec(uri);
  if (!m) throw new ForeignUriError(uri, 's3://<bucket>/<key>');
  return { bucket: m[1]!, key: m[2]! };
}

/** Metadata key (`x-amz-meta-sha256`) holding the full-object sha256 when known before the upload (buffer bodies). */
const SHA_META = 'sha256';

/**
 * {@link ObjectStore} on an S3-compatible object store through the AWS SDK v3. Key `a/b` is
 * stored at `s3://<bucket>/<prefix>a/b`, which is also its URI.
 *
 * - `put` streams the body through a sha256/size counter into `@aws-sdk/lib-storage`'s
 *   `Upload` (multipart for bodies larger than one part, a single PutObject otherwise); the
 *   body is never held in memory beyond `queueSize + 1` parts. Atomicity comes from S3: the
 *   object appears only when the PutObject / CompleteMultipartUpload succeeds, so a failing
 *   body or an `expectedSha256` mismatch (checked when the stream ends, before the last part
 *   is sent) aborts the upload and leaves nothing listed. Buffer bodies also record their
 *   sha256 as `x-amz-meta-sha256`, which `stat` reports (`list` does not: ListObjectsV2 returns no metadata).
 * - `getStream` verifies the bytes against the `Content-Length` of the GetObject answer (a
 *   connection cut short is an {@link ObjectIntegrityError}), plus `expectedSha256` /
 *   `expectedSizeBytes`.
 * - `list` pages through ListObjectsV2; `delete` is idempotent (S3 semantics).
 */
export class S3ObjectStore implements ObjectStore {
  /** Bucket name. */
  readonly bucket: string;
  /** Key prefix inside the bucket ('' or ending with '/'). */
  readonly prefix: string;
  /** Underlying SDK client (shared with e.g. `s3://` source readers). */
  readonly client: S3Client;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3ObjectStoreOptions) {
    if (!/^[a-z0-9][a-z0-9.-]{1,62}$/.test(options.bucket)) {
      throw new ObjectStoreError(ObjectStoreErrorCode.OBJECT_STORE_IO, `Invalid S3 bucket name '${options.bucket}'`, { details: { bucket: options.bucket } });
    }
    this.bucket = options.bucket;
    const p = options.prefix ?? '';
    this.prefix = p === '' || p.endsWith('/') ? p : `${p}/`;
    if (this.prefix !== '') assertValidKey(this.prefix.slice(0, -1));
    this.client = options.client ?? createS3Client(options);
    this.partSize = Math.max(5 * 1024 * 1024, options.partSizeBytes ?? 8 * 1024 * 1024);
    this.queueSize = options.queueSize ?? 4;
  }

  /** Creates the bucket when it does not exist (for development endpoints; production buckets are provisioned). */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      if (!isNotFound(e)) throw this.ioError('<bucket>', e);
      try {
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
      } catch (e2) {
        const name = (e2 as { name?: string }).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw this.ioError('<bucket>', e2);
      }
    }
  }

  uriFor(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${assertValidKey(key)}`;
  }

  resolve(uri: string): string {
    const base = `s3://${this.bucket}/${this.prefix}`;
    if (!uri.startsWith(base) || uri.length === base.length) throw new ForeignUriError(uri, base);
    try {
      return assertValidKey(uri.slice(base.length));
    } catch {
      throw new ForeignUriError(uri, base);
    }
  }

  async put(key: string, body: ObjectBody, options: PutOptions = {}): Promise<PutResult> {
    assertValidKey(key);
    const objectKey = this.prefix + key;
    if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      const sha256 = createHash('sha256').update(buf).digest('hex');
      if (options.expectedSha256 !== undefined && options.expectedSha256.toLowerCase() !== sha256) {
        throw new ObjectIntegrityError(key, 'sha256', options.expectedSha256, sha256);
      }
      try {
        await this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: objectKey,
            Body: buf,
            ContentLength: buf.length,
            Metadata: { [SHA_META]: sha256 },
            ...(options.contentType ? { ContentType: options.contentType } : {}),
          }),
        );
      } catch (e) {
        throw this.ioError(key, e);
      }
      return { key, uri: this.uriFor(key), sha256, sizeBytes: buf.length };
    }

    const counter = new HashCounter(key, options.expectedSha256);
    const source = Readable.from(iterateBody(body));
    source.on('error', (e) => counter.destroy(e));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: objectKey, Body: source.pipe(counter), ...(options.contentType ? { ContentType: options.contentType } : {}) },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (e) {
      // lib-storage aborts the multipart upload on error (leavePartsOnError: false). No single
      // PutObject can have happened: our error is raised when the body ends, before lib-storage
      // knows it holds the last part.
      const cause = counter.failure ?? e;
      if (cause instanceof ObjectStoreError) throw cause;
      throw this.ioError(key, cause);
    }
    if (counter.failure) throw counter.failure;
    return { key, uri: this.uriFor(key), sha256: counter.sha256!, sizeBytes: counter.bytes };
  }

  async getStream(key: string, options: GetOptions = {}): Promise<Readable> {
    assertValidKey(key);
    let res;
    try {
      res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    } catch (e) {
      if (isNotFound(e)) throw new ObjectNotFoundError(key, this.uriFor(key));
      throw this.ioError(key, e);
    }
    const body = res.Body as Readable | undefined;
    const verify = new VerifyingStream(key, { ...options, ...(res.ContentLength !== undefined ? { sizeAtOpen: res.ContentLength } : {}) });
    if (!body) {
      verify.end();
      return verify;
    }
    body.on('error', (e) => verify.destroy(e));
    return body.pipe(verify);
  }

  async getBuffer(key: string, options: GetOptions = {}): Promise<Buffer> {
    return readAll(await this.getStream(key, options));
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    assertValidKey(key);
    try {
      const h = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      const sha = h.Metadata?.[SHA_META];
      return {
        key,
        uri: this.uriFor(key),
        sizeBytes: h.ContentLength ?? 0,
        lastModified: h.LastModified ?? new Date(0),
        ...(sha ? { sha256: sha } : {}),
      };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw this.ioError(key, e);
    }
  }

  async list(prefix: string): Promise<ObjectStat[]> {
    const out: ObjectStat[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ...(token ? { ContinuationToken: token } : {}) }),
        );
      } catch (e) {
        throw this.ioError(prefix, e);
      }
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        const key = o.Key.slice(this.prefix.length);
        out.push({ key, uri: `s3://${this.bucket}/${o.Key}`, sizeBytes: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
    } catch (e) {
      if ((e as { name?: string }).name === 'NoSuchKey') return;
      throw this.ioError(key, e);
    }
  }

  private ioError(key: string, e: unknown): ObjectStoreError {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return new ObjectStoreError(ObjectStoreErrorCode.OBJECT_STORE_IO, `S3 error on object '${key}' (s3://${this.bucket}/${this.prefix}${key}): ${msg}`, {
      retryable: true,
      details: { key, bucket: this.bucket },
      cause: e,
    });
  }
}

/** Counts bytes and hashes them; fails at the end of the stream when `expectedSha256` does not match. */
class HashCounter extends HashingStream {
  sha256: string | undefined;
  failure: ObjectStoreError | undefined;

  constructor(
    key: string,
    private readonly expectedSha256: string | undefined,
  ) {
    super(key);
  }

  override _flush(cb: TransformCallback): void {
    this.sha256 = this.hash.digest('hex');
    if (this.expectedSha256 !== undefined && this.expectedSha256.toLowerCase() !== this.sha256) {
      this.failure = new ObjectIntegrityError(this.key, 'sha256', this.expectedSha256, this.sha256);
      cb(this.failure);
      return;
    }
    cb();
  }
}

function isNotFound(e: unknown): boolean {
  const x = e as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return x?.name === 'NoSuchKey' || x?.name === 'NotFound' || x?.name === 'NoSuchBucket' || x?.$metadata?.httpStatusCode === 404;
}
