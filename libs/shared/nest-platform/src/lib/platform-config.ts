import fs from 'node:fs';
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
/** The parsed shared environment ({@link platformEnvSchema}). */
export type PlatformEnv = z.infer<typeof platformEnvSchema>;

/**
 * HTTPS options from `STRATA_HTTP_TLS_CERT_FILE` + `STRATA_HTTP_TLS_KEY_FILE` (PEM; optional
 * `STRATA_HTTP_TLS_CA_FILE` to also require client certificates signed by that CA: mTLS).
 * Undefined (plain HTTP) when neither is set.
 * @throws Error when only one of cert/key is set or a file cannot be read
 */
export function httpsOptionsFromEnv(env: Record<string, string | undefined> = process.env): { key: Buffer; cert: Buffer; ca?: Buffer; requestCert?: boolean; rejectUnauthorized?: boolean } | undefined {
  const certFile = env['STRATA_HTTP_TLS_CERT_FILE'];
  const keyFile = env['STRATA_HTTP_TLS_KEY_FILE'];
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new Error('STRATA_HTTP_TLS_CERT_FILE and STRATA_HTTP_TLS_KEY_FILE must be set together');
  const read = (variable: string, file: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new Error(`${variable}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  };
  const caFile = env['STRATA_HTTP_TLS_CA_FILE'];
  return {
    cert: read('STRATA_HTTP_TLS_CERT_FILE', certFile),
    key: read('STRATA_HTTP_TLS_KEY_FILE', keyFile),
    ...(caFile ? { ca: read('STRATA_HTTP_TLS_CA_FILE', caFile), requestCert: true, rejectUnauthorized: true } : {}),
  };
}

/** The platform body limit: `STRATA_HTTP_BODY_LIMIT_BYTES` or 10 MiB. */
export function bodyLimitFromEnv(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env['STRATA_HTTP_BODY_LIMIT_BYTES']);
  return Number.isInteger(n) && n > 0 ? n : 10 * 1024 * 1024;
}

/** Whether OpenAPI (`/docs`) is published under enforced auth: `STRATA_OPENAPI_PUBLIC=true`. */
export function openApiPublicFromEnv(env: Record<string, string | undefined> = process.env): boolean {
  return env['STRATA_OPENAPI_PUBLIC'] === 'true';
}
