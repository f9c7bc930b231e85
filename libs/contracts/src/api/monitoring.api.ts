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
} as const;
