import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { Count, Id, ModelName, ModelVersion, Timestamp } from '../../primitives';

/**
 * `strata.monitoring.performance-degraded.v1`: a model version's performance metric, computed
 * from feedback labels over `[windowStart, windowEnd)`, crossed its threshold relative to the
 * baseline (the metric at registration).
 *
 * Key: `modelName`.
 */
export const PerformanceDegradedV1 = defineEvent({
  domain: 'monitoring',
  event: 'performance-degraded',
  version: 1,
  description: 'A performance metric (from feedback labels) of a model version crossed its threshold.',
  schema: z
    .object({
      detectionId: Id,
      modelName: ModelName,
      modelVersion: ModelVersion,
      /** Metric name, e.g. `accuracy`, `roc_auc`, `f1`, `rmse`. */
      metric: z.string().min(1).max(64),
      /** Whether larger values of the metric are better (accuracy) or worse (rmse). */
      direction: z.enum(['higher-is-better', 'lower-is-better']),
      value: z.number(),
      baseline: z.number(),
      threshold: z.number(),
      /** Labelled predictions in the window. */
      sampleSize: Count,
      windowStart: Timestamp,
      windowEnd: Timestamp,
      detectedAt: Timestamp,
    })
    .refine((v) => Date.parse(v.windowStart) <= Date.parse(v.windowEnd), { message: 'windowStart must not be after windowEnd', path: ['windowEnd'] }),
  keyField: 'modelName',
  producers: ['monitoring'],
  consumers: ['training'],
});

/** Payload of {@link PerformanceDegradedV1}. */
export type PerformanceDegradedV1 = z.infer<typeof PerformanceDegradedV1.schema>;
