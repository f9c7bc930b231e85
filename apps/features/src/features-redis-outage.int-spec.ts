import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalObjectStore } from '@strata/shared/data-access-object-store';
import { announceDatasetVersions, eventually, infraEnv, jsonWithDeadline, queryPostgres, redisUrl, startFaultProxy, startService, stopOrKill, uniqueName, waitReady, type FaultProxy, type RunningService, stackServiceEnv } from '@strata/shared/testing';
import { createClient } from 'redis';

/**
 * Issue 19 finding 2: the features service on the Redis online store, with Redis behind a TCP
 * proxy the test switches between working, black-holed (accepts, never answers) and refused.
 * `POST /materializations` and `POST /get-online-features` must answer 503 naming Redis and the
 * cause within the configured deadline (FEATURES_REDIS_TIMEOUT_MS), the run must be FAILED at
 * once (watermark unchanged, no event), and the service must recover by itself when Redis answers.
 * Every request has its own deadline (ANSWER_DEADLINE_MS), so a hang fails the test instead of
 * hanging it.
 */
const infra = infraEnv();
const dataset = uniqueName('customers_outage_it');
const schema = uniqueName('features_redis_outage_it');
const prefix = uniqueName('strata_outage_it');
const MATERIALIZED = 'strata.features.features-materialized.v1';
/** FEATURES_REDIS_TIMEOUT_MS of the service under test. */
const REDIS_TIMEOUT_MS = 1500;
/** A request answered later than this counts as hung. */
const ANSWER_DEADLINE_MS = 15_000;

const repo = [
  {
    file: 'customers.yaml',
    content: `kind: Entity
name: customer
joinKey: customer_id
valueType: INT64
---
kind: FeatureView
name: customer_stats
entities: [customer_id]
ttlSeconds: 0
source: { datasetName: ${dataset} }
timestampField: event_timestamp
features:
  - { name: spend, dtype: FLOAT64 }
`,
  },
];

type Json = Record<string, unknown>;
let svc: RunningService;
let proxy: FaultProxy;
let dataDir: string;

/** One HTTP call to the service with a deadline (ANSWER_DEADLINE_MS); resolves with the status, body and how long the answer took. */
const call = (method: string, p: string, body?: unknown) => jsonWithDeadline<Json & Json[]>(method, `${svc.baseUrl}${p}`, body, ANSWER_DEADLINE_MS);

