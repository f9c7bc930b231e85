import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { FeaturesApi } from '@strata/contracts/api';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { announceDatasetVersions, customerFeatureRepoYaml, eventually, infraEnv, queryPostgres, redisUrl, startService, uniqueName, waitReady, type RunningService, stackServiceEnv } from '@strata/shared/testing';
import { createClient } from 'redis';

/**
 * The features service on BOTH online stores (PostgreSQL and Redis), over HTTP, against the real
 * Kafka / PostgreSQL / Redis: a small customer dataset announced in two versions, a push source,
 * a feature service. Checks online TTL statuses against the offline point-in-time answer,
 * push (validation, nothing written on bad input), feature services, bad input, and
 * materialization by window / incremental with watermark semantics and failures.
 */
const infra = infraEnv();
const dataset = uniqueName('customers_it');
const MATERIALIZED = 'strata.features.features-materialized.v1';

const repoDocs = [
  {
    file: 'customers.yaml',
    content: `${customerFeatureRepoYaml({ prefix: 'customer', datasetName: dataset, ttlSeconds: 3600, features: [{ name: 'spend', dtype: 'FLOAT64' }, { name: 'orders', dtype: 'INT64' }] })}---
kind: FeatureService
name: customer_v1
features: [customer_stats:spend, customer_stats:orders]
`,
  },
];

interface Store {
  kind: 'postgres' | 'redis';
  schema: string;
  prefix: string;
  svc?: RunningService;
}
const stores: Store[] = [
  { kind: 'postgres', schema: uniqueName('features_pg_it'), prefix: '' },
  { kind: 'redis', schema: uniqueName('features_rd_it'), prefix: uniqueName('strata_it') },
];

let dataDir: string;
const versions: Array<{ versionId: string; uri: string; sha: string }> = [];

type Json = Record<string, unknown>;
const call = async (s: Store, method: string, p: string, body?: unknown): Promise<{ status: number; body: Json & Json[] }> => {
  const res = await fetch(`${s.svc!.baseUrl}${p}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json & Json[] };
};
const post = (s: Store, p: string, body: unknown) => call(s, 'POST', p, body);
/** `POST /push` of `df` (columns customer_id, event_timestamp, spend, orders) to push source customer_push, into `to`. */
const pushCustomers = (s: Store, df: Record<string, unknown[]>, to: string) => post(s, '/push', { push_source_name: 'customer_push', df, to });
/**
 * POST with node:http for an over-limit body. The server answers 413 from the Content-Length
 * header alone and closes the connection; if the client is still writing the body then, the peer's
 * RST can discard the 413 from the client's receive buffer before Node reads it (write EPIPE, seen
 * in CI). So the headers go first, and the body is sent only if no answer came within 5 s (a
 * server that does read the body still gets all of it).
 */
const rawPost = (s: Store, p: string, body: string) =>
  new Promise<{ status: number; body: Json }>((resolve, reject) => {
    let answered = false;
    const req = http.request(`${s.svc!.baseUrl}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      answered = true;
      clearTimeout(sendBody);
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Json });
        req.destroy();
      });
    });
    req.on('error', (e) => (answered ? undefined : reject(e)));
    req.flushHeaders();
    const sendBody = setTimeout(() => req.end(body), 5000);
  });
const get = (s: Store, p: string) => call(s, 'GET', p);

const pgQuery = <T extends Json>(sql: string, params: unknown[] = []): Promise<T[]> => queryPostgres<T>(infra.databaseUrl, sql, params);
const materializedEvents = async (s: Store) => Number((await pgQuery<{ n: string }>(`SELECT count(*) AS n FROM "${s.schema}".outbox_event WHERE topic = $1`, [MATERIALIZED]))[0]!.n);

