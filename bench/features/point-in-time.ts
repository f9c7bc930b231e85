/**
 * Benchmark: point-in-time join (training-set build) of an entity frame against 3 batch views.
 * Default: 1M entity rows, 10M feature rows in total (4M + 3M + 3M), 100k entities, 30 days,
 * 3 features per view, via `DuckDBOfflineStore.getHistoricalFeatures` writing Parquet (as
 * `POST /training-sets` does). Prints generation time, join time per strategy and peak RSS
 * (process.resourceUsage().maxRSS: DuckDB runs in-process, so it is included).
 *
 *   node -r @swc-node/register bench/features/point-in-time.ts [--entity-rows 1000000] [--feature-rows 10000000]
 *        [--entities 100000] [--strategy auto|asof|range] [--late-share 0]
 *
 * `--late-share 0.1` makes 10% of feature rows known (created) after their event time, which
 * forces the exact range-join strategy under `auto` (asOfKnownTime).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBOfflineStore } from '../../libs/features/data-access-offline-store/src/index';
import { LocalObjectStore } from '../../libs/shared/data-access-object-store/src/index';
import { PIT_SHARES, generatePitData, pitViews } from './pit-data';
import { arg } from '../util/cli';

const entityRows = Number(arg('entity-rows', '1000000'));
const featureRows = Number(arg('feature-rows', '10000000'));
const entities = Number(arg('entities', '100000'));
const strategy = arg('strategy', 'auto') as 'auto' | 'asof' | 'range';
const lateShare = Number(arg('late-share', '0'));
const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'strata-bench-pit-'));
  const store = new LocalObjectStore(dir);
  const offline = new DuckDBOfflineStore({ store, tmpDir: dir });
  const shares = PIT_SHARES;
  const views = pitViews();
  const { viewKeys, genMs } = await generatePitData(dir, { entityRows, featureRows, entities, lateShare });
  const uris = viewKeys.map((k) => store.uriFor(k));
  const refs = views.flatMap((v) => v.features.map((f) => `${v.name}:${f.name}`));
  const t1 = Date.now();
  const res = await offline.getHistoricalFeatures({ uri: store.uriFor('entities.parquet') }, refs, views.map((view, i) => ({ view, uris: [uris[i]!] })), {
    output: 'parquet',
    outputKey: 'out.parquet',
    strategy,
  });
  const joinMs = Date.now() - t1;
  const outRows = res.rowCount;
  await offline.close();
  await fs.rm(dir, { recursive: true, force: true });
  const rows: Array<[string, string]> = [
    ['machine', `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, shared`],
    ['entity rows', entityRows.toLocaleString('en-US')],
    ['feature rows (3 views)', `${featureRows.toLocaleString('en-US')} (${shares.map((s) => Math.round(featureRows * s).toLocaleString('en-US')).join(' + ')})`],
    ['distinct entities', entities.toLocaleString('en-US')],
    ['features joined', String(refs.length)],
    ['late-known share', String(lateShare)],
    ['strategy used', Object.entries(res.strategies).map(([k, v]) => `${k}=${v}`).join(', ')],
    ['data generation', `${(genMs / 1000).toFixed(1)} s`],
    ['PIT join + Parquet write', `${(joinMs / 1000).toFixed(1)} s`],
    ['entity rows / s', Math.round(entityRows / (joinMs / 1000)).toLocaleString('en-US')],
    ['output rows', outRows.toLocaleString('en-US')],
    ['peak RSS', `${rssMiB()} MiB`],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(`\nPoint-in-time join benchmark\n${'-'.repeat(w + 40)}`);
  for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
  if (outRows !== entityRows) throw new Error(`output has ${outRows} rows, expected ${entityRows}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
