import path from 'node:path';
import { z } from 'zod';
import { loadConfig, logLevelVar, portVar } from '@strata/shared/util-config';

/** Environment of the web console; see apps/console/.env.example. No database, Kafka or credential of its own. */
export const consoleEnvSchema = z.object({
  CONSOLE_PORT: portVar(3007),
  /** Interface to bind HTTP servers to. */
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: logLevelVar(),
  /** Base URLs of the six services the console proxies to (`/api/<service>/…`). */
  INGESTION_URL: z.string().url().default('http://127.0.0.1:3001'),
  FEATURES_URL: z.string().url().default('http://127.0.0.1:3002'),
  TRAINING_URL: z.string().url().default('http://127.0.0.1:3003'),
  REGISTRY_URL: z.string().url().default('http://127.0.0.1:3004'),
  SERVING_URL: z.string().url().default('http://127.0.0.1:3005'),
  MONITORING_URL: z.string().url().default('http://127.0.0.1:3006'),
  /** Deadline of one proxied call, ms (default 15000): no answer by then → 504 naming the service. */
  CONSOLE_PROXY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  /** Folder of the built single-page app (`npx nx run console:build` writes dist/console-ui); relative to the working directory. */
  CONSOLE_UI_DIR: z.string().min(1).default('dist/console-ui').transform((p) => path.resolve(p)),
});

export type ConsoleConfig = ReturnType<typeof loadConsoleConfig>;

/** @throws ConfigValidationError listing every missing or invalid variable */
export function loadConsoleConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig('console', consoleEnvSchema, env);
}
