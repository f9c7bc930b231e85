/**
 * Benchmark: online retrieval on PostgreSQL and on Redis. Starts two features services (one per
 * online store, unique schema / Kafka group / Redis prefix, ports 23900-23901), applies a repo
 * with one view of 10 features, pushes `--entities` (default 100,000) entities online, then measures
 * `POST /get-online-features` (HTTP, end to end) and the store's `read` alone, for 1 and 100
 * entities × 10 features: p50 / p99 latency (sequential requests) and throughput (`--concurrency`
 * requests in flight for `--seconds`). Needs the stack (.stack/env: DATABASE_URL, KAFKA_BROKERS, REDIS_URL).
 *
 *   node -r @swc-node/register bench/features/online.ts [--entities 100000] [--requests 2000] [--seconds 5] [--concurrency 16]
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { FEATURES_ENTITIES, FEATURES_MIGRATIONS } from '../../libs/features/data-access/src/index';
import { entityKey } from '../../libs/features/domain-feature-store/src/lib/canonical';
import { PostgresOnlineStore } from '../../libs/features/domain-feature-store/src/lib/online/postgres-online-store';
import { RedisOnlineStore } from '../../libs/features/domain-feature-store/src/lib/online/redis-online-store';
import type { OnlineStore } from '../../libs/features/domain-feature-store/src/lib/online/online-store';
import { REPO_ROOT, customerFeatureRepoYaml, numberedCustomerFeatures, startService, uniqueName, waitReady, type RunningService } from '../../libs/shared/testing/src/index';
import { arg, stackEnv } from '../util/cli';

const N_ENTITIES = Number(arg('entities', '100000'));
const REQUESTS = Number(arg('requests', '2000'));
const SECONDS = Number(arg('seconds', '5'));
const CONCURRENCY = Number(arg('concurrency', '16'));

// The process's own environment wins over .stack/env.
const env: Record<string, string> = { ...stackEnv(REPO_ROOT), ...(process.env as Record<string, string>) };
for (const k of ['DATABASE_URL', 'KAFKA_BROKERS', 'REDIS_URL']) if (!env[k]) throw new Error(`${k} is not set (start the stack with redis: bash tools/stack/stack.sh up --with redis)`);

const FEATURE_DEFS = numberedCustomerFeatures(10);
const FEATURES = FEATURE_DEFS.map((f) => f.name);
const repo = customerFeatureRepoYaml({ prefix: 'bench', datasetName: 'bench_none', ttlSeconds: 2592000, features: FEATURE_DEFS });

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
let seed = 42;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const ids = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * N_ENTITIES));

async function post(base: string, p: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${p} ${res.status}: ${JSON.stringify(j).slice(0, 500)}`);
  return j;
}

async function measure(fn: (batch: number) => Promise<void>, batch: number): Promise<{ p50: number; p99: number; rps: number }> {
  for (let i = 0; i < 50; i++) await fn(batch); // warm-up
  const lat: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = process.hrtime.bigint();
    await fn(batch);
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  let done = 0;
  const until = Date.now() + SECONDS * 1000;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        await fn(batch);
        done++;
      }
    }),
  );
  return { p50: pct(lat, 50), p99: pct(lat, 99), rps: done / ((Date.now() - t0) / 1000) };
}

async function main(): Promise<void> {
  const kinds = ['postgres', 'redis'] as const;
  const svcs: RunningService[] = [];
  const schemas = kinds.map(() => uniqueName('features_bench'));
  const prefix = uniqueName('strata_bench');
  const results: Array<{ store: string; path: string; entities: number; p50: number; p99: number; rps: number }> = [];
  let ds: DataSource | undefined;
  const stores: OnlineStore[] = [];
  try {
    for (const [i, kind] of kinds.entries()) {
      svcs.push(
        startService('features', 23900 + i, {
          ...env,
          FEATURES_DB_SCHEMA: schemas[i],
          FEATURES_KAFKA_GROUP_ID: schemas[i],
          STRATA_DATA_DIR: path.join(os.tmpdir(), `strata-bench-online-${schemas[i]}`),
          FEATURES_ONLINE_STORE: kind,
          FEATURES_REDIS_KEY_PREFIX: prefix,
          LOG_LEVEL: 'warn',
        }),
      );
    }
    for (const s of svcs) await waitReady(s);
    for (const [i, kind] of kinds.entries()) {
      const base = svcs[i]!.baseUrl;
      await post(base, '/feature-repo/apply', { documents: [{ file: 'bench.yaml', content: repo }] });
      const t0 = Date.now();
      for (let from = 0; from < N_ENTITIES; from += 10_000) {
        const n = Math.min(10_000, N_ENTITIES - from);
        const df: Record<string, unknown[]> = { customer_id: Array.from({ length: n }, (_, j) => from + j), event_timestamp: Array.from({ length: n }, () => '2024-03-01T10:00:00Z') };
        FEATURES.forEach((f, k) => (df[f] = Array.from({ length: n }, (_, j) => (k % 3 === 0 ? (from + j) * k : (from + j) / (k + 1)))));
        await post(base, '/push', { push_source_name: 'bench_push', df, to: 'online' });
      }
      console.log(`${kind}: pushed ${N_ENTITIES.toLocaleString('en-US')} entities × 10 features online in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      const refs = FEATURES.map((f) => `bench_stats:${f}`);
      for (const batch of [1, 100]) {
        const r = await measure(async (b) => {
          const out = await post(base, '/get-online-features', { features: refs, entities: { customer_id: ids(b) }, as_of: '2024-03-02T00:00:00Z' });
          if ((out['results'] as unknown[]).length !== 11) throw new Error('bad response');
        }, batch);
        results.push({ store: kind, path: 'HTTP /get-online-features', entities: batch, ...r });
      }
      const store: OnlineStore =
        kind === 'postgres'
          ? new PostgresOnlineStore(() => ds!)
          : new RedisOnlineStore({ url: env['REDIS_URL']!, keyPrefix: prefix });
      if (kind === 'postgres') {
        ds = new DataSource({ type: 'postgres', url: env['DATABASE_URL'], schema: schemas[i], entities: FEATURES_ENTITIES, migrations: FEATURES_MIGRATIONS, synchronize: false, extra: { max: CONCURRENCY } });
        await ds.initialize();
      }
      stores.push(store);
      for (const batch of [1, 100]) {
        const r = await measure(async (b) => {
          const got = await store.read('bench_stats', ids(b).map((id) => entityKey({ customer_id: id })));
          if (got.size === 0) throw new Error('no rows');
        }, batch);
        results.push({ store: kind, path: 'store.read only', entities: batch, ...r });
      }
    }
  } finally {
    for (const s of svcs) await s.stop();
    for (const st of stores) await st.close();
    const redis = new RedisOnlineStore({ url: env['REDIS_URL']!, keyPrefix: prefix });
    await redis.deleteAll().catch(() => undefined);
    await redis.close();
    if (!ds) {
      ds = new DataSource({ type: 'postgres', url: env['DATABASE_URL'] });
      await ds.initialize();
    }
    for (const s of schemas) await ds.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await ds.destroy();
  }
  console.log(
    `\nOnline retrieval benchmark: ${N_ENTITIES.toLocaleString('en-US')} entities stored, 10 features, ${REQUESTS} sequential requests per row (latency), ${CONCURRENCY} in flight for ${SECONDS} s (throughput)`,
  );
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, shared; client and server on the same machine\n`);
  const head = ['store', 'path', 'entities/request', 'p50 ms', 'p99 ms', 'requests/s', 'entity rows/s'];
  const table = results.map((r) => [r.store, r.path, String(r.entities), r.p50.toFixed(2), r.p99.toFixed(2), r.rps.toFixed(0), (r.rps * r.entities).toFixed(0)]);
  const w = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  console.log(head.map((h, i) => h.padEnd(w[i]!)).join('  '));
  console.log(w.map((x) => '-'.repeat(x)).join('  '));
  for (const t of table) console.log(t.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  '));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
