/**
 * @module @strata/registry/data-access
 *
 * The registry service's PostgreSQL schema: its TypeORM entities and checked-in migrations.
 * Only the registry service imports this lib (module boundaries: scope:registry).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Function[];

/** The PostgreSQL schema this service owns. */
export const REGISTRY_SCHEMA = 'registry';
/** Every entity of the schema (TypeORM). */
export const REGISTRY_ENTITIES: EntityList = [];
/** Every migration, in order. */
export const REGISTRY_MIGRATIONS: EntityList = [];
