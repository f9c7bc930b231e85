import { z } from 'zod';
import { checkDisparityGate, DISPARITY_METRICS, type DisparityGateRule } from '@strata/shared/util-model-evaluation';
import type { PolicyFairness } from '@strata/registry/data-access';
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
  /** The configured margin: how much wider the challenger's gap may be (in the metric's units); null when the gate bounds the value only. */
  maxWidening: z.number().min(0).max(1).nullable(),
  minCount: z.number().int().min(1),
  passed: z.boolean(),
  /** Bounds of the shared gate a live config does not set (monitoring sends null). */
  maxValue: z.number().min(0).max(1).nullable().optional(),
  minValue: z.number().min(0).max(1).nullable().optional(),
  /** The gate counts a breach only when significant; whether the challenger's disparity was (95% Wilson intervals of its extreme groups). */
  significantOnly: z.boolean().optional(),
  challengerSignificant: z.boolean().nullable().optional(),
  /** Where monitoring took the rule from: the promotion policy's `fairness` or the legacy segment config `gate` (informative). */
  source: z.enum(['promotion-policy', 'segment-config']).optional(),
  /** Monitoring's status of the gate (`passed`, `widened`, `insufficient_data`, …); informative, the registry re-checks. */
  status: z.string().max(64).optional(),
  reason: z.string().max(2000),
});
/** Parsed {@link DisparityEvidenceSchema}. */
export type DisparityEvidence = z.infer<typeof DisparityEvidenceSchema>;

/**
 * The registry's own check of the gate (it does not take `passed` on trust), by the shared gate
 * (`checkDisparityGate` of `@strata/shared/util-model-evaluation`). The rule is the promotion
 * policy's `fairness` when it has one (the single source of both gates: bounds, minimum count,
 * significantOnly), else — a legacy gate of monitoring's segment config — the evidence's own.
 * Widening = challenger − champion (differences) or champion − challenger (the ratio); refused
 * beyond a bound (1e-12 tolerance) or when a needed value is null (insufficient data).
 */
export function disparityGatePasses(d: DisparityEvidence, policy: PolicyFairness | null = null): { passed: boolean; widening: number | null; insufficient: boolean } {
  const { status, widening } = liveCheck(d, policy);
  return { passed: status === 'passed' || status === 'not_significant', widening, insufficient: status === 'insufficient_data' };
}

function liveCheck(d: DisparityEvidence, policy: PolicyFairness | null) {
  const rule: DisparityGateRule = policy ?? d;
  return checkDisparityGate(rule, policy?.minCount ?? d.minCount, d.championValue, d.challengerValue, d.challengerSignificant ?? null);
}

function bounds(r: { maxWidening?: number | null; maxValue?: number | null; minValue?: number | null }, widening: number | null): string {
  const out: string[] = [];
  if (r.maxWidening != null) out.push(`widening ${String(widening)} ${widening !== null && widening > r.maxWidening + 1e-12 ? '>' : '<='} margin ${r.maxWidening}`);
  if (r.maxValue != null) out.push(`max value ${r.maxValue}`);
  if (r.minValue != null) out.push(`min value ${r.minValue}`);
  return out.join(', ');
}

/**
 * Applies the disparity gate to a live verdict: a challenger whose gate fails (or cannot be
 * measured) is rejected, even when the metric would promote it, the reason carrying the numbers;
 * a passing gate adds its numbers to the reason. With a policy `fairness`, evidence that is
 * missing or measures another segment / metric refuses (the gate is never skipped); without a
 * policy gate and without evidence the verdict is unchanged.
 */
export function applyDisparityGate(verdict: PromotionVerdict, disparity: DisparityEvidence | null | undefined, policy: PolicyFairness | null = null): PromotionVerdict {
  if (policy && (!disparity || disparity.segment !== policy.segment || disparity.metric !== policy.metric)) {
    const got = disparity ? `evidence measures ${disparity.metric} on '${disparity.segment}'` : 'monitoring sent no evidence (is the segment in the model\'s segment config?)';
    return { ...verdict, outcome: 'rejected', reason: `${verdict.reason}; refused by the disparity gate: the policy's ${policy.metric} on '${policy.segment}' is not measured on the rollout: ${got}` };
  }
  if (!disparity) return verdict;
  const rule = policy ?? disparity;
  const minCount = policy?.minCount ?? disparity.minCount;
  const { status, widening } = liveCheck(disparity, policy);
  const passed = status === 'passed' || status === 'not_significant';
  const insufficient = status === 'insufficient_data';
  const what = `${disparity.metric} on '${disparity.segment}' ${String(disparity.challengerValue)} (v${disparity.challengerVersion}) vs ${String(disparity.championValue)} (v${disparity.championVersion})`;
  if (passed) {
    const note = status === 'not_significant' ? ' (beyond a bound but not significant: 95% Wilson intervals overlap)' : '';
    return { ...verdict, reason: `${verdict.reason}; disparity gate passed: ${what}, ${bounds(rule, widening)}${note}` };
  }
  const why = insufficient
    ? `not measurable: insufficient data (fewer than two groups with at least ${minCount} observations on a side)`
    : `${bounds(rule, widening)}${rule.maxValue != null && disparity.challengerValue !== null && disparity.challengerValue > rule.maxValue + 1e-12 ? ` exceeded (${disparity.challengerValue} > ${rule.maxValue})` : ''}${rule.minValue != null && disparity.challengerValue !== null && disparity.challengerValue < rule.minValue - 1e-12 ? ` exceeded (${disparity.challengerValue} < ${rule.minValue})` : ''} (min count ${minCount})`;
  return { ...verdict, outcome: 'rejected', reason: `${verdict.reason}; refused by the disparity gate: ${what}, ${why}` };
}

/** The decision-evidence part of the gate (spread into the recorded live evidence). */
export function disparityDecisionEvidence(disparity: DisparityEvidence | null | undefined): { disparity?: DisparityEvidence } {
  return disparity ? { disparity } : {};
}
