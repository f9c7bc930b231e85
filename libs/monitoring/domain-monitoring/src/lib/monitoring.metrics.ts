import { Counter, Gauge, Histogram, register } from 'prom-client';

function gauge(name: string, help: string, labelNames: string[]): Gauge<string> {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Gauge<string>;
  return new Gauge({ name, help, labelNames });
}

function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Counter<string>;
  return new Counter({ name, help, labelNames });
}

function histogram(name: string, help: string, labelNames: string[], buckets: number[]): Histogram<string> {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Histogram<string>;
  return new Histogram({ name, help, labelNames, buckets });
}

/** Latency histogram buckets, seconds (0.5 ms … 10 s). */
export const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Monitoring metrics (prom-client default registry, `/metrics`). Labels are bounded: model,
 * version, alias (registry alias names, `none` for version-addressed requests), profiled feature
 * names, drift method, calibration bin 0..9 — never prediction ids or entity keys. Base units
 * (seconds, ratios). Window gauges hold the latest CLOSED window of `MONITORING_WINDOW`, except
 * `predictions_total` (all counted predictions of the version). Counters/histograms are counted
 * by this instance as it consumes events (a redelivery after a crash may count twice; the HTTP
 * API's counts are exact).
 */
export const monitoringMetrics = {
  predictionsTotal: gauge('strata_monitoring_predictions_total', 'Predictions stored for a model version', ['model', 'version']),
  featurePsi: gauge('strata_monitoring_feature_psi', 'PSI of a feature in the latest closed window', ['model', 'version', 'feature']),
  featureDriftScore: gauge('strata_monitoring_feature_drift_score', 'Drift score (configured method) of a feature in the latest closed window', ['model', 'version', 'feature', 'method']),
  datasetDriftShare: gauge('strata_monitoring_dataset_drift_share', 'Share of tested features that drifted in the latest closed window', ['model', 'version']),
  unlabeled: gauge('strata_monitoring_unlabeled_predictions', 'Predictions of the latest closed window still without a feedback label', ['model', 'version']),
  rocAuc: gauge('strata_monitoring_roc_auc', 'ROC AUC on labeled predictions of the latest closed window', ['model', 'version']),
  accuracy: gauge('strata_monitoring_accuracy', 'Accuracy (threshold 0.5) on labeled predictions of the latest closed window', ['model', 'version']),
  calibrationPredicted: gauge('strata_monitoring_calibration_mean_predicted', 'Mean predicted probability per calibration bin (latest closed window)', ['model', 'version', 'bin']),
  calibrationObserved: gauge('strata_monitoring_calibration_observed_rate', 'Observed positive rate per calibration bin (latest closed window)', ['model', 'version', 'bin']),
  predictionLatency: histogram('strata_monitoring_prediction_latency_seconds', 'Model execution latency of logged predictions', ['model', 'version', 'alias'], LATENCY_BUCKETS_SECONDS),
  predictionsLogged: counter('strata_monitoring_predictions_logged_total', 'Logged predictions consumed', ['model', 'version', 'alias']),
  inferenceFailures: counter('strata_monitoring_inference_failures_total', 'Failed predictions (InferenceFailedV1 rowCount) consumed', ['model', 'version', 'alias']),
  rollbacks: counter('strata_monitoring_rollout_rollbacks_total', 'Automatic rollbacks requested by the rollout guard', ['model']),
};
