import { z } from 'zod';
import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';
import { REGISTRY_SCHEMA } from '@strata/registry/data-access';

/** Environment of the registry service; see apps/registry/.env.example. */
export const registryEnvSchema = platformEnvSchema.extend({
  REGISTRY_PORT: portVar(3004),
  /** PostgreSQL schema of the registry (default `registry`; tests use a unique one). */
  REGISTRY_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase PostgreSQL identifier')
    .default(REGISTRY_SCHEMA),
});

export type RegistryConfig = ReturnType<typeof loadRegistryConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadRegistryConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('registry', registryEnvSchema, env);
}
