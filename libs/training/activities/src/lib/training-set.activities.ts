import { InvalidArgumentError } from '@strata/shared/util-errors';
import { TrainingRunEntity } from '@strata/training/data-access';
import { nonRetryable } from './activity-errors';
import type { BuildTrainingSetInput, ResolveInputsInput, ResolveInputsOutput, TrainingSetRef } from './activity.types';
import { heartbeat, inActivity, sleep, type ActivityScope } from './activity-runtime';

/** Activities that pin a run's inputs and build its training set (ingestion + features services). */
export function createTrainingSetActivities({ deps, peers, tracker }: ActivityScope) {
  const { logger } = deps;

  /**
   * Pins each dataset version's content hash: `GET {INGESTION_URL}/datasets/{name}/versions/{id}`.
   * @throws NOT_FOUND (non-retryable) when a version does not exist; UNAVAILABLE (retried) when
   *   ingestion is down.
   */
  async function resolveInputs(input: ResolveInputsInput): Promise<ResolveInputsOutput> {
    if (input.datasetVersions.length === 0) throw new InvalidArgumentError(`Training run '${input.runId}' has no dataset versions`);
    const datasetVersions = [];
    for (const dv of input.datasetVersions) {
      const body = await peers.ingestion.getDatasetVersion({ params: { name: dv.datasetName, versionId: dv.versionId } });
      if (typeof body?.contentSha256 !== 'string') throw new InvalidArgumentError(`ingestion returned no contentSha256 for dataset version '${dv.datasetName}@${dv.versionId}'`);
      datasetVersions.push({ datasetName: dv.datasetName, versionId: dv.versionId, contentSha256: body.contentSha256 });
    }
    await deps.dataSource.getRepository(TrainingRunEntity).update({ runId: input.runId }, { datasetVersions, step: 'resolve-inputs' });
    logger.log('resolved dataset versions', { runId: input.runId, modelName: input.modelName, datasetVersions });
    await tracker.sync(input.runId);
    return { datasetVersions };
  }

  /**
   * `POST {FEATURES_URL}/training-sets`, then polls `GET /training-sets/{id}` every
   * `pollIntervalMs` (default 1000) until SUCCEEDED (returns its reference) or FAILED
   * (non-retryable `TRAINING_SET_FAILED` with the features service's error). Heartbeats the
   * build id, so a retried attempt resumes polling the same build instead of starting another.
   */
  async function buildTrainingSet(input: BuildTrainingSetInput): Promise<TrainingSetRef> {
    const ctx = inActivity();
    const resumed = (ctx?.info.heartbeatDetails as { buildId?: string } | undefined)?.buildId;
    let id = resumed;
    if (!id) {
      const body = await peers.features.startTrainingSet({ body: { trainingSet: input.trainingSet, datasetVersions: input.datasetVersions } });
      if (!body?.id) throw new InvalidArgumentError('features answered POST /training-sets without an id');
      id = body.id;
      logger.log('training set build started', { runId: input.runId, modelName: input.modelName, trainingSetBuild: id });
    }
    for (;;) {
      const body = await peers.features.getTrainingSet({ params: { id } });
      heartbeat({ buildId: id, status: body.status });
      if (body.status === 'SUCCEEDED') {
        if (!body.uri || !body.sha256) throw new InvalidArgumentError(`Training set build '${id}' succeeded without uri/sha256`);
        return {
          id,
          uri: body.uri,
          sha256: body.sha256,
          rowCount: body.rowCount ?? 0,
          columns: (body.columns ?? []).map((c) => (typeof c === 'string' ? c : c.name)),
          featureRefs: body.featureRefs ?? [],
        };
      }
      if (body.status === 'FAILED') {
        const error = typeof body.error === 'string' ? body.error : JSON.stringify(body.error ?? 'unknown error');
        throw nonRetryable('TRAINING_SET_FAILED', `Training set '${input.trainingSet}' build '${id}' failed: ${error}`, { buildId: id });
      }
      await sleep(input.pollIntervalMs ?? 1000);
    }
  }

  return { resolveInputs, buildTrainingSet };
}
