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
});

export type FeaturesConfig = ReturnType<typeof loadFeaturesConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadFeaturesConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('features', featuresEnvSchema, env);
}
