import { z } from 'zod';
import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';
import { SERVING_SCHEMA } from '@strata/serving/data-access';
import { SERVING_BATCH_TASK_QUEUE } from '@strata/serving/workflows';

const BatchingSchema = z.record(
  z.string().min(1),
  z.object({ maxBatchSize: z.number().int().min(1).max(65_536), maxDelayMs: z.number().min(0).max(1000) }),
);

/** Environment of the serving service; see apps/serving/.env.example. */
export const servingEnvSchema = platformEnvSchema.extend({
  SERVING_PORT: portVar(3005),
  /** PostgreSQL schema of this instance (outbox/inbox); tests use a fresh one. */
  SERVING_DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase PostgreSQL identifier').default(SERVING_SCHEMA),
  /** Registry base URL (model versions, aliases). */
  REGISTRY_URL: z.string().url().default('http://127.0.0.1:3004'),
  /** Features service base URL (online features). */
  FEATURES_URL: z.string().url().default('http://127.0.0.1:3002'),
  /** onnxruntime intra-op threads per model session. */
  SERVING_ORT_THREADS: z.coerce.number().int().min(1).max(256).default(1),
  /** onnxruntime inter-op threads per model session. */
  SERVING_ORT_INTER_OP_THREADS: z.coerce.number().int().min(1).max(256).default(1),
  /** Prediction log events buffered in memory before new ones are dropped. */
  SERVING_PREDICTION_LOG_BUFFER: z.coerce.number().int().min(1).default(10_000),
  /** Prediction log events written per outbox transaction. */
  SERVING_PREDICTION_LOG_BATCH: z.coerce.number().int().min(1).max(10_000).default(200),
  /**
   * `buffered`: answer at once, log off the request path (a SIGKILL loses what is still buffered);
   * `durable`: answer only once the prediction's log is committed to the outbox (group commit).
   */
  SERVING_PREDICTION_LOG_DURABILITY: z.enum(['buffered', 'durable']).default('buffered'),
  /** In `durable` mode, how long a request waits for its log to commit before 503, ms. */
  SERVING_PREDICTION_LOG_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(5000),
  /** Kafka consumer group (change it for a second, independent instance, e.g. a manual test run). */
  SERVING_CONSUMER_GROUP: z.string().min(1).default('serving'),
  /**
   * This replica's id (default `<hostname>-<pid>`). Model events (alias, rollout) are consumed by
   * EVERY replica, in group `<SERVING_CONSUMER_GROUP>.<SERVING_INSTANCE_ID>`; a restart with the same
   * id resumes where it stopped, a new id starts at the events since its start (after loading the champions).
   */
  SERVING_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'letters, digits, . _ - (1-200)').optional(),
  /** Largest accepted request body in bytes; larger → 413 naming the limit (default 10 MiB). */
  SERVING_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(10 * 1024 * 1024),
  /**
   * Dynamic batching per model, JSON: `{"<model>|*": {"maxBatchSize": 1-65536, "maxDelayMs": 0-1000}}`
   * (empty = off). Each caller still gets exactly its own rows.
   */
  SERVING_BATCHING: z
    .string()
    .default('')
    .transform((raw, ctx) => {
      if (raw.trim() === '') return {};
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `must be JSON: ${(err as Error).message}` });
        return z.NEVER;
      }
      const r = BatchingSchema.safeParse(parsed);
      if (!r.success) {
        ctx.addIssue({ code: 'custom', message: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
        return z.NEVER;
      }
      return r.data;
    }),
  /**
   * Serve the OIP infer routes straight from Fastify (same auth, input rules, logs and metrics,
   * without Nest's per-request pipeline; issue 15). `false` routes them through Nest.
   */
  SERVING_FAST_INFER_ROUTE: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** Temporal frontend of batch scoring. */
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** Deadline of one Temporal client call made while answering a request (start, cancel, describe, schedules), ms; a Temporal that does not answer → 503. */
  TEMPORAL_RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Ingestion base URL (batch scoring: dataset version → Parquet URI). */
  INGESTION_URL: z.string().url().default('http://127.0.0.1:3001'),
  /** Run the batch scoring Temporal worker in this process. */
  SERVING_WORKER_ENABLED: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** Task queue of the batch scoring worker (tests use a unique one). */
  SERVING_TASK_QUEUE: z.string().min(1).default(SERVING_BATCH_TASK_QUEUE),
  /** Rows per batch scoring chunk (one activity call each). */
  SERVING_BATCH_CHUNK_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** Heartbeat timeout of batch scoring chunks, seconds: a dead worker's chunk is retried after this. */
  SERVING_BATCH_HEARTBEAT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** First retry delay of failed batch scoring activities, seconds (×2 per attempt, ≤ 1 min, 5 attempts). */
  SERVING_BATCH_RETRY_INITIAL_SECONDS: z.coerce.number().min(0.1).max(600).default(2),
  /** Timeout of calls to the registry and the features service, ms. */
  SERVING_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
});

export type ServingConfig = ReturnType<typeof loadServingConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadServingConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('serving', servingEnvSchema, env);
}
