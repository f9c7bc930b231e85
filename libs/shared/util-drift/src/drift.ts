import { InvalidArgumentError } from '@strata/shared/util-errors';
import {
  binCounts,
  categoryValues,
  numericValues,
  OTHER_CATEGORY,
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

/** A drift test. p-value tests (`ks`, `chisquare`) drift when p < threshold; distances when score ≥ threshold. */
export type DriftMethod = 'psi' | 'ks' | 'chisquare' | 'jensenshannon' | 'wasserstein';

/** Default thresholds (Evidently's defaults). */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  psi: 0.1,
  ks: 0.05,
  chisquare: 0.05,
  jensenshannon: 0.1,
  wasserstein: 0.1,
};

/** Reference sizes up to this use the small-sample tests in `auto` mode (Evidently: 1000). */
export const AUTO_SMALL_SAMPLE_MAX = 1000;

/** Result of {@link numericPsi}. */
export interface NumericPsiResult {
  /** PSI over the profile's bins, or `null` when the window has no non-missing value. */
  psi: number | null;
  /** Current proportions per bin (all 0 when the window has no non-missing value). */
  currentProportions: number[];
  /** Non-missing current values. */
  count: number;
  /** Missing current values. */
  nullCount: number;
  /** nullCount / window length; 0 for an empty window. */
  nullShare: number;
}

/**
 * PSI of a current window of a numeric feature against its profile: current values are
 * binned with the profile's `edges` by the {@link binCounts} rule, missing values are skipped
 * (their share is reported as `nullShare`), and {@link psi} compares `profile.proportions` with
 * the current proportions using `epsilon` for empty bins.
 *
 * @returns `psi: null` when the window has no non-missing value or the reference had none.
 * @throws InvalidArgumentError Thrown when a value is ±Infinity or not a number.
 */
export function numericPsi(
  profile: NumericFeatureProfile,
  currentValues: ArrayLike<number | null | undefined>,
  epsilon = DEFAULT_EPSILON,
): NumericPsiResult {
  const counts = binCounts(currentValues, profile.edges);
  const count = counts.reduce((a, b) => a + b, 0);
  const nullCount = currentValues.length - count;
  const currentProportions = counts.map((c) => (count === 0 ? 0 : c / count));
  return {
    psi: count === 0 || profile.count === 0 ? null : psi(profile.proportions, currentProportions, epsilon),
    currentProportions,
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

/** Why a feature could (not) be tested. */
export type FeatureDriftStatus = 'ok' | 'no_current_values' | 'no_reference_values';

/** Drift verdict of one feature. */
export interface FeatureDriftResult {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** The test actually run (after `auto` resolution and categorical fallbacks). */
  method: DriftMethod;
  /**
   * p-value for `ks`/`chisquare` (drift when < threshold); the distance for `psi`,
   * `jensenshannon`, `wasserstein` (drift when ≥ threshold). `null` when status is not `ok`.
   */
  score: number | null;
  /** KS D or χ² statistic for p-value tests; equal to `score` for distances. */
  statistic: number | null;
  threshold: number;
  /** Always false when status is not `ok`. */
  drifted: boolean;
  /** Missing share of the current window (0 for an empty window). */
  nullShare: number;
  /** Missing share of the reference. */
  referenceNullShare: number;
  /** Non-missing current values. */
  currentCount: number;
  /** Non-missing reference values. */
  referenceCount: number;
  status: FeatureDriftStatus;
}

/** Options of {@link detectDrift}. */
export interface DetectDriftOptions {
  /** Test for every feature; default `auto`. */
  method?: 'auto' | DriftMethod;
  /** Per-feature test, overriding `method`. */
  featureMethods?: Record<string, 'auto' | DriftMethod>;
  /** Thresholds per test; defaults {@link DEFAULT_THRESHOLDS}. */
  thresholds?: Partial<Record<DriftMethod, number>>;
  /** Dataset drift when drifted / tested features ≥ this, in (0, 1]. Default 0.5. */
  driftShare?: number;
  /** Only these profiled features (default: all). */
  features?: ReadonlyArray<string>;
  /** Epsilon for empty bins in PSI. Default 1e-4. */
  epsilon?: number;
}

/** Result of {@link detectDrift}. JSON-safe. */
export interface DatasetDriftResult {
  features: FeatureDriftResult[];
  /** Features with status `ok`. */
  testedCount: number;
  driftedCount: number;
  /** driftedCount / testedCount; 0 when nothing was tested. */
  driftShare: number;
  /** The `driftShare` option used. */
  driftShareThreshold: number;
  /** driftShare ≥ driftShareThreshold (and at least one feature tested). */
  datasetDrift: boolean;
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
  return { ref: profile.counts, cur: binCounts(vals, profile.edges) };
}

/**
 * Tests one feature's current window against its profile (see {@link detectDrift}).
 *
 * @throws InvalidArgumentError Thrown when a numeric value is ±Infinity or not a number.
 */
export function featureDrift(
  profile: FeatureProfile,
  values: ColumnValues,
  options: { method?: 'auto' | DriftMethod; threshold?: number; epsilon?: number } = {},
): FeatureDriftResult {
  const method = resolveMethod(profile, options.method ?? 'auto');
  const threshold = options.threshold ?? DEFAULT_THRESHOLDS[method];
  const epsilon = options.epsilon ?? DEFAULT_EPSILON;
  const needsSort = method === 'ks' || method === 'wasserstein';
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
  };
  if (profile.count === 0 || currentCount === 0) {
    return {
      ...base,
      score: null,
      statistic: null,
      drifted: false,
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
  return {
    ...base,
    score,
    statistic,
    drifted: pValueTest ? score < threshold : score >= threshold,
    status: 'ok',
  };
}

/**
 * Evidently-style data drift of a current window against a reference profile.
 *
 * Per feature (missing values are dropped and their share reported as `nullShare`):
 * - `psi`: {@link psi} over the numeric quantile bins (exactly {@link numericPsi}) or the
 *   categorical buckets; drift when PSI ≥ threshold (default 0.1).
 * - `ks`: D between the reference ECDF sketch and the current values, asymptotic p-value with
 *   n = reference count (exact D when the reference had ≤ sketchSize values); drift when p < 0.05.
 * - `wasserstein`: W₁(reference sketch, current) / max(reference std, 0.001); drift when ≥ 0.1.
 * - `chisquare`: {@link chiSquaredHomogeneity} (2 × k contingency of reference counts vs current
 *   counts) over categorical buckets, the distinct values of a discrete numeric feature (+ an
 *   "other" bucket), or else the quantile bins; drift when p < 0.05. (Evidently instead runs a
 *   goodness-of-fit test with the reference shares as exact expectations, which rejects far
 *   more than 5% of same-distribution windows when the reference is small: measured 49% at
 *   500 vs 500 rows on 10 bins.)
 * - `jensenshannon`: {@link jensenShannonDistance} (base 2) over the same buckets; drift when ≥ 0.1.
 * - `auto`: see {@link resolveMethod}.
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
    results.push(featureDrift(f, values, { method: resolved, threshold: thresholds[resolved], epsilon: options.epsilon }));
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
