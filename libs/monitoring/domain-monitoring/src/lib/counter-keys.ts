/** Counter keys of one prediction or label: latency buckets, probability bins, PSI bins over the reference grid and category buckets. */
import { OTHER_CATEGORY, type CategoricalFeatureProfile, type NumericFeatureProfile, type ReferenceProfile } from '@strata/shared/util-drift';
import { type Counter, type CounterSet } from './counter-set';

/** Relative accuracy α of the latency sketch: every reported quantile q̂ satisfies |q̂ − q| ≤ α·q. */
export const LATENCY_RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + LATENCY_RELATIVE_ACCURACY) / (1 - LATENCY_RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Latencies below this (seconds) fall into the zero bucket (reported as 0). */
export const LATENCY_MIN_SECONDS = 1e-9;

/**
 * DDSketch bucket (Masson et al., VLDB 2019) of a latency in seconds: k = ⌈log_γ x⌉ with
 * γ = (1+α)/(1−α), α = {@link LATENCY_RELATIVE_ACCURACY}; bucket k covers (γ^(k−1), γ^k] and is
 * represented by 2γ^k/(γ+1), within α·x of every x in it. `z` for x < 1e-9 s.
 */
export function latencyKey(seconds: number): string {
  if (!(seconds >= LATENCY_MIN_SECONDS)) return 'z';
  return String(Math.ceil(Math.log(seconds) / LOG_GAMMA));
}

/**
 * Quantile q of a latency sketch (buckets `lat`): the representative of the bucket holding the
 * rank ⌈q·n⌉ (1-based; lower quantile, like numpy `inverted_cdf`), in seconds; null when empty.
 * Relative error ≤ α against that exact order statistic.
 */
export function latencyQuantile(buckets: ReadonlyArray<Counter>, q: number): number | null {
  const sorted = buckets.filter((b) => b.n > 0).map((b) => ({ k: b.bucket === 'z' ? -Infinity : Number(b.bucket), n: b.n })).sort((a, b) => a.k - b.k);
  const total = sorted.reduce((t, b) => t + b.n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const b of sorted) {
    seen += b.n;
    if (seen >= rank) return b.k === -Infinity ? 0 : (2 * Math.pow(GAMMA, b.k)) / (GAMMA + 1);
  }
  return null;
}

/** Probability bins for ROC AUC / accuracy / calibration: k = ⌊p·10⁴⌋ (k/10⁴ ≤ p exactly). */
export const PROBABILITY_BINS = 10_000;

/** Fine probability bin of p ∈ [0, 1], corrected so that k/10⁴ ≤ p < (k+1)/10⁴ holds exactly in floating point. */
export function probabilityBin(p: number): number {
  let k = Math.floor(p * PROBABILITY_BINS);
  while (k > 0 && k / PROBABILITY_BINS > p) k--;
  while (k < PROBABILITY_BINS && (k + 1) / PROBABILITY_BINS <= p) k++;
  return Math.min(k, PROBABILITY_BINS);
}

const gridCache = new WeakMap<NumericFeatureProfile, Float64Array>();
const edgeCache = new WeakMap<NumericFeatureProfile, Float64Array>();

/**
 * The reference grid of a numeric feature: the ascending distinct values of the profile's ECDF
 * `sketch` ∪ its `distinct` values. The reference ECDF is constant between grid points.
 */
export function referenceGrid(f: NumericFeatureProfile): Float64Array {
  let g = gridCache.get(f);
  if (!g) {
    const all = [...f.sketch, ...(f.distinct?.values ?? [])].sort((a, b) => a - b);
    g = Float64Array.from(all.filter((v, i) => i === 0 || v !== all[i - 1]));
    gridCache.set(f, g);
  }
  return g;
}

function interior(f: NumericFeatureProfile): Float64Array {
  let e = edgeCache.get(f);
  if (!e) {
    e = Float64Array.from(f.edges.slice(1, -1) as number[]);
    edgeCache.set(f, e);
  }
  return e;
}

/** Number of entries of ascending `a` that are ≤ x (`strict`: < x). */
export function countBelow(a: Float64Array, x: number, strict: boolean): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? (a[mid] as number) < x : (a[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Position of x on the reference grid g (length m): `e<k>` when x = g[k]; `i<k>` when
 * g[k] < x < g[k+1] (k = −1 below g[0], k = m−1 above g[m−1]).
 */
export function gridPosition(g: Float64Array, x: number): string {
  const below = countBelow(g, x, true);
  if (below < g.length && g[below] === x) return `e${below}`;
  return `i${below - 1}`;
}

/** PSI bin of x (the util-drift `binCounts` rule: number of interior edges ≤ x). */
export function psiBin(f: NumericFeatureProfile, x: number): number {
  return countBelow(interior(f), x, false);
}

/** Bucket of a categorical value in a profile (unseen → `__other__`). */
export function categoryBucket(f: CategoricalFeatureProfile, v: string): string {
  return v !== OTHER_CATEGORY && f.categories.includes(v) ? v : OTHER_CATEGORY;
}

/**
 * The counter keys of one profile feature, built once (a profile is immutable once loaded): the
 * metric names and the bucket strings of its PSI bins and grid positions. Building them per value
 * (template strings, `String(k)`) was the largest cost of {@link predictionCounters} after the
 * counter update itself (bench/monitoring/drift-vs-evidently.ts, CPU profile): a fresh string is
 * hashed again at every Map lookup, a cached one is not.
 */
interface FeatureKeys { nul: string; psi: string; g: string; cat: string; psiBucket: string[]; eBucket: string[]; iBucket: string[] }
const keysCache = new WeakMap<object, FeatureKeys>();

function featureKeys(f: NumericFeatureProfile | CategoricalFeatureProfile): FeatureKeys {
  let k = keysCache.get(f);
  if (!k) {
    k = { nul: `null:${f.name}`, psi: `psi:${f.name}`, g: `g:${f.name}`, cat: `cat:${f.name}`, psiBucket: [], eBucket: [], iBucket: [] };
    keysCache.set(f, k);
  }
  return k;
}

/** {@link gridPosition} with the bucket strings cached per feature (same result). */
function cachedGridPosition(k: FeatureKeys, g: Float64Array, x: number): string {
  const below = countBelow(g, x, true);
  if (below < g.length && g[below] === x) return (k.eBucket[below] ??= `e${below}`);
  return (k.iBucket[below] ??= `i${below - 1}`);
}

/** Counters of one logged prediction (see {@link Counter} for the list). */
export function predictionCounters(
  out: CounterSet,
  profile: ReferenceProfile | null,
  features: Record<string, number | string | null>,
  latencyMs: number,
): CounterSet {
  out.add('pred', '', 1);
  out.add('lat', latencyKey(latencyMs / 1000), 1);
  if (!profile) {
    out.add('unprof', '', 1);
    return out;
  }
  for (const f of profile.features) {
    const v = features[f.name] ?? null;
    const k = featureKeys(f);
    if (f.kind === 'numeric') {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        out.add(k.nul, '', 1);
        continue;
      }
      const bin = psiBin(f, v);
      out.add(k.psi, (k.psiBucket[bin] ??= String(bin)), 1);
      out.add(k.g, cachedGridPosition(k, referenceGrid(f), v), 1, v);
    } else {
      if (v === null) {
        out.add(k.nul, '', 1);
        continue;
      }
      out.add(k.cat, categoryBucket(f, String(v)), 1);
    }
  }
  return out;
}

/** Log loss clipping (util-model-evaluation's default eps). */
export const LOG_LOSS_EPS = 1e-15;

/**
 * Counters of one (latest) feedback label; `sign` −1 removes a label that a later one replaced.
 * Without a probability only `lbl` counts (the prediction is labeled but not scorable).
 */
export function labelCounters(out: CounterSet, label: number, probability: number | null, sign: 1 | -1): CounterSet {
  out.add('lbl', '', sign);
  if (probability === null || (label !== 0 && label !== 1)) return out;
  const p = Math.min(Math.max(probability, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);
  out.add('pb', `${label}:${probabilityBin(probability)}`, sign, sign * probability);
  out.add('ll', '', sign, sign * -(label * Math.log(p) + (1 - label) * Math.log(1 - p)));
  out.add('br', '', sign, sign * (probability - label) ** 2);
  return out;
}
