/**
 * @module @strata/shared/util-model-evaluation
 *
 * Model-quality metrics shared by training (run metrics) and monitoring (performance from
 * feedback labels): ROC AUC, accuracy, precision/recall/F1, log loss, Brier score, calibration
 * table and ECE for binary classifiers; MAE and RMSE for regression. Pure functions, no I/O,
 * deterministic, safe in Temporal workflow code. Every function documents its formula and its
 * edge cases; none returns NaN or Infinity (ROC AUC is `null` when only one class is present).
 * Invalid input throws `InvalidArgumentError` from `@strata/shared/util-errors`.
 */
export {
  accuracy,
  brierScore,
  calibrationByDecile,
  confusionCounts,
  evaluateBinaryClassifier,
  expectedCalibrationError,
  f1,
  logLoss,
  precision,
  recall,
  rocAuc,
} from './binary';
export type { BinaryClassificationReport, CalibrationBin, ConfusionCounts, EvaluateBinaryOptions } from './binary';
export { mae, meanAbsoluteError, rmse, rootMeanSquaredError } from './regression';
export {
  assembleModelInputs,
  FEATURE_NAMES_KEY,
  INPUTS_METADATA_KEY,
  layoutFeatures,
  metadataStringArray,
  MISSING_CATEGORY,
  modelInputLayout,
  toCategory,
  toNumber,
} from './model-inputs';
export type { AssembledInput, FeatureTensorDatatype, InputBinding, InputTensorInfo } from './model-inputs';
export { DISPARITY_METRICS, FAIRNESS_THRESHOLD, Z_95, disparity, groupCountsOf, groupRatesOf, wilsonInterval } from './fairness';
export type { Disparity, DisparityMetric, GroupCounts, GroupRates, RateInterval } from './fairness';
export { WIDENING_EPSILON, checkDisparityGate, disparityGateVerdict, wideningOf } from './disparity-gate';
export type { DisparityGateRule, DisparityGateStatus, DisparityGateVerdict } from './disparity-gate';
export { FairnessGateSchema, LiveFairnessGateSchema, SEGMENT_NAME, SegmentBucketsSchema, sameBuckets, segmentBucket } from './gate-definition';
export type { FairnessGate, LiveFairnessGate } from './gate-definition';
