import { z } from 'zod';
import { brokersVar, logLevelVar, postgresUrlVar } from '@strata/shared/util-config';

/**
 * Environment shared by every service (CONVENTIONS C8): infrastructure endpoints and logging.
 * Apps extend it with their own prefixed variables (e.g. `REGISTRY_PORT`).
 */
export const platformEnvSchema = z.object({
  DATABASE_URL: postgresUrlVar(),
  KAFKA_BROKERS: brokersVar(),
  LOG_LEVEL: logLevelVar(),
  /** Interface to bind HTTP servers to. */
  HOST: z.string().default('127.0.0.1'),
  /** Root folder of the local object store (lake and artifacts). */
  STRATA_DATA_DIR: z.string().default('.stack/data'),
});
