import { loadConfig, portVar } from '@strata/shared/util-config';
import { platformEnvSchema } from '@strata/shared/nest-platform';

/** Environment of the monitoring service; see apps/monitoring/.env.example. */
export const monitoringEnvSchema = platformEnvSchema.extend({
  MONITORING_PORT: portVar(3006),
});

export type MonitoringConfig = ReturnType<typeof loadMonitoringConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadMonitoringConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('monitoring', monitoringEnvSchema, env);
}
