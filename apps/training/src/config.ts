import { z } from 'zod';
import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';

/** Environment of the training service; see apps/training/.env.example. */
export const trainingEnvSchema = platformEnvSchema.extend({
  TRAINING_PORT: portVar(3003),
  /** Temporal frontend host:port. */
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
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
