/**
 * @module @strata/messaging
 *
 * Typed publish/subscribe over Kafka for Strata services: transactional outbox (publish in the
 * caller's PostgreSQL transaction, a relay sends), idempotent consumers (inbox of processed
 * `ce_id`s in the handler's transaction), bounded retries with backoff then `<topic>.dlq`,
 * W3C trace context in headers, Prometheus metrics. The only place that imports kafkajs.
 *
 * Framework-free core (`EventPublisher`, `OutboxRelay`, `EventConsumerRunner`,
 * `DeadLetterService`) plus a NestJS module (`MessagingModule.forRoot`, `@ConsumeEvent`).
 *
 * ```ts
 * // publish: in the same transaction as the state change
 * await dataSource.transaction(async (manager) => {
 *   await manager.save(ModelVersion, version);
 *   await publisher.publish(manager, ModelVersionRegisteredV1, event, { traceparent });
 * });
 *
 * // consume: at most one effect per event and group
 * @ConsumeEvent(TrainingRunCompletedV1)
 * async onRunCompleted(run: TrainingRunCompletedV1, ctx: EventContext) {
 *   await ctx.manager.insert(Run, toRow(run)); // same transaction as the inbox row
 * }
 * ```
 */
export * from './core';
export * from './nest';
