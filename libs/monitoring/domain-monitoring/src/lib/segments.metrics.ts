import { Gauge, register } from 'prom-client';

function gauge(name: string, help: string, labelNames: string[]): Gauge<string> {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Gauge<string>;
  return new Gauge({ name, help, labelNames });
}

/**
 * Segment / fairness gauges (issue #17), latest CLOSED window of `MONITORING_WINDOW`. Labels are
 * bounded: model, version, `segment` (≤ 8 configured names), `value` (≤ topN ≤ 50 values per
 * segment plus `__other__` / `__missing__`), `metric` (the 5 disparity metrics) — never ids or
 * raw entity keys beyond the configured top N.
 */
export const segmentMetrics = {
  predictions: gauge('strata_monitoring_segment_predictions', 'Predictions of a segment value in the latest closed window', ['model', 'version', 'segment', 'value']),
  positiveRate: gauge('strata_monitoring_segment_positive_rate', 'Selection rate (p >= 0.5) of a segment value in the latest closed window', ['model', 'version', 'segment', 'value']),
  labelCoverage: gauge('strata_monitoring_segment_label_coverage', 'Share of a segment value\'s predictions with a feedback label (latest closed window)', ['model', 'version', 'segment', 'value']),
  rocAuc: gauge('strata_monitoring_segment_roc_auc', 'ROC AUC of a segment value in the latest closed window', ['model', 'version', 'segment', 'value']),
  accuracy: gauge('strata_monitoring_segment_accuracy', 'Accuracy (threshold 0.5) of a segment value in the latest closed window', ['model', 'version', 'segment', 'value']),
  disparity: gauge('strata_monitoring_fairness_disparity', 'Disparity metric between the values of a segment (latest closed window; min-count rule applied)', ['model', 'version', 'segment', 'metric']),
};
