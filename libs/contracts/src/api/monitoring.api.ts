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

export const FeedbackItemSchema = z.object({ predictionId: z.string(), modelName: z.string(), label: z.number(), observedAt: z.string() });

/** The monitoring endpoints called by the CLI and tests. */
export const MonitoringApi = {
  sendFeedback: defineEndpoint({ service: 'monitoring', method: 'POST', path: '/feedback', summary: 'Ground-truth labels of predictions', params: NoParams, body: z.array(FeedbackItemSchema), response: z.looseObject({ accepted: z.number() }) }),
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
