import fs from 'node:fs';
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

/**
 * Parses a `KEY=value` env file (as written by `strata auth service-keys`: `#` comments, no
 * quoting, no expansion). Returns {} when the file does not exist.
 * @throws Error naming the file when it exists but cannot be read
 */
export function readCredentialsEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read credentials file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1] && !line.trimStart().startsWith('#')) out[m[1]] = (m[2] ?? '').trim();
  }
  return out;
}

/** Where {@link operatorCredential} found the key (for messages; never the key itself). */
export type OperatorCredentialSource = 'STRATA_API_KEY' | 'STRATA_API_KEY_FILE' | 'credentials-file' | 'none';

/**
 * The credential of a person or tool using the CLI (`strata demo`, `strata status`):
 * `STRATA_API_KEY`, else the file named by `STRATA_API_KEY_FILE`, else the operator key
 * (`STRATA_API_KEY=...`) of `credentialsFile` — `.run/credentials.env`, written once by
 * `npm run up` (`strata auth service-keys`). `key` is undefined when none is found.
 * @throws Error when both STRATA_API_KEY and STRATA_API_KEY_FILE are set, or a named file is unreadable
 */
export function operatorCredential(env: Record<string, string | undefined>, credentialsFile: string): { key: string | undefined; source: OperatorCredentialSource } {
  const fromEnv = readSecret(env, 'STRATA_API_KEY');
  if (fromEnv) return { key: fromEnv, source: env['STRATA_API_KEY_FILE'] ? 'STRATA_API_KEY_FILE' : 'STRATA_API_KEY' };
  const key = readCredentialsEnvFile(credentialsFile)['STRATA_API_KEY'];
  return key ? { key, source: 'credentials-file' } : { key: undefined, source: 'none' };
}
