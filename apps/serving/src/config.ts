import { z } from 'zod';
import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';

/** Environment of the serving service; see apps/serving/.env.example. */
export const servingEnvSchema = platformEnvSchema.extend({
  SERVING_PORT: portVar(3005),
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
  /** Feature view of bare model feature names that are not trip_request features. */
  SERVING_DEFAULT_FEATURE_VIEW: z.string().min(1).default('zone_trip_stats'),
  /** Kafka consumer group (change it for a second, independent instance, e.g. a manual test run). */
  SERVING_CONSUMER_GROUP: z.string().min(1).default('serving'),
  /** Timeout of calls to the registry and the features service, ms. */
  SERVING_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
});

export type ServingConfig = ReturnType<typeof loadServingConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadServingConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('serving', servingEnvSchema, env);
}
