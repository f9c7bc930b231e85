/** Drift tests, their default thresholds, and the shapes of drift options and results (JSON-safe). */

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

/**
 * Default significance level of the drift verdict (see {@link DetectDriftOptions.alpha}): a
 * distance (PSI, Jensen–Shannon, Wasserstein) at or above its threshold is drift only when the
 * feature's significance test also rejects "same distribution" at p < 0.01.
 */
export const DEFAULT_ALPHA = 0.01;

/** Reference sizes up to this use the small-sample tests in `auto` mode (Evidently: 1000). */
export const AUTO_SMALL_SAMPLE_MAX = 1000;

/** Result of {@link numericPsi}. */
export interface NumericPsiResult {
  /** PSI over the profile's range bins, or `null` when the window has no non-missing value. */
  psi: number | null;
  /**
   * Current proportions per profile bin, the outer bins bounded by the reference's min and max
   * (all 0 when the window has no non-missing value). With {@link underflowShare} and
   * {@link overflowShare} they sum to 1.
   */
  currentProportions: number[];
  /** Share of the window's non-missing values below the reference's min (0 when empty). */
  underflowShare: number;
  /** Share of the window's non-missing values above the reference's max (0 when empty). */
  overflowShare: number;
  /** Non-missing current values. */
  count: number;
  /** Missing current values. */
  nullCount: number;
  /** nullCount / window length; 0 for an empty window. */
  nullShare: number;
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
  /**
   * Always false when status is not `ok`. For a distance (`psi`, `jensenshannon`,
   * `wasserstein`): score ≥ threshold AND `pValue` < `alpha`; for `ks` / `chisquare`: score < threshold.
   */
  drifted: boolean;
  /**
   * The significance test behind the verdict: `ks` (continuous numeric feature: two-sample KS
   * against the reference sketch) or `chisquare` (categorical or discrete numeric feature: χ²
   * homogeneity on its buckets); for the `ks`/`chisquare` methods, the method itself. `null`
   * when status is not `ok`.
   */
  significanceTest: 'ks' | 'chisquare' | null;
  /** p-value of `significanceTest` (for the `ks`/`chisquare` methods equal to `score`); null when status is not `ok`. */
  pValue: number | null;
  /** Significance level a distance verdict required (see {@link DetectDriftOptions.alpha}). */
  alpha: number;
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
  /**
   * Significance level of distance verdicts, in (0, 1]; default {@link DEFAULT_ALPHA} (0.01).
   * PSI and the other distances are biased upwards on small windows (PSI of a same-distribution
   * window of n values over k bins is ≈ (k − 1)/n on average: 0.3 at n = 30, 10 bins —
   * Yurdakul & Tasche, "Statistical properties of the population stability index", J. Risk
   * Model Validation 14(4), 2020: n·m/(n+m)·PSI ≈ χ²_{k−1}), so a distance alone alarms on
   * every small window. A feature therefore drifts only when the distance reaches its threshold
   * (effect size) AND its significance test rejects "same distribution" at p < alpha: the
   * two-sample Kolmogorov–Smirnov test for a continuous numeric feature (robust to a single
   * value outside the reference range; Stephens 1970), χ² homogeneity on the buckets for a
   * categorical or discrete numeric one (Pearson; the 2 × k test accounts for the reference
   * being a sample). Under "same distribution" a feature then drifts in at most ≈ alpha of the
   * windows whatever their size. With F features tested per window, up to F·alpha false
   * feature alarms are expected per window: to bound the chance of any of them at α, use
   * alpha = α/F (Bonferroni; Dunn 1961) — dataset drift needs a share of the features
   * (`driftShare`), which is far rarer. `alpha: 1` turns the gate off (distance only).
   */
  alpha?: number;
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
