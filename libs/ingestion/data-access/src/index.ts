/**
 * @module @strata/ingestion/data-access
 *
 * The ingestion service's PostgreSQL schema: its TypeORM entities and checked-in migrations.
 * Only the ingestion service imports this lib (module boundaries: scope:ingestion).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Function[];

/** The PostgreSQL schema this service owns. */
export const INGESTION_SCHEMA = 'ingestion';
/** Every entity of the schema (TypeORM). */
export const INGESTION_ENTITIES: EntityList = [];
/** Every migration, in order. */
export const INGESTION_MIGRATIONS: EntityList = [];
