import { Gauge, register } from 'prom-client';

function gauge(name: string, help: string, labelNames: string[]): Gauge<string> {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Gauge<string>;
  return new Gauge({ name, help, labelNames });
}

/**
 * Monitoring gauges (prom-client default registry, `/metrics`). Labels are bounded: model,
 * version and profiled feature names only — never prediction ids or entity keys. Values are
 * those of the latest CLOSED window of the evaluation window kind (`MONITORING_WINDOW`), except
 * `predictions_total` (all stored predictions of the version).
 */
export const monitoringMetrics = {
  predictionsTotal: gauge('strata_monitoring_predictions_total', 'Predictions stored for a model version', ['model', 'version']),
  featurePsi: gauge('strata_monitoring_feature_psi', 'PSI of a feature in the latest closed window', ['model', 'version', 'feature']),
  rocAuc: gauge('strata_monitoring_roc_auc', 'ROC AUC on labeled predictions of the latest closed window', ['model', 'version']),
  accuracy: gauge('strata_monitoring_accuracy', 'Accuracy (threshold 0.5) on labeled predictions of the latest closed window', ['model', 'version']),
};
