import { InvalidArgumentError } from '@strata/shared/util-errors';
import {
  categoryValues,
  numericValues,
  OTHER_CATEGORY,
  rangeBinCounts,
  referenceRangeCounts,
  type CategoricalFeatureProfile,
  type ColumnValues,
  type FeatureProfile,
  type NumericFeatureProfile,
  type ReferenceProfile,
} from './profile';
import {
  chiSquaredHomogeneity,
  DEFAULT_EPSILON,
  jensenShannonDistance,
  ksPValue,
  ksStatisticSorted,
  psi,
  wassersteinSorted,
} from './stats';
import { AUTO_SMALL_SAMPLE_MAX, type DatasetDriftResult, DEFAULT_ALPHA, DEFAULT_THRESHOLDS, type DetectDriftOptions, type DriftMethod, type FeatureDriftResult, type NumericPsiResult } from './drift.types';

export * from './drift.types';

/**
 * PSI of a current window of a numeric feature against its profile: current values are
 * binned over the profile's range bins ({@link rangeBinCounts}: the stored `edges` by the
 * `binCounts` rule, outer bins bounded by the reference's min/max, plus an underflow and an
 * overflow bin the reference never fills), missing values are skipped (their share is reported
 * as `nullShare`), and {@link psi} compares `[0, ...profile.proportions, 0]` with
 * `[underflow, ...currentProportions, overflow]` using `epsilon` for empty bins. A window inside
 * the reference's range gets exactly the PSI over the stored bins.
 *
 * @returns `psi: null` when the window has no non-missing value or the reference had none.
 * @throws InvalidArgumentError Thrown when a value is ±Infinity or not a number.
 */
export function numericPsi(
  profile: NumericFeatureProfile,
  currentValues: ArrayLike<number | null | undefined>,
  epsilon = DEFAULT_EPSILON,
): NumericPsiResult {
  const counts = rangeBinCounts(profile, currentValues);
  const count = counts.reduce((a, b) => a + b, 0);
  const nullCount = currentValues.length - count;
  const shares = counts.map((c) => (count === 0 ? 0 : c / count));
  return {
    psi: count === 0 || profile.count === 0 ? null : psi([0, ...profile.proportions, 0], shares, epsilon),
    currentProportions: shares.slice(1, -1),
    underflowShare: shares[0] as number,
    overflowShare: shares[shares.length - 1] as number,
    count,
    nullCount,
    nullShare: currentValues.length === 0 ? 0 : nullCount / currentValues.length,
  };
}

/** Current counts per bucket of a categorical profile (unseen categories → `__other__`), plus null count. */
export function categoricalCounts(
  profile: CategoricalFeatureProfile,
  currentValues: ColumnValues,
): { counts: number[]; count: number; nullCount: number } {
  const { counts: m, nullCount, count } = categoryValues(currentValues);
  const index = new Map(profile.categories.map((c, i) => [c, i]));
  const other = profile.categories.length - 1;
  const counts = new Array<number>(profile.categories.length).fill(0);
  for (const [k, c] of m) counts[k === OTHER_CATEGORY ? other : (index.get(k) ?? other)]! += c;
  return { counts, count, nullCount };
}

function isDiscrete(p: FeatureProfile): p is NumericFeatureProfile & { distinct: NonNullable<NumericFeatureProfile['distinct']> } {
  return p.kind === 'numeric' && p.distinct !== null;
}

/**
 * The test used for a feature:
 * - `auto` (Evidently's default data-drift rules): reference non-missing count ≤ 1000 →
 *   `ks` for numeric, `chisquare` for categorical and discrete numeric (≤ 5 distinct
 *   reference values); larger references → `wasserstein` (normed) for numeric,
 *   `jensenshannon` for categorical and discrete numeric. (Evidently uses a proportion
 *   Z-test for binary categoricals in small samples and counts distinct values over
 *   reference ∪ current; we use χ² and the reference only.)
 * - `ks` and `wasserstein` apply to numeric features only; a categorical feature falls back to
 *   `chisquare` and `jensenshannon` respectively.
 */
export function resolveMethod(profile: FeatureProfile, method: 'auto' | DriftMethod): DriftMethod {
  const categoricalLike = profile.kind === 'categorical' || isDiscrete(profile);
  if (method === 'auto') {
    const small = profile.count <= AUTO_SMALL_SAMPLE_MAX;
    if (categoricalLike) return small ? 'chisquare' : 'jensenshannon';
    return small ? 'ks' : 'wasserstein';
  }
  if (profile.kind === 'categorical') {
    if (method === 'ks') return 'chisquare';
    if (method === 'wasserstein') return 'jensenshannon';
  }
  return method;
}

