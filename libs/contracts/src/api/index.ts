/**
 * @module @strata/contracts/api
 *
 * HTTP API contracts of the six services: zod schemas of request and response bodies and one
 * {@link ApiEndpoint} per endpoint (method, path template, params/query/body/response schemas).
 * The response types (`ModelVersion`, `DatasetVersion`, `TrainingRun`, `PromotionDecision`, …)
 * are inferred here and declared nowhere else; the typed client
 * (`ServiceClient` in `@strata/shared/data-access-strata-client`) derives one method per endpoint.
 *
 * ```ts
 * import { RegistryApi, type ModelVersion } from '@strata/contracts/api';
 * const v: ModelVersion = RegistryApi.getModelVersion.response.parse(json);
 * ```
 */
export * from './define-endpoint';
export * from './ingestion.api';
export * from './features.api';
export * from './training.api';
export * from './model-optimization.api';
export * from './registry.api';
export * from './serving.api';
export * from './monitoring.api';
export * from './platform.api';
