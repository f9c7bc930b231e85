import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';

/** Environment of the features service; see apps/features/.env.example. */
export const featuresEnvSchema = platformEnvSchema.extend({
  FEATURES_PORT: portVar(3002),
});

export type FeaturesConfig = ReturnType<typeof loadFeaturesConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadFeaturesConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('features', featuresEnvSchema, env);
}
