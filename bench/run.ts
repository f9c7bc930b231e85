/**
 * `npm run bench`: every side-by-side row of issue 15 in ONE run, each contender measured with its peer on the same machine at the same time:
 *   - serving: `POST /v2/models/{m}/infer` in the production configuration (API-key auth, request
 *     logs, metrics, prediction logging to Kafka) vs a Fastify hello-world and MLServer
 *     (bench/serving/hot-path.ts);
 *   - online: `POST /get-online-features` 1 entity × 10 features on Redis vs the hello-world and
 *     Feast's Python feature server on the same Redis and rows (bench/features/online-hot-path.ts);
 *   - pit: point-in-time join vs Feast's local offline store (bench/features/pit-vs-feast.ts);
 *   - drift: incremental counters and batch drift vs Evidently (bench/monitoring/drift-vs-evidently.ts);
 *   - registry: MLflow REST search queries vs MLflow's own server (bench/registry/search-vs-mlflow.ts);
 *   - messaging: outbox → Kafka → inbox at 1/10/100 producers, per-message vs batched vs plain kafkajs
 *     (bench/messaging/run.ts; `BENCH_MESSAGING_EVENTS` events per row, default 1500).
 * Writes bench/results/<YYYY-MM-DD>-all.json (machine, load, every suite's table and raw numbers),
 * docs/bench/<suite>-<chart>.png (one chart per row, ECharts SSR → resvg) and docs/benchmarks-latest.md
 * (the tables, for docs/benchmarks.md).
 *
 *   node -r @swc-node/register bench/run.ts [--scale small|large] [--only serving,online,pit,drift,registry,messaging] [--seconds 3] [--rounds 2] [--out file.json]
 * Small (default, a few minutes plus the peers' start-up): serving/online 2 rounds × 3 s; PIT 100k
 * entity rows × 1M feature rows; drift 200k × 50; registry 1,000 × 20. Large: PIT 1M × 10M,
 * registry 10,000 × 100, rounds 3 × 5 s. Needs the stack (.stack/env: PostgreSQL, Kafka, Redis);
 * the Python peers' venvs are built on first use (tools/python/bench-*.requirements.txt, mlflow3, stats).
 * Ports: 3601-3612, 3640 (Strata), 18010-18012, 18020, 18030 (peers).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BenchRow, arg, loadAverage, printRows, stackEnv } from './util/load';
import { type SuiteResult, markdownTable, renderBarChart } from './util/report';

const ROOT = path.resolve(__dirname, '..');
const large = arg('scale', 'small') === 'large';
// The HTTP suites read --seconds/--rounds from argv when loaded: set the scale's defaults first.
if (!process.argv.includes('--seconds')) process.argv.push('--seconds', large ? '5' : '3');
if (!process.argv.includes('--rounds')) process.argv.push('--rounds', large ? '3' : '2');

/** An HTTP suite's rows as a SuiteResult: closed-loop max and half-load latency per target, ratio to `peer`. */
function httpSuite(title: string, how: string, rows: BenchRow[], load: SuiteResult['load'], peer: string, ours: string, goals: (r: { ours: BenchRow; ourHalf?: BenchRow; peer?: BenchRow; floor: BenchRow }) => SuiteResult['goals']): SuiteResult {
  const closed = rows.filter((r) => r.mode === 'closed');
  const half = (t: string): BenchRow | undefined => rows.find((r) => r.mode === 'half-load' && r.target === t);
  const floor = closed[0]!;
  const peerRow = closed.find((r) => r.target.startsWith(peer));
  const oursRow = closed.find((r) => r.target === ours)!;
  const table = closed.map((r) => {
    const h = half(r.target);
    return [r.target, r.reqPerSec, r.reqPerSec / floor.reqPerSec, peerRow ? r.reqPerSec / peerRow.reqPerSec : '', `${r.p50} / ${r.p99}`, r.cpuUsPerReq ?? '', h ? `${Math.round(h.reqPerSec)}: ${h.p50} / ${h.p99}` : '', r.non2xx + r.errors];
  });
  const oursHalf = half(ours);
  return {
    title,
    how,
    columns: ['target', 'req/s (closed loop)', '× hello-world', `× ${peer}`, 'p50 / p99 ms', 'server CPU µs/req', 'half load: req/s: p50 / p99 ms', 'non-2xx + errors'],
    rows: table,
    charts: [
      { name: 'throughput', title: `${title}: max req/s (closed loop, same run)`, unit: 'requests/s', bars: closed.map((r) => ({ label: r.target, value: r.reqPerSec })), lowerIsBetter: false },
      { name: 'cpu', title: `${title}: server CPU per request`, unit: 'CPU µs per request', bars: closed.filter((r) => r.cpuUsPerReq !== undefined).map((r) => ({ label: r.target, value: r.cpuUsPerReq! })), lowerIsBetter: true },
    ],
    goals: goals({ ours: oursRow, ...(oursHalf ? { ourHalf: oursHalf } : {}), ...(peerRow ? { peer: peerRow } : {}), floor }),
    load,
    raw: rows,
  };
}

