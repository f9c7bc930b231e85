import { PROBABILITY_BINS, performanceFromCounters, type CounterSet, type WindowPerformanceReport } from './aggregates';
import { DISPARITY_METRICS, type DisparityMetric, type SegmentConfig } from './segments';

/**
 * Per-segment performance and disparity metrics (issue #17), computed from a segment value's
 * counters (segments.ts). Every rate uses the decision threshold 0.5 (p ≥ 0.5 ⇒ predicted
 * positive), exact from the counters (probability bins never straddle 0.5).
 *
 * Definitions (group g = one segment value; "between groups" = max over groups − min over groups,
 * as fairlearn's `method='between_groups'`):
 * - selection rate SR_g = predicted positives / predictions (all predictions of the window; a
 *   prediction without probability counts as not positive);
 * - TPR_g = TP/(TP+FN), FPR_g = FP/(FP+TN), PPV_g = TP/(TP+FP) on the labeled predictions;
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
 * eligible groups the metric is null (`insufficient_groups`) and never breaches.
 */

/** Confusion counts and rates of one group. */
export interface GroupRates {
  group: string;
  predictionCount: number;
  predictedPositiveCount: number;
  /** SR: predicted positives / predictions; null without predictions. */
  selectionRate: number | null;
  /** Labeled (0/1 with a probability) predictions and their confusion matrix at 0.5. */
  labeledCount: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  truePositiveRate: number | null;
  falsePositiveRate: number | null;
  positivePredictiveValue: number | null;
}

/** Per-segment-value report of `GET /models/{m}/segments`. */
export interface SegmentValueReport extends GroupRates {
  /** Predictions with any feedback label / predictions (delayed labels); null without predictions. */
  labelCoverage: number | null;
  /** ROC AUC, accuracy, precision/recall/F1, log loss, Brier, calibration (as the overall window). */
  performance: WindowPerformanceReport;
}

/** One disparity metric over the groups of a segment. */
export interface Disparity {
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
  /** Configured alert threshold, or null. */
  threshold: number | null;
  /** value > threshold (differences) or value < threshold (the ratio). */
  breached: boolean;
}

/** Confusion counts at 0.5 from a group's counters. */
export function groupRates(group: string, c: CounterSet): GroupRates {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (const x of c.of('pb')) {
    if (x.n === 0) continue;
    const [y, k] = x.bucket.split(':').map(Number) as [number, number];
    const positive = k >= PROBABILITY_BINS / 2;
    if (y === 1 && positive) tp += x.n;
    else if (y === 1) fn += x.n;
    else if (positive) fp += x.n;
    else tn += x.n;
  }
  const pred = c.n('pred');
  const ppos = c.n('ppos');
  const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
  return {
    group,
    predictionCount: pred,
    predictedPositiveCount: ppos,
    selectionRate: ratio(ppos, pred),
    labeledCount: tp + fp + tn + fn,
    tp, fp, tn, fn,
    truePositiveRate: ratio(tp, tp + fn),
    falsePositiveRate: ratio(fp, fp + tn),
    positivePredictiveValue: ratio(tp, tp + fp),
  };
}

/** The report of one segment value: rates, label coverage and the full performance block. */
export function segmentValueReport(group: string, c: CounterSet): SegmentValueReport {
  const r = groupRates(group, c);
  return { ...r, labelCoverage: r.predictionCount > 0 ? c.n('lbl') / r.predictionCount : null, performance: performanceFromCounters(c).performance };
}

type Rate = 'selectionRate' | 'truePositiveRate' | 'falsePositiveRate' | 'positivePredictiveValue';
const DENOMINATOR: Record<Rate, (g: GroupRates) => number> = {
  selectionRate: (g) => g.predictionCount,
  truePositiveRate: (g) => g.tp + g.fn,
  falsePositiveRate: (g) => g.fp + g.tn,
  positivePredictiveValue: (g) => g.tp + g.fp,
};

