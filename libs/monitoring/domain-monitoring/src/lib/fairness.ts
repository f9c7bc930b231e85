import { disparity, disparityGateVerdict, groupRatesOf, sameBuckets, type Disparity, type DisparityGateRule, type FairnessGate, type DisparityGateVerdict, type GroupRates } from '@strata/shared/util-model-evaluation';
import type { SegmentValue } from '@strata/contracts/api';
import { PROBABILITY_BINS, performanceFromCounters, type CounterSet } from './aggregates';
import { DISPARITY_METRICS, type SegmentConfig } from './segments';

/**
 * Per-segment performance and disparity metrics (issue #17), computed from a segment value's
 * counters (segments.ts). Every rate uses the decision threshold 0.5, exact from the counters
 * (probability bins never straddle 0.5). The rates, the five disparity metrics (definitions and
 * sources), the minimum-count rule and the promotion gate are shared with training and the
 * registry: `@strata/shared/util-model-evaluation` (fairness.ts, disparity-gate.ts).
 */

export { disparity, type Disparity, type DisparityGateVerdict, type GroupRates };

/** Per-segment-value report of `GET /models/{m}/segments`: the API contract's `SegmentValue` (declared there only). */
export type { SegmentValue };

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
  return groupRatesOf({ group, predictionCount: c.n('pred'), predictedPositiveCount: c.n('ppos'), tp, fp, tn, fn });
}

/**
 * The report of one segment value: rates, label coverage (predictions with any feedback label /
 * predictions; null without predictions) and the full performance block (as the overall window).
 */
export function segmentValueReport(group: string, c: CounterSet): SegmentValue {
  const r = groupRates(group, c);
  return { ...r, labelCoverage: r.predictionCount > 0 ? c.n('lbl') / r.predictionCount : null, performance: performanceFromCounters(c).performance };
}

/** Every disparity metric of one segment's groups, with the config's thresholds. */
export function segmentDisparities(groups: GroupRates[], config: Pick<SegmentConfig, 'minCount' | 'thresholds'>): Disparity[] {
  return DISPARITY_METRICS.map((m) => disparity(m, groups, config.minCount, config.thresholds[m] ?? null));
}

/**
 * The live promotion gate: the gate's rule (the registry policy's `fairness`, or the legacy
 * segment config `gate`) applied to `gate.metric` on `gate.segment`, both versions measured on
 * the rollout's traffic under the minimum-count rule; the challenger's significance (95% Wilson
 * intervals of its extreme groups) is passed for `significantOnly`. When either needed side is not
 * measurable (fewer than two eligible groups) the gate refuses with status `insufficient_data`
 * (see the shared disparity-gate.ts).
 */
export function disparityGate(
  gate: DisparityGateRule,
  minCount: number,
  champion: { version: number; groups: GroupRates[] },
  challenger: { version: number; groups: GroupRates[] },
): DisparityGateVerdict {
  const c = disparity(gate.metric, challenger.groups, minCount);
  return disparityGateVerdict(gate, minCount, { version: champion.version, value: disparity(gate.metric, champion.groups, minCount).value }, { version: challenger.version, value: c.value, significant: c.significant });
}

/** Where the live gate's rule came from: the registry's promotion policy (the single source) or the legacy segment config `gate`. */
export type LiveGateSource = 'promotion-policy' | 'segment-config';

/**
 * The rule of a rollout's live gate: the promotion policy's `fairness` when the model's policy
 * has one (its own `minCount`), else the deprecated segment config `gate` (its `minCount`, or the
 * config's); null when neither exists.
 */
export function liveGateRule(
  policyGate: FairnessGate | null | undefined,
  config: Pick<SegmentConfig, 'gate' | 'minCount'> | null,
): { rule: DisparityGateRule & { buckets?: number[] }; minCount: number; source: LiveGateSource } | null {
  if (policyGate) return { rule: policyGate, minCount: policyGate.minCount, source: 'promotion-policy' };
  if (config?.gate) return { rule: config.gate, minCount: config.gate.minCount ?? config.minCount, source: 'segment-config' };
  return null;
}

/**
 * Why the live counters cannot measure the gate's segment, or null when they can: the segment is
 * not a column of the model's segment config, or it is bucketed with other edges than the gate's
 * (groups of different buckets are not comparable). The gate then refuses as insufficient data.
 */
export function liveSegmentMismatch(rule: { segment: string; buckets?: number[] }, config: Pick<SegmentConfig, 'segments'> | null): string | null {
  const col = config?.segments.find((s) => s.name === rule.segment);
  if (!col) return `segment '${rule.segment}' is not counted live: add it to the model's segment config (PUT /models/{m}/segments/config)`;
  if (!sameBuckets(col.buckets, rule.buckets)) return `segment '${rule.segment}' is counted live in buckets ${col.buckets?.join('/') ?? '(none)'}, the gate's are ${rule.buckets?.join('/') ?? '(none)'}`;
  return null;
}
