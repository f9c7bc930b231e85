import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectStore } from './object-store';
import { ForeignUriError, InvalidObjectKeyError, ObjectIntegrityError, ObjectNotFoundError } from './object-store.errors';
import { readAll } from './hashing';

/** Harness a backend provides to run the shared contract. @internal */
export interface ObjectStoreContractHarness {
  create(): Promise<ObjectStore>;
  /** Replaces the stored bytes of `key` behind the store's back (corruption / truncation). */
  corrupt(store: ObjectStore, key: string, data: Buffer): Promise<void>;
  /** A URI of the same scheme that this store must reject. */
  foreignUri: string;
  cleanup?(): Promise<void>;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The object-store contract, run by every implementation's spec (as Feast's universal tests).
 * @internal
 */
export function describeObjectStoreContract(name: string, h: ObjectStoreContractHarness): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;
    beforeEach(async () => {
      store = await h.create();
    });
    afterAll(async () => {
      await h.cleanup?.();
    });

    it('puts a buffer and returns uri, sha256 and size; get returns the same bytes', async () => {
      const data = Buffer.from('hello, lake');
      const r = await store.put('a/b/c.txt', data);
      expect(r).toEqual({ key: 'a/b/c.txt', uri: store.uriFor('a/b/c.txt'), sha256: sha(data), sizeBytes: data.length });
      expect(await store.getBuffer('a/b/c.txt')).toEqual(data);
      expect(store.resolve(r.uri)).toBe('a/b/c.txt');
    });

    it('puts from a stream of many chunks, hashing while streaming', async () => {
      const chunks = Array.from({ length: 200 }, (_, i) => Buffer.alloc(1000, i % 256));
      const all = Buffer.concat(chunks);
      const r = await store.put('big.bin', Readable.from(chunks));
      expect(r.sha256).toBe(sha(all));
      expect(r.sizeBytes).toBe(200_000);
      const s = await store.getStream('big.bin', { expectedSha256: r.sha256 });
      expect((await readAll(s)).equals(all)).toBe(true);
    });

    it('accepts an async iterable body and an empty body', async () => {
      async function* gen() {
        yield new Uint8Array([1, 2]);
        yield new Uint8Array([3]);
      }
      expect((await store.put('it.bin', gen())).sizeBytes).toBe(3);
      const empty = await store.put('empty.bin', Buffer.alloc(0));
      expect(empty.sha256).toBe(sha(Buffer.alloc(0)));
      expect((await store.getBuffer('empty.bin')).length).toBe(0);
    });

    it('overwrites atomically: last writer wins', async () => {
      await store.put('k', Buffer.from('one'));
      await store.put('k', Buffer.from('two'));
      expect((await store.getBuffer('k')).toString()).toBe('two');
    });

    it('rejects a put whose expectedSha256 does not match and leaves nothing behind', async () => {
      await expect(store.put('bad', Buffer.from('x'), { expectedSha256: '0'.repeat(64) })).rejects.toBeInstanceOf(ObjectIntegrityError);
      expect(await store.stat('bad')).toBeUndefined();
      expect(await store.list('')).toEqual([]);
    });

    it('a failing body stream leaves no object and no listed temp file', async () => {
      async function* failing() {
        yield Buffer.from('partial');
        throw new Error('client went away');
      }
      await expect(store.put('half', failing())).rejects.toThrow(/client went away/);
      expect(await store.stat('half')).toBeUndefined();
      expect(await store.list('')).toEqual([]);
    });

    it('verifies expectedSha256 on read', async () => {
      const r = await store.put('v', Buffer.from('abc'));
      await expect(store.getBuffer('v', { expectedSha256: r.sha256 })).resolves.toEqual(Buffer.from('abc'));
      await expect(store.getBuffer('v', { expectedSha256: sha(Buffer.from('abd')) })).rejects.toBeInstanceOf(ObjectIntegrityError);
    });

    it('a short read (expected size larger than the object) is an error', async () => {
      await store.put('s', Buffer.from('abc'));
      await expect(store.getBuffer('s', { expectedSizeBytes: 4 })).rejects.toBeInstanceOf(ObjectIntegrityError);
    });

    it('corrupted or truncated bytes fail verification', async () => {
      const r = await store.put('c', Buffer.from('0123456789'));
      await h.corrupt(store, 'c', Buffer.from('01234X6789'));
      await expect(store.getBuffer('c', { expectedSha256: r.sha256 })).rejects.toBeInstanceOf(ObjectIntegrityError);
      await h.corrupt(store, 'c', Buffer.from('01234'));
      await expect(store.getBuffer('c', { expectedSha256: r.sha256, expectedSizeBytes: r.sizeBytes })).rejects.toBeInstanceOf(
        ObjectIntegrityError,
      );
    });

    it('stat returns size or undefined; get on a missing key throws ObjectNotFoundError', async () => {
      await store.put('x/y', Buffer.from('12345'));
      expect(await store.stat('x/y')).toMatchObject({ key: 'x/y', sizeBytes: 5, uri: store.uriFor('x/y') });
      expect(await store.stat('x/nope')).toBeUndefined();
      await expect(store.getStream('x/nope')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.getBuffer('x/nope')).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('lists by plain string prefix, sorted by key', async () => {
      for (const k of ['datasets/b/1', 'datasets/a/2', 'datasets/a/1', 'features/v/1', 'datasets-other/x']) {
        await store.put(k, Buffer.from(k));
      }
      expect((await store.list('datasets/')).map((s) => s.key)).toEqual(['datasets/a/1', 'datasets/a/2', 'datasets/b/1']);
      expect((await store.list('datasets')).map((s) => s.key)).toEqual([
        'datasets-other/x',
        'datasets/a/1',
        'datasets/a/2',
        'datasets/b/1',
      ]);
      expect((await store.list('datasets/a/')).map((s) => s.sizeBytes)).toEqual([12, 12]);
      expect(await store.list('nothing/')).toEqual([]);
    });

    it('deletes idempotently', async () => {
      await store.put('d', Buffer.from('1'));
      await store.delete('d');
      await store.delete('d');
      expect(await store.stat('d')).toBeUndefined();
    });

    it('rejects invalid keys', async () => {
      for (const k of ['', '/abs', 'a/../b', 'a//b', './a', 'a\\b', '.strata-tmp/x']) {
        await expect(store.put(k, Buffer.from('1'))).rejects.toBeInstanceOf(InvalidObjectKeyError);
        expect(() => store.uriFor(k)).toThrow(InvalidObjectKeyError);
      }
    });

    it('resolve rejects foreign URIs', () => {
      expect(() => store.resolve(h.foreignUri)).toThrow(ForeignUriError);
      expect(() => store.resolve('s3://bucket/key')).toThrow(ForeignUriError);
    });
  });
}