type Suite = [name: string, run: () => Promise<SuiteResult>];

async function main(): Promise<void> {
  Object.assign(process.env, { ...stackEnv(ROOT), ...process.env });
  // Loaded after argv has the scale's --seconds/--rounds.
  const { runServingHotPath } = await import('./serving/hot-path');
  const { runOnlineHotPath } = await import('./features/online-hot-path');
  const { runPitVsFeast } = await import('./features/pit-vs-feast');
  const { runDriftVsEvidently } = await import('./monitoring/drift-vs-evidently');
  const { runRegistryVsMlflow } = await import('./registry/search-vs-mlflow');
  const seconds = arg('seconds', '3');
  const rounds = arg('rounds', '2');
  const httpHow = `autocannon 16 connections, ${rounds} interleaved rounds × ${seconds} s closed loop (median round), then open loop (overallRate) at half of each target's max; CPU µs/req = the server process's own CPU time (from /proc) per answered request.`;
  const suites: Suite[] = [
    ['serving', async () => {
      const r = await runServingHotPath({ port: 3601, nestRoute: false, mlserverPort: 18010 });
      return httpSuite('Serving, OIP v2 infer', `${httpHow} Strata: the deployed serving app (API-key auth enforced with the rate limiter, pino request logs at info, Prometheus metrics; "monitored" = parameters.prediction_id, one prediction-logged event per request through the outbox to Kafka). MLServer 1.7.1 + mlserver-sklearn, one process, no auth, no prediction log, serving the same logistic regression as a scikit-learn Pipeline.`, r.rows, r.load, 'MLServer', 'infer monitored (Kafka log), fast route',
        ({ ours, ourHalf, peer, floor }) => [
          { goal: '≥ 60% of Fastify hello-world (production config)', measured: `${Math.round((100 * ours.reqPerSec) / floor.reqPerSec)}%`, met: ours.reqPerSec >= 0.6 * floor.reqPerSec },
          { goal: '≥ 5× MLServer', measured: peer ? `${(ours.reqPerSec / peer.reqPerSec).toFixed(1)}×` : 'not measured', met: !!peer && ours.reqPerSec >= 5 * peer.reqPerSec },
          { goal: 'p99 ≤ 5 ms at half load', measured: ourHalf ? `${ourHalf.p99} ms` : '?', met: !!ourHalf && ourHalf.p99 <= 5 },
        ]);
    }],
    ['online', async () => {
      const r = await runOnlineHotPath({ port: 3610, nestRoute: false, feastPort: 18020 });
      return httpSuite('Online features, 1 entity × 10', `${httpHow} Strata: the deployed features app (API-key auth enforced, request logs at info, metrics), Redis online store, 10,000 entities. Feast 0.67 \`feast serve\` (1 worker, access log off, no worker recycling), Redis online store on the same Redis, the same 10,000 rows; no auth.`, r.rows, r.load, 'Feast', 'online 1x10, fast route',
        ({ ours, ourHalf, peer }) => [
          { goal: '≥ 10k req/s', measured: `${Math.round(ours.reqPerSec)} req/s`, met: ours.reqPerSec >= 10_000 },
          { goal: 'p99 ≤ 2 ms at half load', measured: ourHalf ? `${ourHalf.p99} ms` : '?', met: !!ourHalf && ourHalf.p99 <= 2 },
          { goal: '≥ 3× Feast feature server', measured: peer ? `${(ours.reqPerSec / peer.reqPerSec).toFixed(1)}×` : 'not measured', met: !!peer && ours.reqPerSec >= 3 * peer.reqPerSec },
        ]);
    }],
    ['pit', () => runPitVsFeast(large ? { entityRows: 1_000_000, featureRows: 10_000_000, entities: 100_000 } : { entityRows: 100_000, featureRows: 1_000_000, entities: 10_000 })],
    ['drift', () => {
      const before = loadAverage();
      const rowsN = Number(arg('drift-rows', '200000'));
      const res = runDriftVsEvidently(rowsN);
      const ev = res.find((r) => r.name.startsWith('evidently'));
      const inc = res.find((r) => r.name === 'strata incremental')!;
      return Promise.resolve<SuiteResult>({
        title: 'Drift, 50 columns',
        how: `window ${rowsN.toLocaleString('en-US')} rows × 50 features (45 numeric, 5 categorical), reference 100,000 rows; each contender in its own process (peak RSS its own). Strata incremental = monitoring's mergeable counters row by row (what the consumer runs) then the report; batch = util-drift on columns in memory. Evidently 0.7.23 DataDriftPreset on pandas (its data load reported apart).`,
        columns: ['contender', 'drift s', 'data gen / load s', 'peak RSS MiB', 'Evidently ÷ this (time)', 'this ÷ Evidently (memory)', 'result'],
        rows: res.map((r) => [r.name, r.ms / 1000, r.genMs / 1000, r.peakMiB, ev ? ev.ms / r.ms : '', ev ? r.peakMiB / ev.peakMiB : '', r.detail]),
        charts: [
          { name: 'time', title: `Drift, ${rowsN.toLocaleString('en-US')} rows × 50 columns`, unit: 'seconds', bars: res.map((r) => ({ label: r.name, value: r.ms / 1000 })), lowerIsBetter: true },
          { name: 'memory', title: 'Drift, peak RSS', unit: 'MiB', bars: res.map((r) => ({ label: r.name, value: r.peakMiB })), lowerIsBetter: true },
        ],
        goals: ev ? [
          { goal: 'incremental ≥ 50× Evidently', measured: `${(ev.ms / inc.ms).toFixed(1)}×`, met: ev.ms / inc.ms >= 50 },
          { goal: 'memory ≤ ¼ of Evidently', measured: `${((100 * inc.peakMiB) / ev.peakMiB).toFixed(0)}%`, met: inc.peakMiB * 4 <= ev.peakMiB },
        ] : [{ goal: 'Evidently measured', measured: 'failed', met: false }],
        load: { before, after: loadAverage() },
        raw: res,
      });
    }],
    ['registry', () => runRegistryVsMlflow(large ? { models: 10_000, versions: 100, iterations: 300, strataPort: 3640, mlflowPort: 18030 } : { models: 1000, versions: 20, iterations: 200, strataPort: 3640, mlflowPort: 18030 })],
    ['messaging', async () => {
      const { runMessagingBench } = await import('./messaging/run');
      const events = Number(process.env.BENCH_MESSAGING_EVENTS ?? (large ? 5000 : 1500));
      const r = await runMessagingBench(events);
      const best = (producers: number): number => Math.max(0, ...r.table.filter((t) => t.producers === producers && !t.mode.startsWith('plain')).map((t) => t.perSecond));
      const bulk10 = r.table.find((t) => t.producers === 10 && t.mode.includes('bulk'));
      return {
        title: 'Messaging, outbox → Kafka → inbox',
        how: `${events} events per row, ~300 B, 3 partitions, one event per producer transaction; modes interleaved per producer count (fresh topic and group each). events/s = events / (last effect committed − first publish started); p50/p99 = publish started → consumer transaction committed; relay = outbox row inserted → marked sent. plain kafkajs has no outbox, no inbox and no exactly-once effect.`,
        columns: ['mode', 'producers', 'events/s', 'p50 / p99 ms', 'relay p50 / p99 ms'],
        rows: r.table.map((t) => [t.mode, t.producers, t.perSecond, `${t.p50} / ${t.p99}`, t.relayP50 !== undefined ? `${t.relayP50} / ${t.relayP99}` : '']),
        charts: [{ name: 'throughput', title: 'Messaging: events/s at 10 producers (same run)', unit: 'events/s', bars: r.table.filter((t) => t.producers === 10).map((t) => ({ label: t.mode.startsWith('plain') ? t.mode : `strata ${t.mode}`, value: t.perSecond })), lowerIsBetter: false }],
        goals: [
          { goal: '≥ 20,000 events/s (issue 15)', measured: `${Math.round(Math.max(best(1), best(10), best(100)))} events/s`, met: Math.max(best(1), best(10), best(100)) >= 20_000 },
          { goal: 'p99 ≤ 500 ms at 10 producers (bulk handler)', measured: bulk10 ? `${bulk10.p99} ms` : '?', met: !!bulk10 && bulk10.p99 <= 500 },
        ],
        load: r.load,
        raw: r.table,
      };
    }],
  ];
  const only = arg('only', '').split(',').filter(Boolean);
  const date = new Date().toISOString();
  const out = path.resolve(arg('out', path.join(__dirname, `results/${date.slice(0, 10)}-all.json`)));
  const results: Record<string, SuiteResult | { error: string; load: SuiteResult['load'] }> = {};
  const t0 = Date.now();
  for (const [name, run] of suites) {
    if (only.length && !only.includes(name)) continue;
    process.stdout.write(`\n== ${name} (load ${loadAverage().join(' ')})\n`);
    const before = loadAverage();
    try {
      const r = await run();
      results[name] = r;
      for (const c of r.charts) if (c.bars.length) renderBarChart(path.join(ROOT, 'docs/bench', `${name}-${c.name}.png`), c.title, c.unit, c.bars, c.lowerIsBetter);
      process.stdout.write(`\n${markdownTable(r)}\n${r.goals.map((g) => `- ${g.met ? 'met' : 'NOT met'}: ${g.goal}: ${g.measured}`).join('\n')}\n`);
      if (name === 'serving' || name === 'online') printRows(r.raw as BenchRow[], r.load, name);
    } catch (err) {
      results[name] = { error: String((err as Error).stack ?? err), load: { before, after: loadAverage() } };
      process.stdout.write(`${name} failed: ${(err as Error).message}\n`);
    }
  }
  const cpu = os.cpus();
  const machine = { cores: cpu.length, model: cpu[0]?.model ?? '?', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ date, scale: large ? 'large' : 'small', seconds: Date.now() - t0 > 0 ? Math.round((Date.now() - t0) / 1000) : 0, machine, suites: results }, null, 2));
  const md = [`Run ${date} (${large ? 'large' : 'small'} scale, ${Math.round((Date.now() - t0) / 1000)} s), ${machine.cores} × ${machine.model}, ${machine.memGiB} GiB, Node ${machine.node}.`];
  for (const [name, r] of Object.entries(results)) {
    if ('error' in r) { md.push(`\n### ${name}\n\nfailed: ${r.error.split('\n')[0]}`); continue; }
    md.push(`\n### ${r.title}\n\nLoad average (1/5/15 min) before ${r.load.before.join(' ')}, after ${r.load.after.join(' ')}. ${r.how}\n\n${markdownTable(r)}\n\n${r.goals.map((g) => `- ${g.met ? '**met**' : '**not met**'}: ${g.goal}: ${g.measured}`).join('\n')}\n\n${r.charts.map((c) => `![${c.title}](bench/${name}-${c.name}.png)`).join('\n')}`);
  }
  fs.writeFileSync(path.join(ROOT, 'docs/benchmarks-latest.md'), `${md.join('\n')}\n`);
  process.stdout.write(`\nresults: ${out}\ntables: docs/benchmarks-latest.md\n`);
  process.exit(Object.values(results).some((s) => 'error' in s) ? 1 : 0);
}

void main();
