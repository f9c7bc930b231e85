/**
 * @module @strata/training/util-trainers
 *
 * Built-in trainers (logistic regression) exporting ONNX.
 */
export {};
