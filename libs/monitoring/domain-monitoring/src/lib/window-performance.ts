/** Window performance (ROC AUC, accuracy, precision/recall/F1, log loss, Brier score, calibration) computed from a window's label counters. */
import { type CounterSet } from './counter-set';
import { PROBABILITY_BINS } from './counter-keys';

/** Performance of a window from its label counters (a type alias, so it fits the API contract's open `SegmentValue.performance`). */
export type WindowPerformanceReport = {
  /** ROC AUC over the probability bins (ties within a bin count ½), null with one class or no labels. */
  rocAuc: number | null;
  /** Upper bound of |rocAuc − exact ROC AUC|: ½·Σ_k pos_k·neg_k/(P·N) (0 when no two rows of different labels share a bin). */
  rocAucMaxError: number | null;
  /** Threshold 0.5 (exact: bins never straddle 0.5). */
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Mean log loss (p clipped to [1e-15, 1 − 1e-15]); exact up to summation order. */
  logLoss: number | null;
  brierScore: number | null;
  positives: number;
  /** 10 equal-width bins of [0, 1] (bin = min(⌊10p⌋, 9)): count, mean predicted, observed rate (null when empty). */
  calibration: Array<{ bin: number; lower: number; upper: number; count: number; meanPredicted: number | null; observedRate: number | null }>;
};

/** Performance (classification) from `pb`, `ll`, `br` counters. */
export function performanceFromCounters(c: CounterSet): { labeledCount: number; performance: WindowPerformanceReport } {
  const bins = new Map<number, { pos: number; neg: number; sp: number }>();
  for (const x of c.of('pb')) {
    if (x.n === 0) continue;
    const [y, k] = x.bucket.split(':').map(Number) as [number, number];
    const b = bins.get(k) ?? { pos: 0, neg: 0, sp: 0 };
    if (y === 1) b.pos += x.n;
    else b.neg += x.n;
    b.sp += x.s;
    bins.set(k, b);
  }
  const keys = [...bins.keys()].sort((a, b) => a - b);
  let P = 0;
  let N = 0;
  for (const k of keys) {
    P += bins.get(k)!.pos;
    N += bins.get(k)!.neg;
  }
  const n = P + N;
  const calibration = Array.from({ length: 10 }, (_, i) => ({ bin: i, lower: i / 10, upper: (i + 1) / 10, count: 0, meanPredicted: null as number | null, observedRate: null as number | null, sp: 0, pos: 0 }));
  if (n === 0) {
    return {
      labeledCount: 0,
      performance: { rocAuc: null, rocAucMaxError: null, accuracy: null, precision: null, recall: null, f1: null, logLoss: null, brierScore: null, positives: 0, calibration: calibration.map(({ sp: _sp, pos: _pos, ...r }) => r) },
    };
  }
  let negBelow = 0;
  let auc = 0;
  let tiePairs = 0;
  let tp = 0;
  let fp = 0;
  for (const k of keys) {
    const b = bins.get(k)!;
    auc += b.pos * negBelow + 0.5 * b.pos * b.neg;
    tiePairs += b.pos * b.neg;
    negBelow += b.neg;
    if (k >= PROBABILITY_BINS / 2) {
      tp += b.pos;
      fp += b.neg;
    }
    const cb = calibration[Math.min(Math.floor(k / (PROBABILITY_BINS / 10)), 9)]!;
    cb.count += b.pos + b.neg;
    cb.sp += b.sp;
    cb.pos += b.pos;
  }
  const fn = P - tp;
  const tn = N - fp;
  const ll = c.get('ll');
  const br = c.get('br');
  return {
    labeledCount: n,
    performance: {
      rocAuc: P > 0 && N > 0 ? auc / (P * N) : null,
      rocAucMaxError: P > 0 && N > 0 ? (0.5 * tiePairs) / (P * N) : null,
      accuracy: (tp + tn) / n,
      precision: tp + fp === 0 ? 0 : tp / (tp + fp),
      recall: tp + fn === 0 ? 0 : tp / (tp + fn),
      f1: 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
      logLoss: (ll?.s ?? 0) / n,
      brierScore: (br?.s ?? 0) / n,
      positives: P,
      calibration: calibration.map(({ sp, pos, ...r }) => ({ ...r, meanPredicted: r.count ? sp / r.count : null, observedRate: r.count ? pos / r.count : null })),
    },
  };
}
