/**
 * One segment's per-group counts on the evaluation slice (issue #17): the training-set column and,
 * per group (segment value), the predictions, predicted positives at 0.5 and the confusion matrix
 * (`GroupCounts` of `@strata/shared/util-model-evaluation`). Recorded by the evaluate step and
 * registered as `lineage.evaluation.segments`, where the registry's promotion policy gate reads them.
 */
export interface EvaluationSegmentCounts {
  column: string;
  /** Bucket edges of a numeric segment (the policy's `fairness.buckets`; groups `<e0`, `[ei,ei+1)`, `>=ek`); absent: values are the groups. */
  buckets?: number[];
  groups: Array<{ group: string; predictionCount: number; predictedPositiveCount: number; tp: number; fp: number; tn: number; fn: number }>;
}
