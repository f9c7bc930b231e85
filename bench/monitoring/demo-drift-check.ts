/**
 * Issue #19 finding 7: does the taxi demo's drift verdict still fire on April 2020 and not
 * before, with the default minimum window (30) instead of 500? Recomputes the demo's ten model
 * features from the sample CSVs with DuckDB (the feature repo's SQL: request features, and the
 * per-zone trailing stats joined as of the pickup time, 7-day TTL, over the months the demo
 * ingests), builds the reference profile from the train slice (2019-03, 2019-04: before the
 * split 2020-01-01) like training does, and prints monitoring's verdict (PSI ≥ 0.1 AND KS/χ²
 * p < alpha, dataset drift at ≥ 50% of the features) on time-ordered prefixes of each replayed
 * month — what monitoring sees while the demo replays a month in event-time order — with the
 * gate (alpha 0.01) and without it (alpha 1 = the old PSI-only verdict). An approximation of the
 * demo (features recomputed here, not read from the feature store's training sets).
 *
 *   node -r @swc-node/register bench/monitoring/demo-drift-check.ts [--datasets ../shared/datasets/nyc-taxi-yellow-samples]
 */
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildReferenceProfile, detectDrift } from '../../libs/shared/util-drift/src/index';
import { arg } from '../util/cli';

const FEATURES = [
  'trips_1h', 'trips_24h', 'mean_fare_24h', 'card_share_7d', 'mean_tip_rate_7d',
  'trip_distance', 'fare_amount', 'passenger_count', 'pickup_hour', 'pickup_weekday',
];
const INGESTED = ['2019-03', '2019-04', '2020-01', '2020-03', '2020-04'];

async function main(): Promise<void> {
  const dir = path.resolve(arg('datasets', path.join(__dirname, '../../../shared/datasets/nyc-taxi-yellow-samples')));
  const files = INGESTED.map((m) => `'${path.join(dir, `yellow_tripdata_sample_${m}.csv`)}'`).join(', ');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`SET TimeZone='UTC'`);
  await conn.run(`CREATE TABLE source AS SELECT * FROM read_csv([${files}], header = true, union_by_name = true)`);
  await conn.run(`CREATE TABLE stats AS
    SELECT DISTINCT pickup_location_id, dropoff_datetime,
      count(*) OVER w1h AS trips_1h, count(*) OVER w24h AS trips_24h, avg(fare_amount) OVER w24h AS mean_fare_24h,
      avg(CASE WHEN payment_type IS NULL THEN NULL WHEN payment_type = 1 THEN 1.0 ELSE 0.0 END) OVER w7d AS card_share_7d,
      avg(CASE WHEN payment_type = 1 AND fare_amount > 0 THEN tip_amount / fare_amount END) OVER w7d AS mean_tip_rate_7d
    FROM source WHERE pickup_location_id IS NOT NULL AND dropoff_datetime IS NOT NULL
    WINDOW w1h AS (PARTITION BY pickup_location_id ORDER BY dropoff_datetime RANGE BETWEEN INTERVAL 1 HOUR PRECEDING AND CURRENT ROW),
           w24h AS (PARTITION BY pickup_location_id ORDER BY dropoff_datetime RANGE BETWEEN INTERVAL 24 HOUR PRECEDING AND CURRENT ROW),
           w7d AS (PARTITION BY pickup_location_id ORDER BY dropoff_datetime RANGE BETWEEN INTERVAL 7 DAY PRECEDING AND CURRENT ROW)`);
  await conn.run(`CREATE TABLE entity AS
    SELECT pickup_location_id, pickup_datetime AS t, trip_distance, fare_amount, passenger_count,
           hour(pickup_datetime) AS pickup_hour, isodow(pickup_datetime) AS pickup_weekday
    FROM source WHERE payment_type = 1 AND fare_amount > 0 AND pickup_location_id IS NOT NULL AND pickup_datetime IS NOT NULL`);
  const rows = (
    await conn.runAndReadAll(`
      SELECT strftime(e.t, '%Y-%m-%d') AS day, e.*, s.trips_1h, s.trips_24h, s.mean_fare_24h, s.card_share_7d, s.mean_tip_rate_7d, s.dropoff_datetime AS ft
      FROM entity e ASOF LEFT JOIN stats s ON e.pickup_location_id = s.pickup_location_id AND e.t >= s.dropoff_datetime
      ORDER BY e.t, e.pickup_location_id, e.fare_amount, e.trip_distance`)
  ).getRowObjectsJson();
  conn.closeSync();
  db.closeSync();
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  const col = (rs: typeof rows, f: string): Array<number | null> =>
    rs.map((r) => {
      // 7-day TTL of zone_trip_stats: a feature row older than 7 days is not joined
      if (FEATURES.indexOf(f) < 5 && (r['ft'] === null || Date.parse(String(r['t'])) - Date.parse(String(r['ft'])) > 7 * 86_400_000)) return null;
      return num(r[f]);
    });
  const columns = (rs: typeof rows) => Object.fromEntries(FEATURES.map((f) => [f, col(rs, f)]));
  const train = rows.filter((r) => String(r['day']) < '2020-01-01');
  const profile = buildReferenceProfile(columns(train));
  console.log(`reference: ${train.length} train-slice rows (2019-03, 2019-04)`);
  const slices: Array<[string, typeof rows]> = [
    ['2020-01', rows.filter((r) => String(r['day']).startsWith('2020-01'))],
    ['2020-03', rows.filter((r) => String(r['day']).startsWith('2020-03'))],
    ['2020-04 days 1-15', rows.filter((r) => String(r['day']).startsWith('2020-04') && String(r['day']) <= '2020-04-15')],
    ['2020-04 days 16-end', rows.filter((r) => String(r['day']).startsWith('2020-04') && String(r['day']) > '2020-04-15')],
  ];
  for (const [name, rs] of slices) {
    const sizes = [30, 50, 100, 200, 300, 500, 1000, 2000, rs.length].filter((n, i, a) => n <= rs.length && a.indexOf(n) === i);
    for (const n of sizes) {
      const prefix = rs.slice(0, n);
      const verdict = (alpha: number) => detectDrift(profile, columns(prefix), { method: 'psi', alpha });
      const gated = verdict(0.01);
      const old = verdict(1);
      console.log(
        `${name.padEnd(20)} first ${String(n).padStart(5)} (${String(prefix[0]?.['day'])}..${String(prefix[n - 1]?.['day'])}): ` +
          `gated ${gated.driftedCount}/${gated.testedCount} drifted → dataset drift ${gated.datasetDrift ? 'YES' : 'no '} [${gated.features.filter((f) => f.drifted).map((f) => f.feature).join(',')}]; ` +
          `PSI only ${old.driftedCount}/${old.testedCount} → ${old.datasetDrift ? 'YES' : 'no'}`,
      );
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
