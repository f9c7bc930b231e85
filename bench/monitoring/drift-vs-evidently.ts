/**
 * Benchmark: drift of a current window of N rows (default 1 000 000) × 50 features (45 numeric
 * with 2% missing, 5 categorical with 60 zones and 1% missing; every 5th numeric feature shifted
 * by 0.3σ) against a stored reference profile built from 100 000 rows, and Evidently (PyPI,
 * tools/python/stats.requirements.txt) on the same data in the same run.
 *
 * Each contender runs in its own child process so its peak RSS is its own:
 * - `strata batch psi` / `strata batch auto`: util-drift `detectDrift(profile, columns)` on the
 *   window held in memory as columns (Float64Array / string arrays);
 * - `strata incremental`: monitoring's mergeable counters (`predictionCounters` row by row, as
 *   the consumer does per event, in chunks of 10 000 rows merged into the window state) then
 *   `driftFromCounters` (PSI, KS, Wasserstein, χ², JS all at once); the window is generated
 *   chunk by chunk, never held in memory;
 * - `evidently DataDriftPreset`: Evidently's `Report([DataDriftPreset()]).run(current, reference)`
 *   on pandas DataFrames (it needs the raw 100k reference rows; data loaded from .f64/.i16 files
 *   written by this script, load time reported separately).
 *
 *   node -r @swc-node/register bench/monitoring/drift-vs-evidently.ts [--rows 1000000] [--skip-evidently]
 */
import { mulberry32 } from '../../libs/shared/testing/src/lib/prng';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CounterSet, driftFromCounters, predictionCounters } from '../../libs/monitoring/domain-monitoring/src/lib/aggregates';
import { buildReferenceProfile, detectDrift, type ColumnValues, type ReferenceProfile } from '../../libs/shared/util-drift/src/index';
import { arg } from '../util/cli';

const REF_ROWS = 100_000;
const NUM = 45;
const CAT = 5;
const ZONES = Array.from({ length: 60 }, (_, i) => `zone_${i}`);

/** Row-major generator: numeric values (NaN = missing) and category codes (−1 = missing) per row. */
function* rowsOf(n: number, seed: number, shift: number): Generator<{ num: Float64Array; cat: Int16Array }> {
  const rnd = mulberry32(seed);
  const num = new Float64Array(NUM);
  const cat = new Int16Array(CAT);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < NUM; f++) {
      const s = f % 5 === 0 ? shift : 0;
      num[f] = rnd() < 0.02 ? NaN : Math.sqrt(-2 * Math.log(Math.max(rnd(), 1e-12))) * Math.cos(2 * Math.PI * rnd()) + f + s;
    }
    for (let f = 0; f < CAT; f++) cat[f] = rnd() < 0.01 ? -1 : Math.floor(rnd() * rnd() * ZONES.length);
    yield { num, cat };
  }
}

function columnsOf(n: number, seed: number, shift: number): { num: Float64Array[]; cat: Int16Array[] } {
  const num = Array.from({ length: NUM }, () => new Float64Array(n));
  const cat = Array.from({ length: CAT }, () => new Int16Array(n));
  let i = 0;
  for (const r of rowsOf(n, seed, shift)) {
    for (let f = 0; f < NUM; f++) num[f]![i] = r.num[f]!;
    for (let f = 0; f < CAT; f++) cat[f]![i] = r.cat[f]!;
    i++;
  }
  return { num, cat };
}

function asColumnValues(c: { num: Float64Array[]; cat: Int16Array[] }): Record<string, ColumnValues> {
  const out: Record<string, ColumnValues> = {};
  c.num.forEach((col, f) => (out[`num_${f}`] = col));
  c.cat.forEach((col, f) => (out[`cat_${f}`] = Array.from(col, (k) => (k < 0 ? null : ZONES[k]!))));
  return out;
}

const peakMiB = (): number => Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20);

