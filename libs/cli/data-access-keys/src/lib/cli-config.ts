import { readSecret } from '@strata/shared/auth';

type Env = Record<string, string | undefined>;

/**
 * The PostgreSQL URL the key commands use: `DATABASE_URL`, or the file named by
 * `DATABASE_URL_FILE` (Docker/Kubernetes secrets).
 * @throws Error when neither is set (or both are, or the file cannot be read)
 */
export function keysDatabaseUrl(env: Env = process.env): string {
  const url = readSecret(env, 'DATABASE_URL');
  if (!url) throw new Error('DATABASE_URL (or DATABASE_URL_FILE) must point at the Strata PostgreSQL database');
  return url;
}

/** Who the key commands record as `createdBy` / `revokedBy`: `cli:<USER>` (`cli:unknown` without USER). */
export function cliActor(env: Env = process.env): string {
  return `cli:${env['USER'] ?? 'unknown'}`;
}
