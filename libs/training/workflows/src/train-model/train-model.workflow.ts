import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import { progressQuery, TrainModelStep, type TrainModelProgress } from './train-model.messages';
import type {
  FailedStage,
  ResourceUsage,
  TrainingActivities,
  TrainModelInput,
  TrainModelOutput,
} from './train-model.types';

/** Overall progress at the start of each step (the step's share ends where the next begins). */
const STEP_START: Record<TrainModelStep, number> = {
  pending: 0,
  'resolve-inputs': 0.02,
  'build-training-set': 0.05,
  train: 0.35,
  evaluate: 0.75,
  register: 0.88,
  record: 0.95,
  completed: 1,
  failed: 0,
  cancelled: 0,
};

/** The failed-event stage of each step (`TrainingRunFailedV1.stage` has a fixed vocabulary). */
const STAGE_OF_STEP: Partial<Record<TrainModelStep, FailedStage>> = {
  pending: 'build-training-set',
  'resolve-inputs': 'build-training-set',
  'build-training-set': 'build-training-set',
  train: 'train',
  evaluate: 'evaluate',
  register: 'register',
  record: 'register',
};

function activities(input: TrainModelInput) {
  const t = input.timeouts ?? {};
  const retry: RetryPolicy = {
    initialInterval: t.initialRetryInterval ?? '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: t.maximumAttempts ?? 5,
  };
  const short = proxyActivities<TrainingActivities>({ startToCloseTimeout: t.shortStartToClose ?? '2 minutes', retry });
  const build = proxyActivities<TrainingActivities>({
    startToCloseTimeout: t.buildStartToClose ?? '30 minutes',
    heartbeatTimeout: t.heartbeatTimeout ?? '60 seconds',
    retry,
  });
  const long = proxyActivities<TrainingActivities>({
    startToCloseTimeout: t.trainStartToClose ?? '2 hours',
    heartbeatTimeout: t.heartbeatTimeout ?? '60 seconds',
    retry,
  });
  return { short, build, long };
}

/**
 * Patch id of the issue-6 behaviour: optional registration (`input.register === false` for
 * search trials), trainer-reported metrics merged as `trainer_<name>`, GPU utilization carried
 * in the resources, and the registration inputs returned. Histories recorded before it replay
 * the original path.
 */
export const TRAINING_V2_PATCH = 'strata-training-v2';

function addResources(a: ResourceUsage, b: ResourceUsage): ResourceUsage {
  const sum: ResourceUsage = { wallTimeMs: a.wallTimeMs + b.wallTimeMs, cpuSeconds: a.cpuSeconds + b.cpuSeconds, peakRssBytes: Math.max(a.peakRssBytes, b.peakRssBytes) };
  const gpu = b.gpuUtilizationPct ?? a.gpuUtilizationPct;
  if (gpu !== undefined) sum.gpuUtilizationPct = gpu;
  return sum;
}

/** Error code, message and attempt count of a failure, looking through ActivityFailure. */
function describeFailure(err: unknown): { code: string; message: string; attempts: number } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const detail = cause.details?.[0] as { attempt?: number } | undefined;
    return { code: cause.type ?? 'INTERNAL', message: cause.message, attempts: typeof detail?.attempt === 'number' ? detail.attempt : 1 };
  }
  if (cause instanceof Error) return { code: 'INTERNAL', message: cause.message, attempts: 1 };
  return { code: 'INTERNAL', message: String(cause), attempts: 1 };
}

/**
 * Trains one model durably: resolve inputs → build the training set (features service) →
 * train (ONNX artifact + reference profile, with sha256) → evaluate (held-out time slice) →
 * register a model version (registry) → record completion (`training_run` row +
 * `training-run-completed` event). Steps pass URIs and digests, never data.
 *
 * - Query {@link progressQuery} (`progress`) at any time: `{ step, progress, detail }`.
 * - Cancellation (`handle.cancel()`): the running activity is cancelled, the run is recorded
 *   CANCELLED, and the workflow ends cancelled.
 * - Failure (an activity out of retries or non-retryable): the run is recorded FAILED with the
 *   stage and error and `training-run-failed` is published; the workflow fails with an
 *   `ApplicationFailure` whose `type` is the error code.
 *
 * Workflow id: `train:<modelName>:<requestId>` (set by the starter), task queue
 * `TRAINING_TASK_QUEUE`.
 */
