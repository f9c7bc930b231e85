/**
 * @module @strata/training/data-access
 *
 * The training service's PostgreSQL schema: its TypeORM entities and checked-in migrations
 * (training runs, plus the messaging outbox/inbox tables). Only the training service imports
 * this lib (module boundaries: scope:training).
 */
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@strata/messaging';
import { TrainingRunEntity } from './entities/training-run.entity';
import { CreateTrainingRun1733000000000 } from './migrations/1733000000000-create-training-run';
import { TrainingOrchestration1733100000000 } from './migrations/1733100000000-training-orchestration';
import { TrainingRunTracking1733200000000 } from './migrations/1733200000000-training-run-tracking';
import { RetrainingTriggerEntity, TrainingRunLogEntity, TrainingSearchEntity } from './entities/training-extra.entities';

export { TrainingRunEntity, TrainingRunStatus } from './entities/training-run.entity';
export type { StoredDatasetVersion } from './entities/training-run.entity';
export { CreateTrainingRun1733000000000 } from './migrations/1733000000000-create-training-run';
export { TrainingOrchestration1733100000000 } from './migrations/1733100000000-training-orchestration';
export { TrainingRunTracking1733200000000 } from './migrations/1733200000000-training-run-tracking';
export { RetrainingTriggerEntity, TrainingRunLogEntity, TrainingSearchEntity } from './entities/training-extra.entities';
export { toTrainingRun } from './mappers/training-run.mapper';
export { insertPendingTrainingRun, type PendingTrainingRun } from './queries/insert-pending-training-run';
export type { TrainingRun } from './mappers/training-run.mapper';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = Function[];

/** The PostgreSQL schema this service owns. */
export const TRAINING_SCHEMA = 'training';
/** Every entity of the schema (TypeORM): training runs + messaging outbox/inbox. */
export const TRAINING_ENTITIES: EntityList = [...MESSAGING_ENTITIES, TrainingRunEntity, TrainingRunLogEntity, TrainingSearchEntity, RetrainingTriggerEntity];
/** Every migration, in order: messaging tables, then training's own. */
export const TRAINING_MIGRATIONS: EntityList = [...MESSAGING_MIGRATIONS, CreateTrainingRun1733000000000, TrainingOrchestration1733100000000, TrainingRunTracking1733200000000];
