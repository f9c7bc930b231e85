/**
 * The one thing the auth and audit stores need from a database client: parameterised queries.
 * A TypeORM `DataSource`/`EntityManager` and a `pg.Client`/`pg.Pool` (rows via a tiny adapter)
 * both fit. Identifiers are never interpolated from input: the schemas are constants.
 */
export interface SqlExecutor {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Rows of a `query` result, whether the client returns an array (TypeORM) or `{rows}` (pg). */
export function rowsOf<T>(result: unknown): T[] {
  // TypeORM returns `[rows, affectedCount]` for UPDATE/DELETE ... RETURNING on PostgreSQL.
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  if (Array.isArray(result)) return result as T[];
  if (result && typeof result === 'object' && Array.isArray((result as { rows?: unknown }).rows)) return (result as { rows: T[] }).rows;
  return [];
}

/** PostgreSQL schema holding API keys. */
export const AUTH_SCHEMA = 'auth';
/** PostgreSQL schema holding the append-only audit log. */
export const AUDIT_SCHEMA = 'audit';

/**
 * DDL of the shared `auth` and `audit` schemas, idempotent, applied by every service at boot
 * under an advisory lock (see {@link migrateSecuritySchemas}). Append-only audit: a trigger
 * refuses UPDATE, DELETE and TRUNCATE on `audit.audit_log`.
 */
export const SECURITY_SCHEMA_DDL: readonly string[] = [
  `CREATE SCHEMA IF NOT EXISTS ${AUTH_SCHEMA}`,
  `CREATE TABLE IF NOT EXISTS ${AUTH_SCHEMA}.api_keys (
     key_id text PRIMARY KEY,
     key_hash bytea NOT NULL UNIQUE,
     name text NOT NULL,
     roles text[] NOT NULL,
     projects text[],
     created_at timestamptz NOT NULL DEFAULT now(),
     created_by text NOT NULL,
     expires_at timestamptz,
     revoked_at timestamptz,
     revoked_by text,
     last_used_at timestamptz,
     CONSTRAINT api_keys_roles_nonempty CHECK (cardinality(roles) > 0)
   )`,
  `CREATE INDEX IF NOT EXISTS api_keys_admin_idx ON ${AUTH_SCHEMA}.api_keys ((('admin' = ANY(roles)))) WHERE revoked_at IS NULL`,
  `CREATE SCHEMA IF NOT EXISTS ${AUDIT_SCHEMA}`,
  `CREATE TABLE IF NOT EXISTS ${AUDIT_SCHEMA}.audit_log (
     seq bigserial PRIMARY KEY,
     audit_id uuid NOT NULL UNIQUE,
     recorded_at timestamptz NOT NULL DEFAULT now(),
     service text NOT NULL,
     actor text NOT NULL,
     roles text[] NOT NULL,
     action text NOT NULL,
     route text NOT NULL,
     resource text NOT NULL,
     outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'refused')),
     status int NOT NULL,
     reason text,
     request_id text,
     before jsonb,
     after jsonb
   )`,
  `CREATE INDEX IF NOT EXISTS audit_log_actor_idx ON ${AUDIT_SCHEMA}.audit_log (actor, seq)`,
  `CREATE INDEX IF NOT EXISTS audit_log_service_idx ON ${AUDIT_SCHEMA}.audit_log (service, seq)`,
  `CREATE INDEX IF NOT EXISTS audit_log_request_idx ON ${AUDIT_SCHEMA}.audit_log (request_id)`,
  `CREATE OR REPLACE FUNCTION ${AUDIT_SCHEMA}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN RAISE EXCEPTION 'audit.audit_log is append-only (% refused)', TG_OP; END $$`,
  `DROP TRIGGER IF EXISTS audit_log_append_only ON ${AUDIT_SCHEMA}.audit_log`,
  `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${AUDIT_SCHEMA}.audit_log FOR EACH STATEMENT EXECUTE FUNCTION ${AUDIT_SCHEMA}.refuse_change()`,
];

/**
 * Creates/updates the `auth` and `audit` schemas. Serialised across processes by a transaction
 * advisory lock, so six services booting at once do not race on `CREATE ... IF NOT EXISTS`.
 * `executor` must run all statements on ONE connection inside a transaction (pass a TypeORM
 * `EntityManager` from `dataSource.transaction`, or a `pg.Client`).
 */
export async function migrateSecuritySchemas(executor: SqlExecutor): Promise<void> {
  await executor.query(`SELECT pg_advisory_xact_lock(hashtext('strata-migrations:auth+audit'))`);
  for (const statement of SECURITY_SCHEMA_DDL) await executor.query(statement);
}
