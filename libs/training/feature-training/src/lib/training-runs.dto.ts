import { z } from 'zod';
import { LogisticRegressionParamsSchema } from '@strata/training/activities';

const NAME = /^[a-z0-9][a-z0-9_.-]{0,127}$/;
const nameOf = (what: string) => z.string().regex(NAME, `${what} must match ^[a-z0-9][a-z0-9_.-]{0,127}$`);

/**
 * Body of `POST /training-runs`.
 *
 * - `modelName`, `trainingSet`: names (`^[a-z0-9][a-z0-9_.-]{0,127}$`).
 * - `trainer`: `logistic_regression` (default).
 * - `params`: trainer hyper-parameters (see `LogisticRegressionParamsSchema`; unknown keys → 400).
 * - `trainDatasetVersions`: at least one `{ datasetName, versionId }`.
 * - `evaluation.splitTime`: ISO-8601 UTC; rows before it train, the rest evaluate. Optional:
 *   default is the 80% quantile of the training set's event times.
 * - `requestId`: idempotency key (1–200 chars of `A-Za-z0-9._:-`); default a new UUID.
 * - `reason`: `manual` (default) | `drift` | `performance` | `schedule`.
 */
export const StartTrainingRunBody = z
  .object({
    modelName: nameOf('modelName'),
    trainer: z.literal('logistic_regression').default('logistic_regression'),
    params: LogisticRegressionParamsSchema.default({}),
    trainingSet: nameOf('trainingSet'),
    trainDatasetVersions: z
      .array(z.object({ datasetName: nameOf('datasetName'), versionId: z.string().min(1).max(256) }).strict())
      .min(1, 'at least one dataset version is required'),
    evaluation: z.object({ splitTime: z.iso.datetime({ offset: true }).optional() }).strict().default({}),
    requestId: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'requestId must be 1-200 chars of A-Za-z0-9._:-').optional(),
    reason: z.enum(['manual', 'drift', 'performance', 'schedule']).default('manual'),
  })
  .strict();
/** Parsed body of `POST /training-runs`. */
export type StartTrainingRunBody = z.infer<typeof StartTrainingRunBody>;

/** Answer of `POST /training-runs` (202). */
export interface StartTrainingRunResponse {
  runId: string;
  /** `train:<modelName>:<requestId>` */
  workflowId: string;
  requestId: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  /** True when this request id had already been submitted: nothing new was started. */
  alreadyExists: boolean;
}

/** Answer of `GET /training-runs/{runId}`. */
export interface TrainingRunResponse {
  runId: string;
  workflowId: string;
  modelName: string;
  requestId: string;
  status: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
  /** Current or last step (`resolve-inputs`, `build-training-set`, `train`, `evaluate`, `register`, `record`, `completed`, …). */
  step: string | null;
  /** Overall progress in [0, 1] (live from the workflow while RUNNING; 1 when COMPLETED; null when unknown). */
  progress: number | null;
  /** Live detail of the current step (while RUNNING). */
  detail?: string;
  trainer: string;
  trainingSet: string;
  reason: string;
  params: Record<string, number | string | boolean>;
  evaluation: Record<string, unknown>;
  datasetVersions: Array<{ datasetName: string; versionId: string; contentSha256?: string }>;
  featureViews?: string[];
  metrics?: Record<string, number>;
  evaluationReport?: Record<string, unknown>;
  modelVersion?: number;
  artifactUri?: string;
  artifactSha256?: string;
  referenceProfileUri?: string;
  referenceProfileSha256?: string;
  trainingSetUri?: string;
  trainingSetSha256?: string;
  error?: { code: string; message: string };
  resources: { wallTimeMs: number | null; cpuSeconds: number | null; peakRssBytes: number | null };
  createdAt: string;
  finishedAt: string | null;
}
