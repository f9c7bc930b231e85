/**
 * @module @strata/shared/util-errors
 *
 * Coded domain errors (`AppError` and subclasses) and the one table that maps codes to HTTP
 * statuses. Kafka consumers read `retryable`; Temporal activities turn it into
 * `ApplicationFailure({ nonRetryable: !retryable })`.
 */
export * from './app-error';
