/**
 * Benchmark: drift of a current window (default 200k rows; `--rows 1000000` for 1M) × 50
 * features (45 numeric as Float64Array with NaN = missing, 5 categorical string columns)
 * against a stored reference profile (built from 100k rows, round-tripped through JSON).
 * Prints wall time per method and peak RSS (process.resourceUsage().maxRSS).
 *
 *   node -r @swc-node/register bench/monitoring/drift.ts [--rows 1000000] [--methods auto,psi,ks]
 */
import { mulberry32 } from '../../libs/shared/testing/src/lib/prng';
import {
  buildReferenceProfile,
  detectDrift,
  type ColumnValues,
  type DriftMethod,
  type ReferenceProfile,
} from '../../libs/shared/util-drift/src/index';
import { arg } from '../util/cli';

const ZONES = Array.from({ length: 60 }, (_, i) => `zone_${i}`);

function makeColumns(n: number, seed: number, shift: number): Record<string, ColumnValues> {
  const rnd = mulberry32(seed);
  const cols: Record<string, ColumnValues> = {};
  for (let f = 0; f < 45; f++) {
    const col = new Float64Array(n);
    const s = f % 5 === 0 ? shift : 0; // every 5th numeric feature drifts
    for (let i = 0; i < n; i++) {
      col[i] = rnd() < 0.02 ? NaN : Math.sqrt(-2 * Math.log(Math.max(rnd(), 1e-12))) * Math.cos(2 * Math.PI * rnd()) + f + s;
    }
    cols[`num_${f}`] = col;
  }
  for (let f = 0; f < 5; f++) {
    const col = new Array<string | null>(n);
    for (let i = 0; i < n; i++) col[i] = rnd() < 0.01 ? null : (ZONES[Math.floor(rnd() * rnd() * ZONES.length)] as string);
    cols[`cat_${f}`] = col;
  }
  return cols;
}

const rows = Number(arg('rows', '200000'));
const methods = arg('methods', 'auto,psi,ks,jensenshannon').split(',') as Array<'auto' | DriftMethod>;
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)}MiB`;
console.log(`node ${process.version}, ${require('node:os').cpus().length} cores, window ${rows} rows × 50 features`);

let t = performance.now();
const refCols = makeColumns(100_000, 1, 0);
const built = buildReferenceProfile(refCols);
const json = JSON.stringify(built);
const profile = JSON.parse(json) as ReferenceProfile;
console.log(`reference profile: 100000 rows, build ${(performance.now() - t).toFixed(0)}ms (incl. data gen), ${(json.length / 1024).toFixed(0)} KiB JSON`);

t = performance.now();
const current = makeColumns(rows, 2, 0.3);
console.log(`window generated in ${(performance.now() - t).toFixed(0)}ms, rss ${mib(process.memoryUsage().rss)}`);
for (const method of methods) {
  const t0 = performance.now();
  const r = detectDrift(profile, current, { method });
  const ms = performance.now() - t0;
  const used = [...new Set(r.features.map((f) => f.method))].join('+');
  console.log(
    `method=${method} (${used}) time=${ms.toFixed(0)}ms drifted=${r.driftedCount}/${r.testedCount} ` +
      `datasetDrift=${r.datasetDrift} rss=${mib(process.memoryUsage().rss)}`,
  );
}
console.log(`peak rss ${mib(process.resourceUsage().maxRSS * 1024)}`);