export async function trainModelWorkflow(input: TrainModelInput): Promise<TrainModelOutput> {
  const { short, build, long } = activities(input);
  const { workflowId, startTime } = workflowInfo();
  const startedAt = startTime.toISOString();
  let state: TrainModelProgress = { step: TrainModelStep.PENDING, progress: 0, detail: 'starting' };
  let lastStep: TrainModelStep = TrainModelStep.PENDING;
  let resources: ResourceUsage = { wallTimeMs: 0, cpuSeconds: 0, peakRssBytes: 0 };
  setHandler(progressQuery, () => state);
  const v2 = patched(TRAINING_V2_PATCH);

  const enter = (step: TrainModelStep, detail: string): void => {
    lastStep = step;
    state = { step, progress: STEP_START[step], detail };
  };

  try {
    enter(TrainModelStep.RESOLVE_INPUTS, `resolving ${input.trainDatasetVersions.length} dataset version(s)`);
    const { datasetVersions } = await short.resolveInputs({ runId: input.runId, modelName: input.modelName, datasetVersions: input.trainDatasetVersions });

    enter(TrainModelStep.BUILD_TRAINING_SET, `building training set '${input.trainingSet}'`);
    const trainingSet = await build.buildTrainingSet({
      runId: input.runId,
      modelName: input.modelName,
      trainingSet: input.trainingSet,
      datasetVersions: datasetVersions.map(({ datasetName, versionId }) => ({ datasetName, versionId })),
      pollIntervalMs: input.timeouts?.pollIntervalMs,
    });
    const featureViews = [...new Set(trainingSet.featureRefs.map((ref) => ref.split(':')[0] ?? ref))].sort();

    enter(TrainModelStep.TRAIN, `training ${input.trainer} on training set ${trainingSet.id} (${trainingSet.rowCount} rows)`);
    const trained = await long.trainModel({
      runId: input.runId,
      modelName: input.modelName,
      trainer: input.trainer,
      params: input.params,
      trainingSet,
      splitTime: input.evaluation.splitTime,
    });
    resources = addResources(resources, trained.resources);

    enter(TrainModelStep.EVALUATE, `evaluating on ${trained.evalRows} rows at or after ${trained.splitTime}`);
    const evaluated = await long.evaluateModel({
      runId: input.runId,
      modelName: input.modelName,
      artifactUri: trained.artifactUri,
      artifactSha256: trained.artifactSha256,
      trainingSet,
      featureNames: trained.featureNames,
      splitTime: trained.splitTime,
    });
    resources = addResources(resources, evaluated.resources);
    let metrics = evaluated.metrics;
    if (v2 && trained.trainerMetrics) {
      metrics = { ...metrics };
      for (const [k, v] of Object.entries(trained.trainerMetrics)) metrics[`trainer_${k}`] = v;
    }

    const trainingSetLineage = { id: trainingSet.id, uri: trainingSet.uri, sha256: trainingSet.sha256 };
    const registration = {
      trainer: input.trainer,
      artifactUri: trained.artifactUri,
      artifactSha256: trained.artifactSha256,
      referenceProfileUri: trained.referenceProfileUri,
      referenceProfileSha256: trained.referenceProfileSha256,
      metrics,
      params: input.params,
      datasetVersions,
      featureViews,
      trainingSet: { name: input.trainingSet, ...trainingSetLineage },
      // evaluation data and per-group counts (issue #17): lineage.evaluation of the version
      evaluation: { splitTime: trained.splitTime, ...(evaluated.segments ? { segments: evaluated.segments } : {}) },
    };
    let modelVersion: number | null = null;
    if (!v2 || input.register !== false) {
      enter(TrainModelStep.REGISTER, `registering ${trained.artifactUri}`);
      ({ modelVersion } = await short.registerModelVersion({ runId: input.runId, workflowId, modelName: input.modelName, ...registration }));
    }

    enter(TrainModelStep.RECORD, modelVersion === null ? 'recording unregistered trial' : `recording model version ${modelVersion}`);
    await short.recordRunCompleted({
      runId: input.runId,
      workflowId,
      modelName: input.modelName,
      requestId: input.requestId,
      trainer: input.trainer,
      params: input.params,
      artifactUri: trained.artifactUri,
      artifactSha256: trained.artifactSha256,
      referenceProfileUri: trained.referenceProfileUri,
      referenceProfileSha256: trained.referenceProfileSha256,
      metrics,
      evaluationReport: { ...evaluated.report, splitTime: trained.splitTime, trainRows: trained.trainRows, evalRows: trained.evalRows },
      datasetVersions,
      featureViews,
      trainingSet: trainingSetLineage,
      modelVersion,
      startedAt,
      resources,
    });

    state = { step: TrainModelStep.COMPLETED, progress: 1, detail: modelVersion === null ? 'trained (not registered)' : `registered ${input.modelName} version ${modelVersion}` };
    if (!v2) return { runId: input.runId, modelVersion: modelVersion!, artifactUri: trained.artifactUri, artifactSha256: trained.artifactSha256, metrics: evaluated.metrics };
    return { runId: input.runId, modelVersion: modelVersion ?? 0, artifactUri: trained.artifactUri, artifactSha256: trained.artifactSha256, metrics, registration };
  } catch (err) {
    const failedStep = lastStep;
    if (isCancellation(err)) {
      // Recording must run even though the workflow's scope is cancelled.
      await CancellationScope.nonCancellable(() => short.recordRunCancelled({ runId: input.runId, step: failedStep, resources }));
      state = { step: TrainModelStep.CANCELLED, progress: state.progress, detail: `cancelled during ${failedStep}` };
      throw err;
    }
    const failure = describeFailure(err);
    await CancellationScope.nonCancellable(() =>
      short.recordRunFailed({
        runId: input.runId,
        workflowId,
        modelName: input.modelName,
        requestId: input.requestId,
        stage: STAGE_OF_STEP[failedStep] ?? 'register',
        step: failedStep,
        errorCode: failure.code,
        errorMessage: failure.message.slice(0, 4096),
        attempts: failure.attempts,
        startedAt,
        resources,
      }),
    );
    state = { step: TrainModelStep.FAILED, progress: state.progress, detail: `${failedStep} failed: ${failure.message}` };
    throw ApplicationFailure.create({ type: failure.code, message: `Training run '${input.runId}' failed in ${failedStep}: ${failure.message}`, nonRetryable: true, cause: err instanceof Error ? err : undefined });
  }
}
