/**
 * @module @strata/serving/data-access
 *
 * The serving service's PostgreSQL schema. Loaded models live in memory (rebuilt from the
 * registry on start); the schema holds the messaging outbox/inbox tables (prediction logs,
 * consumed alias/rollout events) and the batch scoring jobs. Only the serving service imports
 * this lib (module boundaries: scope:serving).
 */
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@strata/messaging';
import { BatchScoringJobEntity } from './entities/batch-scoring-job.entity';
import { CreateBatchScoringJob1764460000000 } from './migrations/1764460000000-create-batch-scoring-job';

export { BatchScoringJobEntity, BatchScoringJobStatus } from './entities/batch-scoring-job.entity';
export { CreateBatchScoringJob1764460000000 } from './migrations/1764460000000-create-batch-scoring-job';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Function[];

/** The PostgreSQL schema this service owns. */
export const SERVING_SCHEMA = 'serving';
/** Every entity of the schema (TypeORM): the messaging outbox/inbox and `batch_scoring_job`. */
export const SERVING_ENTITIES: EntityList = [...MESSAGING_ENTITIES, BatchScoringJobEntity];
/** Every migration, in order: the messaging tables, then `batch_scoring_job` (1764460000000). */
export const SERVING_MIGRATIONS: EntityList = [...MESSAGING_MIGRATIONS, CreateBatchScoringJob1764460000000];
