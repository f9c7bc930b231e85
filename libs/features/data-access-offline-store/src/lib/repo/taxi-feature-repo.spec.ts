import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { DuckDBOfflineStore } from '../duckdb-offline-store';
import { FeatureRepoError } from '../offline-store.errors';
import { loadFeatureRepo, parseFeatureRepoDocuments } from './feature-repo.loader';

const REPO = path.join(__dirname, '../../../../../../examples/taxi/feature_repo');
const CSV = path.join(__dirname, '../../__fixtures__/taxi-2019-03-2000.csv');

describe('taxi feature repo (examples/taxi/feature_repo)', () => {
  let dir: string;
  let store: LocalObjectStore;
  let offline: DuckDBOfflineStore;
  let db: DuckDBInstance;
  let c: DuckDBConnection;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-taxi-'));
    store = new LocalObjectStore(path.join(dir, 'lake'));
    offline = new DuckDBOfflineStore({ store, tmpDir: dir });
    db = await DuckDBInstance.create(':memory:');
    c = await db.connect();
    await c.run(`SET TimeZone='UTC'`);
  });
  afterAll(async () => {
    c.closeSync();
    db.closeSync();
    await offline.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('loads and validates the repo', async () => {
    const repo = await loadFeatureRepo(REPO);
    expect(repo.entities).toEqual([{ name: 'pickup_zone', joinKey: 'pickup_location_id', valueType: 'INT64', description: expect.any(String) }]);
    expect(repo.featureViews.map((v) => [v.name, v.features.map((f) => f.name)])).toEqual([
      ['zone_trip_stats', ['trips_1h', 'trips_24h', 'mean_fare_24h', 'card_share_7d', 'mean_tip_rate_7d']],
    ]);
    expect(repo.onDemandFeatureViews[0]?.features.map((f) => f.name)).toEqual(['trip_distance', 'fare_amount', 'passenger_count', 'pickup_hour', 'pickup_weekday']);
    // Leakage guard: the label's sources are never features.
    const all = [...repo.featureViews, ...repo.onDemandFeatureViews].flatMap((v) => v.features.map((f) => f.name));
    expect(all).not.toContain('tip_amount');
    expect(all).not.toContain('total_amount');
  });

  it('reports the file and field of invalid documents', () => {
    expect(() => parseFeatureRepoDocuments([{ file: 'repo/v.yaml', text: 'kind: FeatureView\nname: v\nentities: [k]\nttlSeconds: -1\nsource: {datasetName: d}\ntimestampField: t\nfeatures: [{name: f, dtype: INT64}]\n' }])).toThrow(
      /repo\/v\.yaml: invalid feature repo document:\n\s+ttlSeconds: /,
    );
    expect(() =>
      parseFeatureRepoDocuments([{ file: 'repo/v.yaml', text: 'kind: FeatureView\nname: v\nentities: [k]\nttlSeconds: 1\nsource: {datasetName: d}\ntimestampField: t\nfeatures: [{name: f, dtype: INT64}]\n' }]),
    ).toThrow(/repo\/v\.yaml: entities\[0\]: 'k' is not the joinKey of any declared Entity/);
    expect(() => parseFeatureRepoDocuments([{ file: 't.yaml', text: 'kind: Nope\n' }])).toThrow(FeatureRepoError);
  });

  it('ingest → materialize → historical features for card trips: no future leakage, aggregates match direct queries', async () => {
    const repo = await loadFeatureRepo(REPO);
    const view = repo.featureViews[0]!;
    const odfv = repo.onDemandFeatureViews[0]!;
    const ts = repo.trainingSets[0]!;
    // Ingestion step (the ingestion lib is another scope; reproduce its output layout: typed
    // columns, naive timestamps read as UTC → TIMESTAMPTZ) to keep this lib's deps clean.
    const dsKey = 'datasets/nyc_taxi_trips/test/data.parquet';
    await fs.mkdir(path.dirname(store.pathFor(dsKey)), { recursive: true });
    await c.run(
      `COPY (SELECT * REPLACE (pickup_datetime::TIMESTAMPTZ AS pickup_datetime, dropoff_datetime::TIMESTAMPTZ AS dropoff_datetime) FROM read_csv('${CSV}')) TO '${store.pathFor(dsKey)}' (FORMAT parquet)`,
    );
    const dsUri = store.uriFor(dsKey);

    const m = await offline.materialize(view, [dsUri], { start: '2019-01-01T00:00:00Z', end: '2020-01-01T00:00:00Z', materializationId: 'm1' });
    expect(m.rowCount).toBeGreaterThan(1900);

    const frame = await offline.query(ts.entitySql, [dsUri], { outputKey: 'training-sets/big_tipper/entities.parquet' });
    const expectedRows = Number((await c.runAndReadAll(`SELECT count(*) AS n FROM '${store.pathFor(dsKey)}' WHERE payment_type = 1 AND fare_amount > 0`)).getRowObjects()[0]!['n']);
    expect(frame.rowCount).toBe(expectedRows);

    const res = await offline.getHistoricalFeatures({ uri: frame.parquet!.uri }, ts.features, [{ view, uris: [m.uri] }, odfv], {
      fullFeatureNames: ts.fullFeatureNames ?? false,
      eventTimestampColumn: ts.eventTimestampColumn,
      output: 'both',
      entities: repo.entities,
    });
    const rows = res.rows!;
    expect(rows).toHaveLength(expectedRows);
    expect(res.columns.map((x) => x.name)).toEqual([
      'pickup_location_id', 'event_timestamp', 'pickup_datetime', 'trip_distance', 'fare_amount', 'passenger_count', 'label',
      'zone_trip_stats__trips_1h', 'zone_trip_stats__trips_24h', 'zone_trip_stats__mean_fare_24h', 'zone_trip_stats__card_share_7d',
      'zone_trip_stats__mean_tip_rate_7d', 'trip_request__trip_distance', 'trip_request__fare_amount', 'trip_request__passenger_count',
      'trip_request__pickup_hour', 'trip_request__pickup_weekday',
    ]);

    // No joined feature row is from the future: re-run the join keeping the feature row's event time.
    await c.run(`CREATE TABLE ent AS SELECT * FROM '${store.pathFor(frame.parquet!.key)}'`);
    await c.run(`CREATE TABLE feat AS SELECT * FROM '${store.pathFor(m.key)}'`);
    const leaks = await c.runAndReadAll(
      `SELECT count(*) AS n FROM ent e ASOF JOIN feat f ON e.pickup_location_id = f.pickup_location_id AND e.event_timestamp >= f.event_timestamp WHERE f.event_timestamp > e.event_timestamp OR f.created_timestamp > e.event_timestamp`,
    );
    expect(Number(leaks.getRowObjects()[0]!['n'])).toBe(0);

    // Spot-check aggregates against direct queries over the raw trips: the stats as of the
    // entity time are those over trips (same pickup zone) that ENDED at the latest dropoff
    // time <= pickup time within 7 days, windows ending at that dropoff.
    const withStats = rows.map((r, i) => ({ r, i })).filter(({ r }) => r['zone_trip_stats__trips_24h'] !== null);
    expect(withStats.length).toBeGreaterThan(50);
    const sample = withStats.filter((_, k) => k % Math.floor(withStats.length / 8) === 0).slice(0, 8);
    const raw = `'${store.pathFor(dsKey)}'`;
    for (const { r } of sample) {
      const zone = r['pickup_location_id'] as number;
      const t = r['event_timestamp'] as string;
      const anchor = (await c.runAndReadAll(`SELECT max(dropoff_datetime) AS a FROM ${raw} WHERE pickup_location_id = ${zone} AND dropoff_datetime <= TIMESTAMPTZ '${t}' AND dropoff_datetime >= TIMESTAMPTZ '${t}' - INTERVAL 7 DAY`)).getRowObjects()[0]!['a'];
      expect(anchor).not.toBeNull();
      const a = `(SELECT max(dropoff_datetime) FROM ${raw} WHERE pickup_location_id = ${zone} AND dropoff_datetime <= TIMESTAMPTZ '${t}')`;
      const exp = (
        await c.runAndReadAll(
          `SELECT count(*) FILTER (WHERE dropoff_datetime >= ${a} - INTERVAL 1 HOUR) AS t1,
                  count(*) FILTER (WHERE dropoff_datetime >= ${a} - INTERVAL 24 HOUR) AS t24,
                  avg(fare_amount) FILTER (WHERE dropoff_datetime >= ${a} - INTERVAL 24 HOUR) AS fare24,
                  avg(CASE WHEN payment_type = 1 THEN 1.0 WHEN payment_type IS NOT NULL THEN 0.0 END) AS card7,
                  avg(CASE WHEN payment_type = 1 AND fare_amount > 0 THEN tip_amount / fare_amount END) AS tip7
           FROM ${raw} WHERE pickup_location_id = ${zone} AND dropoff_datetime <= ${a} AND dropoff_datetime >= ${a} - INTERVAL 7 DAY`,
        )
      ).getRowObjects()[0]!;
      expect(r['zone_trip_stats__trips_1h']).toBe(Number(exp['t1']));
      expect(r['zone_trip_stats__trips_24h']).toBe(Number(exp['t24']));
      expect(r['zone_trip_stats__mean_fare_24h']).toBeCloseTo(Number(exp['fare24']), 9);
      expect(r['zone_trip_stats__card_share_7d']).toBeCloseTo(Number(exp['card7']), 9);
      if (exp['tip7'] === null) expect(r['zone_trip_stats__mean_tip_rate_7d']).toBeNull();
      else expect(r['zone_trip_stats__mean_tip_rate_7d']).toBeCloseTo(Number(exp['tip7']), 9);
      // Request features come from the trip itself.
      expect(r['trip_request__fare_amount']).toBe(r['fare_amount']);
      expect(r['trip_request__pickup_hour']).toBe(new Date(t).getUTCHours());
    }
    // Label: card trips, tip/fare >= 0.2.
    expect(rows.every((r) => typeof r['label'] === 'boolean')).toBe(true);
  });
});
