/**
 * Group fairness of a binary classifier (issue #17), shared by monitoring (rates from window
 * counters, the live rollout gate), training (per-group evaluation of the held-out slice) and the
 * registry (the offline promotion gate and its own check of the live gate). Pure functions.
 *
 * Every rate uses the decision threshold 0.5 (p ≥ 0.5 ⇒ predicted positive).
 * Definitions (group g = one segment value; "between groups" = max over groups − min over groups,
 * as fairlearn's `method='between_groups'`, fairlearn/metrics/_fairness_metrics.py and
 * `MetricFrame.difference()` / `.ratio()` in fairlearn/metrics/_metric_frame.py):
 * - selection rate SR_g = predicted positives / predictions (fairlearn `selection_rate`; a
 *   prediction without probability counts as not positive);
 * - TPR_g = TP/(TP+FN), FPR_g = FP/(FP+TN), PPV_g = TP/(TP+FP) on the labeled predictions
 *   (fairlearn `true_positive_rate`, `false_positive_rate`; scikit-learn `precision_score`);
 * - **demographic parity difference** = max SR − min SR (Calders & Verwer, "Three naive Bayes
 *   approaches for discrimination-free classification", DMKD 2010; fairlearn
 *   `demographic_parity_difference`);
 * - **demographic parity ratio** = min SR / max SR, the **disparate impact** ratio of the
 *   four-fifths rule (US EEOC Uniform Guidelines, 29 CFR 1607.4(D); Feldman et al., "Certifying and
 *   removing disparate impact", KDD 2015; fairlearn `demographic_parity_ratio`); null when max SR = 0;
 * - **equal opportunity difference** = max TPR − min TPR (Hardt, Price & Srebro, "Equality of
 *   Opportunity in Supervised Learning", NeurIPS 2016; fairlearn `equal_opportunity_difference`);
 * - **equalized odds difference** = max(max TPR − min TPR, max FPR − min FPR) (Hardt et al. 2016;
 *   fairlearn `equalized_odds_difference`, agg `worst_case`);
 * - **predictive parity difference** = max PPV − min PPV (Chouldechova, "Fair prediction with
 *   disparate impact", Big Data 2017: predictive parity = equal PPV; fairlearn
 *   `MetricFrame(precision_score).difference()`).
 *
 * Minimum-count rule (no false alarm from a tiny group): a group enters a metric only when the
 * metric's denominator holds at least `minCount` observations — predictions (SR), labeled
 * positives (TPR), labeled negatives (FPR), labeled predicted positives (PPV); equalized odds
 * needs both TPR and FPR. The excluded groups are listed with their count. With fewer than two
 * eligible groups the metric is null (`insufficient_groups`).
 *
 * Confidence: each extreme group's rate carries its 95% **Wilson score interval** (Wilson, "Probable
 * inference, the law of succession, and statistical inference", JASA 22(158):209–212, 1927;
 * recommended over the Wald interval by Brown, Cai & DasGupta, "Interval Estimation for a Binomial
 * Proportion", Statistical Science 16(2), 2001; statsmodels `proportion_confint(method='wilson')`).
 * A disparity is `significant` when the intervals of its max and min groups do not overlap
 * (max.low > min.high) — a conservative test of the two groups' rates differing.
 */
import { DISPARITY_METRICS } from '@strata/contracts/api';

/** z of a two-sided 95% interval (Φ⁻¹(0.975)). */
export const Z_95 = 1.959963984540054;

/** A confidence interval of a rate, both ends in [0, 1]. */
export interface RateInterval {
  low: number;
  high: number;
}

/**
 * Wilson score interval of the proportion `successes / n` (citation in the file header):
 * centre (p̂ + z²/2n) / (1 + z²/n), half-width z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²).
 * @returns null when n = 0. @throws RangeError unless 0 ≤ successes ≤ n (integers not required)
 */
