import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBOfflineStore, loadFeatureRepo } from '@strata/features/data-access-offline-store';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import type { FeatureRegistryService, Registry } from './feature-registry.service';
import { OnlineFeaturesService } from './online-features.service';
import type { OnlineStore } from './online/online-store';

const REPO = path.join(__dirname, '../../../../../examples/taxi/feature_repo');
const CSV = path.join(__dirname, '../../../data-access-offline-store/src/__fixtures__/taxi-2019-03-2000.csv');

/**
 * No train/serve skew for on-demand views: the example's `trip_request` view computed OFFLINE
 * (training-set path: entity frame from Parquet, pickup times TIMESTAMPTZ as ingestion writes
 * them) and ONLINE (`POST /get-online-features` path: `request_data` JSON values as serving sends
 * them, ISO-8601 UTC strings) gives identical values, bit for bit, for 2,000 real trips plus
 * instants at UTC day/week boundaries and around New York's DST changes.
 */
describe('on-demand view parity: online (request_data) = offline (training set)', () => {
  let dir: string;
  let offline: DuckDBOfflineStore;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-odfv-parity-'));
    offline = new DuckDBOfflineStore({ store: new LocalObjectStore(path.join(dir, 'lake')), tmpDir: dir });
  });
  afterAll(async () => {
    await offline.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('trip_request: every feature of every row is identical (hour / ISO weekday in UTC)', async () => {
    const repo = await loadFeatureRepo(REPO);
    const odfv = repo.onDemandFeatureViews.find((v) => v.name === 'trip_request')!;
    const refs = odfv.features.map((f) => `trip_request:${f.name}`);
    const lake = new LocalObjectStore(path.join(dir, 'lake'));
    const key = 'entities.parquet';
    await fs.mkdir(path.dirname(lake.pathFor(key)), { recursive: true });
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`SET TimeZone = 'UTC'`);
    const extra = [
      '2019-03-10 06:59:59.999', '2019-03-10 07:00:00', '2019-11-03 05:59:59', '2019-11-03 06:00:00', // NY DST changes (UTC)
      '2020-01-05 23:59:59.999', '2020-01-06 00:00:00', '2020-02-29 12:00:00', '2019-12-31 23:59:59.999',
    ];
    await c.run(
      `COPY (
         SELECT pickup_location_id::BIGINT AS pickup_location_id, pickup_datetime::TIMESTAMPTZ AS event_timestamp, pickup_datetime::TIMESTAMPTZ AS pickup_datetime,
                trip_distance::DOUBLE AS trip_distance, fare_amount::DOUBLE AS fare_amount, passenger_count::BIGINT AS passenger_count
         FROM read_csv('${CSV}') WHERE pickup_datetime IS NOT NULL
         UNION ALL
         SELECT 1, t::TIMESTAMPTZ, t::TIMESTAMPTZ, NULL, 0.1 + 0.2, NULL FROM (VALUES ${extra.map((t) => `('${t}')`).join(', ')}) v(t)
       ) TO '${lake.pathFor(key)}' (FORMAT parquet)`,
    );
    c.closeSync();
    db.closeSync();

    const off = await offline.getHistoricalFeatures({ uri: lake.uriFor(key) }, refs, [odfv], { eventTimestampColumn: 'event_timestamp', fullFeatureNames: true, entities: repo.entities });
    const rows = off.rows!;
    expect(rows.length).toBeGreaterThan(2000);

    const registry = { loadCached: async (): Promise<Registry> => ({ ...repo, featureServices: [], pushSources: [] }) as unknown as Registry };
    const online: OnlineStore = {
      kind: 'none',
      write: () => Promise.reject(new Error('not used')),
      read: () => Promise.reject(new Error('no batch view is read')),
      deleteView: () => Promise.reject(new Error('not used')),
      close: async () => undefined,
    };
    const service = new OnlineFeaturesService(registry as unknown as FeatureRegistryService, online, offline);
    const col = (name: string) => rows.map((r) => r[name] as string | number | null);
    const res = await service.get({
      features: refs,
      entities: { pickup_location_id: col('pickup_location_id') },
      request_data: { trip_distance: col('trip_distance'), fare_amount: col('fare_amount'), passenger_count: col('passenger_count'), pickup_datetime: col('pickup_datetime') },
      full_feature_names: true,
    });
    expect(res.metadata.feature_names.slice(1)).toEqual(odfv.features.map((f) => `trip_request__${f.name}`));
    const mismatches: string[] = [];
    odfv.features.forEach((f, j) => {
      const name = `trip_request__${f.name}`;
      const onlineValues = res.results[j + 1]!.values;
      rows.forEach((r, i) => {
        if (!Object.is(onlineValues[i], r[name])) mismatches.push(`row ${i} ${name}: online ${String(onlineValues[i])} offline ${String(r[name])} (pickup ${String(r['pickup_datetime'])})`);
      });
    });
    expect(mismatches).toEqual([]);
    // The boundary instants are really there and computed in UTC (2020-01-06 was a Monday).
    const at = (iso: string) => rows.findIndex((r) => r['pickup_datetime'] === iso);
    const monday = at('2020-01-06T00:00:00.000Z');
    const sunday = at('2020-01-05T23:59:59.999Z');
    expect([res.results[4]!.values[monday], res.results[5]!.values[monday]]).toEqual([0, 1]);
    expect([res.results[4]!.values[sunday], res.results[5]!.values[sunday]]).toEqual([23, 7]);
  });
});
