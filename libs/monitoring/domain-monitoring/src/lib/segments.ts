import { DISPARITY_METRICS, LiveFairnessGateSchema, SegmentBucketsSchema, segmentBucket, type DisparityMetric } from '@strata/shared/util-model-evaluation';
import { z } from 'zod';
import { CounterSet, labelCounters, type Counter } from './aggregates';

/**
 * Segments (issue #17): a model's monitoring config names segment columns; every prediction and
 * label is counted a second time per segment value, in the same window keys and with the same
 * mergeable counters as the overall window (see aggregates.ts), under the metric name
 * `sg:<column>␟<value>␟<base metric>` (␟ = U+001F) with the base metric's bucket. So a segment's
 * week is the sum of its days exactly like the overall window, and a report splits a window's
 * counters back per segment value ({@link splitSegments}).
 *
 * Counted per prediction and segment column: `pred` (one), `ppos` (predicted positive: a
 * probability ≥ 0.5); per latest label: the base label counters (`lbl`, `pb`, `ll`, `br`).
 */

/** Value of a missing / null segment field. */
export const MISSING_SEGMENT = '__missing__';
/** Values outside the reported top N, merged at read time. */
export const OTHER_SEGMENT = '__other__';
/** Longest stored segment value (longer values are cut). */
export const MAX_SEGMENT_VALUE_LENGTH = 64;
/** Decision threshold of predicted positives (same as the overall performance). */
export const POSITIVE_THRESHOLD = 0.5;
const SEP = '\u001f';

/** The disparity metrics a threshold or the promotion gate can name (definitions: `@strata/shared/util-model-evaluation` fairness.ts). */
export { DISPARITY_METRICS, type DisparityMetric };

const COLUMN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** One segment column of a model's monitoring config. */
export const SegmentColumnSchema = z.object({
  /** Segment name (reported, and the gauge label `segment`). */
  name: z.string().regex(COLUMN, 'must be 1-64 letters, digits, "_", ".", "-"'),
  /**
   * Key of the logged prediction's `features` record (prediction-logged `features`: model inputs
   * after online enrichment, which is where request fields and entity keys the request carried
   * appear); default `name`.
   */
  field: z.string().min(1).max(128).optional(),
  /**
   * Numeric bucketing: ascending edges e₀ < … < e_k; value x → `<e₀` when x < e₀, `[eᵢ,eᵢ₊₁)`,
   * `>=e_k` when x ≥ e_k (`segmentBucket` of `@strata/shared/util-model-evaluation`: training's
   * per-group evaluation buckets a numeric segment with the same function and the promotion
   * policy's `fairness.buckets`). Without edges a number is its own segment value (`String(x)`).
   */
  buckets: SegmentBucketsSchema.optional(),
  /**
   * Write-time cardinality bound: when given, a value outside this list (after bucketing) is
   * counted as `__other__` (`__missing__` stays itself). Without it every distinct value is stored
   * and reads keep the top N — give a list for high-cardinality fields (entity keys).
   */
  values: z.array(z.string().min(1).max(64)).min(1).max(200).optional(),
});
/** A segment column. */
export type SegmentColumn = z.infer<typeof SegmentColumnSchema>;

/** Thresholds per disparity metric: a breach when a `_difference` exceeds it / the `_ratio` falls below it. */
export const DisparityThresholdsSchema = z.partialRecord(z.enum(DISPARITY_METRICS), z.number().min(0));

/** The segment / fairness part of a model's monitoring config (`PUT /models/{m}/segments/config`). */
export const SegmentConfigSchema = z.object({
  /** Segment columns (≤ 8). */
  segments: z.array(SegmentColumnSchema).min(1).max(8).refine((s) => new Set(s.map((x) => x.name)).size === s.length, 'segment names must be unique'),
  /** Values reported per segment: the N with most predictions in the window, the rest merged into `__other__` (default 10, ≤ 50). */
  topN: z.number().int().min(1).max(50).default(10),
  /**
   * Minimum-count rule: a group enters a disparity only with at least this many observations in
   * the metric's denominator (predictions for demographic parity; labeled positives for the TPR;
   * labeled negatives for the FPR; predicted positives among labeled for the precision). Default 30.
   */
  minCount: z.number().int().min(1).max(1_000_000).default(30),
  /** Alert thresholds per disparity metric and segment (every segment uses the same ones). */
  thresholds: DisparityThresholdsSchema.default({}),
  /**
   * DEPRECATED place of the live promotion gate (kept so existing configs work): the gate of both
   * the offline and the live decision is the registry's promotion policy `fairness` (one
   * definition, `FairnessGateSchema` of `@strata/shared/util-model-evaluation`). This one applies
   * only when the model's policy has no `fairness`. Same fields (`segment`, `metric`,
   * `maxWidening` / `maxValue` / `minValue`, `significantOnly`, `minCount` — default: the
   * config's — and `buckets`); a stored `{segment, metric, maxWidening}` parses unchanged. Null = none.
   */
  gate: LiveFairnessGateSchema.nullable().default(null),
});
/** A parsed segment config. */
export type SegmentConfig = z.infer<typeof SegmentConfigSchema>;

