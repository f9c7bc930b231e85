/**
 * Registry search, Strata vs MLflow's own tracking server (PyPI `mlflow` 3.17.2, the venv of
 * tools/python/mlflow3.requirements.txt), same registry, same MLflow REST queries, same run.
 * - Strata: the registry app as in production (bench/registry/search.ts `startLoadedRegistry`,
 *   PostgreSQL of the stack, bulk-loaded with SQL), answering MLflow's REST API 2.0 routes.
 * - MLflow: `mlflow server --workers 1` on its default kind of store, SQLite (a file created by
 *   MLflow's own migrations), bulk-loaded with the same models, versions, tags and aliases
 *   (bench/python/mlflow_load.py). One worker: Strata's registry is one Node process.
 * Each query: 20 warm-up requests, then `iterations` sequential requests (one client, keep-alive),
 * the two servers alternating query by query; p50 / p99 per server. Each answer is checked to hold
 * the same number of items on both.
 *
 *   node -r @swc-node/register bench/registry/search-vs-mlflow.ts [--models 1000] [--versions 20] [--iterations 200]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { arg, loadAverage, waitFor } from '../util/load';
import type { SuiteResult } from '../util/report';
import { createTestCredentials } from '../../libs/shared/testing/src/index';
import { startLoadedRegistry } from './search';

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;

async function timeQuery(url: string, iterations: number, headers: Record<string, string> = {}): Promise<{ items: number; p50: number; p99: number }> {
  const first = await fetch(url, { headers });
  const body = (await first.json()) as Record<string, unknown>;
  if (first.status !== 200) throw new Error(`${url}: ${first.status} ${JSON.stringify(body).slice(0, 300)}`);
  const list = body['registered_models'] ?? body['model_versions'];
  const items = Array.isArray(list) ? list.length : 1;
  for (let i = 0; i < 20; i++) await (await fetch(url, { headers })).arrayBuffer();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    await (await fetch(url, { headers })).arrayBuffer();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { items, p50: pct(times, 50), p99: pct(times, 99) };
}

/** Loads both registries with `models` × `versions`, runs the queries, returns the row of issue 15. */
export async function runRegistryVsMlflow(o: { models: number; versions: number; iterations: number; strataPort: number; mlflowPort: number }): Promise<SuiteResult> {
  const before = loadAverage();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-mlflow-'));
  let mlflow: ChildProcess | undefined;
  const strata = await startLoadedRegistry(o.models, o.versions, o.strataPort);
  try {
    const py = execFileSync('bash', [path.join(__dirname, '../../tools/python/ensure-venv.sh'), 'mlflow3'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop() as string;
    const db = path.join(dir, 'mlflow.db');
    const load = JSON.parse(execFileSync(py, [path.join(__dirname, '../python/mlflow_load.py'), db, String(o.models), String(o.versions)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 600_000 }).trim().split('\n').pop() as string) as { loadS: number };
    mlflow = spawn(path.join(path.dirname(py), 'mlflow'), ['server', '--backend-store-uri', `sqlite:///${db}`, '--default-artifact-root', path.join(dir, 'artifacts'), '--host', '127.0.0.1', '--port', String(o.mlflowPort), '--workers', '1'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    mlflow.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-3000)));
    const mlBase = `http://127.0.0.1:${o.mlflowPort}`;
    await waitFor(async () => (await fetch(`${mlBase}/health`).catch(() => undefined))?.ok, 180_000, 'mlflow server ready', mlflow).catch((e: unknown) => { throw new Error(`${(e as Error).message}\n${err}`); });
    // Strata as deployed: auth enforced, an API key on every request (MLflow's server has no auth by default).
    const creds = await createTestCredentials(process.env['DATABASE_URL'] ?? '', ['viewer'] as const);
    const strataHeaders = { authorization: `Bearer ${creds.viewer}` };
    const mid = String(Math.floor(o.models / 2)).padStart(5, '0');
    const q = (p: string, params: Record<string, string>): string => `/api/2.0/mlflow/${p}?${new URLSearchParams(params).toString()}`;
    const cases: Array<[string, string]> = [
      ["registered-models/search name LIKE 'model-0%'", q('registered-models/search', { filter: "name LIKE 'model-0%'", max_results: '100' })],
      ["registered-models/search tags.team = 'team-7'", q('registered-models/search', { filter: "tags.team = 'team-7'", max_results: '100' })],
      ["model-versions/search name = '<m>'", q('model-versions/search', { filter: `name = 'model-${mid}'`, max_results: '100' })],
      ["model-versions/search run_id = '<r>'", q('model-versions/search', { filter: `run_id = 'run-${Number(mid)}-${Math.ceil(o.versions / 2)}'` })],
      ['registered-models/get', q('registered-models/get', { name: `model-${mid}` })],
      ['registered-models/alias champion', q('registered-models/alias', { name: `model-${mid}`, alias: 'champion' })],
    ];
    const rows: SuiteResult['rows'] = [];
    const bars99: Array<{ label: string; value: number }> = [];
    let strataWorst = 0;
    let faster = 0;
    for (const [label, url] of cases) {
      const s = await timeQuery(`${strata.base}${url}`, o.iterations, strataHeaders);
      const m = await timeQuery(`${mlBase}${url}`, o.iterations);
      if (s.items !== m.items) process.stdout.write(`registry: ${label}: Strata ${s.items} items, MLflow ${m.items}\n`);
      rows.push([label, `${s.items} / ${m.items}`, s.p50, s.p99, m.p50, m.p99, m.p99 / s.p99]);
      bars99.push({ label: `Strata: ${label.slice(0, 28)}`, value: s.p99 }, { label: `MLflow: ${label.slice(0, 28)}`, value: m.p99 });
      strataWorst = Math.max(strataWorst, s.p99);
      if (s.p99 < m.p99) faster++;
    }
    return {
      title: 'Registry search',
      how: `${o.models.toLocaleString('en-US')} models × ${o.versions} versions (${(o.models * o.versions).toLocaleString('en-US')} versions, tags, aliases) in both. Strata: the registry app on the stack's PostgreSQL, API-key auth on (bulk load ${strata.loadS.toFixed(1)} s). MLflow 3.17.2 \`mlflow server --workers 1\` on SQLite (its default kind of store; bulk load ${load.loadS.toFixed(1)} s). ${o.iterations} sequential requests per query and server after 20 warm-up, alternating query by query.`,
      columns: ['MLflow REST query', 'items Strata / MLflow', 'Strata p50 ms', 'Strata p99 ms', 'MLflow p50 ms', 'MLflow p99 ms', 'MLflow ÷ Strata p99'],
      rows,
      charts: [{ name: 'p99', title: `Registry search p99, ${o.models} models × ${o.versions} versions`, unit: 'ms (p99)', bars: bars99, lowerIsBetter: true }],
      goals: [
        { goal: 'p99 ≤ 20 ms (every query)', measured: `worst ${strataWorst.toFixed(1)} ms`, met: strataWorst <= 20 },
        { goal: 'faster than MLflow server on the same queries', measured: `${faster}/${cases.length} queries faster at p99`, met: faster === cases.length },
      ],
      load: { before, after: loadAverage() },
    };
  } finally {
    if (mlflow && mlflow.exitCode === null) mlflow.kill('SIGTERM');
    await strata.close();
    await new Promise((r) => setTimeout(r, 1000));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runRegistryVsMlflow({ models: Number(arg('models', '1000')), versions: Number(arg('versions', '20')), iterations: Number(arg('iterations', '200')), strataPort: 3640, mlflowPort: 18030 })
    .then((r) => { console.log(JSON.stringify(r, null, 2)); process.exit(0); })
    .catch((e: unknown) => { console.error(e); process.exit(1); });
}
