import {
  chiSquaredHomogeneity,
  DEFAULT_ALPHA,
  DEFAULT_EPSILON,
  DEFAULT_THRESHOLDS,
  type DriftMethod,
  jensenShannonDistance,
  ksPValue,
  OTHER_CATEGORY,
  psi,
  resolveMethod,
  type CategoricalFeatureProfile,
  type NumericFeatureProfile,
  type ReferenceProfile,
} from '@strata/shared/util-drift';

/**
 * Mergeable window state ("counters"): every statistic of a window report is derived from
 * additive counters `(metric, bucket) → (n, s)` (a count and a sum), so the state of a window is
 * the element-wise sum of the states of its parts (days → ISO weeks / months, count blocks →
 * count windows, aliases → all traffic) and a report never needs the window's rows.
 *
 * Counters written per logged prediction (see {@link predictionCounters}):
 * - `pred` — one per prediction; `lat` bucket = {@link latencyKey} of latencyMs/1000 (seconds);
 * - `unprof` — predictions that arrived while the version had no reference profile;
 * - numeric feature f: `null:f` (missing), `psi:f` bucket = reference bin index (exact PSI),
 *   `g:f` bucket = position on the reference grid (exact KS; count + sum of values for
 *   Wasserstein), see {@link gridPosition};
 * - categorical feature f: `null:f`, `cat:f` bucket = the profile bucket (unseen → `__other__`).
 * Per latest feedback label (see {@link labelCounters}): `lbl` (labeled, any), and when the
 * prediction has a probability: `pb` bucket `y:k` with k = ⌊p·10⁴⌋ (n, s = Σp), `ll` (s = Σ log
 * loss terms), `br` (s = Σ (p − y)²). Per failed request: `fail` n = rowCount.
 */
export interface Counter {
  metric: string;
  bucket: string;
  n: number;
  s: number;
}

/** A set of counters keyed by (metric, bucket); `add` sums. */
export class CounterSet {
  private readonly metrics = new Map<string, Map<string, Counter>>();

  /** Adds (n, s) to the counter (metric, bucket). */
  add(metric: string, bucket: string, n: number, s = 0): this {
    let m = this.metrics.get(metric);
    if (!m) this.metrics.set(metric, (m = new Map()));
    const c = m.get(bucket);
    if (c) {
      c.n += n;
      c.s += s;
    } else m.set(bucket, { metric, bucket, n, s });
    return this;
  }

  /** Adds every counter of `other` (merge of two window states). */
  merge(other: CounterSet | Iterable<Counter>): this {
    const list = other instanceof CounterSet ? other.all() : other;
    for (const c of list) this.add(c.metric, c.bucket, c.n, c.s);
    return this;
  }

  /** The counter (metric, bucket), if any. */
  get(metric: string, bucket = ''): Counter | undefined {
    return this.metrics.get(metric)?.get(bucket);
  }

  /** n of one counter (0 when absent). */
  n(metric: string, bucket = ''): number {
    return this.get(metric, bucket)?.n ?? 0;
  }

  /** The counters of one metric. */
  of(metric: string): Counter[] {
    return [...(this.metrics.get(metric)?.values() ?? [])];
  }

  /** Number of (metric, bucket) counters held. */
  get size(): number {
    let k = 0;
    for (const m of this.metrics.values()) k += m.size;
    return k;
  }

  /** Every counter, including zero ones. */
  *all(): IterableIterator<Counter> {
    for (const m of this.metrics.values()) yield* m.values();
  }

