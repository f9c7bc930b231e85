import { z } from 'zod';
import { checkDisparityGate, DISPARITY_METRICS } from '@strata/shared/util-model-evaluation';
import type { PromotionVerdict } from './promotion';

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
  metric: z.enum(DISPARITY_METRICS),
  championVersion: z.number().int().min(1),
  challengerVersion: z.number().int().min(1),
  championValue: z.number().finite().nullable(),
  challengerValue: z.number().finite().nullable(),
  widening: z.number().finite().nullable(),
  /** The configured margin: how much wider the challenger's gap may be (in the metric's units). */
  maxWidening: z.number().min(0).max(1),
  minCount: z.number().int().min(1),
  passed: z.boolean(),
  /** Bounds of the shared gate a live config does not set (monitoring sends null). */
  maxValue: z.number().min(0).max(1).nullable().optional(),
  minValue: z.number().min(0).max(1).nullable().optional(),
  /** Monitoring's status of the gate (`passed`, `widened`, `insufficient_data`, …); informative, the registry re-checks. */
  status: z.string().max(64).optional(),
  reason: z.string().max(2000),
});
/** Parsed {@link DisparityEvidenceSchema}. */
export type DisparityEvidence = z.infer<typeof DisparityEvidenceSchema>;

/**
 * The registry's own check of the gate (it does not take `passed` on trust), by the shared gate
 * (`checkDisparityGate` of `@strata/shared/util-model-evaluation`): widening = challenger −
 * champion (differences) or champion − challenger (the ratio); refused iff widening > maxWidening
 * + 1e-12, or when either value is null (insufficient data: fewer than two groups passing the
 * minimum-count rule on that side — a gate never passes without its evidence).
 */
export function disparityGatePasses(d: DisparityEvidence): { passed: boolean; widening: number | null; insufficient: boolean } {
  const { status, widening } = checkDisparityGate(d, d.minCount, d.championValue, d.challengerValue);
  return { passed: status === 'passed', widening, insufficient: status === 'insufficient_data' };
}

/**
 * Applies the disparity gate to a live verdict: a challenger whose gate fails (or cannot be
 * measured) is rejected, even when the metric would promote it, the reason carrying the numbers;
 * a passing gate adds its numbers to the reason. Without evidence the verdict is unchanged.
 */
export function applyDisparityGate(verdict: PromotionVerdict, disparity: DisparityEvidence | null | undefined): PromotionVerdict {
  if (!disparity) return verdict;
  const { passed, widening, insufficient } = disparityGatePasses(disparity);
  const what = `${disparity.metric} on '${disparity.segment}' ${String(disparity.challengerValue)} (v${disparity.challengerVersion}) vs ${String(disparity.championValue)} (v${disparity.championVersion})`;
  if (passed) return { ...verdict, reason: `${verdict.reason}; disparity gate passed: ${what}, widening ${widening} <= margin ${disparity.maxWidening}` };
  const why = insufficient
    ? `not measurable: insufficient data (fewer than two groups with at least ${disparity.minCount} observations on a side)`
    : `widening ${String(widening)} > margin ${disparity.maxWidening} (min count ${disparity.minCount})`;
  return { ...verdict, outcome: 'rejected', reason: `${verdict.reason}; refused by the disparity gate: ${what}, ${why}` };
}

/** The decision-evidence part of the gate (spread into the recorded live evidence). */
export function disparityDecisionEvidence(disparity: DisparityEvidence | null | undefined): { disparity?: DisparityEvidence } {
  return disparity ? { disparity } : {};
}
