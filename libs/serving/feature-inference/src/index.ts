/**
 * @module @strata/serving/feature-inference
 *
 * ONNX Runtime model loading and Open Inference Protocol v2 endpoints.
 */
export {};
