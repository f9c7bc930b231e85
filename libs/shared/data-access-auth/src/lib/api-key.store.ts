import { type ApiKeyRecord, type CreateApiKeyInput, type CreatedApiKey, generateApiKey, hashApiKey, looksLikeApiKey, validateCreateApiKeyInput } from '@strata/shared/auth';
import { ConflictError, NotFoundError } from '@strata/shared/util-errors';
import { AUTH_SCHEMA, rowsOf, type SqlExecutor } from './sql';

interface Row {
  key_id: string;
  name: string;
  roles: string[];
  projects: string[] | null;
  created_at: Date;
  created_by: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  last_used_at: Date | null;
}
const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);
const toRecord = (r: Row): ApiKeyRecord => ({
  keyId: r.key_id,
  name: r.name,
  roles: r.roles,
  projects: r.projects,
  createdAt: new Date(r.created_at).toISOString(),
  createdBy: r.created_by,
  expiresAt: iso(r.expires_at),
  revokedAt: iso(r.revoked_at),
  revokedBy: r.revoked_by,
  lastUsedAt: iso(r.last_used_at),
});
const COLUMNS = 'key_id, name, roles, projects, created_at, created_by, expires_at, revoked_at, revoked_by, last_used_at';

/**
 * API keys in the shared `auth.api_keys` table: create (key returned once), verify (hash
 * lookup; expired or revoked → null), list, revoke.
 */
export class ApiKeyStore {
  constructor(private readonly db: SqlExecutor) {}

  /** Creates a key; the plaintext is in the result and nowhere else. */
  async create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    validateCreateApiKeyInput(input);
    const { keyId, key } = generateApiKey();
    const rows = rowsOf<Row>(
      await this.db.query(
        `INSERT INTO ${AUTH_SCHEMA}.api_keys (key_id, key_hash, name, roles, projects, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
        [keyId, hashApiKey(key), input.name, input.roles, input.projects ?? null, input.createdBy, input.expiresAt ?? null],
      ),
    );
    return { ...toRecord(rows[0] as Row), key };
  }

  /** The active (not revoked, not expired) key record for `key`, or null. */
  async verify(key: string): Promise<ApiKeyRecord | null> {
    if (!looksLikeApiKey(key)) return null;
    const rows = rowsOf<Row>(
      await this.db.query(
        `SELECT ${COLUMNS} FROM ${AUTH_SCHEMA}.api_keys
          WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
        [hashApiKey(key)],
      ),
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** All keys, newest first (never the secret). */
  async list(): Promise<ApiKeyRecord[]> {
    return rowsOf<Row>(await this.db.query(`SELECT ${COLUMNS} FROM ${AUTH_SCHEMA}.api_keys ORDER BY created_at DESC, key_id`)).map(toRecord);
  }

  /**
   * Revokes a key (idempotent: revoking a revoked key keeps the first revocation).
   * @throws NotFoundError when no key has that id
   */
  async revoke(keyId: string, revokedBy: string): Promise<ApiKeyRecord> {
    const rows = rowsOf<Row>(
      await this.db.query(
        `UPDATE ${AUTH_SCHEMA}.api_keys SET revoked_at = COALESCE(revoked_at, now()), revoked_by = COALESCE(revoked_by, $2)
          WHERE key_id = $1 RETURNING ${COLUMNS}`,
        [keyId, revokedBy],
      ),
    );
    if (!rows[0]) throw new NotFoundError(`API key '${keyId}' not found`);
    return toRecord(rows[0]);
  }

  /** Number of active admin keys (bootstrap refuses when > 0 unless forced). */
  async countActiveAdmins(): Promise<number> {
    const rows = rowsOf<{ n: string }>(
      await this.db.query(
        `SELECT count(*)::text AS n FROM ${AUTH_SCHEMA}.api_keys WHERE 'admin' = ANY(roles) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      ),
    );
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Creates the first admin key. Refuses (ConflictError) when an active admin key exists,
   * unless `force`.
   */
  async bootstrapAdmin(options: { name?: string; expiresAt?: Date | null; force?: boolean; createdBy?: string }): Promise<CreatedApiKey> {
    if (!options.force && (await this.countActiveAdmins()) > 0) {
      throw new ConflictError('an active admin key already exists; use --force to create another one');
    }
    return this.create({ name: options.name ?? 'bootstrap-admin', roles: ['admin'], expiresAt: options.expiresAt, createdBy: options.createdBy ?? 'bootstrap' });
  }
}
