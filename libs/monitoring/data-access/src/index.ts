/**
 * @module @strata/monitoring/data-access
 *
 * The monitoring service's PostgreSQL schema: its TypeORM entities and checked-in migrations.
 * Only the monitoring service imports this lib (module boundaries: scope:monitoring).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Function[];

/** The PostgreSQL schema this service owns. */
export const MONITORING_SCHEMA = 'monitoring';
/** Every entity of the schema (TypeORM). */
export const MONITORING_ENTITIES: EntityList = [];
/** Every migration, in order. */
export const MONITORING_MIGRATIONS: EntityList = [];
