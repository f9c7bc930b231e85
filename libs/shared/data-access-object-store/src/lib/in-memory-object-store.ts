import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { assertValidKey } from './object-key';
import { iterateBody, readAll, VerifyingStream } from './hashing';
import type { GetOptions, ObjectBody, ObjectStat, ObjectStore, PutOptions, PutResult } from './object-store';
import { ForeignUriError, ObjectIntegrityError, ObjectNotFoundError } from './object-store.errors';

interface StoredObject {
  readonly data: Buffer;
  readonly sha256: string;
  readonly lastModified: Date;
}

/**
 * {@link ObjectStore} held in process memory, for unit tests. URIs are
 * `memory://<name>/<key>`; two stores with different names reject each other's URIs.
 * Puts are atomic (the object map is updated only after the whole body was read).
 */
export class InMemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, StoredObject>();

  /** @param name store name used as the URI authority (default `default`). */
  constructor(readonly name = 'default') {}

  uriFor(key: string): string {
    return `memory://${this.name}/${assertValidKey(key)}`;
  }

  resolve(uri: string): string {
    const prefix = `memory://${this.name}/`;
    if (!uri.startsWith(prefix)) throw new ForeignUriError(uri, `memory://${this.name}`);
    return assertValidKey(uri.slice(prefix.length));
  }

  async put(key: string, body: ObjectBody, options: PutOptions = {}): Promise<PutResult> {
    assertValidKey(key);
    const chunks: Buffer[] = [];
    for await (const c of iterateBody(body)) chunks.push(Buffer.from(c)); // copy: caller may reuse its buffer
    const data = Buffer.concat(chunks);
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (options.expectedSha256 !== undefined && options.expectedSha256.toLowerCase() !== sha256) {
      throw new ObjectIntegrityError(key, 'sha256', options.expectedSha256, sha256);
    }
    this.objects.set(key, { data, sha256, lastModified: new Date() });
    return { key, uri: this.uriFor(key), sha256, sizeBytes: data.length };
  }

  async getStream(key: string, options: GetOptions = {}): Promise<Readable> {
    const o = this.objects.get(assertValidKey(key));
    if (!o) throw new ObjectNotFoundError(key, this.uriFor(key));
    return Readable.from([o.data]).pipe(new VerifyingStream(key, { ...options, sizeAtOpen: o.data.length }));
  }

  async getBuffer(key: string, options: GetOptions = {}): Promise<Buffer> {
    return readAll(await this.getStream(key, options));
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    const o = this.objects.get(assertValidKey(key));
    return o ? this.toStat(key, o) : undefined;
  }

  async list(prefix: string): Promise<ObjectStat[]> {
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, o]) => this.toStat(k, o));
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(assertValidKey(key));
  }

  /**
   * Test hook: replaces the stored bytes of `key` without updating its digest/size, to
   * simulate corruption or truncation. @internal
   */
  corruptForTest(key: string, data: Buffer): void {
    const o = this.objects.get(key);
    if (!o) throw new ObjectNotFoundError(key, this.uriFor(key));
    // Keep the original length as "size at open" by storing a marker object.
    this.objects.set(key, { ...o, data });
  }

  private toStat(key: string, o: StoredObject): ObjectStat {
    return { key, uri: this.uriFor(key), sizeBytes: o.data.length, lastModified: o.lastModified, sha256: o.sha256 };
  }
}
