import { z } from 'zod';
import { defineEndpoint, NoParams } from './define-endpoint';
import { ModelOptimizationApi } from './model-optimization.api';

/** Training HTTP API (docs/service-apis.md, "training"). */

export const TrainingRunStatusSchema = z.enum(['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED']);

/** Answer of `POST /training-runs`. */
export const StartTrainingRunResponseSchema = z.looseObject({
  runId: z.string(),
  /** `train:<modelName>:<requestId>` */
  workflowId: z.string(),
  requestId: z.string(),
  status: TrainingRunStatusSchema,
  /** True when this request id had already been submitted: nothing new was started. */
  alreadyExists: z.boolean(),
});
export type StartTrainingRunResponse = z.infer<typeof StartTrainingRunResponseSchema>;

const Resources = z.object({ wallTimeMs: z.number().nullable(), cpuSeconds: z.number().nullable(), peakRssBytes: z.number().nullable(), gpuUtilizationPct: z.number().nullable() });

/** Answer of `GET /training-runs/{runId}` (and items of `GET /training-runs`). Timestamps ISO-8601 UTC. */
export const TrainingRunSchema = z.looseObject({
  runId: z.string(),
  workflowId: z.string(),
  modelName: z.string(),
  requestId: z.string(),
  status: TrainingRunStatusSchema,
  /** Current or last step (`resolve-inputs`, `build-training-set`, `train`, `evaluate`, `register`, `record`, `completed`, …). */
  step: z.string().nullable(),
  /** Overall progress in [0, 1] (live while RUNNING; 1 when COMPLETED; null when unknown). */
  progress: z.number().nullable(),
  /** Live detail of the current step (while RUNNING). */
  detail: z.string().optional(),
  trainer: z.string(),
  trainingSet: z.string(),
  reason: z.string(),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  evaluation: z.record(z.string(), z.unknown()),
  datasetVersions: z.array(z.object({ datasetName: z.string(), versionId: z.string(), contentSha256: z.string().optional() })),
  featureViews: z.array(z.string()).optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  evaluationReport: z.record(z.string(), z.unknown()).optional(),
  modelVersion: z.number().int().optional(),
  artifactUri: z.string().optional(),
  artifactSha256: z.string().optional(),
  referenceProfileUri: z.string().optional(),
  referenceProfileSha256: z.string().optional(),
  trainingSetUri: z.string().optional(),
  trainingSetSha256: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** Resources of the run's activities; `gpuUtilizationPct` null without nvidia-smi. */
  resources: Resources,
  /**
   * Estimated cost (null until resources are known): `cpuSeconds/3600 × TRAINING_COST_PER_CPU_HOUR
   * + peakRssBytes/2^30 × wallTimeMs/3.6e6 × TRAINING_COST_PER_GB_HOUR`, in the configured currency.
   */
  cost: z.object({ estimated: z.number(), currency: z.string(), cpuHours: z.number(), gbHours: z.number(), ratePerCpuHour: z.number(), ratePerGbHour: z.number() }).nullable(),
  /** The hyperparameter search this run is a trial of. */
  parentSearchId: z.string().optional(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type TrainingRun = z.infer<typeof TrainingRunSchema>;

/**
 * A hyperparameter search (`GET /training-searches/{searchId}`; items of `GET /training-searches`).
 * Times ISO-8601 UTC; `trials` only on the one-search read.
 */
export const TrainingSearchSchema = z.looseObject({
  searchId: z.string(),
  workflowId: z.string(),
  modelName: z.string(),
  requestId: z.string(),
  status: z.string(),
  /** `grid` | `random`. */
  strategy: z.string(),
  /** The metric trials are ranked by (a key of each trial's `metrics`). */
  metric: z.string(),
  /** `maximize` | `minimize`. */
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

/**
 * Answer of `POST /training-searches` (202): the search id, its workflow `search:<modelName>:<requestId>`,
 * `status` (`RUNNING`, or the stored status when this request id had already finished), `alreadyExists`
 * (this request id had already been submitted) and one `{ runId, params }` per trial, in trial order.
 */
export const StartTrainingSearchResponseSchema = z.looseObject({
  searchId: z.string(),
  workflowId: z.string(),
  requestId: z.string(),
  status: z.string(),
  alreadyExists: z.boolean(),
  trials: z.array(z.looseObject({ runId: z.string(), params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])) })),
});
export type StartTrainingSearchResponse = z.infer<typeof StartTrainingSearchResponseSchema>;

/** `GET /training-runs/{runId}/logs`: the captured log chunks (trainer stdout/stderr and system lines), oldest first, and their concatenation. */
export const TrainingRunLogsSchema = z.looseObject({
  runId: z.string(),
  status: z.string(),
  chunks: z.array(z.looseObject({ attempt: z.number().int(), stream: z.string(), text: z.string(), createdAt: z.string() })),
  text: z.string(),
});
export type TrainingRunLogs = z.infer<typeof TrainingRunLogsSchema>;

/** The training endpoints called by the CLI, the console and tests (the request body is validated by the service's own schema). */
export const TrainingApi = {
  startTrainingRun: defineEndpoint({ service: 'training', method: 'POST', path: '/training-runs', summary: 'Starts a training run (idempotent per requestId)', params: NoParams, body: z.record(z.string(), z.unknown()), response: StartTrainingRunResponseSchema }),
  getTrainingRun: defineEndpoint({ service: 'training', method: 'GET', path: '/training-runs/{runId}', summary: 'One training run', params: z.object({ runId: z.string() }), response: TrainingRunSchema }),
  listTrainingRuns: defineEndpoint({ service: 'training', method: 'GET', path: '/training-runs', summary: 'Training runs, newest first (limit default 50, max 500)', params: NoParams, query: z.object({ modelName: z.string().optional(), searchId: z.string().optional(), limit: z.number().int().optional() }), response: z.array(TrainingRunSchema) }),
  trainingRunLogs: defineEndpoint({ service: 'training', method: 'GET', path: '/training-runs/{runId}/logs', summary: "A run's captured log, oldest first (attempt: one attempt only; 404 unknown run)", params: z.object({ runId: z.string() }), query: z.object({ attempt: z.number().int().optional() }), response: TrainingRunLogsSchema }),
  startTrainingSearch: defineEndpoint({ service: 'training', method: 'POST', path: '/training-searches', summary: 'Starts a hyperparameter search: one training run per trial (202; idempotent per requestId; 400 names the bad field)', params: NoParams, body: z.record(z.string(), z.unknown()), response: StartTrainingSearchResponseSchema }),
  listTrainingSearches: defineEndpoint({ service: 'training', method: 'GET', path: '/training-searches', summary: 'Hyperparameter searches, newest first, without trials (limit default 50)', params: NoParams, query: z.object({ modelName: z.string().optional(), limit: z.number().int().optional() }), response: z.array(TrainingSearchSchema) }),
  getTrainingSearch: defineEndpoint({ service: 'training', method: 'GET', path: '/training-searches/{searchId}', summary: 'A search with its trials (404 unknown)', params: z.object({ searchId: z.string() }), response: TrainingSearchSchema }),
  ...ModelOptimizationApi,
} as const;
