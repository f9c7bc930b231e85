import type { EntityManager } from 'typeorm';
import { TrainingRunEntity, TrainingRunStatus } from '../entities/training-run.entity';

/** What the caller decides about a new training run; it is stored RUNNING at step `pending`. */
export type PendingTrainingRun = Pick<TrainingRunEntity, 'runId' | 'workflowId' | 'modelName' | 'requestId' | 'trainer' | 'trainingSet' | 'reason' | 'params' | 'evaluation' | 'datasetVersions'> & {
  /** Who asked; left to the column default when absent. */
  triggeredBy?: string | null;
};

/**
 * Inserts a `training_run` row for `run` (status RUNNING, step `pending`) through `manager` (so
 * inside the caller's transaction when it has one), unless a row with the same run id or
 * (model, request) already exists (`ON CONFLICT DO NOTHING`: retries and redeliveries do not
 * create a second run). Resolves with true when this call inserted the row.
 */
export async function insertPendingTrainingRun(manager: EntityManager, run: PendingTrainingRun): Promise<boolean> {
  const inserted = await manager
    .createQueryBuilder()
    .insert()
    .into(TrainingRunEntity)
    .values({ ...run, status: TrainingRunStatus.RUNNING, step: 'pending' } as never)
    .orIgnore()
    .execute();
  // ON CONFLICT DO NOTHING returns no row when the request already had one.
  return Array.isArray(inserted.raw) && inserted.raw.length > 0;
}
