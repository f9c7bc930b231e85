import { RegistryApi } from '@strata/contracts/api';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { onnxSignature } from '@strata/training/util-trainers';
import { nonRetryable } from './activity-errors';
import type { RegisterModelVersionInput, RegisterModelVersionOutput } from './activity.types';
import { openTrainingSet, sha256Of, type ActivityScope } from './activity-runtime';

/** Activities that write to the model registry: register a version, move an alias. */
export function createRegisterActivities({ deps, peers, tracker }: ActivityScope) {
  const { objectStore: store, logger } = deps;

  /**
   * `POST {REGISTRY_URL}/registered-models/{name}/versions` with the artifact reference, its
   * ONNX signature, metrics, params, lineage and the reference profile; header
   * `Idempotency-Key: <runId>` (and `runId` in the body) so a retried attempt gets the same
   * version back. 200/201 → the version; 409 carrying the existing version → that version.
   * `sourceRunId` is the run's tracked run in the registry's experiment tracking (created first
   * when the run has none yet): the MLflow API answers it as the version's `run_id`, so
   * `runs/get?run_id=` finds the run that produced the version. Tracking is best-effort: when it
   * is down, `sourceRunId` is left out (the MLflow `run_id` is then the training run id).
   */
  async function registerModelVersion(input: RegisterModelVersionInput): Promise<RegisterModelVersionOutput> {
    const bytes = await sha256Of(input.artifactUri, input.artifactSha256, 'Model artifact', store);
    const signature = onnxSignature(new Uint8Array(bytes));
    // the latest event time the version was trained (and evaluated) on: live rollouts compare after it
    const trainingDataCutoff = await openTrainingSet(store, input.trainingSet, (file) => file.maxEventTime());
    const sourceRunId = await tracker.trackedRunId(input.runId);
    const registration = {
      runId: input.runId,
      ...(sourceRunId ? { sourceRunId } : {}),
      workflowId: input.workflowId,
      artifactUri: input.artifactUri,
      artifactSha256: input.artifactSha256,
      signature,
      metrics: input.metrics,
      params: input.params,
      lineage: {
        datasetVersions: input.datasetVersions,
        featureViews: input.featureViews,
        trainingSet: input.trainingSet,
        workflowId: input.workflowId,
        codeVersion: deps.codeVersion ?? 'unknown',
        ...(trainingDataCutoff ? { trainingDataCutoff } : {}),
        // evaluation data (digested by the registry) and its per-group counts (the policy's disparity gate, issue #17)
        ...(input.evaluation
          ? { evaluation: { datasetVersions: input.datasetVersions.map(({ datasetName, versionId, contentSha256 }) => ({ datasetName, versionId, contentSha256 })), splitTime: input.evaluation.splitTime, ...(input.evaluation.segments ? { segments: input.evaluation.segments } : {}) } }
          : {}),
      },
      referenceProfileUri: input.referenceProfileUri,
      referenceProfileSha256: input.referenceProfileSha256,
      description: `${input.trainer} trained by run ${input.runId}`,
      tags: { trainer: input.trainer, runId: input.runId },
    };
    const answer = await peers.registryClient.exchange(RegistryApi.registerModelVersion, { params: { name: input.modelName }, body: registration }, { headers: { 'idempotency-key': input.runId }, accept: [409] });
    // 2xx: the version; 409: an error body naming the existing version in `details`
    const { status } = answer;
    const body = answer.body as { version?: number; details?: { version?: number; existingVersion?: number } } | undefined;
    const version = body?.version ?? body?.details?.version ?? body?.details?.existingVersion;
    if (typeof version !== 'number') {
      if (status === 409) throw nonRetryable('CONFLICT', `registry refused a version of '${input.modelName}' for run '${input.runId}' (409) without naming the existing version`);
      throw new InvalidArgumentError(`registry answered ${status} without a version number`);
    }
    logger.log('model version registered', { runId: input.runId, modelName: input.modelName, modelVersion: version, status });
    return { modelVersion: version };
  }

  /** `PUT {REGISTRY_URL}/registered-models/{name}/aliases/{alias}` body `{ version, reason, actor: 'training' }`. */
  async function setModelAlias(input: { modelName: string; alias: string; version: number; reason: string }): Promise<void> {
    await peers.registry.setAlias({ params: { name: input.modelName, alias: input.alias }, body: { version: input.version, reason: input.reason.slice(0, 1000), actor: 'training' } });
    logger.log('alias set', { ...input });
  }

  return { registerModelVersion, setModelAlias };
}
