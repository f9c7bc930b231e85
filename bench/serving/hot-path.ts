/**
 * Serving hot-path benchmark in the PRODUCTION configuration (issue 15): `POST /v2/models/{m}/infer`
 * on the serving service as deployed (bench/serving/prod-server.ts: API-key auth enforced, rate
 * limiter, pino request logs at info, Prometheus metrics, prediction logging through the outbox
 * relay to Kafka), side by side in ONE run with a Fastify hello-world (the HTTP floor of the
 * machine) on the same load:
 *   - closed loop (autocannon, `--connections` connections, `--rounds` interleaved rounds of `--seconds` s,
 *     median round): max req/s, p50/p99, and the server's CPU time per request (from /proc: the
 *     number that holds on a shared machine);
 *   - open loop at half of the measured max (autocannon `overallRate`): p50/p99 at half load.
 * Rows: hello-world; then for serving through Nest's router (`SERVING_FAST_INFER_ROUTE=false`) and
 * through the Fastify fast route (the default), same build: infer (auth, metrics, request log; no
 * prediction id: nothing logged) and infer monitored (`parameters.prediction_id`: one
 * `prediction-logged` event per request through the outbox to Kafka).
 * The model: a logistic regression on 10 synthetic features (deterministic data), exported to ONNX
 * by the platform's trainer; the model's compute is negligible, so this measures the HTTP path.
 *
 *   node -r @swc-node/register bench/serving/hot-path.ts [--seconds 5] [--rounds 3] [--connections 16] [--port 3201] [--cpu-prof dir] [--json out.json] [--baseline <checkout>]
 * `--baseline <checkout>`: also serve from another checkout of the repo (e.g. a worktree of main,
 * with node_modules), Nest route: before/after in the same run (this file's prod-server.ts is copied there).
 * `--cpu-prof dir`: the serving process runs with `node --cpu-prof --cpu-prof-dir dir` (a
 * .cpuprofile per run; summarize with bench/profile-summary.ts).
 * Needs the stack (.stack/env: DATABASE_URL, KAFKA_BROKERS). Ports: --port (hello), --port + 1, + 2 (+ 3 for the baseline) (serving).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
// Bench-only: the platform's own trainer produces the model.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { exportLogisticRegressionToOnnx, trainLogisticRegression } from '@strata/training/util-trainers';
import { mulberry32 } from '@strata/shared/util-random';
import { startMlserver } from './mlserver';
import { type BenchRow, type Target, hotPathArgs, hotPathHow, loadAverage, sideBySide, stackEnv, runHotPathScript, waitFor } from '../util/load';

const ROOT = path.resolve(__dirname, '../..');
const ARGS = hotPathArgs(3201);
const { seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, cpuProf: PROF, baseline: BASELINE } = ARGS;

/**
 * `opts.port`: the hello-world's port (serving on + 1..3; default --port); `opts.nestRoute` false
 * skips the Nest-route targets; `opts.mlserverPort`: also MLServer serving the same model
 * (bench/serving/mlserver.ts) on that port (+1, +2 for its gRPC and metrics), one more target.
 */
