/**
 * @module @strata/cli/data-access-keys
 *
 * The CLI's API key management, straight against PostgreSQL (the way in before any admin key
 * exists): one transaction per command over the migrated shared `auth` schema
 * (`withKeyStore`), bootstrap / create / list / revoke, and `ensureServiceKeys` (idempotent
 * per-service and operator credential files, mode 600). apps/cli only wires these to commands.
 */
export * from './lib/cli-config';
export * from './lib/credential-files';
export * from './lib/key-store-session';
export * from './lib/service-keys';
