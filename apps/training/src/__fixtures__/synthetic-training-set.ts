/**
 * A seeded, deterministic training set for the training service's integration tests (what the
 * features service would hand over: a Parquet file and its sha256). 3,000 rows, one every 10
 * minutes from 2020-01-01T00:00Z; two request features and a boolean label that depends on the
 * hour, with 15% noise. Tests only.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

export const SYNTHETIC_ROWS = 3000;
export const SYNTHETIC_FEATURE_COLUMNS = ['trip_request__trip_distance', 'trip_request__pickup_hour'];
export const SYNTHETIC_FEATURE_REFS = ['trip_request:trip_distance', 'trip_request:pickup_hour'];

/**
 * Writes the training set to `file` (its folder is created).
 * @param withEntityKey adds the entity key column `pickup_location_id` (0..49) first
 * @returns the file's `file://` URI and the sha256 of its bytes
 */
export async function writeSyntheticTrainingSet(file: string, withEntityKey: boolean): Promise<{ uri: string; sha256: string }> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    await c.run(`SET TimeZone='UTC'`);
    await c.run(`COPY (
        SELECT ${withEntityKey ? '(i % 50)::INTEGER AS pickup_location_id,' : ''}
               TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_minutes(i * 10) AS event_timestamp,
               ((i * 7919) % 1000) / 100.0 AS trip_request__trip_distance,
               ((i * 31) % 24)::INTEGER AS trip_request__pickup_hour,
               (((i * 31) % 24) < 10 OR ((i * 2654435761) % 1000) < 150) AS label
        FROM range(${SYNTHETIC_ROWS}) t(i)) TO '${file.replace(/'/g, "''")}' (FORMAT parquet)`);
  } finally {
    c.closeSync();
    db.closeSync();
  }
  return { uri: pathToFileURL(file).href, sha256: createHash('sha256').update(await fs.readFile(file)).digest('hex') };
}
