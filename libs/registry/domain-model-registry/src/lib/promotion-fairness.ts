import type { ModelVersion, PolicyFairness } from '@strata/registry/data-access';
import {
  FairnessGateSchema,
  sameBuckets,
  disparity,
  disparityGateVerdict,
  groupRatesOf,
  type Disparity,
  type DisparityGateVerdict,
  type GroupCounts,
  type GroupRates,
} from '@strata/shared/util-model-evaluation';
import { z } from 'zod';

/**
 * The offline disparity gate of a promotion policy (issue #17): the policy's `fairness` names a
 * segment and a disparity metric; each version's per-group evaluation (recorded by training in
 * `lineage.evaluation.segments`) gives the metric on the evaluation set, and the shared gate
 * (`@strata/shared/util-model-evaluation`, disparity-gate.ts — the same one the live rollout
 * decision uses) decides. Definitions of the metrics and the minimum-count rule: fairness.ts there.
 */

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * `fairness` of `PUT /registered-models/{name}/promotion-policy` (null = no gate): the shared gate
 * definition (`FairnessGateSchema` of `@strata/shared/util-model-evaluation`, gate-definition.ts),
 * the single source of both the offline and the live rollout decision's gate.
 */
export const PolicyFairnessBody = FairnessGateSchema;

const count = z.number().int().min(0);
/** One group's counts on the evaluation set (predictions, predicted positives at 0.5, confusion matrix). */
export const GroupCountsBody = z.object({ group: z.string().min(1).max(64), predictionCount: count, predictedPositiveCount: count, tp: count, fp: count, tn: count, fn: count });

/**
 * `lineage.evaluation.segments` of a registration: per segment, the groups' counts on the
 * evaluation set (≤ 16 segments, ≤ 51 groups each: the top 50 plus `__other__`).
 */
export const EvaluationSegmentsInput = z.record(z.string().regex(SEGMENT), z.object({ column: z.string().min(1).max(256).optional(), buckets: z.array(z.number().finite()).min(1).max(50).optional(), groups: z.array(GroupCountsBody).max(51) })).refine((s) => Object.keys(s).length <= 16, 'at most 16 segments');

/** One side of the offline gate, as recorded in the decision's evidence. */
export interface FairnessSide {
  version: number;
  value: number | null;
  max: Disparity['max'];
  min: Disparity['min'];
  eligibleGroups: string[];
  excludedGroups: Disparity['excludedGroups'];
  /** 95% Wilson intervals of the max / min group's rate, and whether they do not overlap. */
  maxInterval: Disparity['maxInterval'];
  minInterval: Disparity['minInterval'];
  significant: Disparity['significant'];
  /** Every group's counts and rates on the evaluation set (empty when the version has none for the segment). */
  groups: GroupRates[];
}

/** The offline gate's evidence: the shared verdict plus both sides' numbers. */
export type OfflineDisparityEvidence = DisparityGateVerdict & { champion: FairnessSide; challenger: FairnessSide };

/**
 * The recorded per-group counts of `segment` in a version's evaluation, or null when training
 * recorded none — or recorded them with other bucket edges than `buckets` (the gate's; groups of
 * different buckets are not comparable).
 */
export function evaluationGroups(v: Pick<ModelVersion, 'lineage'>, segment: string, buckets?: readonly number[]): GroupCounts[] | null {
  const segs = (v.lineage['evaluation'] as { segments?: unknown } | undefined)?.segments;
  const parsed = EvaluationSegmentsInput.safeParse(segs ?? {});
  const seg = parsed.success ? parsed.data[segment] : undefined;
  if (!seg || !sameBuckets(seg.buckets, buckets)) return null;
  return seg.groups;
}

function side(f: PolicyFairness, v: ModelVersion): FairnessSide {
  const groups = (evaluationGroups(v, f.segment, f.buckets) ?? []).map(groupRatesOf);
  const d = disparity(f.metric, groups, f.minCount);
  return {
    version: v.version,
    value: d.value,
    max: d.max,
    min: d.min,
    eligibleGroups: d.eligibleGroups,
    excludedGroups: d.excludedGroups,
    maxInterval: d.maxInterval,
    minInterval: d.minInterval,
    significant: d.significant,
    groups,
  };
}

/**
 * Applies the policy's disparity gate to an offline verdict (pure function): computes the metric
 * on each version's evaluation groups, records both sides' numbers in `evidence.disparity` and,
 * when the gate fails — gap widened beyond `maxWidening`, value beyond `maxValue`/`minValue`, or
 * insufficient data (fewer than two groups with `minCount` observations on a needed side, including
 * a version whose evaluation has no groups for the segment) — rejects the challenger even when the
 * metric would promote it. A passing gate appends its numbers to the reason.
 */
export function applyOfflineDisparityGate<V extends { outcome: 'promoted' | 'rejected'; reason: string }>(verdict: V, fairness: PolicyFairness, challenger: ModelVersion, champion: ModelVersion): V & { evidence: { disparity: OfflineDisparityEvidence } } {
  const c = side(fairness, challenger);
  const h = side(fairness, champion);
  const gate = disparityGateVerdict(fairness, fairness.minCount, h, c);
  const missing = [c, h].filter((s) => s.groups.length === 0).map((s) => `v${s.version}`);
  const note = missing.length > 0 ? ` (no per-group evaluation of '${fairness.segment}'${fairness.buckets ? ` in buckets ${fairness.buckets.join('/')}` : ''} recorded for ${missing.join(', ')})` : '';
  const evidence: { disparity: OfflineDisparityEvidence } = { disparity: { ...gate, reason: `${gate.reason}${note}`, champion: h, challenger: c } };
  if (gate.passed) return { ...verdict, evidence, reason: `${verdict.reason}; disparity gate passed: ${gate.reason}` };
  return { ...verdict, evidence, outcome: 'rejected', reason: `${verdict.reason}; refused by the disparity gate: ${gate.reason}${note}` };
}