/** Reference and current counts over a feature's buckets for χ² / JS / PSI. */
function buckets(
  profile: FeatureProfile,
  method: DriftMethod,
  values: ColumnValues,
  current: Float64Array | null,
): { ref: number[]; cur: number[] } {
  if (profile.kind === 'categorical') return { ref: profile.counts, cur: categoricalCounts(profile, values).counts };
  const vals = current as Float64Array;
  if (method !== 'psi' && isDiscrete(profile)) {
    // distinct reference values, then an "other" bucket for anything else
    const dv = profile.distinct.values;
    const cur = new Array<number>(dv.length + 1).fill(0);
    const index = new Map(dv.map((v, i) => [v, i]));
    for (let i = 0; i < vals.length; i++) cur[index.get(vals[i] as number) ?? dv.length]! += 1;
    return { ref: [...profile.distinct.counts, 0], cur };
  }
  return { ref: referenceRangeCounts(profile), cur: rangeBinCounts(profile, vals) };
}

/**
 * Tests one feature's current window against its profile (see {@link detectDrift}).
 *
 * @throws InvalidArgumentError Thrown when a numeric value is ±Infinity or not a number.
 */
export function featureDrift(
  profile: FeatureProfile,
  values: ColumnValues,
  options: { method?: 'auto' | DriftMethod; threshold?: number; epsilon?: number; alpha?: number } = {},
): FeatureDriftResult {
  const method = resolveMethod(profile, options.method ?? 'auto');
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (!(alpha > 0 && alpha <= 1)) throw new InvalidArgumentError(`alpha must be in (0, 1], got ${alpha}`);
  const threshold = options.threshold ?? DEFAULT_THRESHOLDS[method];
  const epsilon = options.epsilon ?? DEFAULT_EPSILON;
  const categoricalLike = profile.kind === 'categorical' || isDiscrete(profile);
  // the significance test sorts continuous numeric windows (KS) whatever the method
  const needsSort = method === 'ks' || method === 'wasserstein' || !categoricalLike;
  const num = profile.kind === 'numeric' ? numericValues(profile.name, values, needsSort) : null;
  const nullCount = num ? num.nullCount : categoryValues(values).nullCount;
  const currentCount = values.length - nullCount;
  const base = {
    feature: profile.name,
    kind: profile.kind,
    method,
    threshold,
    nullShare: values.length === 0 ? 0 : nullCount / values.length,
    referenceNullShare: profile.nullShare,
    currentCount,
    referenceCount: profile.count,
    alpha,
  };
  if (profile.count === 0 || currentCount === 0) {
    return {
      ...base,
      score: null,
      statistic: null,
      drifted: false,
      significanceTest: null,
      pValue: null,
      status: profile.count === 0 ? 'no_reference_values' : 'no_current_values',
    };
  }
  let score: number;
  let statistic: number;
  let pValueTest = false;
  if (method === 'ks' || method === 'wasserstein') {
    const p = profile as NumericFeatureProfile;
    const cur = (num as { values: Float64Array }).values;
    if (method === 'ks') {
      statistic = ksStatisticSorted(p.sketch, cur);
      score = ksPValue(statistic, p.count, cur.length);
      pValueTest = true;
    } else {
      // Evidently's normed Wasserstein: W1 / max(std_ref, 0.001)
      statistic = score = wassersteinSorted(p.sketch, cur) / Math.max(p.std as number, 0.001);
    }
  } else {
    const b = buckets(profile, method, values, num ? num.values : null);
    const refProps = b.ref.map((c) => c / profile.count);
    const curProps = b.cur.map((c) => c / currentCount);
    if (method === 'psi') statistic = score = psi(refProps, curProps, epsilon);
    else if (method === 'jensenshannon') statistic = score = jensenShannonDistance(refProps, curProps);
    else {
      const r = chiSquaredHomogeneity(b.ref, b.cur);
      statistic = r.statistic;
      score = r.pValue;
      pValueTest = true;
    }
  }
  // significance of a distance verdict: KS (continuous numeric) or χ² homogeneity (categorical / discrete)
  let significanceTest: 'ks' | 'chisquare';
  let pValue: number;
  if (pValueTest) {
    significanceTest = method as 'ks' | 'chisquare';
    pValue = score;
  } else if (!categoricalLike) {
    const p = profile as NumericFeatureProfile;
    const cur = (num as { values: Float64Array }).values;
    significanceTest = 'ks';
    pValue = ksPValue(ksStatisticSorted(p.sketch, cur), p.count, cur.length);
  } else {
    const b = buckets(profile, 'chisquare', values, num ? num.values : null);
    significanceTest = 'chisquare';
    pValue = chiSquaredHomogeneity(b.ref, b.cur).pValue;
  }
  return {
    ...base,
    score,
    statistic,
    drifted: pValueTest ? score < threshold : score >= threshold && (alpha >= 1 || pValue < alpha),
    significanceTest,
    pValue,
    status: 'ok',
  };
}