beforeAll(async () => {
  const url = redisUrl();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-features-stores-it-'));
  // Two dataset versions of the customer dataset, written as Parquet into the lake.
  const store = new LocalObjectStore(dataDir);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`SET TimeZone = 'UTC'`);
  const parts = [
    `(1, TIMESTAMPTZ '2024-03-01 08:59:00+00', 1.0, 1), (1, TIMESTAMPTZ '2024-03-01 09:30:00+00', 2.0, 2), (2, TIMESTAMPTZ '2024-03-02 10:00:00+00', 5.0, 1)`,
    `(1, TIMESTAMPTZ '2024-03-05 10:00:00+00', 3.0, 3), (3, TIMESTAMPTZ '2024-03-05 12:00:00+00', 7.5, 4)`,
  ];
  for (const [i, values] of parts.entries()) {
    const file = path.join(dataDir, `v${i}.parquet`);
    await conn.run(`COPY (SELECT customer_id::BIGINT AS customer_id, ts AS event_timestamp, spend::DOUBLE AS spend, orders::BIGINT AS orders FROM (VALUES ${values}) t(customer_id, ts, spend, orders)) TO '${file}' (FORMAT parquet)`);
    const put = await store.put(`datasets/${dataset}/v${i}.parquet`, await fs.readFile(file));
    versions.push({ versionId: `v${i}-${randomUUID().slice(0, 8)}`, uri: put.uri, sha: put.sha256 });
  }
  conn.closeSync();
  db.closeSync();

  const base = 23000 + Math.floor(Math.random() * 900);
  for (const [i, s] of stores.entries()) {
    s.svc = startService('features', base + i, {
      ...stackServiceEnv('features', s.schema, dataDir),
      FEATURES_ONLINE_STORE: s.kind,
      ...(s.kind === 'redis' ? { REDIS_URL: url, FEATURES_REDIS_KEY_PREFIX: s.prefix } : {}),
    });
  }
  for (const s of stores) await waitReady(s.svc!);
  for (const s of stores) {
    const planned = await post(s, '/feature-repo/plan', { documents: repoDocs });
    expect(planned.status).toBe(200);
    expect((planned.body['changes'] as Json[]).map((c) => `${String(c['kind'])}/${String(c['name'])}:${String(c['action'])}`)).toEqual([
      'entity/customer:create',
      'feature_service/customer_v1:create',
      'feature_view/customer_stats:create',
      'push_source/customer_push:create',
    ]);
    expect((await post(s, '/feature-repo/apply', { documents: repoDocs })).status).toBe(200);
    const again = await post(s, '/feature-repo/apply', { documents: repoDocs });
    expect((again.body['changes'] as Json[]).every((c) => c['action'] === 'unchanged')).toBe(true);
    // plan and apply answer the contract's RepoPlan (what the typed client's planFeatureRepo / applyFeatureRepo type)
    expect(FeaturesApi.planFeatureRepo.response.parse(planned.body).featureViews.map((v) => v.name)).toEqual(['customer_stats']);
    expect(FeaturesApi.applyFeatureRepo.response.parse(again.body).changes).toHaveLength(4);
  }

  await announceDatasetVersions(
    infra.kafkaBrokers,
    '/strata/features-it',
    versions.map((v, i) => ({
      datasetName: dataset,
      versionId: v.versionId,
      contentSha256: v.sha,
      uri: v.uri,
      format: 'parquet',
      rowCount: i === 0 ? 3 : 2,
      sizeBytes: 1,
      schema: [{ name: 'customer_id', type: 'int64', nullable: false }],
      parentVersionId: i === 0 ? null : versions[0]!.versionId,
      createdAt: new Date(Date.UTC(2024, 2, 6 + i)).toISOString(),
    })),
  );
  for (const s of stores)
    await eventually(async () => {
      const r = await get(s, `/materializations?featureView=customer_stats&datasetVersion=${dataset}@${versions[1]!.versionId}`);
      if (!r.body.some((m) => m['status'] === 'SUCCEEDED')) throw new Error(`${s.kind}: no SUCCEEDED materialization over v1 yet: ${JSON.stringify(r.body)}`);
    }, 90_000);
}, 240_000);

