import { InvalidArgumentError } from '@strata/shared/util-errors';
import { checkBinaryInputs } from './validate';

/**
 * Counts of a thresholded binary classifier. A row is predicted positive iff
 * `score >= threshold` (so a score exactly at the threshold counts as positive).
 */
export interface ConfusionCounts {
  /** Label 1, predicted 1. */
  tp: number;
  /** Label 0, predicted 1. */
  fp: number;
  /** Label 0, predicted 0. */
  tn: number;
  /** Label 1, predicted 0. */
  fn: number;
}

/** One equal-width calibration bin (see {@link calibrationByDecile}). */
export interface CalibrationBin {
  /** 0-based bin index. */
  bin: number;
  /** Inclusive lower edge, `bin / bins`. */
  lower: number;
  /** Upper edge, `(bin + 1) / bins`; exclusive except for the last bin, which includes 1. */
  upper: number;
  /** Rows whose probability falls in the bin. */
  count: number;
  /** Mean predicted probability of those rows; `null` when `count` is 0. */
  meanPredicted: number | null;
  /** Share of those rows with label 1; `null` when `count` is 0. */
  observedRate: number | null;
}

/** Everything {@link evaluateBinaryClassifier} computes. JSON-serializable (no NaN/Infinity). */
export interface BinaryClassificationReport {
  /** Number of rows. */
  count: number;
  /** Rows with label 1. */
  positives: number;
  /** positives / count. */
  positiveRate: number;
  /** Decision threshold used for the thresholded metrics (`score >= threshold` is positive). */
  threshold: number;
  /** ROC AUC, or `null` when only one class is present (undefined). */
  rocAuc: number | null;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  logLoss: number;
  brierScore: number;
  /** Expected calibration error over the equal-width bins. */
  expectedCalibrationError: number;
  confusion: ConfusionCounts;
  calibration: CalibrationBin[];
}

/**
 * Area under the ROC curve via the Mann–Whitney U statistic:
 *
 *   AUC = (R₊ − n₊(n₊+1)/2) / (n₊ · n₋)
 *
 * where R₊ is the sum of the (1-based) ranks of the positive rows when all scores are sorted
 * ascending, tied scores receiving the average of the ranks they span. This equals the
 * probability that a random positive scores higher than a random negative, counting ties as
 * ½ (Hanley & McNeil 1982), and equals sklearn's `roc_auc_score`. O(n log n).
 *
 * @param labels 0/1 labels, length n ≥ 1.
 * @param scores finite scores (any scale; only their order matters), length n.
 * @returns AUC in [0, 1], or `null` when all labels are equal (AUC is undefined with one class).
 * @throws InvalidArgumentError Thrown when inputs are empty, lengths differ, a label is not 0/1
 *   or a score is not finite.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  checkBinaryInputs('rocAuc', labels, scores, 'scores', false);
  const n = labels.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += labels[i] as number;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const s = Float64Array.from({ length: n }, (_, i) => scores[i] as number);
  order.sort((a, b) => (s[a] as number) - (s[b] as number));
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    const v = s[order[i] as number] as number;
    while (j + 1 < n && s[order[j + 1] as number] === v) j++;
    // rows i..j (0-based) tie: ranks i+1..j+1, average (i + j + 2) / 2
    const avgRank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) if (labels[order[k] as number] === 1) rankSumPos += avgRank;
    i = j + 1;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Confusion counts at a threshold: row i is predicted positive iff `scores[i] >= threshold`.
 *
 * @throws InvalidArgumentError Thrown when inputs are empty, lengths differ, a label is not 0/1
 *   or a score is not finite.
 */
export function confusionCounts(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold = 0.5,
): ConfusionCounts {
  checkBinaryInputs('confusionCounts', labels, scores, 'scores', false);
  checkThreshold('confusionCounts', threshold);
  const c: ConfusionCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const pred = (scores[i] as number) >= threshold;
    if (labels[i] === 1) {
      if (pred) c.tp++;
      else c.fn++;
    } else if (pred) c.fp++;
    else c.tn++;
  }
  return c;
}

