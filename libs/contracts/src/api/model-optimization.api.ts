import { z } from 'zod';
import { defineEndpoint, NoParams } from './define-endpoint';

/**
 * Model optimization (training service, docs/service-apis.md "training", issue 15): derives an
 * optimized child version of a registered model (ONNX Runtime dynamic INT8 quantization or offline
 * graph optimization), measures it side by side with its parent on the parent's evaluation set, and
 * registers it only when the quality drop is within the margins.
 */

/** `dynamic-int8`: onnxruntime.quantization.quantize_dynamic (INT8 weights); `graph`: ORT_ENABLE_EXTENDED graph optimizations saved offline. */
export const OptimizationMethodSchema = z.enum(['dynamic-int8', 'graph']);

/** Body of `POST /model-optimizations`. Drops are absolute fractions (0.01 = one point of accuracy). */
export const StartModelOptimizationSchema = z.strictObject({
  modelName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1-128 chars of letters, digits, ".", "_" or "-"'),
  version: z.number().int().min(1),
  method: OptimizationMethodSchema,
  /** Largest accepted accuracy drop (parent − child) on the parent's evaluation set, in [0, 1]; default TRAINING_OPTIMIZE_MAX_ACCURACY_DROP (0.01). */
  maxAccuracyDrop: z.number().min(0).max(1).optional(),
  /** Largest accepted ROC AUC drop, in [0, 1]; default `maxAccuracyDrop`. */
  maxRocAucDrop: z.number().min(0).max(1).optional(),
  /** Rows timed one at a time per model (10–100000, default 2000). */
  latencyRows: z.number().int().min(10).max(100_000).optional(),
});
export type StartModelOptimization = z.infer<typeof StartModelOptimizationSchema>;

const Measure = z.object({
  accuracy: z.number(),
  rocAuc: z.number().nullable(),
  /** ONNX file size, bytes. */
  sizeBytes: z.number(),
  /** Median single-row `session.run` wall time in onnxruntime-node, ms. */
  p50RowLatencyMs: z.number(),
  p90RowLatencyMs: z.number(),
  /** Median over batches of 256 rows of batch time / 256, ms per row (null: fewer rows). */
  p50BatchedRowLatencyMs: z.number().nullable(),
});

/** The outcome of a finished optimization (SUCCEEDED). */
export const OptimizationResultSchema = z.looseObject({
  parent: z.object({ name: z.string(), version: z.number().int(), artifactSha256: z.string() }),
  child: z.object({ name: z.string(), version: z.number().int(), artifactUri: z.string(), artifactSha256: z.string(), created: z.boolean() }),
  method: OptimizationMethodSchema,
  decision: z.object({ accepted: z.boolean(), accuracyDrop: z.number(), rocAucDrop: z.number().nullable(), reason: z.string() }),
  margins: z.object({ maxAccuracyDrop: z.number(), maxRocAucDrop: z.number() }),
  measured: z.object({
    parent: Measure,
    child: Measure,
    evalRows: z.number().int(),
    latencyRows: z.number().int(),
    /** onnxruntime-node session options of both (serving's). */
    session: z.object({ intraOpNumThreads: z.number(), interOpNumThreads: z.number(), graphOptimizationLevel: z.string() }),
  }),
  /** child size / parent size. */
  sizeRatio: z.number(),
  /** parent p50 / child p50 (> 1: the child is faster). */
  latencySpeedup: z.number(),
  evaluation: z.object({ trainingSet: z.string(), splitTime: z.string() }),
  timingsMs: z.object({ tool: z.number(), measure: z.number(), total: z.number() }),
});
export type OptimizationResult = z.infer<typeof OptimizationResultSchema>;

/**
 * A model optimization job (`GET /model-optimizations/{id}`). `REFUSED`: the drop exceeded the
 * margins (`error.code` CONFLICT, `error.details` has every number; nothing registered);
 * `FAILED`: any other error (`error.code` INVALID_ARGUMENT | NOT_FOUND | INTEGRITY_ERROR | UNAVAILABLE | INTERNAL).
 */
export const ModelOptimizationSchema = z.looseObject({
  id: z.string(),
  status: z.enum(['RUNNING', 'SUCCEEDED', 'REFUSED', 'FAILED']),
  request: z.looseObject({ modelName: z.string(), version: z.number().int(), method: OptimizationMethodSchema, maxAccuracyDrop: z.number() }),
  /** Overall progress in [0, 1] and the current step. */
  progress: z.number(),
  step: z.string(),
  result: OptimizationResultSchema.nullable(),
  error: z.looseObject({ code: z.string(), message: z.string(), httpStatus: z.number().int(), details: z.record(z.string(), z.unknown()).optional() }).nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type ModelOptimization = z.infer<typeof ModelOptimizationSchema>;

/** The model optimization endpoints (part of {@link TrainingApi}). */
export const ModelOptimizationApi = {
  startModelOptimization: defineEndpoint({ service: 'training', method: 'POST', path: '/model-optimizations', summary: 'Starts deriving an optimized child version (202; poll GET /model-optimizations/{id})', params: NoParams, body: StartModelOptimizationSchema, response: ModelOptimizationSchema }),
  getModelOptimization: defineEndpoint({ service: 'training', method: 'GET', path: '/model-optimizations/{id}', summary: 'One model optimization: status, progress, result or refusal with the numbers', params: z.object({ id: z.string() }), response: ModelOptimizationSchema }),
} as const;
