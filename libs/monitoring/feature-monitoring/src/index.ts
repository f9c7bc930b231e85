/**
 * @module @strata/monitoring/feature-monitoring
 *
 * Prediction and feedback intake, windowed drift and performance, metrics.
 */
export {};
