import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { Alias, Id, ModelName, ModelVersion, Timestamp } from '../../primitives';

/**
 * `strata.serving.inference-failed.v1`: an inference request that reached a resolved, loaded
 * model version failed on the server side (model execution error, timeout, output decoding).
 * Client errors (4xx: bad datatype, shape mismatch, unknown model) are the caller's and are NOT
 * published; neither is anything logged as a prediction for them.
 *
 * Monitoring counts these with `prediction-logged` to compute the error rate per model, version
 * and alias (error rate = failed / (failed + predictions)); rollouts use it to roll a canary back.
 *
 * Key: `modelName`.
 */
export const InferenceFailedV1 = defineEvent({
  domain: 'serving',
  event: 'inference-failed',
  version: 1,
  description: 'A server-side inference failure on a resolved model version (for error rates and automatic rollback).',
  partitions: 6,
  schema: z.object({
    modelName: ModelName,
    modelVersion: ModelVersion,
    /** The alias the request was routed through, or null when a version was addressed. */
    alias: Alias.nullable(),
    /** Inference request id (Open Inference Protocol `id`), when given. */
    requestId: Id.optional(),
    /** Number of rows in the failed request (each counts as one failed prediction). */
    rowCount: z.number().int().min(1),
    /** Stable error code (`MODEL_EXECUTION_FAILED`, `INFERENCE_TIMEOUT`, ...). */
    errorCode: z.string().min(1).max(128),
    /** HTTP status returned to the caller (5xx). */
    httpStatus: z.number().int().min(500).max(599),
    /** Error message, truncated to 1024 characters; never contains request data. */
    message: z.string().max(1024),
    /** Time spent before the failure, in milliseconds. */
    latencyMs: z.number().min(0),
    failedAt: Timestamp,
  }),
  keyField: 'modelName',
  producers: ['serving'],
  consumers: ['monitoring'],
});

/** Payload of {@link InferenceFailedV1}. */
export type InferenceFailedV1 = z.infer<typeof InferenceFailedV1.schema>;
