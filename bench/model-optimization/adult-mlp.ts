/**
 * Benchmark of the model optimization step (issue 15): an sklearn MLP on UCI Adult (6 numeric
 * features, exported by skl2onnx through examples/trainers/sklearn-logistic, `estimator: mlp`),
 * optimized by tools/model-optimization/optimize_onnx.py (ONNX Runtime `quantize_dynamic` INT8 and
 * offline graph optimization), then parent and child measured side by side in this process with the
 * step's own code (`measureSideBySide`: onnxruntime-node with serving's session options, the two
 * models interleaved row by row on the same rows) on the 16,281 rows of adult.test.
 *
 *   node -r @swc-node/register bench/model-optimization/adult-mlp.ts [--hidden 256,128] [--epochs 15]
 *        [--train-rows 8000] [--latency-rows 5000]
 *
 * Needs the `sklearn` and `model-optimize` venvs (tools/python/ensure-venv.sh builds them on first
 * use). Writes bench/results/model-optimization.json and prints a table.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { TrainingSetFile } from '@strata/training/activities';
import { measureSideBySide, runOptimizerTool, type OptimizationMethod } from '@strata/training/domain-model-optimization';
import { arg } from '../util/load';

const ROOT = path.resolve(__dirname, '../..');
const ADULT = path.resolve(ROOT, '../shared/datasets/uci-adult');
const FEATURES = ['age', 'fnlwgt', 'education_num', 'capital_gain', 'capital_loss', 'hours_per_week'];
const COLUMNS = ['age', 'workclass', 'fnlwgt', 'education', 'education_num', 'marital_status', 'occupation', 'relationship', 'race', 'sex', 'capital_gain', 'capital_loss', 'hours_per_week', 'native_country', 'income'];
const SPLIT = '2021-01-01T00:00:00.000Z';

const venv = (name: string): string => execFileSync('bash', [path.join(ROOT, 'tools/python/ensure-venv.sh'), name], { encoding: 'utf8', timeout: 900_000 }).trim().split('\n').pop()!;

async function main(): Promise<void> {
  const hidden = arg('hidden', '256,128');
  const epochs = Number(arg('epochs', '15'));
  const trainRows = Number(arg('train-rows', '8000'));
  const latencyRows = Number(arg('latency-rows', '5000'));
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-bench-optimize-'));
  const load = { before: os.loadavg(), after: [] as number[] };
  try {
    const setFile = path.join(work, 'adult.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`SET TimeZone='UTC'`);
    const cols = `{${COLUMNS.map((n) => `'${n}': 'VARCHAR'`).join(', ')}}`;
    const select = (file: string, skip: number, base: string, limit: string) => `
      SELECT ${FEATURES.map((f) => `CAST(TRIM(${f}) AS DOUBLE) AS ${f}`).join(', ')}, TIMESTAMPTZ '${base}' + to_seconds(row_number() OVER ()) AS event_timestamp,
             CAST(TRIM(income) LIKE '>50K%' AS INTEGER) AS label
      FROM (SELECT * FROM read_csv('${ADULT}/${file}', header = false, skip = ${skip}, columns = ${cols}) WHERE income IS NOT NULL ${limit})`;
    await c.run(`COPY (${select('adult.data.csv', 0, '2020-01-01T00:00:00Z', `LIMIT ${trainRows}`)} UNION ALL ${select('adult.test.csv', 1, SPLIT, '')}) TO '${setFile}' (FORMAT parquet)`);
    await c.run(`COPY (SELECT ${FEATURES.join(', ')}, label FROM read_parquet('${setFile}') WHERE event_timestamp < TIMESTAMPTZ '${SPLIT}') TO '${work}/train.parquet' (FORMAT parquet)`);
    c.closeSync();
    db.closeSync();
    await fs.writeFile(path.join(work, 'params.json'), JSON.stringify({ params: { estimator: 'mlp', hidden, max_iter: epochs }, features: FEATURES, label: 'label' }));
    let t0 = Date.now();
    execFileSync(venv('sklearn'), [path.join(ROOT, 'examples/trainers/sklearn-logistic/train.py'), work], { stdio: 'ignore', timeout: 1_800_000 });
    process.stderr.write(`trained MLP ${hidden} (${epochs} epochs, ${trainRows} rows) in ${Date.now() - t0} ms\n`);
    const parent = await fs.readFile(path.join(work, 'model.onnx'));
    const tool = { python: venv('model-optimize'), script: path.join(ROOT, 'tools/model-optimization/optimize_onnx.py'), timeoutMs: 600_000 };
    const file = await TrainingSetFile.open(setFile);
    const slice = await file.readSlice(FEATURES, SPLIT, 'eval');
    file.close();
    const rows: Array<Record<string, unknown>> = [];
    for (const method of ['dynamic-int8', 'graph'] as OptimizationMethod[]) {
      t0 = Date.now();
      const out = path.join(work, `${method}.onnx`);
      await runOptimizerTool(tool, method, path.join(work, 'model.onnx'), out);
      const toolMs = Date.now() - t0;
      const m = await measureSideBySide(new Uint8Array(parent), new Uint8Array(await fs.readFile(out)), slice, FEATURES, { latencyRows });
      for (const [who, x] of [['parent (fp32)', m.parent], [method, m.child]] as const) {
        rows.push({ model: who, bytes: x.sizeBytes, p50_1row_us: +(x.p50RowLatencyMs * 1000).toFixed(1), p90_1row_us: +(x.p90RowLatencyMs * 1000).toFixed(1), p50_batch256_us_per_row: x.p50BatchedRowLatencyMs === null ? null : +(x.p50BatchedRowLatencyMs * 1000).toFixed(3), accuracy: +x.accuracy.toFixed(5), roc_auc: x.rocAuc === null ? null : +x.rocAuc.toFixed(5), tool_ms: who === method ? toolMs : null });
      }
    }
    load.after = os.loadavg();
    console.table(rows); // eslint-disable-line no-console -- a benchmark's output
    const cpu = os.cpus();
    const result = { date: new Date().toISOString(), machine: { cores: cpu.length, model: cpu[0]?.model ?? '?', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, load, model: { hidden, epochs, trainRows, features: FEATURES }, evalRows: slice.labels.length, latencyRows, rows };
    await fs.mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
    await fs.writeFile(path.join(ROOT, 'bench/results/model-optimization.json'), JSON.stringify(result, null, 2));
    process.stderr.write(`load ${load.before.map((l) => l.toFixed(1)).join(' ')} → ${load.after.map((l) => l.toFixed(1)).join(' ')}; wrote bench/results/model-optimization.json\n`);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
