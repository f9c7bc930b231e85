/**
 * @module @strata/messaging
 *
 * Typed publish/subscribe over Kafka: transactional outbox, idempotent consumers (inbox), retries, dead letters, trace context.
 */
export {};
