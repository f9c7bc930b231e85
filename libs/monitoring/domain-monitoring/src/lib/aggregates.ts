/**
 * Monitoring aggregates: window counters and what is computed from them (performance, drift,
 * service health). One file per concern; this module re-exports their public names.
 */
export { CounterSet } from './counter-set';
export type { Counter } from './counter-set';
export { LATENCY_RELATIVE_ACCURACY, LATENCY_MIN_SECONDS, latencyKey, latencyQuantile, PROBABILITY_BINS, probabilityBin, referenceGrid, gridPosition, psiBin, categoryBucket, predictionCounters, LOG_LOSS_EPS, labelCounters } from './counter-keys';
export { performanceFromCounters } from './window-performance';
export type { WindowPerformanceReport } from './window-performance';
export { driftFromCounters } from './window-drift';
export type { FeatureTests, WindowFeatureDrift, CounterDriftOptions } from './window-drift';
export { healthFromCounters } from './service-health';
export type { ServiceHealth } from './service-health';