function child(phase: string, dir: string, rows: number): void {
  const profile = JSON.parse(fs.readFileSync(path.join(dir, 'profile.json'), 'utf8')) as ReferenceProfile;
  const t0 = performance.now();
  let detail = '';
  if (phase === 'batch-psi' || phase === 'batch-auto') {
    const current = asColumnValues(columnsOf(rows, 2, 0.3));
    const tGen = performance.now() - t0;
    const t1 = performance.now();
    const r = detectDrift(profile, current, { method: phase === 'batch-psi' ? 'psi' : 'auto' });
    const ms = performance.now() - t1;
    detail = `${r.driftedCount}/${r.testedCount} drifted (${[...new Set(r.features.map((f) => f.method))].join('+')})`;
    process.stdout.write(JSON.stringify({ ms, genMs: tGen, peakMiB: peakMiB(), detail }));
    return;
  }
  // incremental: the window state is only counters; rows are generated and dropped chunk by chunk
  const state = new CounterSet();
  let chunk = new CounterSet();
  let inChunk = 0;
  const features: Record<string, number | string | null> = {};
  let genMs = 0;
  let tg = performance.now();
  for (const r of rowsOf(rows, 2, 0.3)) {
    for (let f = 0; f < NUM; f++) features[`num_${f}`] = Number.isNaN(r.num[f]!) ? null : r.num[f]!;
    for (let f = 0; f < CAT; f++) features[`cat_${f}`] = r.cat[f]! < 0 ? null : ZONES[r.cat[f]!]!;
    const tc = performance.now();
    genMs += tc - tg;
    predictionCounters(chunk, profile, features, 1);
    if (++inChunk === 10_000) {
      state.merge(chunk);
      chunk = new CounterSet();
      inChunk = 0;
    }
    tg = performance.now();
  }
  state.merge(chunk);
  const t1 = performance.now();
  const r = driftFromCounters(profile, state, { method: 'psi', psiThreshold: 0.1, driftShare: 0.5 });
  const reportMs = performance.now() - t1;
  const total = performance.now() - t0 - genMs;
  detail = `${r.driftedCount}/${r.testedCount} drifted (psi; + ks, wasserstein, chi², js), ${state.size} counters, report ${reportMs.toFixed(0)} ms`;
  process.stdout.write(JSON.stringify({ ms: total, genMs, peakMiB: peakMiB(), detail }));
}

const EVIDENTLY_PY = String.raw`
import json, resource, sys, time
import numpy as np, pandas as pd
d, rows, ref_rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
zones = np.array(["zone_%d" % i for i in range(60)] + [None], dtype=object)
def load(prefix, n):
    num = np.fromfile(f"{d}/{prefix}_num.f64", dtype=np.float64).reshape(45, n)
    cat = np.fromfile(f"{d}/{prefix}_cat.i16", dtype=np.int16).reshape(5, n)
    cols = {f"num_{f}": num[f] for f in range(45)}
    for f in range(5):
        cols[f"cat_{f}"] = pd.Categorical(zones[np.where(cat[f] < 0, 60, cat[f])])
    return pd.DataFrame(cols)
t = time.perf_counter()
ref, cur = load("ref", ref_rows), load("cur", rows)
load_s = time.perf_counter() - t
from evidently import DataDefinition, Dataset, Report
from evidently.presets import DataDriftPreset
import evidently
dd = DataDefinition(numerical_columns=[f"num_{f}" for f in range(45)], categorical_columns=[f"cat_{f}" for f in range(5)])
t = time.perf_counter()
snap = Report([DataDriftPreset()]).run(Dataset.from_pandas(cur, data_definition=dd), Dataset.from_pandas(ref, data_definition=dd))
run_s = time.perf_counter() - t
res = snap.dict()
drifted = None
for m in res.get("metrics", []):
    v = m.get("value")
    if isinstance(v, dict) and "count" in v and "share" in v:
        drifted = v["count"]; break
print(json.dumps({"ms": run_s * 1000, "genMs": load_s * 1000, "peakMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "detail": f"evidently {evidently.__version__}: drifted columns {drifted}/50 (its defaults: wasserstein / jensenshannon at this size)"}))
`;

