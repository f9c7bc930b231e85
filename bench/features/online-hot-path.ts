/**
 * Online-features hot path in the PRODUCTION configuration (issue 15): `POST /get-online-features`
 * (1 entity × 10 features, Redis online store) on the features SERVICE as deployed
 * (apps/features/src/main.ts: API-key auth enforced with the per-principal rate limiter, pino
 * request logs at info, Prometheus metrics), side by side in ONE run with a Fastify hello-world:
 * the Nest route (`FEATURES_FAST_ONLINE_ROUTE=false`) and the Fastify fast route (default), same
 * build; with `--baseline <checkout>`, also that checkout's features service (before).
 * Closed loop (median of interleaved rounds) for max req/s, the server's CPU µs per request, then
 * open loop at half load (see bench/util/load.ts).
 *
 *   node -r @swc-node/register bench/features/online-hot-path.ts [--seconds 5] [--rounds 3] [--connections 16] [--entities 10000] [--port 3205] [--json out.json] [--baseline <checkout>] [--cpu-prof dir]
 * `--cpu-prof dir`: the features processes run with `node --cpu-prof` (summarize with bench/profile-summary.ts).
 * Needs the stack with Redis (.stack/env: DATABASE_URL, KAFKA_BROKERS, REDIS_URL). Ports: --port (hello), + 1..3 (features).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { RedisOnlineStore } from '../../libs/features/domain-feature-store/src/lib/online/redis-online-store';
import { createTestCredentials, customerFeatureRepoYaml, numberedCustomerFeatures } from '../../libs/shared/testing/src/index';
import { type FeastServer, startFeastServer, workerPid } from './feast-server';
import { type BenchRow, type Target, arg, hotPathArgs, hotPathHow, loadAverage, sideBySide, stackEnv, runHotPathScript, waitFor } from '../util/load';

const ROOT = path.resolve(__dirname, '../..');
const ARGS = hotPathArgs(3205);
const { seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, cpuProf: PROF, baseline: BASELINE } = ARGS;
const ENTITIES = Number(arg('entities', '10000'));

const FEATURE_DEFS = numberedCustomerFeatures(10);
const FEATURES = FEATURE_DEFS.map((f) => f.name);
const REPO = customerFeatureRepoYaml({ prefix: 'hot', datasetName: 'hot_none', ttlSeconds: 2592000, features: FEATURE_DEFS });

/**
 * `opts.port`: the hello-world's port (features on + 1..3; default --port); `opts.nestRoute` false
 * skips the Nest-route target; `opts.feastPort`: also Feast's Python feature server on that port,
 * same Redis, same rows (bench/features/feast-server.ts), as one more target.
 */
