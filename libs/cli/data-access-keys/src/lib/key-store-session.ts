import { type ApiKeyRecord, type CreatedApiKey } from '@strata/shared/auth';
import { ApiKeyStore, migrateSecuritySchemas } from '@strata/shared/data-access-auth';
import { Client } from 'pg';

/**
 * Runs `fn` on one PostgreSQL connection to `databaseUrl`, inside one transaction, with the
 * shared `auth` schema migrated first (idempotent): COMMIT when `fn` resolves, ROLLBACK when it
 * throws; the connection is always closed.
 */
export async function withKeyStore<T>(databaseUrl: string, fn: (store: ApiKeyStore, client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await migrateSecuritySchemas(client);
    const result = await fn(new ApiKeyStore(client), client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}

/** `now + days` (days of 86 400 000 ms). */
export const expiryIn = (days: number): Date => new Date(Date.now() + days * 86_400_000);

/**
 * Creates the first admin key, serialised by a transaction-scoped advisory lock so two
 * concurrent bootstraps cannot both see "no admin yet".
 * @throws ConflictError when an active admin key exists and `force` is not set
 */
export function bootstrapAdminKey(databaseUrl: string, opts: { name: string; expiresDays: number; force?: boolean; createdBy: string }): Promise<CreatedApiKey> {
  return withKeyStore(databaseUrl, async (store, client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('strata-auth:bootstrap-admin'))`);
    return store.bootstrapAdmin({ name: opts.name, expiresAt: expiryIn(opts.expiresDays), force: opts.force, createdBy: opts.createdBy });
  });
}

/**
 * Creates an API key (the plaintext is in the result only).
 * @throws InvalidArgumentError on a bad name, role or project
 */
export function createKey(databaseUrl: string, opts: { name: string; roles: string[]; projects?: string[] | null; expiresDays: number; createdBy: string }): Promise<CreatedApiKey> {
  return withKeyStore(databaseUrl, (store) => store.create({ name: opts.name, roles: opts.roles, projects: opts.projects ?? null, expiresAt: expiryIn(opts.expiresDays), createdBy: opts.createdBy }));
}

/** Every key, newest first (never a secret). */
export function listKeys(databaseUrl: string): Promise<ApiKeyRecord[]> {
  return withKeyStore(databaseUrl, (store) => store.list());
}

/**
 * Revokes a key (idempotent).
 * @throws NotFoundError when no key has that id
 */
export function revokeKey(databaseUrl: string, keyId: string, revokedBy: string): Promise<ApiKeyRecord> {
  return withKeyStore(databaseUrl, (store) => store.revoke(keyId, revokedBy));
}