/** The segment value of one prediction (see {@link SegmentColumnSchema}). */
export function segmentValue(col: SegmentColumn, features: Record<string, number | string | null>): string {
  const v = rawSegmentValue(col, features);
  return col.values && v !== MISSING_SEGMENT && !col.values.includes(v) ? OTHER_SEGMENT : v;
}

function rawSegmentValue(col: SegmentColumn, features: Record<string, number | string | null>): string {
  const v = features[col.field ?? col.name];
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return MISSING_SEGMENT;
  if (typeof v === 'number' && col.buckets) return segmentBucket(col.buckets, v);
  return String(v).replaceAll(SEP, ' ').slice(0, MAX_SEGMENT_VALUE_LENGTH);
}

function metricOf(col: string, value: string, base: string): string {
  return `sg:${col}${SEP}${value}${SEP}${base}`;
}

/** Segment counters of one logged prediction: `pred` and `ppos` per segment column. */
export function segmentPredictionCounters(out: CounterSet, config: SegmentConfig | null, features: Record<string, number | string | null>, probability: number | null): CounterSet {
  if (!config) return out;
  for (const col of config.segments) {
    const v = segmentValue(col, features);
    out.add(metricOf(col.name, v, 'pred'), '', 1);
    if (probability !== null && probability >= POSITIVE_THRESHOLD) out.add(metricOf(col.name, v, 'ppos'), '', 1);
  }
  return out;
}

/** Segment counters of one latest label (sign −1 removes a replaced label), per segment column. */
export function segmentLabelCounters(out: CounterSet, config: SegmentConfig | null, features: Record<string, number | string | null>, label: number, probability: number | null, sign: 1 | -1): CounterSet {
  if (!config) return out;
  for (const col of config.segments) {
    const v = segmentValue(col, features);
    for (const c of labelCounters(new CounterSet(), label, probability, sign).all()) out.add(metricOf(col.name, v, c.metric), c.bucket, c.n, c.s);
  }
  return out;
}

/**
 * Splits a window's counters per segment column and value: column → value → the value's
 * counters under their base metric names (so performanceFromCounters etc. read them unchanged).
 */
export function splitSegments(counters: Iterable<Counter>): Map<string, Map<string, CounterSet>> {
  const out = new Map<string, Map<string, CounterSet>>();
  for (const c of counters) {
    if (!c.metric.startsWith('sg:')) continue;
    const [col, value, base] = c.metric.slice(3).split(SEP) as [string, string, string];
    if (base === undefined) continue;
    let m = out.get(col);
    if (!m) out.set(col, (m = new Map()));
    let s = m.get(value);
    if (!s) m.set(value, (s = new CounterSet()));
    s.add(base, c.bucket, c.n, c.s);
  }
  return out;
}

/**
 * Bounded cardinality at read time: the `topN` values with most predictions (ties by name) kept,
 * the others merged into `__other__` (counters add, so the merged group is exact).
 */
export function topSegments(values: Map<string, CounterSet>, topN: number): Map<string, CounterSet> {
  const ranked = [...values.entries()].sort((a, b) => b[1].n('pred') - a[1].n('pred') || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out = new Map<string, CounterSet>();
  for (const [v, c] of ranked.slice(0, topN)) out.set(v, c);
  if (ranked.length > topN) {
    const other = out.get(OTHER_SEGMENT) ?? new CounterSet();
    for (const [, c] of ranked.slice(topN)) other.merge(c);
    out.set(OTHER_SEGMENT, other);
  }
  return out;
}
