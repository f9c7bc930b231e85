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
  /** Deadline of opening a PostgreSQL connection or waiting for a pooled one, ms (default 5000). */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** PostgreSQL `statement_timeout` of the service's sessions, ms (default 120000; 0 = none); the client gives up 5 s later. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(120_000),
});