/** One contender's result: drift time, data generation/load time (ms), its process's peak RSS. */
export interface DriftResult { name: string; ms: number; genMs: number; peakMiB: number; detail: string }

/** Runs every contender on a window of `rows` rows (each in its own process); prints the table, returns the results. */
export function runDriftVsEvidently(rows: number, skipEvidently = false): DriftResult[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-bench-drift-'));
  try {
    console.log(`node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, window ${rows} rows × 50 features (45 numeric, 5 categorical), reference ${REF_ROWS} rows`);
    let t = performance.now();
    const ref = columnsOf(REF_ROWS, 1, 0);
    const profile = buildReferenceProfile(asColumnValues(ref));
    const json = JSON.stringify(profile);
    fs.writeFileSync(path.join(dir, 'profile.json'), json);
    console.log(`reference profile built in ${(performance.now() - t).toFixed(0)} ms, ${(json.length / 1024).toFixed(0)} KiB JSON (stored; monitoring never rereads the reference rows)`);
    if (!skipEvidently) {
      t = performance.now();
      const write = (prefix: string, c: { num: Float64Array[]; cat: Int16Array[] }) => {
        const fd = fs.openSync(path.join(dir, `${prefix}_num.f64`), 'w');
        for (const col of c.num) fs.writeSync(fd, new Uint8Array(col.buffer));
        fs.closeSync(fd);
        const fc = fs.openSync(path.join(dir, `${prefix}_cat.i16`), 'w');
        for (const col of c.cat) fs.writeSync(fc, new Uint8Array(col.buffer));
        fs.closeSync(fc);
      };
      write('ref', ref);
      write('cur', columnsOf(rows, 2, 0.3));
      console.log(`data files for Evidently written in ${(performance.now() - t).toFixed(0)} ms`);
    }
    const results: DriftResult[] = [];
    for (const phase of ['batch-psi', 'batch-auto', 'incremental']) {
      const out = execFileSync(process.execPath, [...process.execArgv, '-r', '@swc-node/register', __filename, '--phase', phase, '--dir', dir, '--rows', String(rows)], {
        encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=8192' },
      });
      results.push({ name: `strata ${phase.replace('-', ' ')}`, ...(JSON.parse(out) as { ms: number; genMs: number; peakMiB: number; detail: string }) });
    }
    if (!skipEvidently) {
      const python = execFileSync('bash', [path.join(__dirname, '../../tools/python/ensure-venv.sh'), 'stats'], { encoding: 'utf8' }).trim().split('\n').pop() as string;
      const res = spawnSync(python, ['-c', EVIDENTLY_PY, dir, String(rows), String(REF_ROWS)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (res.status !== 0) console.log(`evidently failed: ${res.stderr.slice(-2000)}`);
      else results.push({ name: 'evidently DataDriftPreset', ...(JSON.parse(res.stdout.trim().split('\n').pop() as string) as { ms: number; genMs: number; peakMiB: number; detail: string }) });
    }
    const pad = (s: string, n: number) => s.padEnd(n);
    console.log(`\n${pad('contender', 26)} │ ${pad('drift time', 11)} │ ${pad('data gen/load', 13)} │ ${pad('peak RSS', 9)} │ result`);
    console.log(`${'─'.repeat(26)}─┼─${'─'.repeat(11)}─┼─${'─'.repeat(13)}─┼─${'─'.repeat(9)}─┼─${'─'.repeat(40)}`);
    for (const r of results) {
      console.log(`${pad(r.name, 26)} │ ${pad(`${(r.ms / 1000).toFixed(2)} s`, 11)} │ ${pad(`${(r.genMs / 1000).toFixed(2)} s`, 13)} │ ${pad(`${r.peakMiB} MiB`, 9)} │ ${r.detail}`);
    }
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const phaseIdx = process.argv.indexOf('--phase');
  const rows = Number(arg('rows', '1000000'));
  if (phaseIdx >= 0) child(process.argv[phaseIdx + 1] as string, arg('dir', ''), rows);
  else runDriftVsEvidently(rows, process.argv.includes('--skip-evidently'));
}