afterAll(async () => {
  for (const s of stores) await s.svc?.stop();
  for (const s of stores) await pgQuery(`DROP SCHEMA IF EXISTS "${s.schema}" CASCADE`);
  const r = createClient({ url: redisUrl() });
  await r.connect();
  const keys = await r.keys(`${stores[1]!.prefix}:*`);
  if (keys.length) await r.del(keys);
  await r.quit();
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe.each(stores.map((s) => [s.kind, s] as const))('features service with the %s online store (real stack)', (_kind, s) => {
  it('serves the materialized latest rows with PRESENT / OUTSIDE_MAX_AGE / NOT_FOUND', async () => {
    const r = await post(s, '/get-online-features', {
      feature_service: 'customer_v1',
      entities: { customer_id: [1, 2, 3, 9] },
      as_of: '2024-03-05T12:30:00Z',
    });
    expect(r.status).toBe(200);
    expect(r.body['metadata']).toEqual({ feature_names: ['customer_id', 'spend', 'orders'] });
    const results = r.body['results'] as Array<{ values: unknown[]; statuses: string[]; event_timestamps: string[] }>;
    expect(results[1]).toEqual({
      values: [null, null, 7.5, null],
      statuses: ['OUTSIDE_MAX_AGE', 'OUTSIDE_MAX_AGE', 'PRESENT', 'NOT_FOUND'],
      event_timestamps: ['2024-03-05T10:00:00.000Z', '2024-03-02T10:00:00.000Z', '2024-03-05T12:00:00.000Z', '1970-01-01T00:00:00Z'],
    });
    expect(results[2]!.values).toEqual([null, null, 4, null]);
    const at1030 = await post(s, '/get-online-features', { features: ['customer_stats:spend'], entities: { customer_id: ['1'] }, as_of: '2024-03-05T10:30:00Z', full_feature_names: true });
    expect(at1030.body['metadata']).toEqual({ feature_names: ['customer_id', 'customer_stats__spend'] });
    expect((at1030.body['results'] as Array<{ values: unknown[]; statuses: string[] }>)[1]).toMatchObject({ values: [3], statuses: ['PRESENT'] });
  });

  it('online TTL statuses agree with the offline point-in-time answer at the same instants (value at 10:00Z, TTL 1h)', async () => {
    const pushed = await pushCustomers(s, { customer_id: [101], event_timestamp: ['2024-03-01T10:00:00Z'], spend: [12.5], orders: [3] }, 'online_and_offline');
    expect(pushed.status).toBe(200);
    expect(pushed.body).toMatchObject({ pushSource: 'customer_push', rows: 1, to: 'online_and_offline', featureViews: [{ name: 'customer_stats', onlineRowCount: 1 }] });
    const instants = ['2024-03-01T10:59:59Z', '2024-03-01T11:00:00Z', '2024-03-01T11:30:00Z'];
    const online: Array<{ value: unknown; status: string }> = [];
    for (const as_of of instants) {
      const r = await post(s, '/get-online-features', { features: ['customer_stats:spend'], entities: { customer_id: [101] }, as_of });
      const res = (r.body['results'] as Array<{ values: unknown[]; statuses: string[] }>)[1]!;
      online.push({ value: res.values[0], status: res.statuses[0]! });
    }
    expect(online).toEqual([
      { value: 12.5, status: 'PRESENT' },
      { value: 12.5, status: 'PRESENT' },
      { value: null, status: 'OUTSIDE_MAX_AGE' },
    ]);
    const offline = await post(s, '/get-historical-features', {
      features: ['customer_stats:spend', 'customer_stats:orders'],
      entities: { customer_id: [101, 101, 101], event_timestamp: instants, label: [true, false, true] },
    });
    expect(offline.status).toBe(200);
    expect(offline.body['rows']).toEqual([
      { customer_id: 101, event_timestamp: '2024-03-01T10:59:59.000Z', label: true, spend: 12.5, orders: 3 },
      { customer_id: 101, event_timestamp: '2024-03-01T11:00:00.000Z', label: false, spend: 12.5, orders: 3 },
      { customer_id: 101, event_timestamp: '2024-03-01T11:30:00.000Z', label: true, spend: null, orders: null },
    ]);
    // Same statuses, derived from the offline answer: a value → PRESENT, none → OUTSIDE_MAX_AGE (a row exists before the instant).
    expect((offline.body['rows'] as Json[]).map((r) => (r['spend'] === null ? 'OUTSIDE_MAX_AGE' : 'PRESENT'))).toEqual(online.map((o) => o.status));
  });

  it('point in time: a value is PRESENT at as_of = its event time, OUTSIDE_AS_OF (null, never the value) 1 ms before; the offline join agrees', async () => {
    const pushed = await pushCustomers(s, { customer_id: [202], event_timestamp: ['2024-03-07T10:00:00.000Z'], spend: [41.5], orders: [6] }, 'online_and_offline');
    expect(pushed.status).toBe(200);
    const at = async (as_of: string) => {
      const r = await post(s, '/get-online-features', { features: ['customer_stats:spend', 'customer_stats:orders'], entities: { customer_id: [202] }, as_of, full_feature_names: true });
      expect(r.status).toBe(200);
      return (r.body['results'] as Array<{ values: unknown[]; statuses: string[]; event_timestamps: string[] }>).slice(1);
    };
    expect(await at('2024-03-07T10:00:00.000Z')).toEqual([
      { values: [41.5], statuses: ['PRESENT'], event_timestamps: ['2024-03-07T10:00:00.000Z'] },
      { values: [6], statuses: ['PRESENT'], event_timestamps: ['2024-03-07T10:00:00.000Z'] },
    ]);
    // same instant written with an offset
    expect((await at('2024-03-07T11:00:00.000+01:00'))[0]!.statuses).toEqual(['PRESENT']);
    expect(await at('2024-03-07T09:59:59.999Z')).toEqual([
      { values: [null], statuses: ['OUTSIDE_AS_OF'], event_timestamps: ['1970-01-01T00:00:00Z'] },
      { values: [null], statuses: ['OUTSIDE_AS_OF'], event_timestamps: ['1970-01-01T00:00:00Z'] },
    ]);
    // an as_of long before every row of the key (a replay of older data) never sees the value either
    expect((await at('2020-01-01T00:00:00Z'))[0]).toEqual({ values: [null], statuses: ['OUTSIDE_AS_OF'], event_timestamps: ['1970-01-01T00:00:00Z'] });
    const offline = await post(s, '/get-historical-features', {
      features: ['customer_stats:spend'],
      entities: { customer_id: [202, 202], event_timestamp: ['2024-03-07T10:00:00.000Z', '2024-03-07T09:59:59.999Z'] },
    });
    expect(offline.status).toBe(200);
    expect((offline.body['rows'] as Json[]).map((r) => r['spend'])).toEqual([41.5, null]);
  });

  it('offline join: TTL 1h, rows at 08:59Z (1) and 09:30Z (2), entity at 11:00+01:00 → 2; duplicates kept; empty request → full schema', async () => {
    const r = await post(s, '/get-historical-features', {
      feature_service: 'customer_v1',
      entities: { customer_id: [1, 1, 1], event_timestamp: ['2024-03-01T11:00:00+01:00', '2024-03-01T11:00:00+01:00', '2024-03-01T09:00:00'], label: [0, 1, 2] },
    });
    expect(r.status).toBe(200);
    expect(r.body['rows']).toEqual([
      { customer_id: 1, event_timestamp: '2024-03-01T10:00:00.000Z', label: 0, spend: 2, orders: 2 },
      { customer_id: 1, event_timestamp: '2024-03-01T10:00:00.000Z', label: 1, spend: 2, orders: 2 },
      { customer_id: 1, event_timestamp: '2024-03-01T09:00:00.000Z', label: 2, spend: 1, orders: 1 },
    ]);
    const empty = await post(s, '/get-historical-features', { feature_service: 'customer_v1', entities: {} });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({
      columns: [
        { name: 'customer_id', type: 'BIGINT' },
        { name: 'event_timestamp', type: 'TIMESTAMP WITH TIME ZONE' },
        { name: 'spend', type: 'DOUBLE' },
        { name: 'orders', type: 'BIGINT' },
      ],
      rows: [],
    });
  });

  it('push: only newer rows replace online values; online-only and offline-only pushes stay in their store', async () => {
    const push = (ts: string, spend: number, to: string) => pushCustomers(s, { customer_id: [202], event_timestamp: [ts], spend: [spend], orders: [1] }, to);
    expect((await push('2024-04-01T10:00:00Z', 1, 'online')).body).toMatchObject({ featureViews: [{ name: 'customer_stats', onlineRowCount: 1 }] });
    expect((await push('2024-04-01T09:00:00Z', 2, 'online')).body).toMatchObject({ featureViews: [{ name: 'customer_stats', onlineRowCount: 0 }] });
    const off = await push('2024-04-01T11:00:00Z', 3, 'offline');
    expect(off.body['featureViews']).toEqual([{ name: 'customer_stats', offlineUri: expect.stringMatching(/^file:.*\/features\/customer_stats\/.*-push-.*\.parquet$/), materializationId: expect.any(String) }]);
    const r = await post(s, '/get-online-features', { features: ['customer_stats:spend'], entities: { customer_id: [202] }, as_of: '2024-04-01T10:30:00Z' });
    expect((r.body['results'] as Array<{ values: unknown[] }>)[1]!.values).toEqual([1]);
    const h = await post(s, '/get-historical-features', { features: ['customer_stats:spend'], entities: { customer_id: [202, 202], event_timestamp: ['2024-04-01T10:30:00Z', '2024-04-01T11:30:00Z'] } });
    // Online-only pushes never reach the offline store: only the 11:00 offline push is there.
    expect((h.body['rows'] as Json[]).map((x) => x['spend'])).toEqual([null, 3]);
  });

  it('rejects bad pushes with 4xx naming the problem and writes nothing', async () => {
    const pushRuns = async () => ((await get(s, '/materializations?featureView=customer_stats')).body as Json[]).filter((m) => m['mode'] === 'push').length;
    const before = await pushRuns();
    const bad = async (body: Json, status: number, ...needles: string[]) => {
      const r = await post(s, '/push', body);
      expect(r.status).toBe(status);
      for (const n of needles) expect(String(r.body['error'])).toContain(n);
    };
    const df = { customer_id: [555, 556], event_timestamp: ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00Z'], spend: [1.5, 2.5], orders: [1, 2] };
    await bad({ push_source_name: 'customer_push', df: { ...df, orders: [1, 'two'] }, to: 'online_and_offline' }, 400, 'df.orders.1: expected INT64, got "two"');
    await bad({ push_source_name: 'customer_push', df: { ...df, event_timestamp: ['2024-05-01T10:00:00Z', 'yesterday'] }, to: 'online_and_offline' }, 400, 'df.event_timestamp.1: expected TIMESTAMP (ISO-8601), got "yesterday"');
    await bad({ push_source_name: 'customer_push', df: { ...df, customer_id: [555, null] }, to: 'online' }, 400, 'df.customer_id.1: must not be null');
    await bad({ push_source_name: 'customer_push', df: { customer_id: [555], event_timestamp: ['2024-05-01T10:00:00Z'], spend: [1], colour: ['red'] } }, 400, "missing column(s) 'orders'", "unknown column(s) 'colour'");
    await bad({ push_source_name: 'customer_push', df: { ...df, spend: [1.5] } }, 400, 'same length');
    await bad({ push_source_name: 'nope', df }, 404, "Push source 'nope' not found");
    await bad({ push_source_name: 'customer_push', df, to: 'somewhere' }, 400, 'to');
    expect(await pushRuns()).toBe(before);
    const r = await post(s, '/get-online-features', { features: ['customer_stats:spend'], entities: { customer_id: [555, 556] }, as_of: '2024-05-01T10:30:00Z' });
    expect((r.body['results'] as Array<{ statuses: string[] }>)[1]!.statuses).toEqual(['NOT_FOUND', 'NOT_FOUND']);
  });

  it('rejects bad online / offline requests with 4xx naming the problem', async () => {
    const expectError = async (p: string, body: unknown, status: number, needle: string) => {
      const r = await post(s, p, body);
      expect(r.status).toBe(status);
      expect(String(r.body['error'])).toContain(needle);
    };
    await expectError('/get-online-features', { features: ['customer_stats:nope'], entities: { customer_id: [1] } }, 400, "feature view 'customer_stats' has no feature 'nope'");
    await expectError('/get-online-features', { features: ['nope:spend'], entities: { customer_id: [1] } }, 400, "unknown feature view 'nope'");
    await expectError('/get-online-features', { feature_service: 'nope', entities: { customer_id: [1] } }, 404, "Feature service 'nope' not found");
    await expectError('/get-online-features', { features: ['customer_stats:spend'], entities: { customer_id: [1, 'abc'] } }, 400, 'entities.customer_id.1: expected INT64');
    await expectError('/get-online-features', { features: ['customer_stats:spend'], entities: { customer_id: [1.5] } }, 400, 'entities.customer_id.0: expected INT64');
    await expectError('/get-online-features', { features: ['customer_stats:spend'], entities: { customer_id: [1] }, as_of: 'yesterday' }, 400, 'as_of');
    await expectError('/get-historical-features', { features: ['customer_stats:spend'], entities: { customer_id: [1], event_timestamp: ['2024-13-45T00:00:00Z'] } }, 400, 'entities.event_timestamp.0: malformed timestamp');
    await expectError('/get-historical-features', { features: ['customer_stats:spend'], entities: { customer_id: ['x'], event_timestamp: ['2024-03-01T00:00:00Z'] } }, 400, 'entities.customer_id.0: expected INT64');
    // 20,000 keys (~140 kB): over the per-request row limit.
    await expectError('/get-online-features', { features: ['customer_stats:spend'], entities: { customer_id: Array.from({ length: 20_000 }, (_, i) => i) } }, 400, '20000 entity rows requested, at most 10000');
    // 10 MB of entity keys: over the 10 MiB body limit → 413 before any parsing.
    const huge = `{"features":["customer_stats:spend"],"entities":{"customer_id":[${'1234567,'.repeat(1_400_000)}1]}}`;
    expect(huge.length).toBeGreaterThan(10 * 1024 * 1024);
    const r = await rawPost(s, '/get-online-features', huge);
    expect(r.status).toBe(413);
    expect(String(r.body['error'])).toMatch(/too large/i);
  });

  it('lists feature services and push sources in the registry', async () => {
    expect((await get(s, '/feature-services')).body).toEqual([{ kind: 'feature_service', name: 'customer_v1', features: ['customer_stats:spend', 'customer_stats:orders'] }]);
    expect((await get(s, '/feature-services/customer_v1')).body).toMatchObject({ name: 'customer_v1' });
    expect((await get(s, '/feature-services/nope')).status).toBe(404);
    // answers parse with the contracts the console reads
    expect(FeaturesApi.listFeatureServices.response.parse((await get(s, '/feature-services')).body).map((f) => f.features.length)).toEqual([2]);
    expect(FeaturesApi.listEntities.response.parse((await get(s, '/entities')).body).map((e) => [e.name, e.joinKey])).toEqual([['customer', 'customer_id']]);
    expect(((await get(s, '/push-sources')).body as Json[]).map((p) => p['name'])).toEqual(['customer_push']);
  });

  it('materializes a time range [start, end) reading only the versions it needs; re-running it is harmless; future ends are rejected', async () => {
    const window = { featureView: 'customer_stats', mode: 'range', start: '2024-03-05T00:00:00Z', end: '2024-03-06T00:00:00Z' };
    const first = await post(s, '/materializations', window);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'SUCCEEDED', mode: 'range', rowCount: 2, startTime: '2024-03-05T00:00:00.000Z', endTime: '2024-03-06T00:00:00.000Z', minEventTime: '2024-03-05T10:00:00.000Z', maxEventTime: '2024-03-05T12:00:00.000Z' });
    // Only the version with rows in the window was read (the view has no lookback).
    expect((first.body['datasetVersions'] as Json[]).map((v) => v['versionId'])).toEqual([versions[1]!.versionId]);
    expect(first.body['onlineRowCount']).toBe(0); // the full runs already wrote these rows
    const again = await post(s, '/materializations', window);
    expect(again.body).toMatchObject({ status: 'SUCCEEDED', rowCount: 2, onlineRowCount: 0 });
    // The offline answer is unchanged by the duplicate window files.
    const h = await post(s, '/get-historical-features', { features: ['customer_stats:spend'], entities: { customer_id: [1, 3], event_timestamp: ['2024-03-05T10:30:00Z', '2024-03-05T12:00:00Z'] } });
    expect((h.body['rows'] as Json[]).map((x) => x['spend'])).toEqual([3, 7.5]);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    const f = await post(s, '/materializations', { featureView: 'customer_stats', mode: 'incremental', end: future });
    expect(f.status).toBe(400);
    expect(String(f.body['error'])).toContain('is in the future');
    const inverted = await post(s, '/materializations', { ...window, start: window.end, end: window.start });
    expect(inverted.status).toBe(400);
    expect(String(inverted.body['error'])).toContain('must be before end');
    const noBounds = await post(s, '/materializations', { featureView: 'customer_stats', mode: 'range' });
    expect(noBounds.status).toBe(400);
  });

  it('incremental runs start at the watermark and read no version without rows after it', async () => {
    const wm0 = (await get(s, '/feature-views/customer_stats/watermark')).body;
    expect(wm0).toMatchObject({ featureView: 'customer_stats', maxEventTime: '2024-03-05T12:00:00.000Z' });
    const inc = await post(s, '/materializations', { featureView: 'customer_stats', mode: 'incremental' });
    expect(inc.status).toBe(200);
    expect(inc.body).toMatchObject({ status: 'SUCCEEDED', mode: 'incremental', rowCount: 0, datasetVersions: [], startTime: wm0['materializedUntil'] });
    const wm1 = (await get(s, '/feature-views/customer_stats/watermark')).body;
    expect(wm1['materializedUntil']).toBe(inc.body['endTime']);
    expect(wm1['maxEventTime']).toBe('2024-03-05T12:00:00.000Z');
    expect(FeaturesApi.getWatermark.response.parse(wm1).materializedUntil).toBe(inc.body['endTime']);
    const upToDate = await post(s, '/materializations', { featureView: 'customer_stats', mode: 'incremental', end: wm0['materializedUntil'] });
    expect(upToDate.body).toEqual({ featureView: 'customer_stats', status: 'UP_TO_DATE', materializedUntil: wm1['materializedUntil'] });
    // both answers of POST /materializations parse with the contract (a run, or UP_TO_DATE)
    expect(FeaturesApi.materialize.response.parse(inc.body).status).toBe('SUCCEEDED');
    expect(FeaturesApi.materialize.response.parse(upToDate.body).status).toBe('UP_TO_DATE');
  });

  it('a run whose online write fails is FAILED, leaves the watermark where it was and emits no event; the next run recovers', async () => {
    const wm0 = (await get(s, '/feature-views/customer_stats/watermark')).body;
    const events0 = await materializedEvents(s);
    // Break the real online store for this view only.
    let restore: () => Promise<void>;
    if (s.kind === 'postgres') {
      await pgQuery(`ALTER TABLE "${s.schema}".online_feature RENAME TO online_feature_broken`);
      restore = async () => void (await pgQuery(`ALTER TABLE "${s.schema}".online_feature_broken RENAME TO online_feature`));
    } else {
      const r = createClient({ url: redisUrl() });
      await r.connect();
      const key = `${s.prefix}:fv:customer_stats`;
      await r.rename(key, `${key}:saved`);
      await r.set(key, 'not a hash');
      restore = async () => {
        await r.rename(`${key}:saved`, key);
        await r.quit();
      };
    }
    let failed: Json;
    try {
      failed = (await post(s, '/materializations', { featureView: 'customer_stats', mode: 'full' })).body;
    } finally {
      await restore();
    }
    expect(failed).toMatchObject({ status: 'FAILED', mode: 'full' });
    expect(String(failed['error'])).toMatch(s.kind === 'postgres' ? /online_feature.*does not exist/ : /WRONGTYPE/);
    expect((await get(s, '/feature-views/customer_stats/watermark')).body).toEqual(wm0);
    expect(await materializedEvents(s)).toBe(events0);

    const ok = await post(s, '/materializations', { featureView: 'customer_stats', mode: 'full' });
    expect(ok.body).toMatchObject({ status: 'SUCCEEDED', mode: 'full', rowCount: 5 });
    const wm1 = (await get(s, '/feature-views/customer_stats/watermark')).body;
    expect(Date.parse(String(wm1['materializedUntil']))).toBeGreaterThan(Date.parse(String(wm0['materializedUntil'])));
    expect(wm1['materializationId']).toBe(ok.body['id']);
    expect(await materializedEvents(s)).toBe(events0 + 1);
    const r = await post(s, '/get-online-features', { features: ['customer_stats:spend'], entities: { customer_id: [1] }, as_of: '2024-03-05T10:30:00Z' });
    expect((r.body['results'] as Array<{ values: unknown[] }>)[1]!.values).toEqual([3]);
  });
});
