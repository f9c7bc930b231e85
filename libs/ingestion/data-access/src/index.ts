/**
 * @module @strata/ingestion/data-access
 *
 * The ingestion service's PostgreSQL schema: its TypeORM entities and checked-in migrations
 * (including the messaging outbox/inbox tables). Only the ingestion service imports this lib
 * (module boundaries: scope:ingestion).
 */
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@strata/messaging';
import { DatasetVersionEntity } from './entities/dataset-version.entity';
import { DatasetEntity } from './entities/dataset.entity';
import { IngestBatchEntity } from './entities/ingest-batch.entity';
import { Datasets1733100000000 } from './migrations/1733100000000-datasets';
import { StreamingIngestion1733200000000 } from './migrations/1733200000000-streaming-ingestion';

export { DatasetEntity } from './entities/dataset.entity';
export { DatasetVersionEntity } from './entities/dataset-version.entity';
export { IngestBatchEntity } from './entities/ingest-batch.entity';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Function[];

/** The PostgreSQL schema this service owns. */
export const INGESTION_SCHEMA = 'ingestion';
/** Every entity of the schema (TypeORM), messaging outbox/inbox included. */
export const INGESTION_ENTITIES: EntityList = [...MESSAGING_ENTITIES, DatasetEntity, DatasetVersionEntity, IngestBatchEntity];
/** Every migration, in order (messaging tables first). */
export const INGESTION_MIGRATIONS: EntityList = [...MESSAGING_MIGRATIONS, Datasets1733100000000, StreamingIngestion1733200000000];
