/**
 * @module @strata/contracts
 *
 * Event contracts: one module per Kafka topic (name, zod schema, inferred type, partition key)
 * and the CloudEvents 1.0 envelope (Kafka binary mode). Producers and consumers import the same
 * contract object, so a topic can never be published with a payload its consumers do not expect.
 *
 * ```ts
 * import { ModelVersionRegisteredV1, type ModelVersionRegisteredV1 as Registered } from '@strata/contracts';
 *
 * const value: Registered = ModelVersionRegisteredV1.schema.parse(json); // throws ZodError when invalid
 * ModelVersionRegisteredV1.topic;      // 'strata.registry.model-version-registered.v1'
 * ModelVersionRegisteredV1.key(value); // partition key: the model name
 * ```
 *
 * Framework-free (external import: `zod` only), so Temporal workflow code may import it.
 */
export * from './define-event';
export * from './envelope';
export * from './primitives';
export * from './model-version-facts';

export * from './events/ingestion/ingest-records.v1';
export * from './events/ingestion/dataset-version-created.v1';
export * from './events/features/features-materialized.v1';
export * from './events/training/training-requested.v1';
export * from './events/training/training-run-completed.v1';
export * from './events/training/training-run-failed.v1';
export * from './events/registry/model-version-registered.v1';
export * from './events/registry/model-alias-changed.v1';
export * from './events/registry/model-rollout-changed.v1';
export * from './events/serving/prediction-logged.v1';
export * from './events/serving/inference-failed.v1';
export * from './events/monitoring/feedback-received.v1';
export * from './events/monitoring/drift-detected.v1';
export * from './events/monitoring/performance-degraded.v1';
export * from './events/platform/audit-recorded.v1';
export * from './events/platform/artifact-integrity-failed.v1';

export { ALL_EVENTS, findContract, type AnyEventContract } from './all-events';
