import { groupCountsOf, segmentBucket, type GroupCounts } from '@strata/shared/util-model-evaluation';

/**
 * Per-group evaluation (issue #17): the held-out slice's counts per segment value — predictions,
 * predicted positives at 0.5 and the confusion matrix — recorded in the model version's
 * `lineage.evaluation.segments` so the registry's promotion policy can gate on a disparity metric
 * (rates and metrics: `@strata/shared/util-model-evaluation` fairness.ts, as fairlearn defines them).
 *
 * Segments: every categorical (string) model input, plus the promotion policy's `fairness.segment`
 * when it names another column of the training set. A segment is keyed by its name without the
 * feature view prefix (`person__sex` → `sex`). Cardinality is bounded as monitoring's segments:
 * the {@link MAX_EVALUATION_GROUPS} values with most rows are kept, the rest are merged into
 * `__other__`; a null value is `__missing__`.
 *
 * Numeric segments: when the policy's `fairness.buckets` are given, the policy segment's values are
 * bucketed with them by the same function as monitoring's segment config (`segmentBucket` of
 * `@strata/shared/util-model-evaluation`: `<e₀`, `[eᵢ,eᵢ₊₁)`, `>=e_k`) and the edges are recorded with
 * the groups (`buckets`), so the registry only compares groups of the same edges. Without edges a
 * number is its own group (its text).
 */

/** Groups kept per segment (the rest merged into `__other__`). */
export const MAX_EVALUATION_GROUPS = 50;
/** Segments recorded at most. */
export const MAX_EVALUATION_SEGMENTS = 16;
/** Group of a null value. */
export const MISSING_GROUP = '__missing__';
/** Group of the values outside the top {@link MAX_EVALUATION_GROUPS}. */
export const OTHER_GROUP = '__other__';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** The segment key of a training-set column: the name after the last `__` (feature view prefix), else the column. */
export function segmentKeyOf(column: string): string {
  const i = column.lastIndexOf('__');
  return i > 0 && i + 2 < column.length ? column.slice(i + 2) : column;
}

/** The training-set column of a segment name: the column itself, else the one column whose key is `segment`; null when none or ambiguous. */
export function segmentColumnOf(columns: readonly string[], segment: string): string | null {
  if (columns.includes(segment)) return segment;
  const hits = columns.filter((c) => segmentKeyOf(c) === segment);
  return hits.length === 1 ? hits[0]! : null;
}

/** One segment's per-group counts of the evaluation slice. */
export interface EvaluationSegment {
  column: string;
  /** Bucket edges of a numeric segment (absent: values are the groups). */
  buckets?: number[];
  groups: GroupCounts[];
}

/**
 * A numeric column's values (as text, null = missing) in buckets of `edges` (`segmentBucket`);
 * a value that is not a finite number stays missing / its text.
 */
export function bucketValues(values: ReadonlyArray<string | null>, edges: readonly number[]): Array<string | null> {
  return values.map((v) => {
    if (v === null || v.trim() === '') return null;
    const x = Number(v);
    return Number.isFinite(x) ? segmentBucket(edges, x) : v;
  });
}

/** Per-group counts of one segment column (values as text, null = missing), top groups kept, others merged. */
export function segmentGroups(values: ReadonlyArray<string | null>, labels: ArrayLike<number>, scores: ArrayLike<number>): GroupCounts[] {
  const groups = groupCountsOf(labels, scores, values.map((v) => (v === null ? MISSING_GROUP : v.slice(0, 64) || MISSING_GROUP)));
  groups.sort((a, b) => b.predictionCount - a.predictionCount || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  if (groups.length <= MAX_EVALUATION_GROUPS) return groups;
  const kept = groups.slice(0, MAX_EVALUATION_GROUPS);
  const other = kept.find((g) => g.group === OTHER_GROUP) ?? { group: OTHER_GROUP, predictionCount: 0, predictedPositiveCount: 0, tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const g of groups.slice(MAX_EVALUATION_GROUPS)) {
    other.predictionCount += g.predictionCount;
    other.predictedPositiveCount += g.predictedPositiveCount;
    other.tp += g.tp;
    other.fp += g.fp;
    other.tn += g.tn;
    other.fn += g.fn;
  }
  return kept.includes(other) ? kept : [...kept, other];
}

/**
 * The per-group evaluation of every segment: `columns` maps a column to its values per row of
 * the slice; `buckets` maps a numeric column to its bucket edges. Columns whose key is not a valid segment name are skipped; at most
 * {@link MAX_EVALUATION_SEGMENTS}, in the given order.
 */
export function evaluationSegments(
  columns: ReadonlyMap<string, ReadonlyArray<string | null>>,
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  buckets: ReadonlyMap<string, readonly number[]> = new Map(),
): Record<string, EvaluationSegment> {
  const out: Record<string, EvaluationSegment> = {};
  for (const [column, values] of columns) {
    const key = segmentKeyOf(column);
    if (!SEGMENT.test(key) || out[key] || Object.keys(out).length >= MAX_EVALUATION_SEGMENTS) continue;
    const edges = buckets.get(column);
    out[key] = edges ? { column, buckets: [...edges], groups: segmentGroups(bucketValues(values, edges), labels, scores) } : { column, groups: segmentGroups(values, labels, scores) };
  }
  return out;
}
