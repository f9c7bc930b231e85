import { z } from 'zod';
import { defineEndpoint, NoParams } from './define-endpoint';

/** Monitoring HTTP API (docs/service-apis.md, "monitoring"). */

/** One report window of a model (the fields clients read; the service sends more, which pass through). */
export const MonitoringWindowSchema = z.looseObject({
  windowStart: z.string().nullable(),
  windowEnd: z.string().nullable(),
  modelVersion: z.union([z.number(), z.string()]).optional(),
  predictionCount: z.number(),
  labeledCount: z.number(),
  drift: z.array(z.looseObject({ feature: z.string(), method: z.string(), score: z.number().nullable(), threshold: z.number(), drifted: z.boolean() })),
  datasetDrift: z.boolean(),
  performance: z.looseObject({ rocAuc: z.number().nullable(), accuracy: z.number().nullable(), logLoss: z.number().nullable() }).nullable(),
});
export type MonitoringWindow = z.infer<typeof MonitoringWindowSchema>;

/** One group (segment value) of a fairness window: counts and rates at threshold 0.5 (null without a denominator). */
export const FairnessGroupSchema = z.looseObject({
  group: z.string(),
  predictionCount: z.number(),
  predictedPositiveCount: z.number(),
  labeledCount: z.number(),
  tp: z.number(),
  fp: z.number(),
  tn: z.number(),
  fn: z.number(),
  selectionRate: z.number().nullable(),
  truePositiveRate: z.number().nullable(),
  falsePositiveRate: z.number().nullable(),
  positivePredictiveValue: z.number().nullable(),
});
export type FairnessGroup = z.infer<typeof FairnessGroupSchema>;

const RateInterval = z.object({ low: z.number(), high: z.number() }).nullable();
/** One disparity metric of a segment (definitions: `@strata/shared/util-model-evaluation` fairness.ts). */
export const DisparitySchema = z.looseObject({
  metric: z.string(),
  value: z.number().nullable(),
  status: z.string(),
  max: z.object({ group: z.string(), rate: z.number() }).nullable(),
  min: z.object({ group: z.string(), rate: z.number() }).nullable(),
  excludedGroups: z.array(z.object({ group: z.string(), count: z.number() })),
  /** 95% Wilson score intervals of the max / min group's rate. */
  maxInterval: RateInterval,
  minInterval: RateInterval,
  significant: z.boolean().nullable(),
  threshold: z.number().nullable(),
  breached: z.boolean(),
});
export type DisparityReport = z.infer<typeof DisparitySchema>;

/** One window of `GET /models/{m}/fairness` (issue #17). */
export const FairnessWindowSchema = z.looseObject({
  /** Calendar windows: UTC ISO-8601 [start, end); null for count windows. */
  windowStart: z.string().nullable(),
  windowEnd: z.string().nullable(),
  /** Count windows (`window=count`): [start, end) of the version's prediction sequence numbers; null for calendar windows. */
  sequenceStart: z.number().nullable().optional(),
  sequenceEnd: z.number().nullable().optional(),
  modelVersion: z.number(),
  predictionCount: z.number(),
  labeledCount: z.number(),
  minCount: z.number(),
  segments: z.array(z.looseObject({ segment: z.string(), groups: z.array(FairnessGroupSchema), disparities: z.array(DisparitySchema) })),
});
export type FairnessWindow = z.infer<typeof FairnessWindowSchema>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** One feedback item of `POST /feedback` (the ground truth of an earlier prediction). */
export const FeedbackItem = z.object({
  predictionId: z.string().min(1).max(256),
  modelName: z.string().regex(NAME, 'must be a model name (1-128 letters, digits, ".", "_", "-")'),
  label: z.union([z.literal(0), z.literal(1)], { message: 'label must be 0 or 1' }),
  observedAt: z.iso.datetime({ message: 'must be an ISO-8601 UTC timestamp (Z suffix)' }),
  source: z.string().min(1).max(64).optional(),
});
export type FeedbackItemInput = z.input<typeof FeedbackItem>;
/** A list body of `POST /feedback` (1..10 000 items). */
export const FeedbackList = z.array(FeedbackItem).min(1).max(10_000);
/** Body of `POST /feedback`: one item or a list (1..10 000). */
export const FeedbackBody = z.union([FeedbackItem, FeedbackList]);

/** The monitoring endpoints called by the CLI and tests. */
export const MonitoringApi = {
  sendFeedback: defineEndpoint({ service: 'monitoring', method: 'POST', path: '/feedback', summary: 'Ground-truth labels of predictions', params: NoParams, body: FeedbackBody, response: z.object({ accepted: z.number().int().min(0) }) }),
  windows: defineEndpoint({
    service: 'monitoring',
    method: 'GET',
    path: '/models/{model}/windows',
    summary: 'Per-window drift and performance of a model',
    params: z.object({ model: z.string() }),
    query: z.object({ window: z.enum(['month', 'week', 'day']).optional(), version: z.number().int().optional() }),
    response: z.array(MonitoringWindowSchema),
  }),
  fairness: defineEndpoint({
    service: 'monitoring',
    method: 'GET',
    path: '/models/{model}/fairness',
    summary: 'Per-window, per-segment group rates and disparities of a model (issue #17)',
    params: z.object({ model: z.string() }),
    query: z.object({ window: z.enum(['month', 'week', 'day', 'count']).optional(), version: z.number().int().optional(), size: z.number().int().optional() }),
    response: z.array(FairnessWindowSchema),
  }),
} as const;
