import { z } from 'zod';
import { DISPARITY_METRICS } from './fairness';

/**
 * The ONE definition of a fairness (disparity) gate (issue #17), validated the same way wherever
 * it is written or read:
 * - the registry's promotion policy `fairness` (`PUT /registered-models/{m}/promotion-policy`) —
 *   the single source: the offline decision (per-group evaluation recorded by training) and the
 *   live rollout decision (monitoring, on the rollout's traffic) both apply it;
 * - monitoring's segment config `gate` (`PUT /models/{m}/segments/config`), kept for backward
 *   compatibility only: the live decision uses it when the model's policy has no `fairness`.
 *
 * Fields: `segment`, `metric` (fairness.ts), at least one of `maxWidening` / `maxValue` (the
 * `_difference` metrics) / `minValue` (`demographic_parity_ratio`), `minCount` (minimum-count
 * rule), `significantOnly` (disparity-gate.ts), and optional numeric `buckets` — the edges a
 * numeric segment column is bucketed with ({@link segmentBucket}), the same in training's
 * evaluation and in monitoring's segment config.
 */

/** A segment name: 1-64 letters, digits, `_`, `.`, `-`. */
export const SEGMENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** Numeric bucket edges: 1-50 finite numbers, strictly ascending. */
export const SegmentBucketsSchema = z
  .array(z.number().finite())
  .min(1)
  .max(50)
  .refine((e) => e.every((x, i) => i === 0 || x > e[i - 1]!), 'bucket edges must be strictly ascending');

/**
 * The bucket of a number x for ascending edges e₀ < … < e_k: `<e₀` when x < e₀, `[eᵢ,eᵢ₊₁)` when
 * eᵢ ≤ x < eᵢ₊₁, `>=e_k` when x ≥ e_k (e.g. edges 25/45/65: 17 → `<25`, 45 → `[45,65)`, 90 → `>=65`).
 * Monitoring's segments and training's per-group evaluation both label numeric groups with it.
 */
export function segmentBucket(edges: readonly number[], x: number): string {
  if (x < edges[0]!) return `<${edges[0]}`;
  for (let i = 0; i < edges.length - 1; i++) if (x < edges[i + 1]!) return `[${edges[i]},${edges[i + 1]})`;
  return `>=${edges[edges.length - 1]}`;
}

const bound = z.number().min(0).max(1).nullable().default(null);

/** The fields of a gate; `minCount` is required-with-default in the policy, optional in the legacy monitoring gate. */
const gateFields = {
  /** Segment (column) whose groups are compared, e.g. `sex`. */
  segment: z.string().regex(SEGMENT_NAME, 'must be 1-64 letters, digits, "_", ".", "-"'),
  metric: z.enum(DISPARITY_METRICS),
  /** How much wider the challenger's gap may be than the champion's (metric units, 0-1). */
  maxWidening: bound,
  /** `_difference` metrics: the highest value the challenger may have. */
  maxValue: bound,
  /** `demographic_parity_ratio`: the lowest value the challenger may have (e.g. 0.8, the four-fifths rule). */
  minValue: bound,
  /** Count a widened / exceeded gap only when the challenger's disparity is significant (95% Wilson intervals of its extreme groups do not overlap). */
  significantOnly: z.boolean().default(false),
  /** Numeric segment: bucket edges ({@link segmentBucket}); absent = the values are the groups. */
  buckets: SegmentBucketsSchema.optional(),
};
const minCount = z.number().int().min(1).max(1_000_000);

type GateLike = { metric: (typeof DISPARITY_METRICS)[number]; maxWidening: number | null; maxValue: number | null; minValue: number | null };
function refineGate<T extends z.ZodType<GateLike>>(schema: T) {
  return schema
    .refine((f) => f.maxWidening !== null || f.maxValue !== null || f.minValue !== null, { message: 'give maxWidening, maxValue or minValue', path: ['maxWidening'] })
    .refine((f) => f.maxValue === null || f.metric !== 'demographic_parity_ratio', { message: 'maxValue bounds a _difference metric; for demographic_parity_ratio give minValue', path: ['maxValue'] })
    .refine((f) => f.minValue === null || f.metric === 'demographic_parity_ratio', { message: 'minValue bounds demographic_parity_ratio; for a _difference metric give maxValue', path: ['minValue'] });
}

/** A fairness gate (the promotion policy's `fairness`): `minCount` defaults to 30. */
export const FairnessGateSchema = refineGate(z.object({ ...gateFields, minCount: minCount.default(30) }));
/** A parsed fairness gate. */
export type FairnessGate = z.infer<typeof FairnessGateSchema>;

/**
 * The same gate in monitoring's segment config (legacy place): `minCount` may be left out (then
 * the config's own `minCount` applies). A stored legacy gate `{segment, metric, maxWidening}`
 * parses unchanged.
 */
export const LiveFairnessGateSchema = refineGate(z.object({ ...gateFields, minCount: minCount.optional() }));
/** A parsed live (segment config) gate. */
export type LiveFairnessGate = z.infer<typeof LiveFairnessGateSchema>;

/** Same bucket edges (both absent, or equal arrays). */
export function sameBuckets(a: readonly number[] | undefined | null, b: readonly number[] | undefined | null): boolean {
  if (!a || !b) return !a && !b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