/**
 * Accuracy = (TP + TN) / n, with predicted positive iff `score >= threshold`.
 *
 * @returns a share in [0, 1].
 * @throws InvalidArgumentError Thrown when inputs are empty, lengths differ, a label is not 0/1,
 *   a score or the threshold is not finite.
 */
export function accuracy(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): number {
  const c = confusionCounts(labels, scores, threshold);
  return (c.tp + c.tn) / labels.length;
}

/**
 * Precision = TP / (TP + FP), predicted positive iff `score >= threshold`.
 * When nothing is predicted positive (TP + FP = 0) returns 0 (sklearn's `zero_division=0`).
 *
 * @throws InvalidArgumentError as {@link accuracy}.
 */
export function precision(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): number {
  const c = confusionCounts(labels, scores, threshold);
  return c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp);
}

/**
 * Recall (true positive rate) = TP / (TP + FN), predicted positive iff `score >= threshold`.
 * When there is no positive label (TP + FN = 0) returns 0 (sklearn's `zero_division=0`).
 *
 * @throws InvalidArgumentError as {@link accuracy}.
 */
export function recall(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): number {
  const c = confusionCounts(labels, scores, threshold);
  return c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn);
}

/**
 * F1 = 2·TP / (2·TP + FP + FN) (the harmonic mean of precision and recall), predicted positive
 * iff `score >= threshold`. Returns 0 when 2·TP + FP + FN = 0 (no positive label and no
 * positive prediction), as sklearn's `zero_division=0`.
 *
 * @throws InvalidArgumentError as {@link accuracy}.
 */
export function f1(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): number {
  const c = confusionCounts(labels, scores, threshold);
  const d = 2 * c.tp + c.fp + c.fn;
  return d === 0 ? 0 : (2 * c.tp) / d;
}

/**
 * Mean binary cross-entropy (natural log):
 *
 *   logLoss = −(1/n) Σ [ yᵢ·ln(pᵢ) + (1 − yᵢ)·ln(1 − pᵢ) ],  pᵢ clipped to [eps, 1 − eps]
 *
 * The clip (sklearn's historical default eps = 1e-15) keeps the result finite for p = 0 or 1.
 *
 * @param probs predicted probabilities of class 1, each in [0, 1].
 * @param eps clip, in (0, 0.5).
 * @returns a finite value ≥ 0 (nats).
 * @throws InvalidArgumentError Thrown when inputs are empty, lengths differ, a label is not 0/1,
 *   a probability is outside [0, 1] or not finite, or eps is outside (0, 0.5).
 */
export function logLoss(labels: ArrayLike<number>, probs: ArrayLike<number>, eps = 1e-15): number {
  checkBinaryInputs('logLoss', labels, probs, 'probabilities', true);
  if (!(eps > 0 && eps < 0.5)) throw new InvalidArgumentError(`logLoss: eps must be in (0, 0.5), got ${eps}`);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(probs[i] as number, eps), 1 - eps);
    sum += labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return -sum / labels.length;
}

/**
 * Brier score = (1/n) Σ (pᵢ − yᵢ)² (Brier 1950). 0 is perfect, 0.25 is a constant 0.5 guess.
 *
 * @throws InvalidArgumentError Thrown when inputs are empty, lengths differ, a label is not 0/1,
 *   or a probability is outside [0, 1] or not finite.
 */
export function brierScore(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  checkBinaryInputs('brierScore', labels, probs, 'probabilities', true);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const d = (probs[i] as number) - (labels[i] as number);
    sum += d * d;
  }
  return sum / labels.length;
}

/**
 * Reliability table over `bins` **equal-width** bins of [0, 1] (not quantile bins, so bins are
 * comparable across models and windows). Row i goes to bin `min(floor(pᵢ · bins), bins − 1)`:
 * bin b covers [b/bins, (b+1)/bins), the last bin also includes 1. Every bin is returned, empty
 * ones with `count: 0` and `meanPredicted`/`observedRate` `null`.
 *
 * @param bins number of bins, an integer ≥ 1 (default 10: deciles of the probability scale).
 * @throws InvalidArgumentError Thrown when inputs are empty, lengths differ, a label is not 0/1,
 *   a probability is outside [0, 1] or not finite, or `bins` is not a positive integer.
 */
