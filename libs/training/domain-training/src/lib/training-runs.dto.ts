import { z } from 'zod';
import { cronProblem } from './cron';
import { LogisticRegressionParamsSchema } from '@strata/training/activities';
import type { StartTrainingRunResponse, TrainingRun as TrainingRunResponse } from '@strata/contracts/api';

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
/** Trainer id: `logistic_regression` (built-in) or `command:<name>` (an external command trainer configured in `TRAINING_COMMAND_TRAINERS`). */
export const TrainerIdSchema = z.union([
  z.literal('logistic_regression'),
  z.string().regex(/^command:[a-z0-9][a-z0-9_.-]{0,63}$/, 'trainer must be logistic_regression or command:<name>') as z.ZodType<`command:${string}`>,
]);

/** Params of an external trainer: scalars only, passed to it in params.json. */
const CommandParamsSchema = z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'param names must be 1-64 chars of A-Za-z0-9_.-'), z.union([z.number(), z.string().max(1024), z.boolean()]));

/** Checks `params` against the trainer: strict logistic-regression params, or scalars for a command trainer. */
function checkParams(v: { trainer?: unknown; params?: unknown }, ctx: z.RefinementCtx): void {
  if (typeof v.params !== 'object' || v.params === null) return; // the object schema already reported it
  const schema = typeof v.trainer === 'string' && v.trainer.startsWith('command:') ? CommandParamsSchema : LogisticRegressionParamsSchema;
  const r = schema.safeParse(v.params);
  if (!r.success) for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', path: ['params', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: issue.message });
}

const StartTrainingRunObject = z
  .object({
    modelName: nameOf('modelName'),
    trainer: TrainerIdSchema.default('logistic_regression'),
    params: z.record(z.string(), z.unknown()).default({}),
    trainingSet: nameOf('trainingSet'),
    trainDatasetVersions: z
      .array(z.object({ datasetName: nameOf('datasetName'), versionId: z.string().min(1).max(256) }).strict())
      .min(1, 'at least one dataset version is required'),
    evaluation: z.object({ splitTime: z.iso.datetime({ offset: true }).optional() }).strict().default({}),
    requestId: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'requestId must be 1-200 chars of A-Za-z0-9._:-').optional(),
    reason: z.enum(['manual', 'drift', 'performance', 'schedule']).default('manual'),
  })
  .strict();
// `when: () => true`: check params even when other fields are invalid, so one 400 names every issue.
export const StartTrainingRunBody = StartTrainingRunObject.superRefine(checkParams as (v: unknown, ctx: z.RefinementCtx) => void, { when: () => true }) as unknown as z.ZodType<StartTrainingRunBodyT>;
type StartTrainingRunBodyT = Omit<z.infer<typeof StartTrainingRunObject>, 'params'> & { params: Record<string, number | string | boolean> };
/** Parsed body of `POST /training-runs`. */
export type StartTrainingRunBody = StartTrainingRunBodyT;

/**
 * One dimension of a search space: `{ values: [...] }` (grid and random: each value / uniform
 * choice), or for random search only `{ min, max, scale?: 'linear'|'log', type?: 'float'|'int' }`
 * (uniform, or log-uniform with `min > 0`; `int` rounds down into [min, max]).
 */
export const SearchDimension = z.union([
  z.object({ values: z.array(z.union([z.number(), z.string(), z.boolean()])).min(1).max(1000) }).strict(),
  z
    .object({ min: z.number(), max: z.number(), scale: z.enum(['linear', 'log']).default('linear'), type: z.enum(['float', 'int']).default('float') })
    .strict()
    .refine((d) => d.max >= d.min, { message: 'max must be >= min', path: ['max'] })
    .refine((d) => d.scale !== 'log' || d.min > 0, { message: 'log scale needs min > 0', path: ['min'] }),
]);
/** A parsed search dimension. */
export type SearchDimension = z.infer<typeof SearchDimension>;

/**
 * Body of `POST /training-searches`: the training request (as `POST /training-runs`, `params`
 * being the fixed params every trial shares) plus `search`:
 * `{ strategy: 'grid'|'random', space: { <param>: SearchDimension }, metric (default roc_auc),
 * direction (default maximize), parallelism (1..32, default 2), maxTrials (1..200; random: the
 * number of trials, default 10; grid: the cap on the product, default 200), seed? (random) }`.
 */
export const StartSearchBody = StartTrainingRunObject.omit({ reason: true })
  .extend({
    search: z
      .object({
        strategy: z.enum(['grid', 'random']),
        space: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), SearchDimension).refine((s) => Object.keys(s).length > 0, 'space must declare at least one parameter'),
        metric: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/).default('roc_auc'),
        direction: z.enum(['maximize', 'minimize']).default('maximize'),
        parallelism: z.number().int().min(1).max(32).default(2),
        maxTrials: z.number().int().min(1).max(200).optional(),
        seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
      })
      .strict(),
  })
  .strict();
/** Parsed body of `POST /training-searches`. */
export type StartSearchBody = z.infer<typeof StartSearchBody>;

/** Body of `PUT /retraining/{modelName}/schedule`: exactly one of `cron` (5-field, UTC) or `intervalSeconds` (60..31536000). */
export const RetrainingScheduleBody = z
  .object({
    cron: z.string().min(9).max(200).optional(),
    intervalSeconds: z.number().int().min(60).max(31_536_000).optional(),
    paused: z.boolean().default(false),
  })
  .strict()
  .refine((b) => (b.cron === undefined) !== (b.intervalSeconds === undefined), { message: 'give exactly one of cron or intervalSeconds', path: ['cron'] })
  .superRefine((b, ctx) => {
    const problem = b.cron === undefined ? undefined : cronProblem(b.cron);
    if (problem) ctx.addIssue({ code: 'custom', path: ['cron'], message: `invalid cron expression: ${problem}` });
  });
/** Parsed body of `PUT /retraining/{modelName}/schedule`. */
export type RetrainingScheduleBody = z.infer<typeof RetrainingScheduleBody>;

/** Body of `POST /retraining/{modelName}`: a manual retraining (same guard as events). */
export const ManualRetrainingBody = z
  .object({
    reason: z.string().min(1).max(1000).default('manual retraining'),
    requestId: z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'requestId must be 1-200 chars of A-Za-z0-9._:-').optional(),
  })
  .strict();
/** Parsed body of `POST /retraining/{modelName}`. */
export type ManualRetrainingBody = z.infer<typeof ManualRetrainingBody>;

/** Declared once, in the API contracts (inferred from zod). */
export type { StartTrainingRunResponse };

/** Declared once, in the API contracts (inferred from zod). */
export type { TrainingRunResponse };
