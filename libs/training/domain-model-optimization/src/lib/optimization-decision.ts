/**
 * The accept/refuse rule of the model optimization step: an optimized child is registered only
 * when its quality on the parent's evaluation set did not drop by more than the configured margins.
 *
 * Drops are absolute differences `parent − child` (positive = the child is worse), in the metric's
 * own unit (accuracy and ROC AUC are fractions in [0, 1], so a margin of 0.01 is one point).
 * A drop equal to the margin passes; 1e-12 absorbs floating-point noise, as the promotion gates.
 */

/** Quality of one model on the evaluation set (threshold 0.5 for accuracy). */
export interface QualityOnEvaluation {
  /** Fraction of rows classified right at threshold 0.5, in [0, 1]. */
  accuracy: number;
  /** ROC AUC, in [0, 1]; null when the evaluation set has one class only. */
  rocAuc: number | null;
}

/** Margins of the decision (absolute, fractions). */
export interface OptimizationMargins {
  /** Largest accepted accuracy drop (`parent − child`), ≥ 0. */
  maxAccuracyDrop: number;
  /** Largest accepted ROC AUC drop, ≥ 0 (the request's `maxRocAucDrop`, default `maxAccuracyDrop`). */
  maxRocAucDrop: number;
}

/** Outcome of {@link decideOptimization}. */
export interface OptimizationDecision {
  accepted: boolean;
  /** `parent.accuracy − child.accuracy` (negative = the child is better). */
  accuracyDrop: number;
  /** `parent.rocAuc − child.rocAuc`, or null when either is null (then ROC AUC does not gate). */
  rocAucDrop: number | null;
  /** One sentence with the numbers, for the answer and the logs. */
  reason: string;
}

/** Tolerance added to every margin (floating-point noise). */
export const DROP_EPSILON = 1e-12;

const fmt = (x: number): string => x.toFixed(6);

/**
 * Compares the child's quality with the parent's on the same evaluation rows.
 * @throws RangeError when a margin is negative or not finite (callers validate first).
 */
export function decideOptimization(parent: QualityOnEvaluation, child: QualityOnEvaluation, margins: OptimizationMargins): OptimizationDecision {
  for (const [k, v] of Object.entries(margins)) if (!Number.isFinite(v) || v < 0) throw new RangeError(`${k} must be a finite number ≥ 0, got ${v}`);
  const accuracyDrop = parent.accuracy - child.accuracy;
  const rocAucDrop = parent.rocAuc === null || child.rocAuc === null ? null : parent.rocAuc - child.rocAuc;
  const failures: string[] = [];
  if (accuracyDrop > margins.maxAccuracyDrop + DROP_EPSILON) {
    failures.push(`accuracy dropped by ${fmt(accuracyDrop)} (${fmt(parent.accuracy)} → ${fmt(child.accuracy)}), more than maxAccuracyDrop ${margins.maxAccuracyDrop}`);
  }
  if (rocAucDrop !== null && rocAucDrop > margins.maxRocAucDrop + DROP_EPSILON) {
    failures.push(`ROC AUC dropped by ${fmt(rocAucDrop)} (${fmt(parent.rocAuc!)} → ${fmt(child.rocAuc!)}), more than maxRocAucDrop ${margins.maxRocAucDrop}`);
  }
  if (failures.length > 0) return { accepted: false, accuracyDrop, rocAucDrop, reason: `refused: ${failures.join('; ')}` };
  const auc = rocAucDrop === null ? 'ROC AUC not measurable (one class)' : `ROC AUC drop ${fmt(rocAucDrop)} ≤ ${margins.maxRocAucDrop}`;
  return { accepted: true, accuracyDrop, rocAucDrop, reason: `accepted: accuracy drop ${fmt(accuracyDrop)} ≤ ${margins.maxAccuracyDrop}, ${auc}` };
}

/**
 * p-th percentile (nearest rank, p in [0, 100]) of a sample; NaN for an empty sample.
 * Nearest rank: the smallest value with at least p% of the sample at or below it.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}