export function calibrationByDecile(labels: ArrayLike<number>, probs: ArrayLike<number>, bins = 10): CalibrationBin[] {
  checkBinaryInputs('calibrationByDecile', labels, probs, 'probabilities', true);
  if (!Number.isInteger(bins) || bins < 1) {
    throw new InvalidArgumentError(`calibrationByDecile: bins must be a positive integer, got ${bins}`);
  }
  const count = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  for (let i = 0; i < labels.length; i++) {
    const p = probs[i] as number;
    const b = Math.min(Math.floor(p * bins), bins - 1);
    count[b]! += 1;
    sumP[b]! += p;
    sumY[b]! += labels[i] as number;
  }
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const c = count[b] as number;
    out.push({
      bin: b,
      lower: b / bins,
      upper: (b + 1) / bins,
      count: c,
      meanPredicted: c === 0 ? null : (sumP[b] as number) / c,
      observedRate: c === 0 ? null : (sumY[b] as number) / c,
    });
  }
  return out;
}

/**
 * Expected calibration error over a reliability table:
 * ECE = Σ_b (count_b / n) · |meanPredicted_b − observedRate_b| (Naeini et al. 2015); empty bins
 * contribute 0.
 *
 * @throws InvalidArgumentError Thrown when the table holds no rows.
 */
export function expectedCalibrationError(table: ReadonlyArray<CalibrationBin>): number {
  let n = 0;
  let sum = 0;
  for (const b of table) {
    n += b.count;
    if (b.count > 0) sum += b.count * Math.abs((b.meanPredicted as number) - (b.observedRate as number));
  }
  if (n === 0) throw new InvalidArgumentError('expectedCalibrationError: the table holds no rows');
  return sum / n;
}

/** Options of {@link evaluateBinaryClassifier}. */
export interface EvaluateBinaryOptions {
  /** Decision threshold, `p >= threshold` is positive. Default 0.5. */
  threshold?: number;
  /** Calibration bins (equal-width). Default 10. */
  bins?: number;
  /** Log-loss clip. Default 1e-15. */
  eps?: number;
}

/**
 * Every binary metric of this module on one set of predictions, as a JSON-serializable report
 * (the `metrics.json` of a training run). Definitions and edge cases are those of the
 * individual functions; `rocAuc` is `null` with a single class.
 *
 * @param labels 0/1 labels, length n ≥ 1.
 * @param probs probabilities of class 1 in [0, 1], length n.
 * @throws InvalidArgumentError Thrown when inputs are empty, lengths differ, a label is not 0/1, a
 *   probability is outside [0, 1] or not finite, or an option is out of range.
 */
export function evaluateBinaryClassifier(
  labels: ArrayLike<number>,
  probs: ArrayLike<number>,
  options: EvaluateBinaryOptions = {},
): BinaryClassificationReport {
  const threshold = options.threshold ?? 0.5;
  checkBinaryInputs('evaluateBinaryClassifier', labels, probs, 'probabilities', true);
  const confusion = confusionCounts(labels, probs, threshold);
  const n = labels.length;
  const positives = confusion.tp + confusion.fn;
  const calibration = calibrationByDecile(labels, probs, options.bins ?? 10);
  const d = 2 * confusion.tp + confusion.fp + confusion.fn;
  return {
    count: n,
    positives,
    positiveRate: positives / n,
    threshold,
    rocAuc: rocAuc(labels, probs),
    accuracy: (confusion.tp + confusion.tn) / n,
    precision: confusion.tp + confusion.fp === 0 ? 0 : confusion.tp / (confusion.tp + confusion.fp),
    recall: positives === 0 ? 0 : confusion.tp / positives,
    f1: d === 0 ? 0 : (2 * confusion.tp) / d,
    logLoss: logLoss(labels, probs, options.eps ?? 1e-15),
    brierScore: brierScore(labels, probs),
    expectedCalibrationError: expectedCalibrationError(calibration),
    confusion,
    calibration,
  };
}

function checkThreshold(fn: string, threshold: number): void {
  if (!Number.isFinite(threshold)) throw new InvalidArgumentError(`${fn}: threshold must be finite, got ${threshold}`);
}
