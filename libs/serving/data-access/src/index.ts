/**
 * @module @strata/serving/data-access
 *
 * The serving service's PostgreSQL schema: its TypeORM entities and checked-in migrations.
 * Only the serving service imports this lib (module boundaries: scope:serving).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Function[];

/** The PostgreSQL schema this service owns. */
export const SERVING_SCHEMA = 'serving';
/** Every entity of the schema (TypeORM). */
export const SERVING_ENTITIES: EntityList = [];
/** Every migration, in order. */
export const SERVING_MIGRATIONS: EntityList = [];
