/**
 * @module @strata/shared/util-errors
 *
 * Coded domain errors (`AppError` and subclasses) and the one table that maps codes to HTTP
 * statuses; `CodedError`, the base of the libs' own error families (codes of their own). Kafka consumers read `retryable`; Temporal activities turn it into
 * `ApplicationFailure({ nonRetryable: !retryable })`.
 */
export * from './app-error';
export * from './coded-error';
