/**
 * Serving benchmark: throughput and p50/p99 latency of Open Inference Protocol v2 `infer` for
 * the taxi model (logistic regression on the 10 taxi features, trained here on the demo's
 * training set), measured with autocannon in one run against:
 *   - a bare Fastify hello-world endpoint (the HTTP floor of this machine),
 *   - Strata serving (onnxruntime-node), also during hot swaps (SIGUSR2 every 200 ms) and with
 *     dynamic batching on,
 *   - MLServer 1.7.1 + mlserver-sklearn serving the equivalent scikit-learn pipeline
 *     (same impute values, scaling, coefficients; venv tools/python/bench-serving.requirements.txt).
 *
 *   node -r @swc-node/register bench/serving/run.ts [--seconds 10] [--connections 16] [--training-set file.parquet]
 * Needs the stack (.stack/env: PostgreSQL for the serving schema) and the demo's training sets.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
// Bench-only: the platform's own trainer produces the taxi model.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { exportLogisticRegressionToOnnx, trainLogisticRegression } from '@strata/training/util-trainers';
import autocannon from 'autocannon';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { arg, stackEnv } from '../util/cli';
import { startMlserver } from './mlserver';

const ROOT = path.resolve(__dirname, '../..');
const SECONDS = Number(arg('seconds', '10'));
const CONNECTIONS = Number(arg('connections', '16'));

async function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
}

async function waitHttp(url: string, child: ChildProcess, what: string, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try { if ((await fetch(url)).status < 500) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms`);
}

interface Row { target: string; reqPerSec: number; p50: number; p99: number; non2xx: number; errors: number; note: string }

async function cannon(target: string, url: string, body: string | undefined, note = '', during?: () => () => void): Promise<Row> {
  const stop = during?.();
  const r = await autocannon({ url, method: body ? 'POST' : 'GET', headers: { 'content-type': 'application/json' }, ...(body ? { body } : {}), connections: CONNECTIONS, duration: SECONDS });
  stop?.();
  return { target, reqPerSec: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, note };
}

async function main(): Promise<void> {
  const env = { ...process.env, ...stackEnv(ROOT) };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-serving-'));
  const children: ChildProcess[] = [];
  try {
    // 1. The taxi model: logistic regression on the demo's training set (10 features).
    const tsDir = path.join(ROOT, '.stack/data/training-sets');
    const file = arg('training-set', fs.readdirSync(tsDir).filter((f) => f.endsWith('.parquet')).map((f) => path.join(tsDir, f)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0] ?? '');
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    const cols = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjects().map((r) => String(r['column_name'])).filter((c) => c.includes('__'));
    const data = (await conn.runAndReadAll(`SELECT ${cols.map((c) => `CAST("${c}" AS DOUBLE) AS "${c}"`).join(', ')}, CAST(label AS INTEGER) AS label FROM read_parquet('${file}')`)).getRowObjects();
    const rows = data.map((r) => cols.map((c) => (r[c] === null ? NaN : Number(r[c]))));
    const labels = data.map((r) => Number(r['label']));
    const lr1 = trainLogisticRegression({ features: cols, rows, labels });
    const lr2 = trainLogisticRegression({ features: cols, rows, labels }, { l2: 1 });
    fs.writeFileSync(path.join(dir, 'v1.onnx'), exportLogisticRegressionToOnnx(lr1, { modelVersion: 1 }));
    fs.writeFileSync(path.join(dir, 'v2.onnx'), exportLogisticRegressionToOnnx(lr2, { modelVersion: 2 }));
    const sample = rows.find((r) => r.every(Number.isFinite)) ?? rows[0]!;
    const session = await InferenceSession.create(path.join(dir, 'v1.onnx'));
    const direct = Number((await session.run({ input: new Tensor('float32', Float32Array.from(sample), [1, cols.length]) }))['probability']!.data[0]);
    const body = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, cols.length], data: sample }] });
    process.stdout.write(`taxi model: ${cols.length} features, trained on ${rows.length} rows of ${path.basename(file)}; onnxruntime p(sample) = ${direct.toFixed(6)}\n`);

    // 2. Servers.
    const helloPort = await freePort();
    const hello = spawn(process.execPath, ['-e', `const f=require('fastify')();f.post('/hello',async()=>({hello:'world'}));f.get('/hello',async()=>({hello:'world'}));f.listen({port:${helloPort},host:'127.0.0.1'})`], { cwd: ROOT, stdio: 'ignore' });
    children.push(hello);
    const startStrata = async (batching?: string): Promise<{ port: number; child: ChildProcess }> => {
      const port = await freePort();
      const child = spawn(process.execPath, ['-r', '@swc-node/register', 'bench/serving/strata-server.ts', 'taxi-tip', path.join(dir, 'v1.onnx'), path.join(dir, 'v2.onnx')], {
        cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...env, BENCH_PORT: String(port), BENCH_SCHEMA: `bench_serving_${process.pid}_${port}`, ...(batching ? { SERVING_BATCHING: batching } : {}) },
      });
      children.push(child);
      await waitHttp(`http://127.0.0.1:${port}/v2/models/taxi-tip/ready`, child, 'strata serving');
      await waitUntil200(`http://127.0.0.1:${port}/v2/models/taxi-tip/ready`);
      return { port, child };
    };
    const strata = await startStrata();

    let mlserverRow: Row | { error: string };
    let mlserver: ChildProcess | undefined;
    let mlPort = 0;
    try {
      mlPort = await freePort();
      const started = await startMlserver(dir, 'taxi-tip', lr1, mlPort);
      mlserver = started.child;
      children.push(mlserver);
      const check = (await (await fetch(`http://127.0.0.1:${mlPort}/v2/models/taxi-tip/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, cols.length], data: sample }], outputs: [{ name: 'predict_proba' }] }) })).json()) as { outputs: Array<{ data: number[] }> };
      process.stdout.write(`mlserver-sklearn p(sample) = ${Number(check.outputs[0]!.data[1]).toFixed(6)} (onnxruntime ${direct.toFixed(6)})\n`);
      mlserverRow = { error: '' };
    } catch (err) {
      mlserverRow = { error: (err as Error).message.split('\n').slice(0, 6).join(' | ') };
    }

    // 3. Load, one target at a time.
    const results: Row[] = [];
    results.push(await cannon('fastify hello-world', `http://127.0.0.1:${helloPort}/hello`, '{}', 'HTTP floor'));
    results.push(await cannon('strata serving', `http://127.0.0.1:${strata.port}/v2/models/taxi-tip/infer`, body, 'onnxruntime-node, 1 row'));
    let swaps = 0;
    results.push(await cannon('strata during hot swaps', `http://127.0.0.1:${strata.port}/v2/models/taxi-tip/infer`, body, '', () => {
      const t = setInterval(() => { strata.child.kill('SIGUSR2'); swaps++; }, 200);
      return () => clearInterval(t);
    }));
    results[results.length - 1]!.note = `${swaps} swaps v1↔v2`;
    strata.child.kill('SIGTERM');
    const batched = await startStrata(JSON.stringify({ '*': { maxBatchSize: 32, maxDelayMs: 2 } }));
    results.push(await cannon('strata, dynamic batching', `http://127.0.0.1:${batched.port}/v2/models/taxi-tip/infer`, body, 'maxBatchSize 32, maxDelayMs 2'));
    batched.child.kill('SIGTERM');
    if ('error' in mlserverRow && mlserverRow.error === '') {
      const mlBody = JSON.stringify({ inputs: [{ name: 'input', datatype: 'FP32', shape: [1, cols.length], data: sample }], outputs: [{ name: 'predict_proba' }] });
      results.push(await cannon('mlserver 1.7.1 + sklearn', `http://127.0.0.1:${mlPort}/v2/models/taxi-tip/infer`, mlBody, 'same LR as sklearn Pipeline'));
    }

    // 4. Table.
    const cpu = os.cpus();
    process.stdout.write(`\nmachine: ${cpu.length} x ${cpu[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB (shared); autocannon ${CONNECTIONS} connections x ${SECONDS} s per target\n\n`);
    const head = ['target', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'note'];
    const lines = results.map((r) => [r.target, r.reqPerSec.toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2), String(r.non2xx), String(r.errors), r.note]);
    const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    const fmt = (l: string[]): string => l.map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' │ ');
    process.stdout.write(`${fmt(head)}\n${widths.map((w) => '─'.repeat(w)).join('─┼─')}\n${lines.map(fmt).join('\n')}\n`);
    if ('error' in mlserverRow && mlserverRow.error !== '') process.stdout.write(`\nmlserver: not measured: ${mlserverRow.error}\n`);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function waitUntil200(url: string, timeoutMs = 60_000, child?: ChildProcess): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child && child.exitCode !== null) throw new Error(`process for ${url} exited with ${child.exitCode}`);
    try { if ((await fetch(url)).status === 200) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not 200 within ${timeoutMs} ms`);
}

void main().then(() => process.exit(0), (err: unknown) => { process.stderr.write(`${String((err as Error).stack ?? err)}\n`); process.exit(1); });
