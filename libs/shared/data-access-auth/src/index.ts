/**
 * @module @strata/shared/data-access-auth
 *
 * The SQL stores of the platform's security (shared by every service): the `auth` and `audit`
 * schemas and their idempotent migration, API keys (`ApiKeyStore`) and the append-only audit
 * log (`insertAuditRecord`, `queryAuditLog`). The pure rules (roles, permissions, key format,
 * record shapes) live in `@strata/shared/auth`. See docs/security.md.
 */
export * from './lib/sql';
export * from './lib/api-key.store';
export * from './lib/audit.store';
