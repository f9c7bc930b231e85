/**
 * @module @strata/serving/domain-inference
 *
 * ONNX Runtime model serving: the {@link ModelRepository} (sha256-verified loads, alias hot
 * swap), Open Inference Protocol v2 REST, the model-agnostic `predict` endpoint (online and
 * on-demand features from the features service, driven by the model's signature), alias-change consumer, startup loading and non-blocking prediction logging.
 *
 * ```ts
 * imports: [ServingModule.forRoot({ registryUrl, featuresUrl, ortThreads: 1, ortInterOpThreads: 1, dataDir, ... })]
 * ```
 */
export * from './lib/serving.constants';
export * from './lib/serving.module';
export * from './lib/model-repository';
export * from './lib/artifact-integrity-alerts';
export * from './lib/oip.types';
export * from './lib/oip-validation';
export * from './lib/onnx-metadata';
export * from './lib/predict-signature';
export * from './lib/inference.service';
export * from './lib/inference.controller';
export * from './lib/predict.controller';
export * from './lib/prediction-logger';
export * from './lib/registry.client';
export * from './lib/features.client';
export * from './lib/model-alias.consumer';
export * from './lib/model-rollout.consumer';
export * from './lib/dynamic-batcher';
export * from './lib/request-size-limit';
export * from './lib/infer-fast-route';
export * from './lib/oip-request-check';
export * from './lib/model-bootstrap.service';
export * from './lib/batch-scoring/batch-scoring.options';
export * from './lib/batch-scoring/batch-scoring.activities';
export * from './lib/batch-scoring/batch-scoring.service';
export * from './lib/batch-scoring/batch-scoring.controller';
export * from './lib/batch-scoring/batch-scoring-temporal.service';
export { servingMetrics } from './lib/serving.metrics';
