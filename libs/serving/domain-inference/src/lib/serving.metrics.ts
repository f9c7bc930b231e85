import { getOrCreateHistogram } from '@strata/shared/nest-platform';
import { Counter, register } from 'prom-client';

function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  const existing = register.getSingleMetric(name);
  if (existing) return existing as Counter<string>;
  return new Counter({ name, help, labelNames });
}

/**
 * Serving metrics (prom-client default registry, served on `/metrics`). Labels are bounded:
 * model name and version of loaded models only (unknown models are counted as `model="_unknown"`).
 */
export const servingMetrics = {
  /** `strata_serving_inference_duration_seconds{model,version}`: onnxruntime `run` time, seconds. */
  inferenceDuration: getOrCreateHistogram(
    'strata_serving_inference_duration_seconds',
    'Model execution time (onnxruntime run) in seconds',
    ['model', 'version'],
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  ),
  /**
   * `strata_serving_request_duration_seconds{model,version,alias}`: time from routing to the
   * answer (validation, queueing for a batch, model run, output encoding) of requests that
   * reached a loaded model, seconds. `alias` is bounded: champion | challenger | shadow (the
   * off-path shadow copy) | none (a version number was addressed) | other.
   */
  requestDuration: getOrCreateHistogram(
    'strata_serving_request_duration_seconds',
    'Inference request latency per model version and alias, seconds',
    ['model', 'version', 'alias'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  ),
  /** `strata_serving_shadow_requests_total{model,outcome}`: shadow copies run on the challenger (success | invalid | error | not_loaded | ...). */
  shadowRequests: counter('strata_serving_shadow_requests_total', 'Shadow copies of requests run on the challenger, by outcome', ['model', 'outcome']),
  /** `strata_serving_requests_total{model,version,outcome}`; outcome: success | invalid | not_found | unavailable | error. */
  requests: counter('strata_serving_requests_total', 'Inference and predict requests by outcome', ['model', 'version', 'outcome']),
  /** `strata_serving_prediction_log_dropped_total{reason}`; reason: buffer_full | invalid | shutdown. */
  predictionLogDropped: counter('strata_serving_prediction_log_dropped_total', 'Prediction log events dropped (never blocks a request)', ['reason']),
  /** `strata_serving_model_load_total{model,outcome}`; outcome: loaded | integrity_error | error. */
  modelLoads: counter('strata_serving_model_load_total', 'Model version load attempts by outcome', ['model', 'outcome']),
};
