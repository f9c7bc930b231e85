import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';

/** Environment of the ingestion service; see apps/ingestion/.env.example. */
export const ingestionEnvSchema = platformEnvSchema.extend({
  INGESTION_PORT: portVar(3001),
});

export type IngestionConfig = ReturnType<typeof loadIngestionConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadIngestionConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('ingestion', ingestionEnvSchema, env);
}
