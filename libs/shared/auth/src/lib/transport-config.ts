import fs from 'node:fs';
import { readSecret } from './auth-config';

/**
 * Secret-bearing variables that may instead come from a mounted file `<NAME>_FILE`
 * (Docker/Kubernetes secrets). {@link applyFileSecrets} resolves them at process start.
 */
export const SECRET_ENV_VARS: readonly string[] = ['DATABASE_URL', 'STRATA_API_KEY', 'KAFKA_SASL_PASSWORD', 'AWS_SECRET_ACCESS_KEY', 'REDIS_URL'];

/**
 * For each `NAME` of `names` with `NAME_FILE` set, reads the file into `env[NAME]` (so config
 * schemas see the value) and removes `NAME_FILE` (so later `readSecret(env, NAME)` calls, e.g.
 * the service's own `STRATA_API_KEY` for outgoing calls, do not see both) — called by `runMain`
 * before the app loads its config.
 * @throws Error when both `NAME` and `NAME_FILE` are set, or the file cannot be read
 */
export function applyFileSecrets(env: Record<string, string | undefined> = process.env, names: readonly string[] = SECRET_ENV_VARS): void {
  for (const name of names) {
    if (!env[`${name}_FILE`]) continue;
    const value = readSecret(env, name);
    if (value !== undefined) env[name] = value;
    delete env[`${name}_FILE`];
  }
}

/** kafkajs-compatible SASL settings (structural; no kafkajs import here). */
export type KafkaSaslOptions =
  | { mechanism: 'plain'; username: string; password: string }
  | { mechanism: 'scram-sha-256'; username: string; password: string }
  | { mechanism: 'scram-sha-512'; username: string; password: string };

/** kafkajs-compatible `{ sasl?, ssl? }` to spread into `new Kafka({...})`. */
export interface KafkaSecurityOptions {
  sasl?: KafkaSaslOptions;
  ssl?: boolean | { ca?: string[]; rejectUnauthorized?: boolean };
}

/**
 * Kafka client security from the environment:
 * - `KAFKA_SASL_MECHANISM` `plain` | `scram-sha-256` | `scram-sha-512`, with `KAFKA_SASL_USERNAME`
 *   and `KAFKA_SASL_PASSWORD` (or `KAFKA_SASL_PASSWORD_FILE`);
 * - `KAFKA_SSL=true` for TLS, `KAFKA_SSL_CA_FILE` (PEM) to trust a private CA,
 *   `KAFKA_SSL_REJECT_UNAUTHORIZED=false` only for tests.
 * Returns `{}` when nothing is set (plaintext, as today).
 * @throws Error naming the variable when the set is incomplete or invalid
 */
export function kafkaSecurityFromEnv(env: Record<string, string | undefined> = process.env): KafkaSecurityOptions {
  const out: KafkaSecurityOptions = {};
  const mechanism = env['KAFKA_SASL_MECHANISM']?.toLowerCase();
  if (mechanism) {
    if (mechanism !== 'plain' && mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') {
      throw new Error(`KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512, got "${mechanism}"`);
    }
    const username = env['KAFKA_SASL_USERNAME'];
    const password = readSecret(env, 'KAFKA_SASL_PASSWORD');
    if (!username) throw new Error('KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM');
    if (!password) throw new Error('KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE) is required with KAFKA_SASL_MECHANISM');
    out.sasl = { mechanism, username, password } as KafkaSaslOptions;
  }
  if (env['KAFKA_SSL'] === 'true' || env['KAFKA_SSL_CA_FILE']) {
    const caFile = env['KAFKA_SSL_CA_FILE'];
    let ca: string[] | undefined;
    if (caFile) {
      try {
        ca = [fs.readFileSync(caFile, 'utf8')];
      } catch (e) {
        throw new Error(`KAFKA_SSL_CA_FILE: cannot read ${caFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    }
    out.ssl = ca || env['KAFKA_SSL_REJECT_UNAUTHORIZED'] === 'false' ? { ...(ca ? { ca } : {}), rejectUnauthorized: env['KAFKA_SSL_REJECT_UNAUTHORIZED'] !== 'false' } : true;
  }
  return out;
}
