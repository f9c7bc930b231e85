import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';

/** Environment of the serving service; see apps/serving/.env.example. */
export const servingEnvSchema = platformEnvSchema.extend({
  SERVING_PORT: portVar(3005),
});

export type ServingConfig = ReturnType<typeof loadServingConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadServingConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('serving', servingEnvSchema, env);
}
