import { z } from 'zod';
import type { LogisticRegressionParams } from '@strata/training/util-trainers';

/**
 * Accepted `params` of the `logistic_regression` trainer (unknown keys are rejected, so typos
 * fail the request instead of silently training with defaults):
 * `l2` ≥ 0 (default 1e-4), `maxIterations` integer 1..10000 (100), `tolerance` > 0 (1e-8),
 * `learningRate` in (0, 1] (1), `classWeight` `'balanced'` (default: none).
 */
export const LogisticRegressionParamsSchema = z
  .object({
    l2: z.number().min(0).optional(),
    maxIterations: z.number().int().min(1).max(10_000).optional(),
    tolerance: z.number().positive().optional(),
    learningRate: z.number().positive().max(1).optional(),
    classWeight: z.literal('balanced').optional(),
  })
  .strict();

/** Parses trainer params; throws a ZodError naming each bad key. */
export function parseLogisticRegressionParams(params: unknown): LogisticRegressionParams {
  return LogisticRegressionParamsSchema.parse(params);
}
