import type { CalibrationBin, MonitoringWindow } from '@strata/contracts/api';

/**
 * The fields of a monitoring window (`GET /models/{m}/windows`, monitoring controller doc) that
 * the contract's `MonitoringWindowSchema` lets pass through and the serving-health, label-coverage
 * and calibration charts read. Latency in seconds (DDSketch, ±1%); rates in [0, 1].
 */
export type OpsWindow = MonitoringWindow & {
  errorCount?: number;
  /** errors / (predictions + errors); null without requests. */
  errorRate?: number | null;
  latencySeconds?: { p50: number | null; p95: number | null; p99: number | null; relativeAccuracy?: number };
};

/** One calibration bin of a window (the contract's `CalibrationBinSchema`). */
export type { CalibrationBin };

/** Serving health per window: latency p50/p99 in milliseconds, error rate, label coverage. */
export interface OpsPoint {
  t: number;
  p50Ms: number | null;
  p99Ms: number | null;
  errorRate: number | null;
  requests: number;
  /** labeled / predictions (null without predictions). */
  labelCoverage: number | null;
  labeled: number;
  predictions: number;
}

const ms = (s: number | null | undefined): number | null => (s === null || s === undefined ? null : s * 1000);

/** Windows of ONE version → health and label coverage per window, ascending by start (count windows left out). */
export function opsSeries(windows: readonly OpsWindow[]): OpsPoint[] {
  return windows
    .filter((w) => w.windowStart !== null && !Number.isNaN(Date.parse(w.windowStart)))
    .map((w) => ({
      t: Date.parse(w.windowStart as string),
      p50Ms: ms(w.latencySeconds?.p50),
      p99Ms: ms(w.latencySeconds?.p99),
      errorRate: w.errorRate ?? null,
      requests: w.predictionCount + (w.errorCount ?? 0),
      labelCoverage: w.predictionCount > 0 ? w.labeledCount / w.predictionCount : null,
      labeled: w.labeledCount,
      predictions: w.predictionCount,
    }))
    .sort((a, b) => a.t - b.t);
}

/** A point of the calibration curve: mean predicted probability vs observed positive rate, over `count` labeled predictions. */
export interface CalibrationPoint {
  bin: number;
  meanPredicted: number;
  observedRate: number;
  count: number;
}

/**
 * The calibration curve of the given windows pooled: per bin (10 bins of the predicted
 * probability), the count-weighted mean prediction and observed positive rate over every window
 * (Σ meanᵢ·countᵢ / Σ countᵢ — exact, since each window's bin mean is a mean over its count).
 * Empty bins are left out. A perfectly calibrated model lies on the diagonal.
 */
export function calibrationCurve(windows: readonly OpsWindow[]): CalibrationPoint[] {
  const acc = new Map<number, { n: number; pred: number; obs: number }>();
  for (const w of windows)
    for (const b of w.performance?.calibration ?? []) {
      if (!b.count || b.meanPredicted === null || b.observedRate === null) continue;
      const a = acc.get(b.bin) ?? { n: 0, pred: 0, obs: 0 };
      a.n += b.count;
      a.pred += b.meanPredicted * b.count;
      a.obs += b.observedRate * b.count;
      acc.set(b.bin, a);
    }
  return [...acc.entries()].sort((a, b) => a[0] - b[0]).map(([bin, a]) => ({ bin, meanPredicted: a.pred / a.n, observedRate: a.obs / a.n, count: a.n }));
}
