import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

/**
 * Writes the rows of `selectSql` (a DuckDB query, run with the session time zone UTC) as Parquet
 * to `<root>/training-sets/<fileName>`, as the features service writes a training set, and
 * resolves with the file, its `file:` URL and its SHA-256 (hex): what a TrainingSetRef carries.
 * A failing query rejects with DuckDB's error.
 */
export async function writeTrainingSetParquet(root: string, fileName: string, selectSql: string): Promise<{ file: string; uri: string; sha256: string }> {
  const file = path.join(root, 'training-sets', fileName);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(`SET TimeZone='UTC'`);
    await c.run(`COPY (${selectSql}) TO '${file}' (FORMAT parquet)`);
  } finally {
    c.closeSync();
    db.closeSync();
  }
  return { file, uri: pathToFileURL(file).href, sha256: createHash('sha256').update(await fs.readFile(file)).digest('hex') };
}