/**
 * Evidently-style data drift of a current window against a reference profile.
 *
 * Per feature (missing values are dropped and their share reported as `nullShare`):
 * - `psi`: {@link psi} over the numeric range bins (exactly {@link numericPsi}: the quantile
 *   bins bounded by the reference's min/max plus underflow/overflow bins, {@link rangeBinCounts})
 *   or the categorical buckets; drift when PSI ≥ threshold (default 0.1) and significant (below).
 * - `ks`: D between the reference ECDF sketch and the current values, asymptotic p-value with
 *   n = reference count (exact D when the reference had ≤ sketchSize values); drift when p < 0.05.
 * - `wasserstein`: W₁(reference sketch, current) / max(reference std, 0.001); drift when ≥ 0.1.
 * - `chisquare`: {@link chiSquaredHomogeneity} (2 × k contingency of reference counts vs current
 *   counts) over categorical buckets, the distinct values of a discrete numeric feature (+ an
 *   "other" bucket), or else the quantile bins; drift when p < 0.05. (Evidently instead runs a
 *   goodness-of-fit test with the reference shares as exact expectations, which rejects far
 *   more than 5% of same-distribution windows when the reference is small: measured 49% at
 *   500 vs 500 rows on 10 bins.)
 * - `jensenshannon`: {@link jensenShannonDistance} (base 2) over the same buckets (numeric: the
 *   range bins, so disjoint windows reach 1); drift when ≥ 0.1 and significant.
 * - `auto`: see {@link resolveMethod}.
 * - Significance (`alpha`, default 0.01): a distance verdict (`psi`, `jensenshannon`,
 *   `wasserstein`) also needs the feature's test to reject at p < alpha — KS for continuous
 *   numeric features, χ² homogeneity for categorical / discrete ones — so small windows of the
 *   reference's distribution do not alarm on the distances' small-sample bias (see
 *   {@link DetectDriftOptions.alpha}).
 *
 * Edge cases: a window with no non-missing value (empty, all null) → status
 * `no_current_values`, score `null`, not drifted (watch `nullShare`); a reference with no
 * non-missing value → `no_reference_values`; a constant reference column works (PSI bins
 * (−∞, c) and [c, +∞); Wasserstein normed by 0.001); a window of one row is tested like any other.
 * Such features are excluded from `testedCount`. Dataset drift: driftedCount / testedCount ≥
 * `driftShare` (default 0.5), false when nothing was tested.
 *
 * @param currentColumns column name → current values; every tested feature must be present
 *   (extra columns are ignored); columns may differ in length.
 * @throws InvalidArgumentError Thrown when a tested feature's column is absent, a feature named
 *   in `features`/`featureMethods` is not profiled, an option is out of range, or a numeric
 *   value is ±Infinity or not a number.
 */
export function detectDrift(
  profile: ReferenceProfile,
  currentColumns: Record<string, ColumnValues>,
  options: DetectDriftOptions = {},
): DatasetDriftResult {
  const driftShareThreshold = options.driftShare ?? 0.5;
  if (!(driftShareThreshold > 0 && driftShareThreshold <= 1)) {
    throw new InvalidArgumentError(`driftShare must be in (0, 1], got ${driftShareThreshold}`);
  }
  const thresholds = { ...DEFAULT_THRESHOLDS, ...(options.thresholds ?? {}) };
  for (const [m, t] of Object.entries(thresholds)) {
    if (!Number.isFinite(t) || t < 0) throw new InvalidArgumentError(`threshold for ${m} must be a finite number >= 0, got ${t}`);
  }
  const byName = new Map(profile.features.map((f) => [f.name, f]));
  for (const name of [...(options.features ?? []), ...Object.keys(options.featureMethods ?? {})]) {
    if (!byName.has(name)) throw new InvalidArgumentError(`Feature '${name}' is not in the reference profile`);
  }
  const selected = options.features ? options.features.map((n) => byName.get(n) as FeatureProfile) : profile.features;
  const results: FeatureDriftResult[] = [];
  for (const f of selected) {
    const values = currentColumns[f.name];
    if (values === undefined) throw new InvalidArgumentError(`Current data lacks column '${f.name}'`, { details: { feature: f.name } });
    const method = options.featureMethods?.[f.name] ?? options.method ?? 'auto';
    const resolved = resolveMethod(f, method);
    results.push(featureDrift(f, values, { method: resolved, threshold: thresholds[resolved], epsilon: options.epsilon, alpha: options.alpha }));
  }
  const tested = results.filter((r) => r.status === 'ok');
  const drifted = tested.filter((r) => r.drifted).length;
  const share = tested.length === 0 ? 0 : drifted / tested.length;
  return {
    features: results,
    testedCount: tested.length,
    driftedCount: drifted,
    driftShare: share,
    driftShareThreshold,
    datasetDrift: tested.length > 0 && share >= driftShareThreshold,
  };
}
