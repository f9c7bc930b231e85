/**
 * @module @strata/training/data-access
 *
 * The training service's PostgreSQL schema: its TypeORM entities and checked-in migrations.
 * Only the training service imports this lib (module boundaries: scope:training).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Function[];

/** The PostgreSQL schema this service owns. */
export const TRAINING_SCHEMA = 'training';
/** Every entity of the schema (TypeORM). */
export const TRAINING_ENTITIES: EntityList = [];
/** Every migration, in order. */
export const TRAINING_MIGRATIONS: EntityList = [];
