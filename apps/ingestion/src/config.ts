import { z } from 'zod';
import { loadConfig, portVar, positiveIntVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';
import { INGESTION_SCHEMA } from '@strata/ingestion/data-access';
import { objectStoreEnvShape } from '@strata/shared/data-access-object-store';

/** Environment of the ingestion service; see apps/ingestion/.env.example. */
export const ingestionEnvSchema = platformEnvSchema.extend({
  /** Lake store: STRATA_OBJECT_STORE=local|s3, STRATA_S3_BUCKET, STRATA_S3_PREFIX, STRATA_S3_CREATE_BUCKET, S3_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, S3_FORCE_PATH_STYLE. */
  ...objectStoreEnvShape,
  INGESTION_PORT: portVar(3001),
  /** PostgreSQL schema of the service (tests use a unique one). */
  INGESTION_DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default(INGESTION_SCHEMA),
  /** Largest streamed upload in bytes (default 5 GiB). */
  INGESTION_MAX_UPLOAD_BYTES: positiveIntVar(5 * 1024 * 1024 * 1024),
  /** Memory limit of the ingestion's DuckDB (size string, default 128MB); above it DuckDB spills to the temp dir (bounded RSS for large uploads: a 1 GB CSV peaked at 493 MB RSS, bench/ingestion/upload-service.ts). */
  INGESTION_DUCKDB_MEMORY_LIMIT: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'must be a size like 128MB or 1GiB').default('128MB'),
  /** DuckDB worker threads of ingestion (default 1: fewer per-thread buffers, the measured 1 GB peak of 493 MB RSS; more threads ingest faster with more memory). */
  INGESTION_DUCKDB_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  /** Kafka consumer group / client id (default `ingestion`). */
  INGESTION_KAFKA_GROUP_ID: z.string().min(1).default('ingestion'),
  /** Log upload progress every this many bytes (default 16 MiB). */
  INGESTION_PROGRESS_EVERY_BYTES: positiveIntVar(16 * 1024 * 1024),
  /** Consume strata.ingestion.ingest-records.v1 and cut micro-batch versions (default true). */
  INGESTION_STREAM_ENABLED: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Cut a streamed version once a dataset has this many pending records (default 10000). */
  INGESTION_STREAM_FLUSH_RECORDS: positiveIntVar(10_000),
  /** ... or once its oldest pending batch is this old, in ms (default 5000). */
  INGESTION_STREAM_FLUSH_INTERVAL_MS: positiveIntVar(5_000),
  /** Staging-area poll interval of the flusher, in ms (default 250). */
  INGESTION_STREAM_POLL_MS: positiveIntVar(250),
  /** Most records folded into one streamed version (whole batches; default 200000). */
  INGESTION_STREAM_MAX_RECORDS_PER_VERSION: positiveIntVar(200_000),
}).superRefine((c, ctx) => {
  if (c.STRATA_OBJECT_STORE === 's3' && !c.STRATA_S3_BUCKET) ctx.addIssue({ code: 'custom', path: ['STRATA_S3_BUCKET'], message: 'required when STRATA_OBJECT_STORE=s3' });
});

export type IngestionConfig = ReturnType<typeof loadIngestionConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadIngestionConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('ingestion', ingestionEnvSchema, env);
}
