import { z } from 'zod';
import type { PromotionVerdict } from './promotion';

/** Tolerance of `widening ≤ maxWidening` (floating-point subtraction noise). */
export const WIDENING_EPSILON = 1e-12;

/**
 * The disparity gate's evidence of a live rollout decision (issue #17), sent by monitoring with
 * the live evidence when the model's segment config has a `gate`: one disparity metric
 * (monitoring's fairness.ts: demographic parity difference / ratio, equal opportunity, equalized
 * odds, predictive parity) between the values of one segment, measured on each version's rollout
 * traffic under the minimum-count rule. Values null = not measurable (fewer than two groups with
 * enough observations).
 */
export const DisparityEvidenceSchema = z.object({
  segment: z.string().min(1).max(64),
  metric: z.enum(['demographic_parity_difference', 'demographic_parity_ratio', 'equal_opportunity_difference', 'equalized_odds_difference', 'predictive_parity_difference']),
  championVersion: z.number().int().min(1),
  challengerVersion: z.number().int().min(1),
  championValue: z.number().finite().nullable(),
  challengerValue: z.number().finite().nullable(),
  widening: z.number().finite().nullable(),
  /** The configured margin: how much wider the challenger's gap may be (in the metric's units). */
  maxWidening: z.number().min(0).max(1),
  minCount: z.number().int().min(1),
  passed: z.boolean(),
  reason: z.string().max(2000),
});
/** Parsed {@link DisparityEvidenceSchema}. */
export type DisparityEvidence = z.infer<typeof DisparityEvidenceSchema>;

/**
 * The registry's own check of the gate (it does not take `passed` on trust): widening =
 * challenger − champion (differences; larger = wider gap) or champion − challenger (the ratio;
 * smaller = wider gap); refused iff both values are known and widening > maxWidening + 1e-12.
 */
export function disparityGatePasses(d: DisparityEvidence): { passed: boolean; widening: number | null } {
  if (d.championValue === null || d.challengerValue === null) return { passed: true, widening: null };
  const widening = d.metric === 'demographic_parity_ratio' ? d.championValue - d.challengerValue : d.challengerValue - d.championValue;
  return { passed: widening <= d.maxWidening + WIDENING_EPSILON, widening };
}

/**
 * Applies the disparity gate to a live verdict: a challenger whose gate fails is rejected (even
 * when the metric would promote it), the reason carrying the numbers; a passing gate adds its
 * numbers to the reason. Without evidence the verdict is unchanged.
 */
export function applyDisparityGate(verdict: PromotionVerdict, disparity: DisparityEvidence | null | undefined): PromotionVerdict {
  if (!disparity) return verdict;
  const { passed, widening } = disparityGatePasses(disparity);
  const what = `${disparity.metric} on '${disparity.segment}' ${String(disparity.challengerValue)} (v${disparity.challengerVersion}) vs ${String(disparity.championValue)} (v${disparity.championVersion})`;
  if (passed) {
    const note = widening === null ? `disparity gate: ${what} not measurable (min count ${disparity.minCount})` : `disparity gate passed: ${what}, widening ${widening} <= margin ${disparity.maxWidening}`;
    return { ...verdict, reason: `${verdict.reason}; ${note}` };
  }
  return { ...verdict, outcome: 'rejected', reason: `${verdict.reason}; refused by the disparity gate: ${what}, widening ${String(widening)} > margin ${disparity.maxWidening} (min count ${disparity.minCount})` };
}

/** The decision-evidence part of the gate (spread into the recorded live evidence). */
export function disparityDecisionEvidence(disparity: DisparityEvidence | null | undefined): { disparity?: DisparityEvidence } {
  return disparity ? { disparity } : {};
}