export async function runOnlineHotPath(opts: { port?: number; nestRoute?: boolean; feastPort?: number } = {}): Promise<{ rows: BenchRow[]; load: { before: number[]; after: number[] } }> {
  const PORT = opts.port ?? ARGS.port;
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...stackEnv(ROOT) };
  for (const k of ['DATABASE_URL', 'KAFKA_BROKERS', 'REDIS_URL']) if (!env[k]) throw new Error(`${k} is not set (the stack with redis)`);
  const children: ChildProcess[] = [];
  const schemas: string[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-online-hot-'));
  const before = loadAverage();
  let feast: FeastServer | undefined;
  try {
    const creds = await createTestCredentials(env['DATABASE_URL']!, ['data-scientist', 'service:serving'] as const);
    const hello = spawn(process.execPath, ['-e', `const f=require('fastify')();f.post('/hello',async()=>({hello:'world'}));f.listen({port:${PORT},host:'127.0.0.1'})`], { cwd: ROOT, stdio: 'ignore' });
    children.push(hello);
    const start = async (label: string, port: number, fast: boolean, root: string): Promise<{ label: string; child: ChildProcess; base: string }> => {
      const schema = `bench_online_hot_${process.pid}_${port}`;
      schemas.push(schema);
      const child = spawn(process.execPath, [...(PROF ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(PROF)] : []), '-r', '@swc-node/register', 'apps/features/src/main.ts'], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...env, STRATA_AUTH_MODE: 'enforce', LOG_LEVEL: 'info', FEATURES_PORT: String(port), FEATURES_DB_SCHEMA: schema, FEATURES_KAFKA_GROUP_ID: schema,
          STRATA_DATA_DIR: path.join(dataDir, String(port)), FEATURES_ONLINE_STORE: 'redis', FEATURES_REDIS_KEY_PREFIX: schema,
          FEATURES_FAST_ONLINE_ROUTE: String(fast), STRATA_RATE_LIMIT_INFER_PER_MIN: '100000000',
        },
      });
      children.push(child);
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${base}/health/ready`).catch(() => undefined))?.ok, 180_000, `features ${label} ready`, child);
      const post = async (p: string, body: unknown): Promise<void> => {
        const res = await fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${creds['data-scientist']}` }, body: JSON.stringify(body) });
        if (!res.ok) throw new Error(`${label} ${p}: ${res.status} ${await res.text()}`);
      };
      await post('/feature-repo/apply', { documents: [{ file: 'hot.yaml', content: REPO }] });
      for (let from = 0; from < ENTITIES; from += 5000) {
        const n = Math.min(5000, ENTITIES - from);
        const df: Record<string, unknown[]> = { customer_id: Array.from({ length: n }, (_, j) => from + j), event_timestamp: Array.from({ length: n }, () => '2024-03-01T10:00:00Z') };
        FEATURES.forEach((f, k) => (df[f] = Array.from({ length: n }, (_, j) => (k % 3 === 0 ? (from + j) * k : (from + j) / (k + 1)))));
        await post('/push', { push_source_name: 'hot_push', df, to: 'online' });
      }
      return { label, child, base };
    };
    const servers = [];
    if (BASELINE) servers.push(await start('baseline', PORT + 3, false, BASELINE));
    if (opts.nestRoute !== false) servers.push(await start('nest route', PORT + 1, false, ROOT));
    servers.push(await start('fast route', PORT + 2, true, ROOT));
    if (opts.feastPort) feast = await startFeastServer(opts.feastPort, env['REDIS_URL']!, ENTITIES);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${PORT}/hello`, { method: 'POST' }).catch(() => undefined))?.ok, 30_000, 'fastify hello-world');

    // One entity × 10 features (serving's call per prediction), as of a fixed instant: every value PRESENT.
    const body = JSON.stringify({ features: FEATURES.map((f) => `hot_stats:${f}`), entities: { customer_id: [Math.floor(ENTITIES / 2)] }, as_of: '2024-03-02T00:00:00Z' });
    // Feast's request has no as_of (its online read has none; its view has no TTL, so every value is PRESENT).
    const feastBody = JSON.stringify({ features: FEATURES.map((f) => `hot_stats:${f}`), entities: { customer_id: [Math.floor(ENTITIES / 2)] } });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${creds['service:serving']}` };
    for (const s of servers) {
      const res = await fetch(`${s.base}/get-online-features`, { method: 'POST', headers, body });
      const json = (await res.json()) as { results?: Array<{ statuses: string[] }> };
      if (res.status !== 200 || json.results?.length !== 11 || json.results.some((r) => r.statuses[0] !== 'PRESENT')) throw new Error(`${s.label}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    }
    if (feast) {
      const res = await fetch(`${feast.url}/get-online-features`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: feastBody });
      const json = (await res.json()) as { results?: Array<{ statuses: string[]; values: unknown[] }> };
      if (res.status !== 200 || json.results?.length !== 11 || json.results.some((r) => r.statuses[0] !== 'PRESENT')) throw new Error(`feast: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    }
    const targets: Target[] = [{ name: 'fastify hello-world', url: `http://127.0.0.1:${PORT}/hello`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', ...(hello.pid ? { pid: hello.pid } : {}) }];
    for (const s of servers) targets.push({ name: `online 1x10, ${s.label}`, url: `${s.base}/get-online-features`, method: 'POST', headers, body, ...(s.child.pid ? { pid: s.child.pid } : {}) });
    if (feast) targets.push({ name: 'Feast 0.67 feature server (1 worker)', url: `${feast.url}/get-online-features`, method: 'POST', headers: { 'content-type': 'application/json' }, body: feastBody, ...(feast.child.pid ? { pid: workerPid(feast.child.pid) } : {}) });
    const rows = await sideBySide(targets, { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS });
    const floor = rows[0]!.reqPerSec;
    for (const row of rows) row.vsFloor = row.reqPerSec / floor;
    return { rows, load: { before, after: loadAverage() } };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await feast?.stop().catch(() => undefined);
    await new Promise((res) => setTimeout(res, 2000));
    const client = new Client({ connectionString: env['DATABASE_URL'] });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => undefined);
    await client.end();
    // The services' online rows in Redis (one key prefix per service, as the schemas).
    for (const keyPrefix of schemas) {
      const redis = new RedisOnlineStore({ url: env['REDIS_URL']!, keyPrefix });
      await redis.deleteAll().catch(() => undefined);
      await redis.close();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runHotPathScript(runOnlineHotPath, hotPathHow(ARGS), ARGS.jsonOut);
}
