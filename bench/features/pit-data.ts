/**
 * Data of the point-in-time join benchmarks (bench/features/point-in-time.ts, pit-vs-feast.ts):
 * 3 batch views of one entity (`customer_id`), 3 features each (2 FLOAT64, 1 INT64), TTL 7 days,
 * feature rows over 30 days from 2024-03-01 split 40/30/30 %, written with DuckDB as zstd Parquet
 * files `<dir>/features/view_<v>/bench.parquet` (sorted by entity and time), and an entity frame
 * `<dir>/entities.parquet` (customer_id, event_timestamp from 2024-03-08 on, label).
 * Deterministic (DuckDB `hash`), so every contender reads the same bytes.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { FeatureView } from '../../libs/features/data-access-offline-store/src/index';

export interface PitDataOptions { entityRows: number; featureRows: number; entities: number; lateShare: number }

export const PIT_SHARES = [0.4, 0.3, 0.3];

/** The 3 feature views, as Strata's offline store takes them. */
export function pitViews(): FeatureView[] {
  return PIT_SHARES.map((_, v) => ({
    kind: 'feature_view',
    name: `view_${v}`,
    entities: ['customer_id'],
    ttlSeconds: 7 * 86400,
    source: { datasetName: 'bench' },
    timestampField: 'event_timestamp',
    features: [0, 1, 2].map((f) => ({ name: `v${v}_f${f}`, dtype: f === 2 ? ('INT64' as const) : ('FLOAT64' as const) })),
  }));
}

/** Writes the files under `dir`; returns each view's file path (relative to `dir`) and the time it took (ms). */
export async function generatePitData(dir: string, o: PitDataOptions): Promise<{ viewKeys: string[]; genMs: number }> {
  const t0 = Date.now();
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`SET TimeZone = 'UTC'`);
  const viewKeys: string[] = [];
  for (const [v, share] of PIT_SHARES.entries()) {
    const n = Math.round(o.featureRows * share);
    await fs.mkdir(path.join(dir, 'features', `view_${v}`), { recursive: true });
    const key = `features/view_${v}/bench.parquet`;
    await conn.run(
      `COPY (SELECT (hash(i, ${v}) % ${o.entities})::BIGINT AS customer_id,
                    TIMESTAMPTZ '2024-03-01 00:00:00+00' + to_microseconds((hash(i, ${v}, 7) % 2592000000000)::BIGINT) AS event_timestamp,
                    CASE WHEN (hash(i, ${v}, 9) % 1000) < ${Math.round(o.lateShare * 1000)} THEN event_timestamp + INTERVAL 2 HOUR ELSE event_timestamp END AS created_timestamp,
                    (hash(i, 1) % 10000) / 100.0 AS v${v}_f0, (hash(i, 2) % 1000) / 7.0 AS v${v}_f1, (hash(i, 3) % 100)::BIGINT AS v${v}_f2
             FROM range(${n}) r(i) ORDER BY customer_id, event_timestamp) TO '${path.join(dir, key)}' (FORMAT parquet, COMPRESSION zstd)`,
    );
    viewKeys.push(key);
  }
  await conn.run(
    `COPY (SELECT (hash(i, 'e') % ${o.entities})::BIGINT AS customer_id,
                  TIMESTAMPTZ '2024-03-08 00:00:00+00' + to_microseconds((hash(i, 'e', 1) % 1987200000000)::BIGINT) AS event_timestamp,
                  (hash(i, 'l') % 2 = 0) AS label
           FROM range(${o.entityRows}) r(i)) TO '${path.join(dir, 'entities.parquet')}' (FORMAT parquet)`,
  );
  conn.closeSync();
  db.closeSync();
  return { viewKeys, genMs: Date.now() - t0 };
}