  /** All counters with n ≠ 0 or s ≠ 0. */
  list(): Counter[] {
    return [...this.all()].filter((c) => c.n !== 0 || c.s !== 0);
  }
}

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
function countBelow(a: Float64Array, x: number, strict: boolean): number {
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
    if (f.kind === 'numeric') {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        out.add(`null:${f.name}`, '', 1);
        continue;
      }
      out.add(`psi:${f.name}`, String(psiBin(f, v)), 1);
      out.add(`g:${f.name}`, gridPosition(referenceGrid(f), v), 1, v);
    } else {
      if (v === null) {
        out.add(`null:${f.name}`, '', 1);
        continue;
      }
      out.add(`cat:${f.name}`, categoryBucket(f, String(v)), 1);
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

/** Performance of a window from its label counters. */
export interface WindowPerformanceReport {
  /** ROC AUC over the probability bins (ties within a bin count ½), null with one class or no labels. */
  rocAuc: number | null;
  /** Upper bound of |rocAuc − exact ROC AUC|: ½·Σ_k pos_k·neg_k/(P·N) (0 when no two rows of different labels share a bin). */
  rocAucMaxError: number | null;
  /** Threshold 0.5 (exact: bins never straddle 0.5). */
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Mean log loss (p clipped to [1e-15, 1 − 1e-15]); exact up to summation order. */
  logLoss: number | null;
  brierScore: number | null;
  positives: number;
  /** 10 equal-width bins of [0, 1] (bin = min(⌊10p⌋, 9)): count, mean predicted, observed rate (null when empty). */
  calibration: Array<{ bin: number; lower: number; upper: number; count: number; meanPredicted: number | null; observedRate: number | null }>;
}

/** Performance (classification) from `pb`, `ll`, `br` counters. */
export function performanceFromCounters(c: CounterSet): { labeledCount: number; performance: WindowPerformanceReport } {
  const bins = new Map<number, { pos: number; neg: number; sp: number }>();
  for (const x of c.of('pb')) {
    if (x.n === 0) continue;
    const [y, k] = x.bucket.split(':').map(Number) as [number, number];
    const b = bins.get(k) ?? { pos: 0, neg: 0, sp: 0 };
    if (y === 1) b.pos += x.n;
    else b.neg += x.n;
    b.sp += x.s;
    bins.set(k, b);
  }
  const keys = [...bins.keys()].sort((a, b) => a - b);
  let P = 0;
  let N = 0;
  for (const k of keys) {
    P += bins.get(k)!.pos;
    N += bins.get(k)!.neg;
  }
  const n = P + N;
  const calibration = Array.from({ length: 10 }, (_, i) => ({ bin: i, lower: i / 10, upper: (i + 1) / 10, count: 0, meanPredicted: null as number | null, observedRate: null as number | null, sp: 0, pos: 0 }));
  if (n === 0) {
    return {
      labeledCount: 0,
      performance: { rocAuc: null, rocAucMaxError: null, accuracy: null, precision: null, recall: null, f1: null, logLoss: null, brierScore: null, positives: 0, calibration: calibration.map(({ sp: _sp, pos: _pos, ...r }) => r) },
    };
  }
  let negBelow = 0;
  let auc = 0;
  let tiePairs = 0;
  let tp = 0;
  let fp = 0;
  for (const k of keys) {
    const b = bins.get(k)!;
    auc += b.pos * negBelow + 0.5 * b.pos * b.neg;
    tiePairs += b.pos * b.neg;
    negBelow += b.neg;
    if (k >= PROBABILITY_BINS / 2) {
      tp += b.pos;
      fp += b.neg;
    }
    const cb = calibration[Math.min(Math.floor(k / (PROBABILITY_BINS / 10)), 9)]!;
    cb.count += b.pos + b.neg;
    cb.sp += b.sp;
    cb.pos += b.pos;
  }
  const fn = P - tp;
  const tn = N - fp;
  const ll = c.get('ll');
  const br = c.get('br');
  return {
    labeledCount: n,
    performance: {
      rocAuc: P > 0 && N > 0 ? auc / (P * N) : null,
      rocAucMaxError: P > 0 && N > 0 ? (0.5 * tiePairs) / (P * N) : null,
      accuracy: (tp + tn) / n,
      precision: tp + fp === 0 ? 0 : tp / (tp + fp),
      recall: tp + fn === 0 ? 0 : tp / (tp + fn),
      f1: 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
      logLoss: (ll?.s ?? 0) / n,
      brierScore: (br?.s ?? 0) / n,
      positives: P,
      calibration: calibration.map(({ sp, pos, ...r }) => ({ ...r, meanPredicted: r.count ? sp / r.count : null, observedRate: r.count ? pos / r.count : null })),
    },
  };
}

/** Every drift statistic of one feature in a window (all computed from the counters). */
export interface FeatureTests {
  /** PSI over the reference range bins (util-drift `rangeBinCounts`; exact; ε for empty bins, no renormalisation). */
  psi: number | null;
  /** Two-sample KS: exact D between the reference ECDF (profile sketch) and the window; p with n = reference count. Numeric only. */
  ks: { statistic: number; pValue: number } | null;
  /**
   * Normed Wasserstein W₁/max(std_ref, 0.001); window values inside a grid interval are taken at
   * their mean (exact when |F_ref − F_cur| keeps its sign inside every interval). `maxError`
   * bounds |score − exact| by Σ_k (c_k/M)·(g[k+1] − g[k]) / max(std_ref, 0.001) over the
   * intervals k where the sign can change. Numeric only.
   */
  wasserstein: { score: number; maxError: number } | null;
  /** χ² homogeneity (2 × k, util-drift chiSquaredHomogeneity) on categorical buckets / discrete values (+ other) / range bins. */
  chisquare: { statistic: number; pValue: number } | null;
  /** Jensen–Shannon distance (base 2) on the same buckets as χ². */
  jensenshannon: number | null;
}

/** One feature's drift in a window report. */
export interface WindowFeatureDrift {
  feature: string;
  /** The configured test (`psi` by default, or `auto` resolved per feature). */
  method: DriftMethod;
  /** Score of `method`: distance (drift when ≥ threshold) or p-value (drift when < threshold); null when not testable. */
  score: number | null;
  threshold: number;
  /**
   * For a distance method (`psi`, `jensenshannon`, `wasserstein`): score ≥ threshold AND
   * `pValue` < `alpha` (util-drift's rule, see its `DetectDriftOptions.alpha`); for `ks` /
   * `chisquare`: score < threshold.
   */
  drifted: boolean;
  /** Significance test behind the verdict: `ks` (continuous numeric) or `chisquare` (categorical / discrete); null when not testable. */
  significanceTest: 'ks' | 'chisquare' | null;
  /** Its p-value (from `tests`); null when not testable. */
  pValue: number | null;
  /** Significance level the verdict required (`MONITORING_DRIFT_ALPHA`, default 0.01). */
  alpha: number;
  /** Non-missing window values. */
  currentCount: number;
  /** Missing share of the window (0 when empty). */
  nullShare: number;
  /** `ok` | `no_current_values` | `no_reference_values` (util-drift's statuses). */
  status: 'ok' | 'no_current_values' | 'no_reference_values';
  tests: FeatureTests;
}

/** Options of {@link driftFromCounters}. */
export interface CounterDriftOptions {
  /** `psi` (default) or another util-drift method, or `auto` (util-drift resolveMethod). */
  method?: DriftMethod | 'auto';
  /** Threshold of the chosen method (default: PSI threshold for psi, else util-drift DEFAULT_THRESHOLDS). */
  psiThreshold: number;
  driftShare: number;
  epsilon?: number;
  /** Significance level of distance verdicts, (0, 1]; default util-drift DEFAULT_ALPHA (0.01); 1 = distance only. */
  alpha?: number;
}

/**
 * Range-bin counts (util-drift `rangeBinCounts`: underflow, the stored bins bounded by the
 * reference's min/max, overflow) of a window from its counters. `psi:f` counts the stored bins
 * with open outer ends; the values below min / above max are exactly the grid counters `i-1` /
 * `i<m−1>` (the grid's first and last points are the sketch's, i.e. the reference's min and max,
 * for every profile buildReferenceProfile writes), so they are moved out of the outer bins.
 * Counter state written before the range bins existed is read the same way: no migration.
 */
function rangeCounts(f: NumericFeatureProfile, c: CounterSet, g: Float64Array): number[] {
  const cur = f.counts.map((_, b) => c.n(`psi:${f.name}`, String(b)));
  const m = g.length;
  const bounded = m > 0 && g[0] === f.min && g[m - 1] === f.max;
  const under = bounded ? c.n(`g:${f.name}`, 'i-1') : 0;
  const over = bounded ? c.n(`g:${f.name}`, `i${m - 1}`) : 0;
  cur[0]! -= under;
  cur[cur.length - 1]! -= over;
  return [under, ...cur, over];
}

function numericTests(f: NumericFeatureProfile, c: CounterSet, count: number, epsilon: number): FeatureTests {
  const g = referenceGrid(f);
  const cur = rangeCounts(f, c, g);
  const psiScore = psi([0, ...f.proportions, 0], cur.map((x) => x / count), epsilon);
  const m = g.length;
  const eq = new Float64Array(m);
  const between = new Float64Array(m + 1); // index k+1 for interval k (k = -1..m-1)
  const sums = new Float64Array(m + 1);
  for (const x of c.of(`g:${f.name}`)) {
    const k = Number(x.bucket.slice(1));
    if (x.bucket[0] === 'e') eq[k] = (eq[k] as number) + x.n;
    else {
      between[k + 1] = (between[k + 1] as number) + x.n;
      sums[k + 1] = (sums[k + 1] as number) + x.s;
    }
  }
  // reference ECDF at grid points: F_ref(g[k]) = (# sketch values ≤ g[k]) / sketch length
  const sketch = Float64Array.from(f.sketch);
  const fr = new Float64Array(m);
  for (let k = 0; k < m; k++) fr[k] = countBelow(sketch, g[k] as number, false) / sketch.length;
  // KS: sup over every interval of |F_ref − F_cur| at both ends (exact, see README)
  let cum = between[0] as number; // current values < g[0]
  let D = cum / count;
  // Wasserstein: ∫ |F_ref − F_cur| dx
  let w = (between[0] as number) > 0 ? ((between[0] as number) * (g[0] as number) - (sums[0] as number)) / count : 0;
  let bound = 0;
  for (let k = 0; k < m; k++) {
    cum += eq[k] as number;
    const fcAt = cum / count;
    const fRef = fr[k] as number;
    D = Math.max(D, Math.abs(fRef - fcAt));
    const inside = between[k + 1] as number;
    const s = sums[k + 1] as number;
    const fcEnd = (cum + inside) / count;
    D = Math.max(D, Math.abs(fRef - fcEnd));
    if (k < m - 1) {
      const lo = g[k] as number;
      const hi = g[k + 1] as number;
      // ∫_lo^hi F_cur = fcAt·(hi−lo) + Σ_{x inside}(hi − x)/M ; exact when F_ref − F_cur keeps its sign
      const intFc = fcAt * (hi - lo) + (inside * hi - s) / count;
      const signed = fRef * (hi - lo) - intFc;
      if ((fRef - fcAt) * (fRef - fcEnd) < 0) {
        // sign change inside: approximate with all inside values at their mean (≤ one interval of mass moved)
        const mean = s / inside;
        w += Math.abs(fRef - fcAt) * (mean - lo) + Math.abs(fRef - fcEnd) * (hi - mean);
        bound += (inside / count) * (hi - lo);
      } else w += Math.abs(signed);
    } else {
      // above the last grid point F_ref = 1
      w += (s - inside * (g[k] as number)) / count;
    }
    cum += inside;
  }
  const norm = Math.max(f.std ?? 0, 0.001);
  // buckets for χ² / JS: distinct reference values (+ other) when discrete, else the PSI bins
  let ref: number[];
  let curB: number[];
  if (f.distinct) {
    const idx = f.distinct.values.map((v) => countBelow(g, v, true));
    curB = idx.map((k) => eq[k] as number);
    curB.push(count - curB.reduce((a, b) => a + b, 0));
    ref = [...f.distinct.counts, 0];
  } else {
    ref = [0, ...f.counts, 0];
    curB = cur;
  }
  const chi = chiSquaredHomogeneity(ref, curB);
  return {
    psi: psiScore,
    ks: { statistic: D, pValue: ksPValue(D, f.count, count) },
    wasserstein: { score: w / norm, maxError: bound / norm },
    chisquare: { statistic: chi.statistic, pValue: chi.pValue },
    jensenshannon: jensenShannonDistance(ref.map((x) => x / f.count), curB.map((x) => x / count)),
  };
}

function categoricalTests(f: CategoricalFeatureProfile, c: CounterSet, count: number, epsilon: number): FeatureTests {
  const cur = f.categories.map((k) => c.n(`cat:${f.name}`, k));
  const props = cur.map((x) => x / count);
  const chi = chiSquaredHomogeneity(f.counts, cur);
  return {
    psi: psi(f.proportions, props, epsilon),
    ks: null,
    wasserstein: null,
    chisquare: { statistic: chi.statistic, pValue: chi.pValue },
    jensenshannon: jensenShannonDistance(f.proportions, props),
  };
}

const NO_TESTS: FeatureTests = { psi: null, ks: null, wasserstein: null, chisquare: null, jensenshannon: null };

/** Drift of every profiled feature (profile order) of a window, from its counters. */
export function driftFromCounters(
  profile: ReferenceProfile | null,
  c: CounterSet,
  options: CounterDriftOptions,
): { drift: WindowFeatureDrift[]; testedCount: number; driftedCount: number; driftShare: number; datasetDrift: boolean } {
  if (!profile) return { drift: [], testedCount: 0, driftedCount: 0, driftShare: 0, datasetDrift: false };
  const epsilon = options.epsilon ?? DEFAULT_EPSILON;
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const drift = profile.features.map((f): WindowFeatureDrift => {
    const nulls = c.n(`null:${f.name}`);
    const count = f.kind === 'numeric' ? c.of(`psi:${f.name}`).reduce((t, x) => t + x.n, 0) : c.of(`cat:${f.name}`).reduce((t, x) => t + x.n, 0);
    const method = resolveMethod(f, options.method ?? 'psi');
    const threshold = method === 'psi' ? options.psiThreshold : DEFAULT_THRESHOLDS[method];
    const nullShare = count + nulls === 0 ? 0 : nulls / (count + nulls);
    const base = { feature: f.name, method, threshold, currentCount: count, nullShare, alpha };
    if (f.count === 0 || count === 0) {
      return { ...base, score: null, drifted: false, significanceTest: null, pValue: null, status: f.count === 0 ? 'no_reference_values' : 'no_current_values', tests: NO_TESTS };
    }
    const tests = f.kind === 'numeric' ? numericTests(f, c, count, epsilon) : categoricalTests(f, c, count, epsilon);
    const score =
      method === 'psi' ? tests.psi
      : method === 'ks' ? (tests.ks?.pValue ?? null)
      : method === 'wasserstein' ? (tests.wasserstein?.score ?? null)
      : method === 'chisquare' ? (tests.chisquare?.pValue ?? null)
      : tests.jensenshannon;
    const pTest = method === 'ks' || method === 'chisquare';
    const significanceTest = pTest ? method : f.kind === 'numeric' && !f.distinct ? 'ks' : 'chisquare';
    const pValue = significanceTest === 'ks' ? (tests.ks?.pValue ?? null) : (tests.chisquare?.pValue ?? null);
    const significant = alpha >= 1 || (pValue !== null && pValue < alpha);
    const drifted = score !== null && (pTest ? score < threshold : score >= threshold && significant);
    return { ...base, score, drifted, significanceTest, pValue, status: 'ok', tests };
  });
  const testedCount = drift.filter((d) => d.score !== null).length;
  const driftedCount = drift.filter((d) => d.drifted).length;
  const driftShare = testedCount === 0 ? 0 : driftedCount / testedCount;
  return { drift, testedCount, driftedCount, driftShare, datasetDrift: testedCount > 0 && driftShare >= options.driftShare };
}

/** Request-level health of a window: counts, error rate, latency percentiles (seconds). */
export interface ServiceHealth {
  predictionCount: number;
  /** Failed predictions (InferenceFailedV1 rowCount). */
  errorCount: number;
  /** errorCount / (errorCount + predictionCount); null when both are 0. */
  errorRate: number | null;
  /** p50/p95/p99 of PredictionLoggedV1.latencyMs in seconds (DDSketch, relative error ≤ 1%); null when no prediction. */
  latencySeconds: { p50: number | null; p95: number | null; p99: number | null; relativeAccuracy: number };
}

/** Health from `pred`, `fail`, `lat` counters. */
export function healthFromCounters(c: CounterSet): ServiceHealth {
  const predictionCount = c.n('pred');
  const errorCount = c.n('fail');
  const lat = c.of('lat');
  return {
    predictionCount,
    errorCount,
    errorRate: predictionCount + errorCount === 0 ? null : errorCount / (predictionCount + errorCount),
    latencySeconds: { p50: latencyQuantile(lat, 0.5), p95: latencyQuantile(lat, 0.95), p99: latencyQuantile(lat, 0.99), relativeAccuracy: LATENCY_RELATIVE_ACCURACY },
  };
}