const pgQuery = <T extends Json>(sql: string, params: unknown[] = []): Promise<T[]> => queryPostgres<T>(infra.databaseUrl, sql, params);
const events = async () => Number((await pgQuery<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".outbox_event WHERE topic = $1`, [MATERIALIZED]))[0]!.n);
const runs = async () => (await call('GET', '/materializations?featureView=customer_stats')).body;
const readOnline = () => call('POST', '/get-online-features', { features: ['customer_stats:spend'], entities: { customer_id: [1, 2] } });

beforeAll(async () => {
  proxy = await startFaultProxy(new URL(redisUrl()).host);
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-features-redis-outage-it-'));
  const store = new LocalObjectStore(dataDir);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const file = path.join(dataDir, 'v0.parquet');
  await conn.run(
    `COPY (SELECT customer_id::BIGINT AS customer_id, ts AS event_timestamp, spend::DOUBLE AS spend FROM (VALUES (1, TIMESTAMPTZ '2024-03-01 09:00:00+00', 1.5), (2, TIMESTAMPTZ '2024-03-02 10:00:00+00', 2.5)) t(customer_id, ts, spend)) TO '${file}' (FORMAT parquet)`,
  );
  conn.closeSync();
  db.closeSync();
  const put = await store.put(`datasets/${dataset}/v0.parquet`, await fs.readFile(file));

  svc = startService('features', 24000 + Math.floor(Math.random() * 900), {
    ...stackServiceEnv('features', schema, dataDir),
    FEATURES_ONLINE_STORE: 'redis',
    REDIS_URL: `redis://${proxy.address}`,
    FEATURES_REDIS_KEY_PREFIX: prefix,
    FEATURES_REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
  });
  await waitReady(svc);
  expect((await call('POST', '/feature-repo/apply', { documents: repo })).status).toBe(200);

  await announceDatasetVersions(infra.kafkaBrokers, '/strata/features-it', [
    {
      datasetName: dataset,
      versionId: `v0-${randomUUID().slice(0, 8)}`,
      contentSha256: put.sha256,
      uri: put.uri,
      format: 'parquet',
      rowCount: 2,
      sizeBytes: 1,
      schema: [{ name: 'customer_id', type: 'int64', nullable: false }],
      parentVersionId: null,
      createdAt: new Date(Date.UTC(2024, 2, 6)).toISOString(),
    },
  ]);
  await eventually(async () => {
    if (!(await runs()).some((m) => m['status'] === 'SUCCEEDED')) throw new Error('no SUCCEEDED materialization yet');
  }, 90_000);
}, 180_000);

afterAll(async () => {
  // A service stuck on a hung Redis may not stop on SIGTERM: SIGKILL after 20 s.
  await stopOrKill(svc);
  await proxy?.close();
  await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  const r = createClient({ url: redisUrl() });
  await r.connect();
  const keys = await r.keys(`${prefix}:*`);
  if (keys.length) await r.del(keys);
  await r.quit();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe('features service with an unreachable Redis online store (issue 19, finding 2)', () => {
  it.each([
    ['black-holed (accepts, never answers)', 'blackhole' as const, /no answer within 1500 ms/],
    ['refused', 'refuse' as const, /ECONNREFUSED|refused/i],
  ])('Redis %s: materialization and online reads answer 503 naming Redis in bounded time; the run is FAILED at once; then it recovers', async (_name, mode, cause) => {
    const before = await readOnline();
    expect(before.status).toBe(200);
    expect((before.body['results'] as Array<{ values: unknown[] }>)[1]!.values).toEqual([1.5, 2.5]);
    const wm0 = (await call('GET', '/feature-views/customer_stats/watermark')).body;
    const events0 = await events();

    await proxy.setMode(mode);
    try {
      const m = await call('POST', '/materializations', { featureView: 'customer_stats', mode: 'full' });
      console.log(`Redis ${mode}: POST /materializations answered ${m.status} in ${m.ms} ms`);
      expect(m.status).toBe(503);
      expect(String(m.body['error'])).toMatch(/Redis online store at redis:\/\/127\.0\.0\.1:\d+/);
      expect(String(m.body['error'])).toMatch(cause);
      expect(m.ms).toBeLessThan(REDIS_TIMEOUT_MS * 3 + 2000);
      const id = (m.body['details'] as Json)['materializationId'];
      // The run is FAILED now (not RUNNING until a restart), with the cause; watermark and events unchanged.
      const run = (await runs()).find((r) => r['id'] === id);
      expect(run).toMatchObject({ status: 'FAILED', mode: 'full', error: expect.stringMatching(cause) });
      expect(run!['completedAt']).toEqual(expect.any(String));
      expect((await runs()).filter((r) => r['status'] === 'RUNNING')).toEqual([]);
      expect((await call('GET', '/feature-views/customer_stats/watermark')).body).toEqual(wm0);
      expect(await events()).toBe(events0);

      const r = await readOnline();
      console.log(`Redis ${mode}: POST /get-online-features answered ${r.status} in ${r.ms} ms`);
      expect(r.status).toBe(503);
      expect(String(r.body['error'])).toMatch(/Redis online store/);
      expect(String(r.body['error'])).toMatch(cause);
      expect(r.ms).toBeLessThan(REDIS_TIMEOUT_MS * 3 + 2000);
    } finally {
      await proxy.setMode('pass');
    }

    // Redis answers again: the service recovers without a restart.
    const t0 = Date.now();
    const back = await eventually(async () => {
      const r = await readOnline();
      if (r.status !== 200) throw new Error(`still ${r.status}: ${JSON.stringify(r.body)}`);
      return r;
    }, 20_000, 200);
    console.log(`Redis ${mode}: online reads answered 200 again ${Date.now() - t0} ms after Redis came back`);
    expect((back.body['results'] as Array<{ values: unknown[] }>)[1]!.values).toEqual([1.5, 2.5]);
    const ok = await call('POST', '/materializations', { featureView: 'customer_stats', mode: 'full' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'SUCCEEDED', rowCount: 2 });
    expect(await events()).toBe(events0 + 1);
  }, 90_000);
});
