import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ObjectStore } from '@strata/shared/data-access-object-store';
import { DatasetIngestor } from '../core/dataset-ingestor.service';

/** A throw-away working directory with a {@link DatasetIngestor} over `store`, for the ingestor's specs. */
export interface IngestorSandbox<S extends ObjectStore> {
  /** The temporary directory (the ingestor's `tmpDir`; input files are written here). */
  dir: string;
  store: S;
  ingestor: DatasetIngestor;
  /** Writes `text` (UTF-8) to `<dir>/<name>` and resolves with that absolute path. */
  write(name: string, text: string): Promise<string>;
  /** Closes the ingestor and removes `dir` with everything in it. */
  dispose(): Promise<void>;
}

/**
 * Creates a fresh temporary directory (name starting with `prefix`, under the OS temp dir) and an
 * ingestor whose store is `makeStore(dir)`. Call {@link IngestorSandbox.dispose} after each test.
 */
export async function createIngestorSandbox<S extends ObjectStore>(prefix: string, makeStore: (dir: string) => S): Promise<IngestorSandbox<S>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  const store = makeStore(dir);
  const ingestor = new DatasetIngestor({ store, tmpDir: dir });
  return {
    dir,
    store,
    ingestor,
    async write(name, text) {
      const p = path.join(dir, name);
      await fs.writeFile(p, text);
      return p;
    },
    async dispose() {
      await ingestor.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers the jest hooks of an ingestor spec: beforeEach creates a fresh
 * {@link createIngestorSandbox}(`prefix`, `makeStore`), afterEach disposes it. Call it inside
 * the `describe` it serves.
 *
 * @returns the current test's sandbox: its fields are accessors that throw outside a test.
 */
export function useIngestorSandbox<S extends ObjectStore>(prefix: string, makeStore: (dir: string) => S): IngestorSandbox<S> {
  let current: IngestorSandbox<S> | undefined;
  beforeEach(async () => {
    current = await createIngestorSandbox(prefix, makeStore);
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  const sandbox = (): IngestorSandbox<S> => {
    if (!current) throw new Error('no ingestor sandbox outside a test (useIngestorSandbox creates one per test)');
    return current;
  };
  return {
    get dir() {
      return sandbox().dir;
    },
    get store() {
      return sandbox().store;
    },
    get ingestor() {
      return sandbox().ingestor;
    },
    write: (name, text) => sandbox().write(name, text),
    dispose: () => sandbox().dispose(),
  };
}
