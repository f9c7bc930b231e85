/**
 * @module @strata/training/util-trainers
 *
 * Built-in trainers that export ONNX. Today: L2-regularized logistic regression trained by
 * Newton/IRLS with standardization and mean imputation baked in ({@link trainLogisticRegression},
 * {@link predictProba}), its ONNX export ({@link exportLogisticRegressionToOnnx}: float32
 * `[N, F]` input, NaN = missing, `probability` `[N, 1]` output, feature names in
 * metadata_props), and Open Inference Protocol v2 signatures of ONNX models
 * ({@link onnxSignature}). Pure logic, no network; deterministic. Invalid input throws
 * `InvalidArgumentError` from `@strata/shared/util-errors`.
 */
export { predictProba, trainLogisticRegression } from './logistic-regression';
export type {
  ClassWeight,
  FeatureRow,
  LogisticRegressionModel,
  LogisticRegressionParams,
  TrainingData,
  TrainingProgress,
} from './logistic-regression';
export { exportLogisticRegressionToOnnx, ONNX_IR_VERSION, ONNX_METADATA_KEYS, ONNX_OPSET } from './onnx-export';
export type { OnnxExportOptions } from './onnx-export';
export { logisticRegressionSignature, onnxSignature } from './signature';
export type { ModelSignature, OipDatatype, TensorSignature } from './signature';
export {
  categoryOf,
  encodeRows,
  fitOneHotEncodings,
  MISSING_CATEGORY,
  oneHotColumnNames,
  predictProbaCategorical,
  trainCategoricalLogisticRegression,
} from './categorical';
export type { CategoricalLogisticRegressionModel, MixedTrainingData, OneHotEncoding, OneHotOptions } from './categorical';
export { exportCategoricalLogisticRegressionToOnnx, ONNX_CATEGORICAL_METADATA_KEYS, ONNX_ML_OPSET } from './onnx-export-categorical';
