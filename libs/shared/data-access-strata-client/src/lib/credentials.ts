import { readSecret } from '@strata/shared/auth';

let cached: { key: string | undefined; from: string } | undefined;

/**
 * This process's own Strata credential: `STRATA_API_KEY`, or the file named by
 * `STRATA_API_KEY_FILE` (mounted secret). Read once per process (a changed file needs a restart);
 * undefined when neither is set (auth off, or a caller that authenticates otherwise).
 */
export function serviceCredential(env: Record<string, string | undefined> = process.env): string | undefined {
  const from = `${env['STRATA_API_KEY'] ?? ''}\u0000${env['STRATA_API_KEY_FILE'] ?? ''}`;
  if (env !== process.env || cached?.from !== from) {
    const key = readSecret(env, 'STRATA_API_KEY');
    if (env !== process.env) return key;
    cached = { key, from };
  }
  return cached.key;
}

/** `{authorization: 'Bearer <key>'}` for {@link serviceCredential}, or `{}` when none is configured. */
export function serviceAuthHeaders(env: Record<string, string | undefined> = process.env): Record<string, string> {
  const key = serviceCredential(env);
  return key ? { authorization: `Bearer ${key}` } : {};
}
