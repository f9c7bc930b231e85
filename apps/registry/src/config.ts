import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';

/** Environment of the registry service; see apps/registry/.env.example. */
export const registryEnvSchema = platformEnvSchema.extend({
  REGISTRY_PORT: portVar(3004),
});

export type RegistryConfig = ReturnType<typeof loadRegistryConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadRegistryConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('registry', registryEnvSchema, env);
}