export function wilsonInterval(successes: number, n: number, z: number = Z_95): RateInterval | null {
  if (!(successes >= 0 && successes <= n)) throw new RangeError(`wilsonInterval: successes ${successes} outside [0, ${n}]`);
  if (n === 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The disparity metrics a threshold or a promotion gate can name (definitions in the file header):
 * declared once, in the HTTP API contracts (the fairness and segment config responses name them).
 */
export { DISPARITY_METRICS };
/** One of {@link DISPARITY_METRICS}. */
export type DisparityMetric = (typeof DISPARITY_METRICS)[number];

/** Decision threshold of a predicted positive. */
export const FAIRNESS_THRESHOLD = 0.5;

// GroupCounts, GroupRates and Disparity are type aliases (not interfaces) so that they are assignable
// to the HTTP API contracts' open objects (`FairnessGroupSchema`, `DisparitySchema`), which document them on the wire.

/** Counts of one group: predictions, predicted positives and the confusion matrix of the labeled ones (at 0.5). */
export type GroupCounts = {
  group: string;
  predictionCount: number;
  predictedPositiveCount: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
};

/** Confusion counts and rates of one group. */
export type GroupRates = GroupCounts & {
  /** SR: predicted positives / predictions; null without predictions. */
  selectionRate: number | null;
  /** Labeled (0/1 with a probability) predictions: tp + fp + tn + fn. */
  labeledCount: number;
  truePositiveRate: number | null;
  falsePositiveRate: number | null;
  positivePredictiveValue: number | null;
};

/** One disparity metric over the groups of a segment. */
export type Disparity = {
  metric: DisparityMetric;
  /** The metric's value over the eligible groups; null when fewer than two are eligible (or the ratio's max SR is 0). */
  value: number | null;
  status: 'ok' | 'insufficient_groups';
  /** Group with the largest / smallest rate (for equalized odds: of the rate that gave the value). */
  max: { group: string; rate: number } | null;
  min: { group: string; rate: number } | null;
  eligibleGroups: string[];
  /** Groups left out by the minimum-count rule, with their denominator count. */
  excludedGroups: Array<{ group: string; count: number }>;
  /** 95% Wilson intervals of the max / min group's rate; null with the value. */
  maxInterval: RateInterval | null;
  minInterval: RateInterval | null;
  /** The max and min groups' intervals do not overlap; null when the value is null. */
  significant: boolean | null;
  /** Configured alert threshold, or null. */
  threshold: number | null;
  /** value > threshold (differences) or value < threshold (the ratio). */
  breached: boolean;
};

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

/** The rates of one group's counts. */
export function groupRatesOf(c: GroupCounts): GroupRates {
  return {
    ...c,
    selectionRate: ratio(c.predictedPositiveCount, c.predictionCount),
    labeledCount: c.tp + c.fp + c.tn + c.fn,
    truePositiveRate: ratio(c.tp, c.tp + c.fn),
    falsePositiveRate: ratio(c.fp, c.fp + c.tn),
    positivePredictiveValue: ratio(c.tp, c.tp + c.fp),
  };
}

/**
 * Per-group counts of scored, labeled rows (an evaluation set): row i belongs to `groups[i]`, is
 * predicted positive iff `scores[i] ≥ 0.5`, and its label is `labels[i]` (0/1). Groups in order of
 * first appearance. @throws RangeError when the three arrays differ in length
 */
export function groupCountsOf(labels: ArrayLike<number>, scores: ArrayLike<number>, groups: ArrayLike<string>): GroupCounts[] {
  if (labels.length !== scores.length || labels.length !== groups.length) throw new RangeError(`groupCountsOf: ${labels.length} labels, ${scores.length} scores, ${groups.length} groups`);
  const by = new Map<string, GroupCounts>();
  for (let i = 0; i < labels.length; i++) {
    const g = groups[i]!;
    let c = by.get(g);
    if (!c) by.set(g, (c = { group: g, predictionCount: 0, predictedPositiveCount: 0, tp: 0, fp: 0, tn: 0, fn: 0 }));
    const positive = scores[i]! >= FAIRNESS_THRESHOLD;
    c.predictionCount++;
    if (positive) c.predictedPositiveCount++;
    if (labels[i] === 1 && positive) c.tp++;
    else if (labels[i] === 1) c.fn++;
    else if (positive) c.fp++;
    else c.tn++;
  }
  return [...by.values()];
}

type Rate = 'selectionRate' | 'truePositiveRate' | 'falsePositiveRate' | 'positivePredictiveValue';
const NUMERATOR: Record<Rate, (g: GroupRates) => number> = {
  selectionRate: (g) => g.predictedPositiveCount,
  truePositiveRate: (g) => g.tp,
  falsePositiveRate: (g) => g.fp,
  positivePredictiveValue: (g) => g.tp,
};
const DENOMINATOR: Record<Rate, (g: GroupRates) => number> = {
  selectionRate: (g) => g.predictionCount,
  truePositiveRate: (g) => g.tp + g.fn,
  falsePositiveRate: (g) => g.fp + g.tn,
  positivePredictiveValue: (g) => g.tp + g.fp,
};

type Spread = {
  eligible: GroupRates[];
  excluded: Array<{ group: string; count: number }>;
  max: { group: string; rate: number } | null;
  min: { group: string; rate: number } | null;
  maxInterval: RateInterval | null;
  minInterval: RateInterval | null;
};

function spread(groups: GroupRates[], rate: Rate, minCount: number): Spread {
  const eligible = groups.filter((g) => DENOMINATOR[rate](g) >= minCount && g[rate] !== null);
  const excluded = groups.filter((g) => !eligible.includes(g)).map((g) => ({ group: g.group, count: DENOMINATOR[rate](g) }));
  if (eligible.length < 2) return { eligible, excluded, max: null, min: null, maxInterval: null, minInterval: null };
  let max = eligible[0]!;
  let min = eligible[0]!;
  for (const g of eligible) {
    if ((g[rate] as number) > (max[rate] as number)) max = g;
    if ((g[rate] as number) < (min[rate] as number)) min = g;
  }
  const interval = (g: GroupRates) => wilsonInterval(NUMERATOR[rate](g), DENOMINATOR[rate](g));
  return { eligible, excluded, max: { group: max.group, rate: max[rate] as number }, min: { group: min.group, rate: min[rate] as number }, maxInterval: interval(max), minInterval: interval(min) };
}

/** One disparity metric of `groups` under the minimum-count rule (definitions in the file header). */
export function disparity(metric: DisparityMetric, groups: GroupRates[], minCount: number, threshold: number | null = null): Disparity {
  const done = (value: number | null, s: Spread): Disparity => ({
    metric,
    value,
    status: value === null && s.eligible.length < 2 ? 'insufficient_groups' : 'ok',
    max: s.max,
    min: s.min,
    eligibleGroups: s.eligible.map((g) => g.group),
    excludedGroups: s.excluded,
    maxInterval: value === null ? null : s.maxInterval,
    minInterval: value === null ? null : s.minInterval,
    significant: value === null || !s.maxInterval || !s.minInterval ? null : s.maxInterval.low > s.minInterval.high,
    threshold,
    breached: value !== null && threshold !== null && (metric === 'demographic_parity_ratio' ? value < threshold : value > threshold),
  });
  if (metric === 'demographic_parity_difference' || metric === 'demographic_parity_ratio') {
    const s = spread(groups, 'selectionRate', minCount);
    if (!s.max || !s.min) return done(null, s);
    if (metric === 'demographic_parity_difference') return done(s.max.rate - s.min.rate, s);
    return done(s.max.rate > 0 ? s.min.rate / s.max.rate : null, s);
  }
  if (metric === 'equal_opportunity_difference') {
    const s = spread(groups, 'truePositiveRate', minCount);
    return done(s.max && s.min ? s.max.rate - s.min.rate : null, s);
  }
  if (metric === 'predictive_parity_difference') {
    const s = spread(groups, 'positivePredictiveValue', minCount);
    return done(s.max && s.min ? s.max.rate - s.min.rate : null, s);
  }
  // equalized odds: groups eligible for both TPR and FPR
  const both = groups.filter((g) => g.tp + g.fn >= minCount && g.fp + g.tn >= minCount);
  const t = spread(both, 'truePositiveRate', minCount);
  const f = spread(both, 'falsePositiveRate', minCount);
  const excluded = groups.filter((g) => !both.includes(g)).map((g) => ({ group: g.group, count: Math.min(g.tp + g.fn, g.fp + g.tn) }));
  if (!t.max || !t.min || !f.max || !f.min) return done(null, { ...t, excluded });
  const dt = t.max.rate - t.min.rate;
  const df = f.max.rate - f.min.rate;
  return done(Math.max(dt, df), dt >= df ? { ...t, excluded } : { ...f, excluded });
}
