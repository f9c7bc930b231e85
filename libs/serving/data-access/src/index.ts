/**
 * @module @strata/serving/data-access
 *
 * The serving service's PostgreSQL schema. Serving keeps no state of its own in PostgreSQL
 * (loaded models live in memory, rebuilt from the registry on start); its schema holds only
 * the messaging outbox/inbox tables, through which predictions are logged and alias changes
 * consumed. Only the serving service imports this lib (module boundaries: scope:serving).
 */
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@strata/messaging';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Function[];

/** The PostgreSQL schema this service owns. */
export const SERVING_SCHEMA = 'serving';
/** Every entity of the schema (TypeORM): the messaging outbox/inbox. */
export const SERVING_ENTITIES: EntityList = [...MESSAGING_ENTITIES];
/** Every migration, in order: the messaging tables. */
export const SERVING_MIGRATIONS: EntityList = [...MESSAGING_MIGRATIONS];
