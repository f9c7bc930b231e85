import { createHash, type Hash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { ObjectIntegrityError } from './object-store.errors';
import type { GetOptions, ObjectBody } from './object-store';

/** Turns any accepted body into an async iterable of Buffers. @internal */
export async function* iterateBody(body: ObjectBody): AsyncIterable<Buffer> {
  if (Buffer.isBuffer(body)) {
    yield body;
    return;
  }
  if (body instanceof Uint8Array) {
    yield Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    return;
  }
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
  }
}

/**
 * A pass-through stream that sha256-hashes and counts the bytes of object `key` going through it;
 * subclasses decide at the end (`_flush`) what the digest and count must be. @internal
 */
export abstract class HashingStream extends Transform {
  protected readonly hash: Hash = createHash('sha256');
  /** Bytes passed through so far. */
  bytes = 0;

  /** @param key the object's key, named in integrity errors. */
  constructor(protected readonly key: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

/**
 * A pass-through stream that hashes and counts bytes and, at the end, fails with
 * {@link ObjectIntegrityError} if size or sha256 differ from what is expected. @internal
 */
export class VerifyingStream extends HashingStream {
  constructor(
    key: string,
    private readonly expected: GetOptions & { sizeAtOpen?: number },
  ) {
    super(key);
  }

  override _flush(cb: TransformCallback): void {
    const size = this.expected.expectedSizeBytes ?? this.expected.sizeAtOpen;
    if (size !== undefined && size !== this.bytes) {
      cb(new ObjectIntegrityError(this.key, 'size', size, this.bytes));
      return;
    }
    const digest = this.hash.digest('hex');
    if (this.expected.expectedSha256 !== undefined && this.expected.expectedSha256.toLowerCase() !== digest) {
      cb(new ObjectIntegrityError(this.key, 'sha256', this.expected.expectedSha256, digest));
      return;
    }
    cb();
  }
}

/** Reads a stream fully into one Buffer (rejects with the stream's error). @internal */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