export async function runServingHotPath(opts: { port?: number; nestRoute?: boolean; mlserverPort?: number } = {}): Promise<{ rows: BenchRow[]; load: { before: number[]; after: number[] } }> {
  const PORT = opts.port ?? ARGS.port;
  const env = { ...process.env, ...stackEnv(ROOT) };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-hot-'));
  const children: ChildProcess[] = [];
  const before = loadAverage();
  try {
    const features = Array.from({ length: 10 }, (_, i) => `x${i}`);
    // Deterministic pseudo-random numbers, so every run trains the same model.
    const r = mulberry32(42);
    const rows = Array.from({ length: 2000 }, () => features.map(() => r() * 10));
    const labels = rows.map((x) => (x[0]! + x[1]! - x[2]! + r() * 2 > 10 ? 1 : 0));
    const model = trainLogisticRegression({ features, rows, labels });
    const file = path.join(dir, 'model.onnx');
    fs.writeFileSync(file, exportLogisticRegressionToOnnx(model, { modelVersion: 1 }));
    const sample = rows[0]!;

    const hello = spawn(process.execPath, ['-e', `const f=require('fastify')();f.post('/hello',async()=>({hello:'world'}));f.listen({port:${PORT},host:'127.0.0.1'})`], { cwd: ROOT, stdio: 'ignore' });
    children.push(hello);
    const startServing = async (port: number, fast: boolean, root = ROOT): Promise<{ child: ChildProcess; key: string; url: string; out: () => string; logLines: () => number }> => {
      const servingArgs = [...(PROF ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(PROF)] : []), '-r', '@swc-node/register', 'bench/serving/prod-server.ts', 'bench-lr', file];
      const child = spawn(process.execPath, servingArgs, {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...env, BENCH_PORT: String(port), SERVING_DB_SCHEMA: `bench_hot_${process.pid}_${port}`, SERVING_CONSUMER_GROUP: `bench-hot-${process.pid}-${port}`, LOG_LEVEL: 'info', SERVING_FAST_INFER_ROUTE: String(fast) },
      });
      children.push(child);
      let out = '';
      let logLines = 0;
      child.stdout!.on('data', (d: Buffer) => {
        const s = d.toString();
        if (!out.includes('READY') || s.includes('REVOKED')) out += s;
        logLines += s.split('\n').length - 1;
      });
      const ready = await waitFor(() => /READY (\S+) (\S+)/.exec(out), 180_000, `serving on ${port} READY`, child);
      return { child, key: ready[1]!, url: `http://127.0.0.1:${port}/v2/models/bench-lr/infer`, out: () => out, logLines: () => logLines };
    };
    // Serving through Nest's router (SERVING_FAST_INFER_ROUTE=false) and through the Fastify fast
    // route, same build; with --baseline <checkout>, also that checkout's serving (before).
    const servers: Array<[string, Awaited<ReturnType<typeof startServing>>]> = [];
    if (BASELINE) {
      fs.copyFileSync(path.join(ROOT, 'bench/serving/prod-server.ts'), path.join(BASELINE, 'bench/serving/prod-server.ts'));
      servers.push(['baseline', await startServing(PORT + 3, false, BASELINE)]);
    }
    if (opts.nestRoute !== false) servers.push(['nest route', await startServing(PORT + 1, false)]);
    servers.push(['fast route', await startServing(PORT + 2, true)]);
    const ml = opts.mlserverPort ? await startMlserver(dir, 'bench-lr', model, opts.mlserverPort) : undefined;
    if (ml) children.push(ml.child);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${PORT}/hello`, { method: 'POST' }).catch(() => undefined))?.ok, 30_000, 'fastify hello-world');

    const plain = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, features.length], data: sample }] });
    const monitored = JSON.stringify({ parameters: { prediction_id: 'bench-hot-1' }, inputs: [{ name: 'input', datatype: 'FP32', shape: [1, features.length], data: sample }] });
    for (const [, s] of servers) {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${s.key}` };
      const check = await fetch(s.url, { method: 'POST', headers, body: monitored });
      if (check.status !== 200) throw new Error(`infer answered ${check.status}: ${await check.text()}`);
      const unauth = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: plain });
      if (unauth.status !== 401) throw new Error(`infer without a key answered ${unauth.status}, expected 401`);
    }

    const targets: Target[] = [{ name: 'fastify hello-world', url: `http://127.0.0.1:${PORT}/hello`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', ...(hello.pid ? { pid: hello.pid } : {}) }];
    for (const [label, s] of servers) {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${s.key}` };
      const pid = s.child.pid ? { pid: s.child.pid } : {};
      targets.push({ name: `infer, ${label}`, url: s.url, method: 'POST', headers, body: plain, ...pid });
      targets.push({ name: `infer monitored (Kafka log), ${label}`, url: s.url, method: 'POST', headers, body: monitored, ...pid });
    }
    if (ml) {
      const mlBody = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, features.length], data: sample }], outputs: [{ name: 'predict_proba' }] });
      const check = await fetch(ml.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: mlBody });
      if (check.status !== 200) throw new Error(`mlserver answered ${check.status}: ${await check.text()}`);
      targets.push({ name: 'MLServer 1.7.1 + sklearn (no auth, no log)', url: ml.url, method: 'POST', headers: { 'content-type': 'application/json' }, body: mlBody, ...(ml.child.pid ? { pid: ml.child.pid } : {}) });
    }
    const logsBefore = servers.map(([, s]) => s.logLines());
    const result = await sideBySide(targets, { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS });
    for (const [i, [label, s]] of servers.entries()) {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${s.key}` };
      const metrics = await (await fetch(s.url.replace(/\/v2\/.*$/, '/metrics'))).text();
      const dropped = metrics.split('\n').filter((l) => l.startsWith('strata_serving_prediction_log_dropped_total')).join('; ');
      process.stdout.write(`${label}: ${s.logLines() - logsBefore[i]!} request log lines during the load; ${dropped}\n`);
      s.child.kill('SIGUSR2');
      await waitFor(() => s.out().includes('REVOKED') || undefined, 10_000, 'key revocation', s.child).catch(() => undefined);
      const revoked = await fetch(s.url, { method: 'POST', headers, body: plain });
      process.stdout.write(`${label}: right after revoking its key, infer answered ${revoked.status}\n`);
    }
    const floor = result[0]!.reqPerSec;
    for (const row of result) row.vsFloor = row.reqPerSec / floor;
    return { rows: result, load: { before, after: loadAverage() } };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await new Promise((res) => setTimeout(res, 1500));
    fs.rmSync(dir, { recursive: true, force: true });
    // The services' throwaway schemas (outbox, inbox).
    const client = new Client({ connectionString: env['DATABASE_URL'] });
    await client.connect().then(
      async () => {
        for (const port of [PORT + 1, PORT + 2, PORT + 3]) await client.query(`DROP SCHEMA IF EXISTS "bench_hot_${process.pid}_${port}" CASCADE`).catch(() => undefined);
        await client.end();
      },
      () => undefined,
    );
  }
}

if (require.main === module) {
  runHotPathScript(runServingHotPath, hotPathHow(ARGS), ARGS.jsonOut);
}
