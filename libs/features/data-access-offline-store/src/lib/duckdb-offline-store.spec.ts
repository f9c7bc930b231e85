import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { InMemoryObjectStore, LocalObjectStore } from '@strata/shared/data-access-object-store';
import { DuckDBOfflineStore } from './duckdb-offline-store';
import type { FeatureView, OnDemandFeatureView } from './feature-view';
import { EntityFrameError, FeatureReferenceError } from './offline-store.errors';

const view = (over: Partial<FeatureView> = {}): FeatureView => ({
  kind: 'feature_view',
  name: 'cust',
  entities: ['customer_id'],
  ttlSeconds: 3600,
  source: { datasetName: 'raw' },
  features: [{ name: 'value', dtype: 'INT64' }],
  timestampField: 'ts',
  createdTimestampField: 'created',
  transformation: 'SELECT customer_id, ts, created, value FROM source',
  ...over,
});

describe('DuckDBOfflineStore', () => {
  let dir: string;
  let store: LocalObjectStore;
  let offline: DuckDBOfflineStore;
  let db: DuckDBInstance;

  /** Writes rows (as SQL VALUES) to a source Parquet in the store and returns its URI. */
  const source = async (key: string, valuesSql: string, cols = 'customer_id, ts, created, value') => {
    const c = await db.connect();
    const p = store.pathFor(key);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await c.run(`COPY (SELECT * FROM (VALUES ${valuesSql}) t(${cols})) TO '${p}' (FORMAT parquet)`);
    c.closeSync();
    return store.uriFor(key);
  };
  const materialize = async (v: FeatureView, uris: string[], id = 'm1') =>
    offline.materialize(v, uris, { start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z', materializationId: id });

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-offline-spec-'));
    store = new LocalObjectStore(path.join(dir, 'lake'));
    offline = new DuckDBOfflineStore({ store, tmpDir: dir });
    db = await DuckDBInstance.create(':memory:');
  });
  afterEach(async () => {
    await offline.close();
    db.closeSync();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const ts = (s: string) => `TIMESTAMPTZ '${s}'`;
  const C1 = `('C1', ${ts('2024-03-01 08:59:00+00')}, ${ts('2024-03-01 08:59:00+00')}, 1), ('C1', ${ts('2024-03-01 09:30:00+00')}, ${ts('2024-03-01 09:30:00+00')}, 2)`;

  it('materializes feature rows with the fixed layout and reports counts and event-time range', async () => {
    const src = await source('datasets/raw/v1/data.parquet', C1);
    const m = await offline.materialize(view(), [src], { start: '2024-03-01T09:00:00Z', end: '2024-03-02T00:00:00Z', materializationId: 'abc' });
    expect(m).toMatchObject({ view: 'cust', key: 'features/cust/abc.parquet', rowCount: 1, minEventTime: '2024-03-01T09:30:00.000Z', maxEventTime: '2024-03-01T09:30:00.000Z' });
    const c = await db.connect();
    const d = (await c.runAndReadAll(`DESCRIBE SELECT * FROM '${store.pathFor(m.key)}'`)).getRowObjectsJson().map((r) => `${r['column_name']}:${r['column_type']}`);
    c.closeSync();
    expect(d).toEqual(['customer_id:VARCHAR', 'event_timestamp:TIMESTAMP WITH TIME ZONE', 'created_timestamp:TIMESTAMP WITH TIME ZONE', 'value:BIGINT']);
  });

  it('TTL 1h: entity at 11:00+01:00 (10:00Z) gets the 09:30Z value; at 10:31Z the row is outside TTL → null', async () => {
    await materialize(view(), [await source('s.parquet', C1)]);
    for (const strategy of ['auto', 'asof', 'range'] as const) {
      const r = await offline.getHistoricalFeatures(
        { rows: [{ customer_id: 'C1', event_timestamp: '2024-03-01T11:00:00+01:00' }, { customer_id: 'C1', event_timestamp: '2024-03-01T10:31:00Z' }, { customer_id: 'C1', event_timestamp: '2024-03-01T09:10:00Z' }] },
        ['cust:value'],
        [{ view: view() }],
        { strategy },
      );
      expect(r.rows).toEqual([
        { customer_id: 'C1', event_timestamp: '2024-03-01T10:00:00.000Z', value: 2 },
        { customer_id: 'C1', event_timestamp: '2024-03-01T10:31:00.000Z', value: null },
        { customer_id: 'C1', event_timestamp: '2024-03-01T09:10:00.000Z', value: 1 },
      ]);
    }
  });

  it('keeps duplicate entity rows (same key and time, different labels) and input order', async () => {
    await materialize(view(), [await source('s.parquet', C1)]);
    const rows = [
      { customer_id: 'C2', event_timestamp: '2024-03-01T10:00:00Z', label: 0 },
      { customer_id: 'C1', event_timestamp: '2024-03-01T10:00:00Z', label: 1 },
      { customer_id: 'C1', event_timestamp: '2024-03-01T10:00:00Z', label: 0 },
      { customer_id: 'C1', event_timestamp: '2024-03-01T09:00:00Z', label: 1 },
    ];
    const r = await offline.getHistoricalFeatures({ rows }, ['cust:value'], [{ view: view() }]);
    expect(r.rows?.map((x) => [x['customer_id'], x['label'], x['value']])).toEqual([
      ['C2', 0, null],
      ['C1', 1, 2],
      ['C1', 0, 2],
      ['C1', 1, 1],
    ]);
  });

  it('resolves a tie on event time by the latest created time, regardless of file order', async () => {
    const t = ts('2024-03-01 09:00:00+00');
    // The later-created row sits in the FIRST file and first position.
    const a = await source('a.parquet', `('C1', ${t}, ${ts('2024-03-01 09:20:00+00')}, 20), ('C1', ${t}, ${ts('2024-03-01 09:00:00+00')}, 10)`);
    const b = await source('b.parquet', `('C1', ${t}, ${ts('2024-03-01 09:10:00+00')}, 15)`);
    const ma = await materialize(view(), [a], 'a');
    const mb = await materialize(view(), [b], 'b');
    for (const strategy of ['auto', 'range'] as const) {
      const r = await offline.getHistoricalFeatures({ rows: [{ customer_id: 'C1', event_timestamp: '2024-03-01T09:30:00Z' }] }, ['cust:value'], [{ view: view(), uris: [mb.uri, ma.uri] }], { strategy });
      expect(r.rows?.[0]?.['value']).toBe(20);
    }
    // Without created-after rows, auto uses ASOF and still honours the tie-break.
    const r2 = await offline.getHistoricalFeatures({ rows: [{ customer_id: 'C1', event_timestamp: '2024-03-01T09:30:00Z' }] }, ['cust:value'], [{ view: view() }], { asOfKnownTime: false });
    expect(r2.strategies).toEqual({ cust: 'asof' });
    expect(r2.rows?.[0]?.['value']).toBe(20);
  });

  it('ignores a feature row created after the entity time (asOfKnownTime), uses it when disabled', async () => {
    const src = await source('s.parquet', `('C1', ${ts('2024-03-01 09:00:00+00')}, ${ts('2024-03-01 09:00:00+00')}, 1), ('C1', ${ts('2024-03-01 09:30:00+00')}, ${ts('2024-03-01 10:30:00+00')}, 2)`);
    const v2 = view({ ttlSeconds: 7200 });
    await materialize(v2, [src]);
    const req = { rows: [{ customer_id: 'C1', event_timestamp: '2024-03-01T10:00:00Z' }, { customer_id: 'C1', event_timestamp: '2024-03-01T10:45:00Z' }] };
    const r = await offline.getHistoricalFeatures(req, ['cust:value'], [{ view: v2 }]);
    expect(r.strategies).toEqual({ cust: 'range' });
    expect(r.rows?.map((x) => x['value'])).toEqual([1, 2]);
    const r2 = await offline.getHistoricalFeatures(req, ['cust:value'], [{ view: v2 }], { asOfKnownTime: false });
    expect(r2.rows?.map((x) => x['value'])).toEqual([2, 2]);
    await expect(offline.getHistoricalFeatures(req, ['cust:value'], [{ view: v2 }], { strategy: 'asof' })).rejects.toThrow(/not exact/);
  });

  it('zero-row request → empty result with the full schema (rows and Parquet)', async () => {
    await materialize(view(), [await source('s.parquet', C1)]);
    const odfv: OnDemandFeatureView = { kind: 'on_demand_feature_view', name: 'req', requestSchema: [{ name: 'amount', dtype: 'FLOAT64' }], features: [{ name: 'double_amount', dtype: 'FLOAT64', expression: 'amount * 2' }] };
    const r = await offline.getHistoricalFeatures({ rows: [] }, ['cust:value', 'req:double_amount'], [{ view: view() }, odfv], { output: 'both', outputKey: 'training-sets/empty.parquet' });
    expect(r.rows).toEqual([]);
    expect(r.rowCount).toBe(0);
    expect(r.columns).toEqual([
      { name: 'customer_id', type: 'VARCHAR' },
      { name: 'event_timestamp', type: 'TIMESTAMP WITH TIME ZONE' },
      { name: 'amount', type: 'DOUBLE' },
      { name: 'value', type: 'BIGINT' },
      { name: 'double_amount', type: 'DOUBLE' },
    ]);
    const c = await db.connect();
    const n = (await c.runAndReadAll(`SELECT count(*) AS n FROM '${store.pathFor('training-sets/empty.parquet')}'`)).getRowObjectsJson();
    c.closeSync();
    expect(n).toEqual([{ n: '0' }]);
  });

  it('reads the entity frame from Parquet (naive timestamps = UTC), evaluates on-demand features, writes Parquet output', async () => {
    await materialize(view(), [await source('s.parquet', C1)]);
    const c = await db.connect();
    await c.run(`COPY (SELECT * FROM (VALUES ('C1', TIMESTAMP '2024-03-01 10:00:00', 5.5, true)) t(customer_id, event_timestamp, amount, label)) TO '${store.pathFor('entities.parquet')}' (FORMAT parquet)`);
    c.closeSync();
    const odfv: OnDemandFeatureView = { kind: 'on_demand_feature_view', name: 'req', requestSchema: [{ name: 'amount', dtype: 'FLOAT64' }, { name: 'event_timestamp', dtype: 'TIMESTAMP' }], features: [{ name: 'double_amount', dtype: 'FLOAT64', expression: 'amount * 2' }, { name: 'hour', dtype: 'INT64', expression: 'hour(event_timestamp)' }] };
    const r = await offline.getHistoricalFeatures({ uri: store.uriFor('entities.parquet') }, ['req:hour', 'cust:value', 'req:double_amount'], [odfv, { view: view() }], { output: 'both', fullFeatureNames: true });
    expect(r.rows).toEqual([{ customer_id: 'C1', event_timestamp: '2024-03-01T10:00:00.000Z', amount: 5.5, label: true, req__hour: 10, cust__value: 2, req__double_amount: 11 }]);
    expect(r.parquet?.uri).toMatch(/^file:\/\/.*training-sets\/.*\.parquet$/);
  });

  it('works with a non-file store (spooling) and streams the latest row per entity', async () => {
    const mem = new InMemoryObjectStore('m');
    const off = new DuckDBOfflineStore({ store: mem, tmpDir: dir });
    const srcUri = await source('s.parquet', `${C1}, ('C2', ${ts('2024-03-01 07:00:00+00')}, ${ts('2024-03-01 07:00:00+00')}, 7)`);
    const put = await mem.put('datasets/raw/v/data.parquet', await fs.readFile(store.pathFor(store.resolve(srcUri))));
    await off.materialize(view(), [put.uri], { start: '2024-01-01', end: '2025-01-01', materializationId: 'x' });
    const batches: unknown[] = [];
    for await (const b of off.streamLatestRows(view(), undefined, { batchSize: 1 })) batches.push(b);
    expect(batches).toEqual([
      [{ customer_id: 'C1', event_timestamp: '2024-03-01T09:30:00.000Z', created_timestamp: '2024-03-01T09:30:00.000Z', value: 2 }],
      [{ customer_id: 'C2', event_timestamp: '2024-03-01T07:00:00.000Z', created_timestamp: '2024-03-01T07:00:00.000Z', value: 7 }],
    ]);
    await off.close();
  });

  it('names bad references and missing entity columns', async () => {
    await materialize(view(), [await source('s.parquet', C1)]);
    await expect(offline.getHistoricalFeatures({ rows: [] }, ['cust'], [{ view: view() }])).rejects.toThrow(FeatureReferenceError);
    await expect(offline.getHistoricalFeatures({ rows: [] }, ['nope:value'], [{ view: view() }])).rejects.toThrow(/'nope:value': unknown feature view 'nope'/);
    await expect(offline.getHistoricalFeatures({ rows: [] }, ['cust:nope'], [{ view: view() }])).rejects.toThrow(/has no feature 'nope'/);
    await expect(offline.getHistoricalFeatures({ rows: [{ event_timestamp: '2024-03-01T10:00:00Z' }] }, ['cust:value'], [{ view: view() }])).rejects.toThrow(EntityFrameError);
    await expect(offline.getHistoricalFeatures({ rows: [{ customer_id: 'C1', event_timestamp: 'yesterday-ish' }] }, ['cust:value'], [{ view: view() }])).rejects.toThrow(/row 0: column 'event_timestamp' value 'yesterday-ish'/);
    await expect(offline.materialize(view({ transformation: 'SELECT customer_id, ts FROM source' }), [store.uriFor('s.parquet')], { start: '2024-01-01', end: '2025-01-01' })).rejects.toThrow(/Feature view 'cust': transformation output lacks column\(s\) 'created', 'value'/);
  });

  it('random check: sampled joined values equal a direct DuckDB query (both strategies)', async () => {
    // Seeded generator: 20 keys, 2,000 feature rows with created lag 0..2h, 500 entity rows.
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const base = Date.parse('2024-03-01T00:00:00Z');
    const vals: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const ev = base + Math.floor(rnd() * 48) * 15 * 60_000; // quarter-hour grid → many ties
      const cr = ev + Math.floor(rnd() * 3) * 3_600_000 * (rnd() < 0.3 ? 1 : 0) + i * 1000; // unique created → no full ties
      vals.push(`('K${Math.floor(rnd() * 20)}', TIMESTAMPTZ '${new Date(ev).toISOString()}', TIMESTAMPTZ '${new Date(cr).toISOString()}', ${i})`);
    }
    await materialize(view({ ttlSeconds: 3 * 3600 }), [await source('s.parquet', vals.join(', '))]);
    const rows = Array.from({ length: 500 }, () => ({ customer_id: `K${Math.floor(rnd() * 20)}`, event_timestamp: new Date(base + Math.floor(rnd() * 52 * 60) * 60_000).toISOString() }));
    const v = view({ ttlSeconds: 3 * 3600 });
    const range = await offline.getHistoricalFeatures({ rows }, ['cust:value'], [{ view: v }], { strategy: 'range' });
    const auto = await offline.getHistoricalFeatures({ rows }, ['cust:value'], [{ view: v }], { asOfKnownTime: false });
    const rangeNoKnown = await offline.getHistoricalFeatures({ rows }, ['cust:value'], [{ view: v }], { asOfKnownTime: false, strategy: 'range' });
    expect(auto.strategies).toEqual({ cust: 'asof' });
    expect(auto.rows).toEqual(rangeNoKnown.rows);
    const c = await db.connect();
    await c.run(`SET TimeZone='UTC'`);
    const f = store.pathFor('features/cust/m1.parquet');
    let nonNull = 0;
    for (let i = 0; i < rows.length; i += 7) {
      const e = rows[i]!;
      const q = async (known: boolean) =>
        (await c.runAndReadAll(
          `SELECT value FROM '${f}' WHERE customer_id = '${e.customer_id}' AND event_timestamp <= TIMESTAMPTZ '${e.event_timestamp}' AND event_timestamp >= TIMESTAMPTZ '${e.event_timestamp}' - INTERVAL 3 HOUR ${known ? `AND created_timestamp <= TIMESTAMPTZ '${e.event_timestamp}'` : ''} ORDER BY event_timestamp DESC, created_timestamp DESC, value DESC LIMIT 1`,
        )).getRowObjects()[0]?.['value'];
      const exp = await q(true);
      expect(range.rows?.[i]?.['value']).toBe(exp === undefined ? null : Number(exp));
      const exp2 = await q(false);
      expect(auto.rows?.[i]?.['value']).toBe(exp2 === undefined ? null : Number(exp2));
      if (exp !== undefined) nonNull++;
    }
    c.closeSync();
    expect(nonNull).toBeGreaterThan(10);
  });
});
