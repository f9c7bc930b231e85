import { randomUUID } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { ObjectStore } from './object-store';
import { ObjectNotFoundError } from './object-store.errors';

/**
 * Gives tools that need a filesystem path (DuckDB, native readers) access to objects.
 *
 * For each URI: a `file://` URI is used in place (no copy); any other URI (memory://, later
 * s3://) is resolved with `store.resolve`, streamed with sha256/size verification into a
 * fresh temp directory, and removed after `fn` settles.
 *
 * @param store store that owns non-`file://` URIs.
 * @param uris object URIs, in the order their paths are passed to `fn`.
 * @param fn receives absolute local paths, one per URI.
 * @throws ObjectNotFoundError when a URI does not exist; whatever `fn` throws.
 */
export async function withLocalFiles<T>(
  store: ObjectStore,
  uris: readonly string[],
  fn: (paths: string[]) => Promise<T>,
  options: { tmpDir?: string } = {},
): Promise<T> {
  let spoolDir: string | undefined;
  try {
    const paths: string[] = [];
    for (const uri of uris) {
      if (uri.startsWith('file://')) {
        const p = fileURLToPath(uri);
        try {
          await fs.access(p);
        } catch {
          throw new ObjectNotFoundError(p, uri);
        }
        paths.push(p);
        continue;
      }
      spoolDir ??= await fs.mkdtemp(path.join(options.tmpDir ?? os.tmpdir(), 'strata-spool-'));
      const key = store.resolve(uri);
      const target = path.join(spoolDir, `${paths.length}-${randomUUID()}${path.extname(key)}`);
      await pipeline(await store.getStream(key), createWriteStream(target));
      paths.push(target);
    }
    return await fn(paths);
  } finally {
    if (spoolDir) await fs.rm(spoolDir, { recursive: true, force: true });
  }
}
