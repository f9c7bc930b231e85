import { z } from 'zod';
import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';
import { parseCommandTrainers } from '@strata/training/activities';

/** Environment of the training service; see apps/training/.env.example. */
export const trainingEnvSchema = platformEnvSchema.extend({
  TRAINING_PORT: portVar(3003),
  /** Temporal frontend host:port. */
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** Deadline of one Temporal client call made while answering a request (start, cancel, describe, schedules), ms; a Temporal that does not answer → 503. */
  TEMPORAL_RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  FEATURES_URL: z.string().url().default('http://127.0.0.1:3002'),
  REGISTRY_URL: z.string().url().default('http://127.0.0.1:3004'),
  /** Ingestion (pins dataset versions' content hashes for lineage). */
  INGESTION_URL: z.string().url().default('http://127.0.0.1:3001'),
  /** Task queue of the training workflows (tests use a unique one). */
  TRAINING_TASK_QUEUE: z.string().min(1).default('strata-training'),
  /** PostgreSQL schema owned by training (tests set a unique one). */
  TRAINING_DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default('training'),
  /** Kafka consumer group of the training-requested consumer (tests use a unique one). */
  TRAINING_KAFKA_GROUP_ID: z.string().min(1).default('training'),
  /** Run the Temporal worker in this process. */
  /**
   * External command trainers, JSON: `{"<name>": ["program", "arg", ...]}` or
   * `{"<name>": {"command": [...], "cwd"?: "...", "env"?: {...}}}`; requested as `trainer: "command:<name>"`.
   */
  TRAINING_COMMAND_TRAINERS: z
    .string()
    .default('{}')
    .transform((v, ctx) => {
      try {
        return parseCommandTrainers(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `TRAINING_COMMAND_TRAINERS: ${e instanceof Error ? e.message : String(e)}` });
        return z.NEVER;
      }
    }),
  /**
   * A trainers file (same JSON as TRAINING_COMMAND_TRAINERS) re-read when it changes: external
   * trainers registered without a restart. Must not be writable by group/others. docs/security.md.
   */
  TRAINING_TRAINERS_FILE: z.string().min(1).optional(),
  /** Estimated-cost rate per CPU-hour (currency TRAINING_COST_CURRENCY). */
  TRAINING_COST_PER_CPU_HOUR: z.coerce.number().min(0).default(0.04),
  /** Estimated-cost rate per GB-hour of peak memory. */
  TRAINING_COST_PER_GB_HOUR: z.coerce.number().min(0).default(0.005),
  TRAINING_COST_CURRENCY: z.string().regex(/^[A-Z]{3}$/).default('USD'),
  /** Retrain on drift-detected / performance-degraded events (false: they are recorded as DISABLED). */
  TRAINING_RETRAIN_ON_EVENTS: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** Minimum seconds between two started retrainings of one model. */
  TRAINING_RETRAIN_COOLDOWN_SECONDS: z.coerce.number().int().min(0).default(3600),
  /** Heartbeat timeout of long activities, seconds: a dead worker's activity is retried elsewhere after this. */
  TRAINING_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** First retry delay of failed activities, seconds. */
  TRAINING_RETRY_INITIAL_SECONDS: z.coerce.number().min(0.1).max(600).default(2),
  /**
   * Model optimization (POST /model-optimizations): a python with tools/python/model-optimize.requirements.txt
   * (`bash tools/python/ensure-venv.sh model-optimize` prints it). Unset: the endpoint answers 503.
   */
  TRAINING_OPTIMIZER_PYTHON: z.string().min(1).optional(),
  /** The optimizer tool script (relative paths resolve against the working directory, the repository root by default). */
  TRAINING_OPTIMIZER_SCRIPT: z.string().min(1).default('tools/model-optimization/optimize_onnx.py'),
  /** Deadline of the optimizer tool per job, seconds (killed past it; the job FAILS with 503). */
  TRAINING_OPTIMIZE_TOOL_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  /** Default largest accuracy drop (absolute fraction) of an optimized child on its parent's evaluation set. */
  TRAINING_OPTIMIZE_MAX_ACCURACY_DROP: z.coerce.number().min(0).max(1).default(0.01),
  TRAINING_WORKER_ENABLED: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
});

export type TrainingConfig = ReturnType<typeof loadTrainingConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadTrainingConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('training', trainingEnvSchema, env);
}
