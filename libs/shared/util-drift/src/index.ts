/**
 * @module @strata/shared/util-drift
 *
 * Evidently-style drift statistics as pure functions: JSON-safe reference profiles
 * ({@link buildReferenceProfile}: quantile bins, ECDF sketch, category frequencies, label
 * rate), PSI with a documented epsilon rule ({@link psi}, {@link numericPsi},
 * {@link binCounts}), two-sample Kolmogorov–Smirnov, χ² goodness-of-fit, Jensen–Shannon
 * distance (base 2), normed Wasserstein, and the per-feature / dataset verdict
 * ({@link detectDrift}) with Evidently's automatic test choice. No I/O, deterministic, safe in
 * Temporal workflow code; never returns NaN or Infinity. Invalid input throws
 * `InvalidArgumentError` from `@strata/shared/util-errors`.
 */
export {
  AUTO_SMALL_SAMPLE_MAX,
  categoricalCounts,
  DEFAULT_ALPHA,
  DEFAULT_THRESHOLDS,
  detectDrift,
  featureDrift,
  numericPsi,
  resolveMethod,
} from './drift';
export type {
  DatasetDriftResult,
  DetectDriftOptions,
  DriftMethod,
  FeatureDriftResult,
  FeatureDriftStatus,
  NumericPsiResult,
} from './drift';
export { binCounts, buildReferenceProfile, DISCRETE_MAX_DISTINCT, OTHER_CATEGORY, quantileEdges, rangeBinCounts, referenceRangeCounts } from './profile';
export type {
  BinEdges,
  CategoricalFeatureProfile,
  ColumnValues,
  FeatureProfile,
  LabelProfile,
  NumericFeatureProfile,
  ProfileOptions,
  ReferenceProfile,
} from './profile';
export {
  chiSquaredHomogeneity,
  chiSquaredSurvival,
  chiSquaredTest,
  DEFAULT_EPSILON,
  jensenShannonDistance,
  kolmogorovSurvival,
  ksPValue,
  ksStatisticSorted,
  ksTwoSample,
  psi,
  quantileSorted,
  regularizedGammaQ,
  wassersteinSorted,
} from './stats';
export type { ChiSquaredResult, KsResult } from './stats';
