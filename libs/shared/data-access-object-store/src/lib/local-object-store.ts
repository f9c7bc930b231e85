import { createHash, randomUUID } from 'node:crypto';
import { type Dirent, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { assertValidKey, TEMP_PREFIX_SEGMENT } from './object-key';
import { iterateBody, readAll, VerifyingStream } from './hashing';
import type { GetOptions, ObjectBody, ObjectStat, ObjectStore, PutOptions, PutResult } from './object-store';
import {
  ForeignUriError,
  ObjectIntegrityError,
  ObjectNotFoundError,
  ObjectStoreError,
  ObjectStoreErrorCode,
} from './object-store.errors';

/**
 * {@link ObjectStore} on the local filesystem. Key `a/b.parquet` lives at
 * `<rootDir>/a/b.parquet`; its URI is `file:///<abs rootDir>/a/b.parquet`, which DuckDB and
 * other tools can read directly (`fileURLToPath`).
 *
 * Atomicity: `put` streams into `<rootDir>/.strata-tmp/<uuid>` (same filesystem), fsyncs,
 * then `rename`s over the target, so readers see the whole old or whole new file. Temp
 * files of crashed writes stay under `.strata-tmp/` and are never listed.
 */
export class LocalObjectStore implements ObjectStore {
  /** Absolute root directory. */
  readonly rootDir: string;
  private readonly tmpDir: string;

  /** @param rootDir root directory (created on first write); relative paths are resolved against `process.cwd()`. */
  constructor(rootDir: string) {
    this.rootDir = path.resolve(rootDir);
    this.tmpDir = path.join(this.rootDir, TEMP_PREFIX_SEGMENT);
  }

  /** Absolute filesystem path of `key` (no existence check). @throws InvalidObjectKeyError */
  pathFor(key: string): string {
    return path.join(this.rootDir, ...assertValidKey(key).split('/'));
  }

  uriFor(key: string): string {
    return pathToFileURL(this.pathFor(key)).href;
  }

  resolve(uri: string): string {
    if (!uri.startsWith('file://')) throw new ForeignUriError(uri, this.rootDir);
    let p: string;
    try {
      p = fileURLToPath(uri);
    } catch {
      throw new ForeignUriError(uri, this.rootDir);
    }
    const rel = path.relative(this.rootDir, p);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw new ForeignUriError(uri, this.rootDir);
    return assertValidKey(rel.split(path.sep).join('/'));
  }

  async put(key: string, body: ObjectBody, options: PutOptions = {}): Promise<PutResult> {
    const target = this.pathFor(key);
    await fs.mkdir(this.tmpDir, { recursive: true });
    const tmp = path.join(this.tmpDir, randomUUID());
    const hash = createHash('sha256');
    let size = 0;
    try {
      const out = createWriteStream(tmp, { flags: 'wx' });
      await pipeline(async function* () {
        for await (const chunk of iterateBody(body)) {
          hash.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      }, out);
      const sha256 = hash.digest('hex');
      if (options.expectedSha256 !== undefined && options.expectedSha256.toLowerCase() !== sha256) {
        throw new ObjectIntegrityError(key, 'sha256', options.expectedSha256, sha256);
      }
      const fh = await fs.open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(tmp, target);
      return { key, uri: pathToFileURL(target).href, sha256, sizeBytes: size };
    } catch (e) {
      await fs.rm(tmp, { force: true });
      if (e instanceof ObjectStoreError) throw e;
      throw new ObjectStoreError(ObjectStoreErrorCode.OBJECT_STORE_IO, `Failed to write object '${key}' (${target}): ${errMsg(e)}`, {
        retryable: true,
        details: { key, path: target },
        cause: e,
      });
    }
  }

  async getStream(key: string, options: GetOptions = {}): Promise<Readable> {
    const p = this.pathFor(key);
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(p, 'r');
    } catch (e) {
      if (isNotFound(e)) throw new ObjectNotFoundError(key, this.uriFor(key));
      throw ioError(key, p, e);
    }
    // Size taken from the open handle: a file truncated while we read ends short and fails.
    const { size } = await fh.stat();
    const src = fh.createReadStream({ autoClose: true });
    const verify = new VerifyingStream(key, { ...options, sizeAtOpen: size });
    src.on('error', (e) => verify.destroy(e));
    return src.pipe(verify);
  }

  async getBuffer(key: string, options: GetOptions = {}): Promise<Buffer> {
    return readAll(await this.getStream(key, options));
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    const p = this.pathFor(key);
    try {
      const s = await fs.stat(p);
      if (!s.isFile()) return undefined;
      return { key, uri: pathToFileURL(p).href, sizeBytes: s.size, lastModified: s.mtime };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw ioError(key, p, e);
    }
  }

  async list(prefix: string): Promise<ObjectStat[]> {
    const out: ObjectStat[] = [];
    const walk = async (dir: string, relDir: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (isNotFound(e)) return;
        throw ioError(relDir, dir, e);
      }
      for (const ent of entries) {
        const rel = relDir === '' ? ent.name : `${relDir}/${ent.name}`;
        if (relDir === '' && ent.name === TEMP_PREFIX_SEGMENT) continue;
        if (ent.isDirectory()) {
          // Only descend where keys below could still match the prefix.
          if (prefix.startsWith(`${rel}/`) || `${rel}/`.startsWith(prefix) || prefix === '') await walk(path.join(dir, ent.name), rel);
        } else if (ent.isFile() && rel.startsWith(prefix)) {
          const s = await fs.stat(path.join(dir, ent.name));
          out.push({ key: rel, uri: pathToFileURL(path.join(dir, ent.name)).href, sizeBytes: s.size, lastModified: s.mtime });
        }
      }
    };
    await walk(this.rootDir, '');
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathFor(key), { force: true });
  }
}

function isNotFound(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function ioError(key: string, p: string, e: unknown): ObjectStoreError {
  return new ObjectStoreError(ObjectStoreErrorCode.OBJECT_STORE_IO, `I/O error on object '${key}' (${p}): ${errMsg(e)}`, {
    retryable: true,
    details: { key, path: p },
    cause: e,
  });
}
