import type { MonitoringWindow } from '@strata/contracts/api';

/** One feature's drift score per window (null where the feature was not tested), against its threshold. */
export interface DriftSeries {
  feature: string;
  method: string;
  threshold: number;
  /** [window start (epoch ms), score or null, drifted]. */
  points: Array<[number, number | null, boolean]>;
}

/** A window where monitoring raised dataset drift (the `drift-detected` alert), to be marked on the charts. */
export interface AlertWindow {
  start: number;
  end: number;
  /** Label, e.g. `2020-04 drift: 3/5 features`. */
  label: string;
}

export interface MonitoringView {
  /** Window starts (epoch ms), ascending. */
  times: number[];
  drift: DriftSeries[];
  alerts: AlertWindow[];
  /** ROC AUC and accuracy per window (null without enough labels), with labeled/predicted counts. */
  performance: Array<{ t: number; rocAuc: number | null; accuracy: number | null; labeled: number; predictions: number }>;
}

const DAY_MS = 86_400_000;

/**
 * Monitoring windows of ONE version (`GET /models/{m}/windows?window=…&version=…`) → chart series.
 * Windows without a start (count windows) are left out. A window's end defaults to the next
 * window's start (or start + 1 day). Features keep the order they first appear in.
 */
export function monitoringView(windows: readonly MonitoringWindow[]): MonitoringView {
  const timed = windows
    .filter((w) => w.windowStart !== null && !Number.isNaN(Date.parse(w.windowStart)))
    .map((w) => ({ w, t: Date.parse(w.windowStart as string) }))
    .sort((a, b) => a.t - b.t);
  const times = timed.map((x) => x.t);
  const features: string[] = [];
  const meta = new Map<string, { method: string; threshold: number }>();
  for (const { w } of timed)
    for (const d of w.drift) {
      if (!meta.has(d.feature)) {
        features.push(d.feature);
        meta.set(d.feature, { method: d.method, threshold: d.threshold });
      }
    }
  const drift = features.map((feature) => {
    const m = meta.get(feature)!;
    return {
      feature,
      method: m.method,
      threshold: m.threshold,
      points: timed.map(({ w, t }): [number, number | null, boolean] => {
        const d = w.drift.find((x) => x.feature === feature);
        return [t, d?.score ?? null, d?.drifted ?? false];
      }),
    };
  });
  const alerts = timed
    .map(({ w, t }, i) => ({ w, t, i }))
    .filter(({ w }) => w.datasetDrift)
    .map(({ w, t, i }) => {
      const end = w.windowEnd && !Number.isNaN(Date.parse(w.windowEnd)) ? Date.parse(w.windowEnd) : (times[i + 1] ?? t + DAY_MS);
      const drifted = w.drift.filter((d) => d.drifted).length;
      return { start: t, end, label: `${new Date(t).toISOString().slice(0, 10)} drift: ${drifted}/${w.drift.length} features` };
    });
  const performance = timed.map(({ w, t }) => ({ t, rocAuc: w.performance?.rocAuc ?? null, accuracy: w.performance?.accuracy ?? null, labeled: w.labeledCount, predictions: w.predictionCount }));
  return { times, drift, alerts, performance };
}

/** The versions seen in a model's windows (all versions), ascending. */
export function windowVersions(windows: readonly MonitoringWindow[]): number[] {
  const out = new Set<number>();
  for (const w of windows) {
    const v = Number(w.modelVersion);
    if (Number.isInteger(v) && v > 0) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}
