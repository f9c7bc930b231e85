/** Service health of a window (prediction and error counts, error rate, latency percentiles) computed from its counters. */
import { type CounterSet } from './counter-set';
import { LATENCY_RELATIVE_ACCURACY, latencyQuantile } from './counter-keys';

/** Request-level health of a window: counts, error rate, latency percentiles (seconds). */
export interface ServiceHealth {
  predictionCount: number;
  /** Failed predictions (InferenceFailedV1 rowCount). */
  errorCount: number;
  /** errorCount / (errorCount + predictionCount); null when both are 0. */
  errorRate: number | null;
  /** p50/p95/p99 of PredictionLoggedV1.latencyMs in seconds (DDSketch, relative error ≤ 1%); null when no prediction. */
  latencySeconds: { p50: number | null; p95: number | null; p99: number | null; relativeAccuracy: number };
}

/** Health from `pred`, `fail`, `lat` counters. */
export function healthFromCounters(c: CounterSet): ServiceHealth {
  const predictionCount = c.n('pred');
  const errorCount = c.n('fail');
  const lat = c.of('lat');
  return {
    predictionCount,
    errorCount,
    errorRate: predictionCount + errorCount === 0 ? null : errorCount / (predictionCount + errorCount),
    latencySeconds: { p50: latencyQuantile(lat, 0.5), p95: latencyQuantile(lat, 0.95), p99: latencyQuantile(lat, 0.99), relativeAccuracy: LATENCY_RELATIVE_ACCURACY },
  };
}