function spread(groups: GroupRates[], rate: Rate, minCount: number): { eligible: GroupRates[]; excluded: Array<{ group: string; count: number }>; max: { group: string; rate: number } | null; min: { group: string; rate: number } | null } {
  const eligible = groups.filter((g) => DENOMINATOR[rate](g) >= minCount && g[rate] !== null);
  const excluded = groups.filter((g) => !eligible.includes(g)).map((g) => ({ group: g.group, count: DENOMINATOR[rate](g) }));
  if (eligible.length < 2) return { eligible, excluded, max: null, min: null };
  let max = eligible[0]!;
  let min = eligible[0]!;
  for (const g of eligible) {
    if ((g[rate] as number) > (max[rate] as number)) max = g;
    if ((g[rate] as number) < (min[rate] as number)) min = g;
  }
  return { eligible, excluded, max: { group: max.group, rate: max[rate] as number }, min: { group: min.group, rate: min[rate] as number } };
}

/** One disparity metric of `groups` under the minimum-count rule (definitions in the file header). */
export function disparity(metric: DisparityMetric, groups: GroupRates[], minCount: number, threshold: number | null = null): Disparity {
  const done = (value: number | null, s: ReturnType<typeof spread>): Disparity => ({
    metric,
    value,
    status: value === null && s.eligible.length < 2 ? 'insufficient_groups' : 'ok',
    max: s.max,
    min: s.min,
    eligibleGroups: s.eligible.map((g) => g.group),
    excludedGroups: s.excluded,
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

/** Every disparity metric of one segment's groups, with the config's thresholds. */
export function segmentDisparities(groups: GroupRates[], config: Pick<SegmentConfig, 'minCount' | 'thresholds'>): Disparity[] {
  return DISPARITY_METRICS.map((m) => disparity(m, groups, config.minCount, config.thresholds[m] ?? null));
}

/** The promotion gate's verdict (recorded in the registry's live decision). */
export interface DisparityGateVerdict {
  segment: string;
  metric: DisparityMetric;
  championVersion: number;
  challengerVersion: number;
  championValue: number | null;
  challengerValue: number | null;
  /** challenger − champion (differences) or champion − challenger (the ratio): how much wider the gap got; null when not measurable. */
  widening: number | null;
  maxWidening: number;
  minCount: number;
  passed: boolean;
  reason: string;
}

/** Tolerance of `widening ≤ maxWidening` (floating-point subtraction noise). */
export const WIDENING_EPSILON = 1e-12;

/**
 * The live promotion gate: the challenger may not widen `gate.metric` on `gate.segment` beyond
 * `gate.maxWidening` against the champion, both measured on the rollout's traffic under the
 * minimum-count rule. When either side is not measurable (fewer than two eligible groups) the
 * gate passes and says so (no evidence of a wider gap; the min-count rule keeps tiny groups out).
 */
export function disparityGate(
  gate: NonNullable<SegmentConfig['gate']>,
  minCount: number,
  champion: { version: number; groups: GroupRates[] },
  challenger: { version: number; groups: GroupRates[] },
): DisparityGateVerdict {
  const h = disparity(gate.metric, champion.groups, minCount).value;
  const c = disparity(gate.metric, challenger.groups, minCount).value;
  const base = { segment: gate.segment, metric: gate.metric, championVersion: champion.version, challengerVersion: challenger.version, championValue: h, challengerValue: c, maxWidening: gate.maxWidening, minCount };
  const what = `${gate.metric} on '${gate.segment}'`;
  if (h === null || c === null) {
    return { ...base, widening: null, passed: true, reason: `${what} not measurable (min count ${minCount}): challenger v${challenger.version} ${String(c)}, champion v${champion.version} ${String(h)}` };
  }
  const widening = gate.metric === 'demographic_parity_ratio' ? h - c : c - h;
  const passed = widening <= gate.maxWidening + WIDENING_EPSILON;
  const reason = `${what}: challenger v${challenger.version} ${c} vs champion v${champion.version} ${h}, widening ${widening} ${passed ? '<=' : '>'} margin ${gate.maxWidening} (min count ${minCount})`;
  return { ...base, widening, passed, reason };
}
