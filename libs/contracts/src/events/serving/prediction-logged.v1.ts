import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { Alias, Id, ModelName, ModelVersion, Timestamp } from '../../primitives';

/** What the model returned for one row. */
export const PredictionOutputs = z.object({
  /** The predicted label (classification) or value (regression). */
  prediction: z.union([z.number(), z.string()]),
  /** Probability of the positive class (binary classification), in [0, 1]. */
  probability: z.number().min(0).max(1).optional(),
  /** Per-class probabilities or raw scores, in the model's output order. */
  scores: z.array(z.number()).optional(),
});

/**
 * `strata.serving.prediction-logged.v1`: one prediction served (one row of an inference
 * request), logged for monitoring (drift on `features`, performance once feedback with the
 * same `predictionId` arrives).
 *
 * Key: `modelName`.
 */
export const PredictionLoggedV1 = defineEvent({
  domain: 'serving',
  event: 'prediction-logged',
  version: 1,
  description: 'One served prediction (inputs, outputs, latency), logged for monitoring.',
  partitions: 6,
  schema: z.object({
    predictionId: Id,
    modelName: ModelName,
    modelVersion: ModelVersion,
    /** The alias the request was routed through (`champion`), or null when a version was addressed. */
    alias: Alias.nullable(),
    /** Inference request id (Open Inference Protocol `id`), when given. */
    requestId: Id.optional(),
    /** Input features after online enrichment, by name. */
    features: z.record(z.string().min(1), z.union([z.number(), z.string(), z.null()])),
    outputs: PredictionOutputs,
    /** Model execution latency in milliseconds. */
    latencyMs: z.number().min(0),
    predictedAt: Timestamp,
    /** Business event time of the scored row, when it differs from `predictedAt`. */
    eventTime: Timestamp.optional(),
  }),
  keyField: 'modelName',
  producers: ['serving'],
  consumers: ['monitoring'],
});

/** Payload of {@link PredictionLoggedV1}. */
export type PredictionLoggedV1 = z.infer<typeof PredictionLoggedV1.schema>;
