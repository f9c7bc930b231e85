/**
 * Point-in-time join, Strata vs Feast's local offline store, same files, same run (issue 15).
 * The data (bench/features/pit-data.ts: entity rows × 3 views × 3 features, TTL 7 days) is written
 * once; then each contender runs in its own child process so its peak RSS is its own:
 * - Strata: `DuckDBOfflineStore.getHistoricalFeatures` (what `POST /training-sets` runs), output
 *   written to Parquet;
 * - Feast 0.67 (PyPI, tools/python/bench-feast.requirements.txt): `get_historical_features(entity_df)
 *   .to_df()` on its local offline store (type "file" = Dask), output written to Parquet
 *   (bench/python/feast_pit.py).
 * Both outputs are checked: row count, number of non-null values of the first feature. Feast 0.67's
 * Dask store returns FEWER rows than the entity frame: an entity row is dropped when one view has
 * candidates for its entity but all of them are older than the TTL (its TTL filter removes the
 * candidates, then the row); Strata keeps the row with nulls for that view (Feast's documented
 * semantics). The table reports both counts.
 *
 *   node -r @swc-node/register bench/features/pit-vs-feast.ts [--entity-rows 100000] [--feature-rows 1000000] [--entities 10000]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBOfflineStore } from '../../libs/features/data-access-offline-store/src/index';
import { LocalObjectStore } from '../../libs/shared/data-access-object-store/src/index';
import { arg, loadAverage } from '../util/load';
import type { SuiteResult } from '../util/report';
import { generatePitData, pitViews } from './pit-data';

interface Measured { ms: number; peakMiB: number; rows: number; nonNull: number; detail: string }

async function strataPhase(dir: string): Promise<void> {
  const store = new LocalObjectStore(dir);
  const offline = new DuckDBOfflineStore({ store, tmpDir: dir });
  const views = pitViews();
  const refs = views.flatMap((v) => v.features.map((f) => `${v.name}:${f.name}`));
  const t = performance.now();
  const res = await offline.getHistoricalFeatures(
    { uri: store.uriFor('entities.parquet') }, refs,
    views.map((view, v) => ({ view, uris: [store.uriFor(`features/view_${v}/bench.parquet`)] })),
    { output: 'parquet', outputKey: 'strata-out.parquet', strategy: 'auto' },
  );
  const ms = performance.now() - t;
  const peakMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  await offline.close();
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const r = await conn.runAndReadAll(`SELECT count(v0_f0)::INTEGER FROM read_parquet('${path.join(dir, 'strata-out.parquet')}')`);
  const nonNull = Number(r.getRows()[0]![0]);
  conn.closeSync();
  db.closeSync();
  const m: Measured = { ms, peakMiB, rows: res.rowCount, nonNull, detail: `strategy ${Object.values(res.strategies).join('/')}` };
  process.stdout.write(JSON.stringify(m));
}

/** Generates the data, runs both contenders, returns the row of issue 15. */
export async function runPitVsFeast(o: { entityRows: number; featureRows: number; entities: number }): Promise<SuiteResult> {
  const before = loadAverage();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-bench-pitfeast-'));
  try {
    const { genMs } = await generatePitData(dir, { ...o, lateShare: 0 });
    process.stdout.write(`pit: data generated in ${(genMs / 1000).toFixed(1)} s\n`);
    const strata = JSON.parse(execFileSync(process.execPath, [...process.execArgv, '-r', '@swc-node/register', __filename, '--phase', 'strata', '--dir', dir], { encoding: 'utf8', maxBuffer: 1 << 20 })) as Measured;
    process.stdout.write(`pit: strata ${(strata.ms / 1000).toFixed(2)} s, ${strata.peakMiB} MiB\n`);
    const python = execFileSync('bash', [path.join(__dirname, '../../tools/python/ensure-venv.sh'), 'bench-feast'], { encoding: 'utf8' }).trim().split('\n').pop() as string;
    const res = spawnSync(python, [path.join(__dirname, '../python/feast_pit.py'), dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24, timeout: 30 * 60_000 });
    if (res.status !== 0) throw new Error(`feast failed: ${(res.stderr ?? '').slice(-1500)}`);
    const feast = JSON.parse(res.stdout.trim().split('\n').pop() as string) as Measured;
    process.stdout.write(`pit: feast ${(feast.ms / 1000).toFixed(2)} s, ${feast.peakMiB} MiB\n`);
    const speedup = feast.ms / strata.ms;
    const memRatio = strata.peakMiB / feast.peakMiB;
    const scale = `${o.entityRows.toLocaleString('en-US')} entity rows × 3 views (${o.featureRows.toLocaleString('en-US')} feature rows, ${o.entities.toLocaleString('en-US')} entities), 9 features`;
    return {
      title: 'Point-in-time join',
      how: `${scale}; each contender in its own process (peak RSS its own); join + Parquet write of the result; output rows Strata ${strata.rows} / Feast ${feast.rows} (of ${o.entityRows}; Feast's Dask store drops an entity row when a view's only candidates are older than the TTL), non-null v0_f0 ${strata.nonNull} / ${feast.nonNull}.`,
      columns: ['contender', 'join + write s', 'peak RSS MiB', 'entity rows/s', 'Feast ÷ Strata time', 'Strata ÷ Feast memory'],
      rows: [
        [`Strata (DuckDB offline store, ${strata.detail})`, strata.ms / 1000, strata.peakMiB, Math.round(o.entityRows / (strata.ms / 1000)), speedup, memRatio],
        [feast.detail, feast.ms / 1000, feast.peakMiB, Math.round(o.entityRows / (feast.ms / 1000)), 1, 1],
      ],
      charts: [
        { name: 'time', title: `Point-in-time join, ${o.entityRows.toLocaleString('en-US')} entity rows × 3 views`, unit: 'seconds', bars: [{ label: 'Strata', value: strata.ms / 1000 }, { label: 'Feast local (dask)', value: feast.ms / 1000 }], lowerIsBetter: true },
        { name: 'memory', title: 'Point-in-time join, peak RSS', unit: 'MiB', bars: [{ label: 'Strata', value: strata.peakMiB }, { label: 'Feast local (dask)', value: feast.peakMiB }], lowerIsBetter: true },
      ],
      goals: [
        { goal: '≥ 20× Feast local offline store', measured: `${speedup.toFixed(1)}×`, met: speedup >= 20 },
        { goal: 'every entity row in the output', measured: `Strata ${strata.rows}/${o.entityRows}, Feast ${feast.rows}/${o.entityRows}`, met: strata.rows === o.entityRows },
      ],
      load: { before, after: loadAverage() },
      raw: { strata, feast, genMs, ...o },
    };
  } finally {
    if (!process.env.KEEP) await fs.rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const phase = arg('phase', '');
  if (phase === 'strata') {
    void strataPhase(arg('dir', '')).catch((e: unknown) => { console.error(e); process.exit(1); });
  } else {
    runPitVsFeast({ entityRows: Number(arg('entity-rows', '100000')), featureRows: Number(arg('feature-rows', '1000000')), entities: Number(arg('entities', '10000')) })
      .then((r) => { console.log(JSON.stringify(r, null, 2)); })
      .catch((e: unknown) => { console.error(e); process.exit(1); });
  }
}
