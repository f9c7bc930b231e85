import type { DisparityMetric } from './fairness';

/**
 * The disparity gate of a promotion (issue #17), one implementation for the live rollout decision
 * (monitoring computes it on the rollout's traffic, the registry re-checks it) and the offline
 * decision (the registry computes it on the versions' recorded per-group evaluation).
 *
 * - widening = challenger − champion for the `_difference` metrics (larger = wider gap), champion
 *   − challenger for `demographic_parity_ratio` (smaller = wider gap);
 * - `maxWidening`: refused iff widening > maxWidening + 1e-12;
 * - `maxValue` (differences) / `minValue` (the ratio): refused iff the challenger's own value is
 *   beyond it (± 1e-12);
 * - `significantOnly`: a widened / exceeded verdict counts only when the challenger's disparity is
 *   significant (the 95% Wilson intervals of its max and min groups do not overlap, fairness.ts);
 *   otherwise the gate passes with status `not_significant` (an opt-in: a small evaluation set then
 *   cannot refuse on noise);
 * - insufficient data: a value that the rule needs is null (fewer than two groups passing the
 *   minimum-count rule, see fairness.ts) ⇒ refused with status `insufficient_data` — a gate never
 *   passes without its evidence. The challenger's value is always needed; the champion's only with
 *   `maxWidening`.
 */

/** Tolerance of the comparisons (floating-point subtraction noise). */
export const WIDENING_EPSILON = 1e-12;

/** What a gate requires; at least one of the bounds is set. */
export interface DisparityGateRule {
  /** Segment (column) whose groups are compared. */
  segment: string;
  metric: DisparityMetric;
  /** How much wider the challenger's gap may be than the champion's, in the metric's units. */
  maxWidening?: number | null;
  /** `_difference` metrics: the highest value the challenger may have. */
  maxValue?: number | null;
  /** `demographic_parity_ratio`: the lowest value the challenger may have (e.g. 0.8, the four-fifths rule). */
  minValue?: number | null;
  /** Count a widened / exceeded gap only when the challenger's disparity is significant (default false). */
  significantOnly?: boolean;
}

/** `passed`; `widened` (beyond maxWidening); `limit_exceeded` (beyond maxValue/minValue); `not_significant` (one of those, not significant, under `significantOnly`: passes); `insufficient_data`. */
export type DisparityGateStatus = 'passed' | 'widened' | 'limit_exceeded' | 'not_significant' | 'insufficient_data';

/** The numbers and verdict of one gate (recorded in the promotion decision's evidence; a type alias, so it fits the API contract's open `DisparityGateVerdictSchema`). */
export type DisparityGateVerdict = {
  segment: string;
  metric: DisparityMetric;
  championVersion: number;
  challengerVersion: number;
  championValue: number | null;
  challengerValue: number | null;
  /** How much wider the challenger's gap is (see the file header); null when a value is missing. */
  widening: number | null;
  maxWidening: number | null;
  maxValue: number | null;
  minValue: number | null;
  minCount: number;
  passed: boolean;
  status: DisparityGateStatus;
  /** Present with a `significantOnly` rule: the rule and whether the challenger's disparity was significant. */
  significantOnly?: true;
  challengerSignificant?: boolean | null;
  reason: string;
};

/** challenger − champion (differences) or champion − challenger (the ratio). */
export function wideningOf(metric: DisparityMetric, championValue: number, challengerValue: number): number {
  return metric === 'demographic_parity_ratio' ? championValue - challengerValue : challengerValue - championValue;
}

/**
 * Checks a gate on the two sides' values of `rule.metric` (null = not measurable).
 * @returns status, widening (null when a value is missing) and the failed condition in words (empty when passed)
 */
export function checkDisparityGate(
  rule: DisparityGateRule,
  minCount: number,
  championValue: number | null,
  challengerValue: number | null,
  challengerSignificant: boolean | null = null,
): { status: DisparityGateStatus; widening: number | null; detail: string } {
  const failed = checkBounds(rule, minCount, championValue, challengerValue);
  if (rule.significantOnly && challengerSignificant === false && (failed.status === 'widened' || failed.status === 'limit_exceeded')) {
    return { status: 'not_significant', widening: failed.widening, detail: `${failed.detail}, but not significant (the challenger's extreme groups' 95% Wilson intervals overlap)` };
  }
  return failed;
}

function checkBounds(rule: DisparityGateRule, minCount: number, championValue: number | null, challengerValue: number | null): { status: DisparityGateStatus; widening: number | null; detail: string } {
  const widening = championValue !== null && challengerValue !== null ? wideningOf(rule.metric, championValue, challengerValue) : null;
  const needChampion = rule.maxWidening !== undefined && rule.maxWidening !== null;
  if (challengerValue === null || (needChampion && championValue === null)) {
    const side = challengerValue === null && needChampion && championValue === null ? 'challenger and the champion have' : challengerValue === null ? 'challenger has' : 'champion has';
    return { status: 'insufficient_data', widening, detail: `insufficient data: the ${side} fewer than two groups with at least ${minCount} observations` };
  }
  if (rule.maxValue !== undefined && rule.maxValue !== null && challengerValue > rule.maxValue + WIDENING_EPSILON) {
    return { status: 'limit_exceeded', widening, detail: `challenger value ${challengerValue} > max value ${rule.maxValue}` };
  }
  if (rule.minValue !== undefined && rule.minValue !== null && challengerValue < rule.minValue - WIDENING_EPSILON) {
    return { status: 'limit_exceeded', widening, detail: `challenger value ${challengerValue} < min value ${rule.minValue}` };
  }
  if (needChampion && widening! > rule.maxWidening! + WIDENING_EPSILON) {
    return { status: 'widened', widening, detail: `widening ${widening} > margin ${rule.maxWidening}` };
  }
  return { status: 'passed', widening, detail: '' };
}

/**
 * The gate's verdict with its numbers and reason: `<metric> on '<segment>': challenger v<c> <value>
 * vs champion v<h> <value>, <what held or failed> (min count <n>)`.
 */
export function disparityGateVerdict(
  rule: DisparityGateRule,
  minCount: number,
  champion: { version: number; value: number | null },
  challenger: { version: number; value: number | null; significant?: boolean | null },
): DisparityGateVerdict {
  const { status, widening, detail } = checkDisparityGate(rule, minCount, champion.value, challenger.value, challenger.significant ?? null);
  const bounds: string[] = [];
  if (rule.maxWidening != null) bounds.push(widening === null ? `margin ${rule.maxWidening}` : `widening ${widening} <= margin ${rule.maxWidening}`);
  if (rule.maxValue != null) bounds.push(`<= max value ${rule.maxValue}`);
  if (rule.minValue != null) bounds.push(`>= min value ${rule.minValue}`);
  const held = status === 'passed' ? bounds.join(', ') : detail;
  const passed = status === 'passed' || status === 'not_significant';
  return {
    segment: rule.segment,
    metric: rule.metric,
    championVersion: champion.version,
    challengerVersion: challenger.version,
    championValue: champion.value,
    challengerValue: challenger.value,
    widening,
    maxWidening: rule.maxWidening ?? null,
    maxValue: rule.maxValue ?? null,
    minValue: rule.minValue ?? null,
    minCount,
    passed,
    status,
    ...(rule.significantOnly ? { significantOnly: true, challengerSignificant: challenger.significant ?? null } : {}),
    reason: `${rule.metric} on '${rule.segment}': challenger v${challenger.version} ${String(challenger.value)} vs champion v${champion.version} ${String(champion.value)}, ${held} (min count ${minCount})`,
  };
}
