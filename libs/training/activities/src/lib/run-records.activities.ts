import { TrainingRunCompletedV1, TrainingRunFailedV1 } from '@strata/contracts';
import { TrainingRunStatus, TrainingSearchEntity } from '@strata/training/data-access';
import { TrainingRunEntity } from '@strata/training/data-access';
import { onnxSignature, type ModelSignature } from '@strata/training/util-trainers';
import type { RecordRunCancelledInput, RecordRunCompletedInput, RecordRunFailedInput, RecordRunRegisteredInput, RecordSearchFinishedInput } from './activity.types';
import { finishRun, sha256Of, type ActivityScope } from './activity-runtime';


const CONTRACT_TYPE: Record<string, 'float32' | 'float64' | 'int32' | 'int64' | 'string' | 'bool'> = {
  FP32: 'float32',
  FP64: 'float64',
  INT32: 'int32',
  INT64: 'int64',
  BYTES: 'string',
  BOOL: 'bool',
};

/** OIP signature (`FP32`) → the contracts' MLflow-style signature (`float32`). */
function toContractSignature(sig: ModelSignature): TrainingRunCompletedV1['signature'] {
  const conv = (t: ModelSignature['inputs'][number]) => ({ name: t.name, type: CONTRACT_TYPE[t.datatype] ?? 'float32', shape: t.shape });
  return { inputs: sig.inputs.map(conv), outputs: sig.outputs.map(conv) };
}

/**
 * Activities that record a run's outcome (row + outbox event in one transaction) and mirror it
 * into the registry's experiment tracking.
 */
export function createRunRecordActivities({ deps, tracker }: ActivityScope) {
  const { objectStore: store, logger } = deps;

  /**
   * Marks the run COMPLETED (metrics, artifact, version, resources) and writes
   * `training-run-completed` to the outbox in the same transaction. A retry after a commit
   * finds the row no longer RUNNING and does nothing (no second event).
   */
  async function recordRunCompleted(input: RecordRunCompletedInput): Promise<void> {
    const bytes = await sha256Of(input.artifactUri, input.artifactSha256, 'Model artifact', store);
    const signature = toContractSignature(onnxSignature(new Uint8Array(bytes)));
    await deps.dataSource.transaction(async (manager) => {
      const updated = await finishRun(manager, input.runId, {
        status: TrainingRunStatus.COMPLETED,
        step: 'completed',
        metrics: input.metrics,
        evaluationReport: input.evaluationReport,
        artifactUri: input.artifactUri,
        artifactSha256: input.artifactSha256,
        referenceProfileUri: input.referenceProfileUri,
        referenceProfileSha256: input.referenceProfileSha256,
        modelVersion: input.modelVersion,
        datasetVersions: input.datasetVersions,
        featureViews: input.featureViews,
        trainingSetUri: input.trainingSet.uri,
        trainingSetSha256: input.trainingSet.sha256,
        wallTimeMs: input.resources.wallTimeMs,
        cpuSeconds: input.resources.cpuSeconds,
        peakRssBytes: input.resources.peakRssBytes,
        gpuUtilizationPct: input.resources.gpuUtilizationPct ?? null,
      });
      if (!updated) {
        logger.warn('run not RUNNING any more; completion already recorded', { runId: input.runId });
        return;
      }
      await deps.publisher.publish(manager, TrainingRunCompletedV1, {
        runId: input.runId,
        workflowId: input.workflowId,
        modelName: input.modelName,
        requestId: input.requestId,
        trainer: input.trainer,
        artifactUri: input.artifactUri,
        artifactSha256: input.artifactSha256,
        artifactFormat: 'onnx',
        metrics: input.metrics,
        params: input.params,
        datasetVersions: input.datasetVersions,
        featureViews: input.featureViews.map((name) => ({ name })),
        signature,
        startedAt: input.startedAt,
        completedAt: new Date().toISOString(),
      });
    });
    logger.log('training run completed', { runId: input.runId, modelName: input.modelName, modelVersion: input.modelVersion });
    await tracker.sync(input.runId);
  }

  /** Marks the run FAILED and writes `training-run-failed` to the outbox, in one transaction (once). */
  async function recordRunFailed(input: RecordRunFailedInput): Promise<void> {
    await deps.dataSource.transaction(async (manager) => {
      const updated = await finishRun(manager, input.runId, {
        status: TrainingRunStatus.FAILED,
        step: input.step,
        errorCode: input.errorCode,
        errorMessage: input.errorMessage,
        wallTimeMs: input.resources.wallTimeMs,
        cpuSeconds: input.resources.cpuSeconds,
        peakRssBytes: input.resources.peakRssBytes,
      });
      if (!updated) return;
      await deps.publisher.publish(manager, TrainingRunFailedV1, {
        runId: input.runId,
        workflowId: input.workflowId,
        modelName: input.modelName,
        requestId: input.requestId,
        stage: input.stage,
        errorCode: input.errorCode,
        errorMessage: input.errorMessage.slice(0, 4096),
        attempts: Math.max(1, input.attempts),
        startedAt: input.startedAt,
        failedAt: new Date().toISOString(),
      });
    });
    logger.warn('training run failed', { runId: input.runId, modelName: input.modelName, stage: input.stage, errorCode: input.errorCode, error: input.errorMessage });
    await tracker.sync(input.runId);
  }

  /** Marks the run CANCELLED (no event: no contract announces cancellations). */
  async function recordRunCancelled(input: RecordRunCancelledInput): Promise<void> {
    await deps.dataSource.transaction((manager) =>
      finishRun(manager, input.runId, {
        status: TrainingRunStatus.CANCELLED,
        step: input.step,
        wallTimeMs: input.resources.wallTimeMs,
        cpuSeconds: input.resources.cpuSeconds,
        peakRssBytes: input.resources.peakRssBytes,
      }),
    );
    logger.log('training run cancelled', { runId: input.runId, step: input.step });
    await tracker.sync(input.runId);
  }

  /** Sets the version on a completed trial's row (the search registered it); idempotent. */
  async function recordRunRegistered(input: RecordRunRegisteredInput): Promise<void> {
    await deps.dataSource.getRepository(TrainingRunEntity).update({ runId: input.runId }, { modelVersion: input.modelVersion });
    logger.log('search winner registered', { runId: input.runId, modelVersion: input.modelVersion });
    await tracker.sync(input.runId);
  }

  /** Marks the search row finished (only while RUNNING). */
  async function recordSearchFinished(input: RecordSearchFinishedInput): Promise<void> {
    await deps.dataSource
      .createQueryBuilder()
      .update(TrainingSearchEntity)
      .set({
        status: input.status,
        completedTrials: input.completedTrials,
        failedTrials: input.failedTrials,
        bestRunId: input.bestRunId ?? null,
        bestMetric: input.bestMetric ?? null,
        modelVersion: input.modelVersion ?? null,
        errorCode: input.errorCode ?? null,
        errorMessage: input.errorMessage ?? null,
        finishedAt: () => 'now()',
      } as never)
      .where('search_id = :id AND status = :running', { id: input.searchId, running: 'RUNNING' })
      .execute();
    logger.log('hyperparameter search finished', { ...input });
    await tracker.syncSearch(input.searchId);
  }

  return { recordRunCompleted, recordRunFailed, recordRunCancelled, recordRunRegistered, recordSearchFinished };
}
