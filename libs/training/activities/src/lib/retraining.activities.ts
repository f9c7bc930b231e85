import { NotFoundError } from '@strata/shared/util-errors';
import { insertPendingTrainingRun, RetrainingTriggerEntity, TrainingRunEntity, TrainingRunStatus } from '@strata/training/data-access';
import { nonRetryable } from './activity-errors';
import type { RetrainingSource, TrainModelInput, TriggerRetrainingInput, TriggerRetrainingOutput } from './activity.types';
import { trainingRunId, type ActivityScope } from './activity-runtime';
import { freshDatasetVersions, type ListedDatasetVersion } from './fresh-dataset-versions';

/** Activities of the retraining schedule: prepare a run on fresh data, record its outcome, trigger. */
export function createRetrainingActivities({ deps, peers, tracker }: ActivityScope) {
  const { logger } = deps;

  /**
   * The request of a retraining on fresh data: the model's latest COMPLETED run (not a search
   * trial) gives trainer, params, training set and the datasets; each dataset's newest version
   * comes from `GET {INGESTION_URL}/datasets/{name}/versions` (by `createdAt`, once per dataset:
   * {@link freshDatasetVersions}); the split is the
   * default (80% time quantile of the fresh set). Inserts the `training_run` row (reason =
   * source, request id `retrain-<triggerId>`) unless present, and links it on the trigger row.
   * @throws NOT_FOUND (non-retryable) when the model has no completed run to retrain from.
   */
  async function prepareRetraining(input: { triggerId: string; modelName: string; source: RetrainingSource }): Promise<TrainModelInput> {
    const runs = deps.dataSource.getRepository(TrainingRunEntity);
    const last = await runs
      .createQueryBuilder('r')
      .where('r.model_name = :m AND r.status = :s AND r.parent_search_id IS NULL', { m: input.modelName, s: TrainingRunStatus.COMPLETED })
      .orderBy('r.created_at', 'DESC')
      .getOne();
    if (!last) throw new NotFoundError(`Model '${input.modelName}' has no completed training run to retrain from`);
    const listed = new Map<string, ListedDatasetVersion[]>();
    for (const name of new Set(last.datasetVersions.map((dv) => dv.datasetName))) {
      listed.set(name, await peers.ingestion.listDatasetVersions({ params: { name } }));
    }
    const datasetVersions = freshDatasetVersions(last.datasetVersions, listed);
    const requestId = `retrain-${input.triggerId}`;
    const runId = trainingRunId(input.modelName, requestId);
    const workflowId = `train:${input.modelName}:${requestId}`;
    await insertPendingTrainingRun(runs.manager, {
      runId,
      workflowId,
      modelName: input.modelName,
      requestId,
      trainer: last.trainer,
      trainingSet: last.trainingSet,
      reason: input.source,
      params: last.params,
      evaluation: {},
      datasetVersions,
    });
    await deps.dataSource.getRepository(RetrainingTriggerEntity).update({ triggerId: input.triggerId }, { runId });
    logger.log('retraining prepared', { triggerId: input.triggerId, modelName: input.modelName, runId, datasetVersions });
    return {
      runId,
      modelName: input.modelName,
      requestId,
      trainer: last.trainer as TrainModelInput['trainer'],
      params: last.params,
      trainingSet: last.trainingSet,
      trainDatasetVersions: datasetVersions,
      evaluation: {},
      reason: input.source,
    };
  }

  /** Records a started retraining's outcome on its trigger row. */
  async function recordRetrainingFinished(input: { triggerId: string; status: 'COMPLETED' | 'FAILED' | 'CANCELLED'; runId?: string; modelVersion?: number; errorMessage?: string }): Promise<void> {
    await deps.dataSource.getRepository(RetrainingTriggerEntity).update(
      { triggerId: input.triggerId },
      { status: input.status, ...(input.runId ? { runId: input.runId } : {}), modelVersion: input.modelVersion ?? null, errorMessage: input.errorMessage ?? null, finishedAt: new Date() },
    );
    logger.log('retraining finished', { ...input });
    if (input.runId) await tracker.sync(input.runId);
  }

  /** Delegates to the service's guarded trigger path. */
  async function triggerRetraining(input: TriggerRetrainingInput): Promise<TriggerRetrainingOutput> {
    if (!deps.triggerRetraining) throw nonRetryable('UNAVAILABLE', 'this worker has no retraining trigger wired');
    return deps.triggerRetraining(input);
  }

  return { prepareRetraining, recordRetrainingFinished, triggerRetraining };
}
