import { z } from 'zod';
import { defineEndpoint, TrainingRunSchema } from '@strata/contracts/api';

/**
 * Training runs, hyperparameter searches and tracked-run metric series the console reads, not yet
 * in `@strata/contracts/api` (docs/service-apis.md "training" and "registry → tracking"), declared
 * the same way so they can move there as they are.
 */

/** `GET /training-searches/{id}` (training `TrainingSearchResponse`); `trials` only on the one-search read. */
export const TrainingSearchSchema = z.looseObject({
  searchId: z.string(),
  workflowId: z.string(),
  modelName: z.string(),
  requestId: z.string(),
  status: z.string(),
  strategy: z.string(),
  /** The metric trials are ranked by (a key of each trial's `metrics`). */
  metric: z.string(),
  direction: z.string(),
  parallelism: z.number(),
  trialCount: z.number(),
  completedTrials: z.number().nullable(),
  failedTrials: z.number().nullable(),
  bestRunId: z.string().nullable(),
  bestMetric: z.number().nullable(),
  modelVersion: z.number().nullable(),
  error: z.looseObject({ code: z.string(), message: z.string() }).nullable(),
  spec: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** Every trial as a training run, in trial order. */
  trials: z.array(TrainingRunSchema).optional(),
});
export type TrainingSearch = z.infer<typeof TrainingSearchSchema>;

/** `GET /training-runs/{runId}/logs`: the captured log chunks, oldest first, and their concatenation. */
export const RunLogsSchema = z.looseObject({
  runId: z.string(),
  status: z.string(),
  chunks: z.array(z.looseObject({ attempt: z.number(), stream: z.string(), text: z.string(), createdAt: z.string() })),
  text: z.string(),
});
export type RunLogs = z.infer<typeof RunLogsSchema>;

/** One point of a tracked run's metric (`GET /runs/{id}/metrics/{key}/history`); timestamp epoch ms; non-finite values as strings. */
export const MetricPointSchema = z.looseObject({ key: z.string(), value: z.union([z.number(), z.string()]), timestamp: z.number(), step: z.number() });
export type MetricPoint = z.infer<typeof MetricPointSchema>;

const RunId = z.object({ runId: z.string() });

export const RunEndpoints = {
  listTrainingRuns: defineEndpoint({ service: 'training', method: 'GET', path: '/training-runs', summary: 'Training runs, newest first', params: z.object({}), query: z.object({ modelName: z.string().optional(), searchId: z.string().optional(), limit: z.number().int().optional() }), response: z.array(TrainingRunSchema) }),
  runLogs: defineEndpoint({ service: 'training', method: 'GET', path: '/training-runs/{runId}/logs', summary: "A run's captured log", params: RunId, response: RunLogsSchema }),
  listSearches: defineEndpoint({ service: 'training', method: 'GET', path: '/training-searches', summary: 'Searches, newest first (without trials)', params: z.object({}), query: z.object({ modelName: z.string().optional(), limit: z.number().int().optional() }), response: z.array(TrainingSearchSchema) }),
  getSearch: defineEndpoint({ service: 'training', method: 'GET', path: '/training-searches/{searchId}', summary: 'A search with its trials', params: z.object({ searchId: z.string() }), response: TrainingSearchSchema }),
  metricHistory: defineEndpoint({ service: 'registry', method: 'GET', path: '/runs/{runId}/metrics/{key}/history', summary: 'Every point of a tracked metric, by step (limit 1..1000, default 1000)', params: z.object({ runId: z.string(), key: z.string() }), query: z.object({ limit: z.number().int().optional() }), response: z.array(MetricPointSchema) }),
} as const;
