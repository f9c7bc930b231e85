/**
 * @module @strata/features/data-access
 *
 * The features service's PostgreSQL schema: its TypeORM entities and checked-in migrations.
 * Only the features service imports this lib (module boundaries: scope:features).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Function[];

/** The PostgreSQL schema this service owns. */
export const FEATURES_SCHEMA = 'features';
/** Every entity of the schema (TypeORM). */
export const FEATURES_ENTITIES: EntityList = [];
/** Every migration, in order. */
export const FEATURES_MIGRATIONS: EntityList = [];
