import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test only: the fixture version is written exactly as ingestion writes it
import { DatasetIngestor, loadDatasetSpec } from '@strata/ingestion/domain-datasets';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { announceDatasetVersions, eventually, infraEnv, REPO_ROOT, startService, uniqueName, waitReady, type RunningService, stackServiceEnv, stopServiceAndClean } from '@strata/shared/testing';
import { Client } from 'pg';

/**
 * Features service against the real stack: apply the taxi repo (source renamed to a unique
 * dataset), announce a dataset version (Parquet written by the ingestion core into a shared
 * temp data dir) on Kafka, then check materialization, online features and a training set.
 */
describe('features service (real Kafka + PostgreSQL)', () => {
  const infra = infraEnv();
  const schema = uniqueName('features_it');
  const dataset = uniqueName('taxi_it');
  const port = 24000 + Math.floor(Math.random() * 900);
  let dataDir: string;
  let svc: RunningService;
  let versionUri: string;
  let versionId: string;
  let base: string;

  const post = async (p: string, body: unknown) => {
    const res = await fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const get = async (p: string) => {
    const res = await fetch(`${base}${p}`);
    return { status: res.status, body: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-features-it-'));
    // The dataset version, written exactly as ingestion writes it.
    const spec = { ...(await loadDatasetSpec(path.join(REPO_ROOT, 'examples/taxi/dataset.yaml'))), name: dataset };
    const ingestor = new DatasetIngestor({ store: new LocalObjectStore(dataDir) });
    const v = await ingestor.ingest(spec, path.join(REPO_ROOT, 'libs/features/data-access-offline-store/src/__fixtures__/taxi-2019-03-2000.csv'));
    await ingestor.close();
    versionUri = v.uri;
    versionId = v.versionId;

    svc = startService('features', port, {
      ...stackServiceEnv('features', schema, dataDir),
    });
    base = svc.baseUrl;
    await waitReady(svc);

    const dir = path.join(REPO_ROOT, 'examples/taxi/feature_repo');
    const documents = await Promise.all(
      (await fs.readdir(dir)).filter((f) => f.endsWith('.yaml')).map(async (f) => ({ file: f, content: (await fs.readFile(path.join(dir, f), 'utf8')).replace(/datasetName: nyc_taxi_trips/g, `datasetName: ${dataset}`) })),
    );
    const applied = await post('/feature-repo/apply', { documents });
    expect(applied.status).toBe(200);
    expect((applied.body['changes'] as Array<{ action: string }>).map((c) => c.action)).toEqual(['create', 'create', 'create', 'create', 'create']);
    const again = await post('/feature-repo/apply', { documents });
    expect((again.body['changes'] as Array<{ action: string }>).every((c) => c.action === 'unchanged')).toBe(true);

    await announceDatasetVersions(infra.kafkaBrokers, '/strata/ingestion-it', [
      {
        datasetName: dataset,
        versionId,
        contentSha256: v.contentSha256,
        uri: v.uri,
        format: 'parquet',
        rowCount: v.rowCount,
        sizeBytes: v.sizeBytes,
        schema: [{ name: 'pickup_location_id', type: 'int64', nullable: false }],
        parentVersionId: null,
        createdAt: new Date().toISOString(),
      },
    ]);
  }, 120_000);

  afterAll(() => stopServiceAndClean(svc, [schema], [dataDir]));

  it('materializes on dataset-version-created, serves the latest row online, announces it', async () => {
    const mats = await eventually(async () => {
      const r = await get(`/materializations?featureView=zone_trip_stats&datasetVersion=${dataset}@${versionId}`);
      const list = r.body as Array<{ status: string; offlineUri: string; rowCount: number; onlineRowCount: number }>;
      if (!list.some((m) => m.status === 'SUCCEEDED')) throw new Error(`no SUCCEEDED materialization yet: ${JSON.stringify(list)}`);
      return list;
    }, 90_000);
    const m = mats.find((x) => x.status === 'SUCCEEDED')!;
    expect(m.rowCount).toBeGreaterThan(1000);
    expect(m.onlineRowCount).toBeGreaterThan(10);

    // Offline latest row of the busiest zone, read straight from the offline Parquet.
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    const file = new URL(m.offlineUri).pathname;
    const latest = (
      await conn.runAndReadAll(
        `SELECT pickup_location_id::INTEGER AS z, trips_24h::INTEGER AS t24, mean_fare_24h AS mf, card_share_7d AS cs, epoch_ms(event_timestamp) AS ets FROM read_parquet('${file}')
         QUALIFY row_number() OVER (PARTITION BY pickup_location_id ORDER BY event_timestamp DESC) = 1 ORDER BY t24 DESC, z LIMIT 1`,
      )
    ).getRowObjects()[0]!;
    conn.closeSync();
    db.closeSync();
    const zone = Number(latest['z']);
    const online = await post('/get-online-features', {
      features: ['zone_trip_stats:trips_24h', 'zone_trip_stats:mean_fare_24h', 'zone_trip_stats:card_share_7d'],
      entities: { pickup_location_id: [zone, 100000] },
      as_of: new Date(Number(latest['ets'])).toISOString(),
    });
    expect(online.status).toBe(200);
    const results = online.body['results'] as Array<{ values: unknown[]; statuses: string[]; event_timestamps: string[] }>;
    expect(online.body['metadata']).toEqual({ feature_names: ['pickup_location_id', 'trips_24h', 'mean_fare_24h', 'card_share_7d'] });
    expect(results[1]!.values).toEqual([Number(latest['t24']), null]);
    expect(results[1]!.statuses).toEqual(['PRESENT', 'NOT_FOUND']);
    expect(results[2]!.values[0]).toBeCloseTo(Number(latest['mf']), 9);
    expect(results[3]!.values[0]).toBeCloseTo(Number(latest['cs']), 9);
    expect(Date.parse(results[1]!.event_timestamps[0]!)).toBe(Number(latest['ets']));

    // Against "now", the 2019 row is older than the 7-day TTL.
    const stale = await post('/get-online-features', { features: ['zone_trip_stats:trips_24h'], entities: { pickup_location_id: [zone] } });
    expect((stale.body['results'] as Array<{ statuses: string[] }>)[1]!.statuses).toEqual(['OUTSIDE_MAX_AGE']);

    // The run was announced through the outbox.
    const pg = new Client({ connectionString: infra.databaseUrl });
    await pg.connect();
    const ev = await pg.query(`SELECT payload FROM "${schema}".outbox_event WHERE topic = $1`, ['strata.features.features-materialized.v1']);
    await pg.end();
    expect(ev.rows.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(Buffer.from(ev.rows[0].payload).toString('utf8'))).toMatchObject({ featureView: 'zone_trip_stats', sourceDatasetVersions: [{ datasetName: dataset, versionId }] });
  }, 120_000);

  it('builds a point-in-time correct training set: one row per card trip, no feature from after the entity time', async () => {
    const started = await post('/training-sets', { trainingSet: 'big_tipper', datasetVersions: [{ datasetName: dataset, versionId }] });
    expect(started.status).toBe(202);
    const id = started.body['id'] as string;
    const build = await eventually(async () => {
      const r = (await get(`/training-sets/${id}`)).body as { status: string; uri: string; rowCount: number; columns: Array<{ name: string; role: string }>; error?: string };
      if (r.status === 'RUNNING') throw new Error('still running');
      return r;
    }, 60_000);
    expect(build.error).toBeUndefined();
    expect(build.status).toBe('SUCCEEDED');
    expect(build.columns.filter((c) => c.role === 'feature')).toHaveLength(10);
    expect(build.columns.find((c) => c.name === 'label')?.role).toBe('label');
    expect(build.columns.find((c) => c.name === 'pickup_location_id')?.role).toBe('join_key');
    expect(build.columns.find((c) => c.name === 'event_timestamp')?.role).toBe('event_timestamp');

    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    const ts = new URL(build.uri).pathname;
    const src = new URL(versionUri).pathname;
    const cardTrips = Number(
      (await conn.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${src}') WHERE payment_type = 1 AND fare_amount > 0 AND pickup_location_id IS NOT NULL AND pickup_datetime IS NOT NULL`)).getRowObjects()[0]!['n'],
    );
    expect(build.rowCount).toBe(cardTrips);
    // Recompute the expected value with an ASOF join on the feature file: the latest feature row at or before the entity time, within the TTL.
    const mats = (await get(`/materializations?featureView=zone_trip_stats`)).body as Array<{ status: string; offlineUri: string }>;
    const feat = new URL(mats.find((m) => m.status === 'SUCCEEDED')!.offlineUri).pathname;
    const mismatches = Number(
      (
        await conn.runAndReadAll(
          `SELECT count(*) AS n FROM read_parquet('${ts}') t ASOF LEFT JOIN read_parquet('${feat}') f
             ON t.pickup_location_id = f.pickup_location_id AND t.event_timestamp >= f.event_timestamp
           WHERE t.zone_trip_stats__trips_24h IS DISTINCT FROM (CASE WHEN f.event_timestamp >= t.event_timestamp - INTERVAL 7 DAY THEN f.trips_24h END)`,
        )
      ).getRowObjects()[0]!['n'],
    );
    expect(mismatches).toBe(0);
    const withFeatures = Number((await conn.runAndReadAll(`SELECT count(zone_trip_stats__trips_24h) AS n FROM read_parquet('${ts}')`)).getRowObjects()[0]!['n']);
    expect(withFeatures).toBeGreaterThan(cardTrips / 2);
    conn.closeSync();
    db.closeSync();
  }, 120_000);

  it('rejects bad requests with 4xx naming the problem', async () => {
    const bad = await post('/get-online-features', { features: ['nope:x'], entities: { pickup_location_id: [1] } });
    expect(bad.status).toBe(400);
    expect(String(bad.body['error'])).toContain("unknown feature view 'nope'");
    const unknownVersion = await post('/training-sets', { trainingSet: 'big_tipper', datasetVersions: [{ datasetName: dataset, versionId: 'nope' }] });
    expect(unknownVersion.status).toBe(404);
    const badRepo = await post('/feature-repo/plan', { documents: [{ file: 'x.yaml', content: 'kind: FeatureView\nname: x\n' }] });
    expect(badRepo.status).toBe(400);
    expect(String(badRepo.body['error'])).toContain('x.yaml');
  });
});
