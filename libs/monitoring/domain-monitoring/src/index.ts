/**
 * @module @strata/monitoring/domain-monitoring
 *
 * Prediction and feedback intake, reference profiles (from the registry, sha256 verified),
 * windowed PSI drift and performance, alerts (`drift-detected`, `performance-degraded`) and
 * Prometheus gauges.
 */
export * from './lib/monitoring.constants';
export * from './lib/monitoring.module';
export * from './lib/monitoring.service';
export * from './lib/monitoring.controller';
export * from './lib/monitoring.consumer';
export * from './lib/reference-profile.service';
export * from './lib/registry.client';
export * from './lib/windows';
export * from './lib/aggregates';
export * from './lib/aggregation.service';
export * from './lib/rollout-guard.service';
export { monitoringMetrics } from './lib/monitoring.metrics';
export * from './lib/segments';
export * from './lib/fairness';
export * from './lib/segment-config.service';
export * from './lib/segments.service';
export * from './lib/segments.controller';
export { segmentMetrics } from './lib/segments.metrics';
