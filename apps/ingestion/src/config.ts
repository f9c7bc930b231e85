import { z } from 'zod';
import { loadConfig, portVar, positiveIntVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';
import { INGESTION_SCHEMA } from '@strata/ingestion/data-access';

/** Environment of the ingestion service; see apps/ingestion/.env.example. */
export const ingestionEnvSchema = platformEnvSchema.extend({
  INGESTION_PORT: portVar(3001),
  /** PostgreSQL schema of the service (tests use a unique one). */
  INGESTION_DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default(INGESTION_SCHEMA),
  /** Largest streamed upload in bytes (default 5 GiB). */
  INGESTION_MAX_UPLOAD_BYTES: positiveIntVar(5 * 1024 * 1024 * 1024),
  /** Kafka consumer group / client id (default `ingestion`). */
  INGESTION_KAFKA_GROUP_ID: z.string().min(1).default('ingestion'),
});

export type IngestionConfig = ReturnType<typeof loadIngestionConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadIngestionConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('ingestion', ingestionEnvSchema, env);
}
