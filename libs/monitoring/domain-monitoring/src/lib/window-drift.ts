/** Per-feature drift of a window computed from its counters against the reference profile. */
import {
  chiSquaredHomogeneity,
  DEFAULT_ALPHA,
  DEFAULT_EPSILON,
  DEFAULT_THRESHOLDS,
  type DriftMethod,
  jensenShannonDistance,
  ksPValue,
  psi,
  resolveMethod,
  type CategoricalFeatureProfile,
  type NumericFeatureProfile,
  type ReferenceProfile,
} from '@strata/shared/util-drift';
import { type CounterSet } from './counter-set';
import { countBelow, referenceGrid } from './counter-keys';

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
