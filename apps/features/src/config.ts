import { z } from 'zod';
import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';
import { FEATURES_SCHEMA } from '@strata/features/data-access';

/** Environment of the features service; see apps/features/.env.example. */
export const featuresEnvSchema = platformEnvSchema.extend({
  FEATURES_PORT: portVar(3002),
  /** PostgreSQL schema of the service (tests use a unique one). */
  FEATURES_DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default(FEATURES_SCHEMA),
  /** Kafka consumer group (default `features`; tests use a unique one). */
  FEATURES_KAFKA_GROUP_ID: z.string().min(1).default('features'),
  /** Online store: `postgres` (default; table online_feature of the service schema) or `redis` (needs REDIS_URL). */
  FEATURES_ONLINE_STORE: z.enum(['postgres', 'redis']).default('postgres'),
  /** Redis URL (`redis://host:port[/db]`), required when FEATURES_ONLINE_STORE=redis. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  /** Key prefix of the Redis online store (tests use a unique one). */
  FEATURES_REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_:.-]{1,100}$/).default('strata:features'),
  /**
   * Deadline of one Redis call in ms (connect + handshake, or one command's answer; default 3000).
   * A Redis that refuses or never answers fails the request with 503 within about this time.
   */
  FEATURES_REDIS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(3000),
  /**
   * Serve `POST /get-online-features` straight from Fastify (same auth/logs/metrics, without Nest's
   * per-request pipeline; issue 15). `false` routes it through Nest.
   */
  FEATURES_FAST_ONLINE_ROUTE: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
}).refine((c) => c.FEATURES_ONLINE_STORE !== 'redis' || !!c.REDIS_URL, { message: 'REDIS_URL is required when FEATURES_ONLINE_STORE=redis', path: ['REDIS_URL'] });

export type FeaturesConfig = ReturnType<typeof loadFeaturesConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadFeaturesConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('features', featuresEnvSchema, env);
}
