import { Context } from '@temporalio/activity';
import * as ort from 'onnxruntime-node';
import type { DataSource, EntityManager } from 'typeorm';
import { TrainingRunCompletedV1, TrainingRunFailedV1 } from '@strata/contracts';
import type { EventPublisher } from '@strata/messaging';
import { withLocalFiles, type ObjectStore } from '@strata/shared/data-access-object-store';
import { evaluateBinaryClassifier, type BinaryClassificationReport } from '@strata/shared/util-model-evaluation';
import { InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import { TrainingRunEntity, TrainingRunStatus } from '@strata/training/data-access';
import { exportLogisticRegressionToOnnx, onnxSignature, trainLogisticRegression, type ModelSignature } from '@strata/training/util-trainers';
// Reference profiles are monitoring's format; the pure util lib is shared on purpose (see README).
import { buildReferenceProfile } from '@strata/shared/util-drift';
import { mapErrors, nonRetryable } from './activity-errors';
import type {
  BuildTrainingSetInput,
  EvaluateModelInput,
  EvaluateModelOutput,
  RecordRunCancelledInput,
  RecordRunCompletedInput,
  RecordRunFailedInput,
  RegisterModelVersionInput,
  RegisterModelVersionOutput,
  ResolveInputsInput,
  ResolveInputsOutput,
  TrainingSetRef,
  TrainModelActivityInput,
  TrainModelActivityOutput,
} from './activity.types';
import { requestJson } from './http-client';
import { ResourceMeter } from './resource-meter';
import { parseLogisticRegressionParams } from './trainer-params';
import { LABEL_COLUMN, selectFeatureColumns, TrainingSetFile, verifyFileSha256, type TrainingSlice } from './training-set-reader';

/** Logging surface the activities need (Nest's Logger, pino and console fit). */
export interface ActivityLogger {
  log(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** What {@link createTrainingActivities} needs. */
export interface TrainingActivitiesDeps {
  /** Features service base URL, e.g. `http://127.0.0.1:3002`. */
  featuresUrl: string;
  /** Registry service base URL, e.g. `http://127.0.0.1:3004`. */
  registryUrl: string;
  /** Ingestion service base URL (pins dataset versions' content hashes); e.g. `http://127.0.0.1:3001`. */
  ingestionUrl: string;
  /** Where artifacts go (`artifacts/<modelName>/<runId>/…`) and training sets are read from. */
  objectStore: ObjectStore;
  /** The training schema's DataSource (training_run + outbox). */
  dataSource: DataSource;
  /** Outbox publisher (events in the same transaction as the row update). */
  publisher: EventPublisher;
  logger: ActivityLogger;
  /** Code version recorded in lineage (the service version). */
  codeVersion?: string;
}

/** Rows scored per onnxruntime call. */
const SCORE_BATCH = 8192;

function heartbeat(details: Record<string, unknown>, meter?: ResourceMeter): void {
  meter?.sample();
  try {
    Context.current().heartbeat(details);
  } catch {
    // not inside an activity (direct calls in tests)
  }
}

function inActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

async function sleep(ms: number): Promise<void> {
  const ctx = inActivity();
  if (ctx) await ctx.sleep(ms); // rejects with CancelledFailure when the activity is cancelled
  else await new Promise((r) => setTimeout(r, ms));
}

function columnsOf(slice: TrainingSlice): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  slice.features.forEach((f, j) => {
    const col = new Float64Array(slice.rows.length);
    for (let i = 0; i < slice.rows.length; i++) col[i] = slice.rows[i]![j]!;
    out[f] = col;
  });
  return out;
}

function sha256Of(uri: string, expected: string, what: string, store: ObjectStore): Promise<Buffer> {
  return store.getBuffer(store.resolve(uri), { expectedSha256: expected }).catch((e: unknown) => {
    if (e instanceof Error && /not found/i.test(e.message)) throw new NotFoundError(`${what} '${uri}' not found`, { cause: e });
    throw e;
  });
}

/** Scores rows with an ONNX model (float32 input `[N, F]`, NaN = missing; output `probability`). */
async function scoreOnnx(session: ort.InferenceSession, rows: ReadonlyArray<Float64Array>, width: number): Promise<Float64Array> {
  const out = new Float64Array(rows.length);
  const inputName = session.inputNames[0] ?? 'input';
  const outputName = session.outputNames.includes('probability') ? 'probability' : (session.outputNames[0] ?? 'probability');
  for (let start = 0; start < rows.length; start += SCORE_BATCH) {
    const end = Math.min(rows.length, start + SCORE_BATCH);
    const data = new Float32Array((end - start) * width);
    for (let i = start; i < end; i++) data.set(rows[i]!, (i - start) * width);
    const result = await session.run({ [inputName]: new ort.Tensor('float32', data, [end - start, width]) });
    const probs = result[outputName]!.data as Float32Array;
    for (let i = 0; i < end - start; i++) out[start + i] = probs[i]!;
  }
  return out;
}

function flatMetrics(report: BinaryClassificationReport, prefix: string): Record<string, number> {
  const m: Record<string, number> = {
    [`${prefix}accuracy`]: report.accuracy,
    [`${prefix}log_loss`]: report.logLoss,
    [`${prefix}brier_score`]: report.brierScore,
    [`${prefix}precision`]: report.precision,
    [`${prefix}recall`]: report.recall,
    [`${prefix}f1`]: report.f1,
    [`${prefix}expected_calibration_error`]: report.expectedCalibrationError,
    [`${prefix}rows`]: report.count,
    [`${prefix}positive_rate`]: report.positiveRate,
  };
  if (report.rocAuc !== null) m[`${prefix}roc_auc`] = report.rocAuc;
  return m;
}

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
 * Temporal activities of the training workflow, bound to their dependencies (as in
 * samples-typescript `activities-dependency-injection`). Every activity maps errors with
 * {@link mapErrors}: `AppError` with `retryable: false` → non-retryable `ApplicationFailure`
 * whose `type` is the error code.
 */
export function createTrainingActivities(deps: TrainingActivitiesDeps) {
  const { objectStore: store, logger } = deps;

  /** Updates the run row only while it is RUNNING; returns whether it did (idempotent under retries). */
  async function finishRun(manager: EntityManager, runId: string, patch: Partial<TrainingRunEntity>): Promise<boolean> {
    const res = await manager
      .createQueryBuilder()
      .update(TrainingRunEntity)
      .set({ ...patch, updatedAt: () => 'now()', finishedAt: () => 'now()' } as never)
      .where('run_id = :runId AND status = :running', { runId, running: TrainingRunStatus.RUNNING })
      .execute();
    return (res.affected ?? 0) > 0;
  }

  /**
   * Pins each dataset version's content hash: `GET {INGESTION_URL}/datasets/{name}/versions/{id}`.
   * @throws NOT_FOUND (non-retryable) when a version does not exist; UNAVAILABLE (retried) when
   *   ingestion is down.
   */
  async function resolveInputs(input: ResolveInputsInput): Promise<ResolveInputsOutput> {
    if (input.datasetVersions.length === 0) throw new InvalidArgumentError(`Training run '${input.runId}' has no dataset versions`);
    const datasetVersions = [];
    for (const dv of input.datasetVersions) {
      const url = `${deps.ingestionUrl}/datasets/${encodeURIComponent(dv.datasetName)}/versions/${encodeURIComponent(dv.versionId)}`;
      const { body } = await requestJson<{ contentSha256?: string }>('ingestion', 'GET', url);
      if (typeof body?.contentSha256 !== 'string') throw new InvalidArgumentError(`ingestion returned no contentSha256 for dataset version '${dv.datasetName}@${dv.versionId}'`);
      datasetVersions.push({ datasetName: dv.datasetName, versionId: dv.versionId, contentSha256: body.contentSha256 });
    }
    await deps.dataSource.getRepository(TrainingRunEntity).update({ runId: input.runId }, { datasetVersions, step: 'resolve-inputs' });
    logger.log('resolved dataset versions', { runId: input.runId, modelName: input.modelName, datasetVersions });
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
      const { body } = await requestJson<{ id: string; status: string }>('features', 'POST', `${deps.featuresUrl}/training-sets`, {
        body: { trainingSet: input.trainingSet, datasetVersions: input.datasetVersions },
      });
      if (!body?.id) throw new InvalidArgumentError('features answered POST /training-sets without an id');
      id = body.id;
      logger.log('training set build started', { runId: input.runId, modelName: input.modelName, trainingSetBuild: id });
    }
    for (;;) {
      const { body } = await requestJson<{
        id: string;
        status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
        uri?: string;
        sha256?: string;
        rowCount?: number;
        columns?: Array<string | { name: string }>;
        featureRefs?: string[];
        error?: unknown;
      }>('features', 'GET', `${deps.featuresUrl}/training-sets/${encodeURIComponent(id)}`);
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

  async function openTrainingSet<T>(ref: TrainingSetRef, fn: (file: TrainingSetFile) => Promise<T>): Promise<T> {
    return withLocalFiles(store, [ref.uri], async ([path]) => {
      await verifyFileSha256(path!, ref.sha256, `Training set '${ref.id}'`);
      const file = await TrainingSetFile.open(path!);
      try {
        return await fn(file);
      } finally {
        file.close();
      }
    });
  }

  /**
   * Trains on the rows before the split: reads the Parquet training set with DuckDB, fits the
   * trainer (heartbeating each iteration), exports ONNX (feature names in metadata), and stores
   * `artifacts/<modelName>/<runId>/model.onnx` and `reference-profile.json` (train-slice
   * feature distributions + label) with their sha256. Re-running overwrites the same keys.
   * @throws INVALID_ARGUMENT (non-retryable) on bad params, missing columns, an empty or
   *   single-class train slice.
   */
  async function trainModel(input: TrainModelActivityInput): Promise<TrainModelActivityOutput> {
    const meter = new ResourceMeter();
    if (input.trainer !== 'logistic_regression') throw new InvalidArgumentError(`Unknown trainer '${String(input.trainer)}'`);
    let params;
    try {
      params = parseLogisticRegressionParams(input.params);
    } catch (e) {
      throw new InvalidArgumentError(`Invalid params for logistic_regression: ${e instanceof Error ? e.message : String(e)}`);
    }
    return openTrainingSet(input.trainingSet, async (file) => {
      const features = selectFeatureColumns(file.columns, input.trainingSet.featureRefs);
      const splitTime = await file.resolveSplitTime(input.splitTime);
      const train = await file.readSlice(features, splitTime, 'train');
      const evalRows = (await file.readSlice(features, splitTime, 'eval')).rows.length;
      if (train.rows.length === 0) throw new InvalidArgumentError(`Training set '${input.trainingSet.id}' has no rows before the split ${splitTime}`);
      heartbeat({ phase: 'train', trainRows: train.rows.length, evalRows }, meter);
      const maxIterations = params.maxIterations ?? 100;
      const model = trainLogisticRegression({ features, rows: train.rows, labels: train.labels }, params, (p) =>
        heartbeat({ phase: 'train', iteration: p.iteration, progress: p.iteration / maxIterations, loss: p.loss }, meter),
      );
      const onnx = exportLogisticRegressionToOnnx(model, {
        docString: `Strata ${input.modelName} run ${input.runId}`,
        metadata: { run_id: input.runId, model_name: input.modelName, training_set: input.trainingSet.id, split_time: splitTime },
      });
      const prefix = `artifacts/${input.modelName}/${input.runId}`;
      const artifact = await store.put(`${prefix}/model.onnx`, onnx, { contentType: 'application/octet-stream' });
      const profile = buildReferenceProfile({ ...columnsOf(train), [LABEL_COLUMN]: train.labels }, { label: LABEL_COLUMN });
      const profileObj = await store.put(`${prefix}/reference-profile.json`, Buffer.from(JSON.stringify(profile)), { contentType: 'application/json' });
      logger.log('model trained', { runId: input.runId, modelName: input.modelName, trainRows: train.rows.length, iterations: model.iterations, artifactUri: artifact.uri });
      return {
        artifactUri: artifact.uri,
        artifactSha256: artifact.sha256,
        referenceProfileUri: profileObj.uri,
        referenceProfileSha256: profileObj.sha256,
        featureNames: features,
        splitTime,
        trainRows: train.rows.length,
        evalRows,
        iterations: model.iterations,
        converged: model.converged,
        resources: meter.finish(),
      };
    });
  }

  /**
   * Scores the eval slice (`event_timestamp >= splitTime`) and the train slice with the ONNX
   * artifact in onnxruntime-node (verifying its sha256) and computes
   * `evaluateBinaryClassifier` reports (ROC AUC, accuracy, log loss, calibration by decile, …).
   * @throws INVALID_ARGUMENT (non-retryable) when the eval slice is empty;
   *   INTEGRITY_ERROR when the artifact's digest differs.
   */
  async function evaluateModel(input: EvaluateModelInput): Promise<EvaluateModelOutput> {
    const meter = new ResourceMeter();
    const bytes = await sha256Of(input.artifactUri, input.artifactSha256, 'Model artifact', store);
    const session = await ort.InferenceSession.create(new Uint8Array(bytes));
    try {
      return await openTrainingSet(input.trainingSet, async (file) => {
        const evalSlice = await file.readSlice(input.featureNames, input.splitTime, 'eval');
        if (evalSlice.rows.length === 0) throw new InvalidArgumentError(`Training set '${input.trainingSet.id}' has no rows at or after the split ${input.splitTime} to evaluate on`);
        heartbeat({ phase: 'evaluate', slice: 'eval', rows: evalSlice.rows.length }, meter);
        const evalReport = evaluateBinaryClassifier(evalSlice.labels, await scoreOnnx(session, evalSlice.rows, input.featureNames.length));
        const trainSlice = await file.readSlice(input.featureNames, input.splitTime, 'train');
        heartbeat({ phase: 'evaluate', slice: 'train', rows: trainSlice.rows.length }, meter);
        const trainReport = evaluateBinaryClassifier(trainSlice.labels, await scoreOnnx(session, trainSlice.rows, input.featureNames.length));
        const metrics = { ...flatMetrics(evalReport, ''), ...flatMetrics(trainReport, 'train_') };
        logger.log('model evaluated', { runId: input.runId, modelName: input.modelName, metrics });
        return {
          metrics,
          report: { eval: evalReport as unknown as Record<string, unknown>, train: trainReport as unknown as Record<string, unknown> },
          resources: meter.finish(),
        };
      });
    } finally {
      await session.release();
    }
  }

  /**
   * `POST {REGISTRY_URL}/registered-models/{name}/versions` with the artifact reference, its
   * ONNX signature, metrics, params, lineage and the reference profile; header
   * `Idempotency-Key: <runId>` (and `runId` in the body) so a retried attempt gets the same
   * version back. 200/201 → the version; 409 carrying the existing version → that version.
   */
  async function registerModelVersion(input: RegisterModelVersionInput): Promise<RegisterModelVersionOutput> {
    const bytes = await sha256Of(input.artifactUri, input.artifactSha256, 'Model artifact', store);
    const signature = onnxSignature(new Uint8Array(bytes));
    const url = `${deps.registryUrl}/registered-models/${encodeURIComponent(input.modelName)}/versions`;
    const { status, body } = await requestJson<{ version?: number; details?: { version?: number; existingVersion?: number } }>('registry', 'POST', url, {
      headers: { 'idempotency-key': input.runId },
      accept: [409],
      body: {
        runId: input.runId,
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
        },
        referenceProfileUri: input.referenceProfileUri,
        referenceProfileSha256: input.referenceProfileSha256,
        description: `${input.trainer} trained by run ${input.runId}`,
        tags: { trainer: input.trainer, runId: input.runId },
      },
    });
    const version = body?.version ?? body?.details?.version ?? body?.details?.existingVersion;
    if (typeof version !== 'number') {
      if (status === 409) throw nonRetryable('CONFLICT', `registry refused a version of '${input.modelName}' for run '${input.runId}' (409) without naming the existing version`);
      throw new InvalidArgumentError(`registry answered ${status} without a version number`);
    }
    logger.log('model version registered', { runId: input.runId, modelName: input.modelName, modelVersion: version, status });
    return { modelVersion: version };
  }

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
  }

  return {
    resolveInputs: mapErrors(resolveInputs),
    buildTrainingSet: mapErrors(buildTrainingSet),
    trainModel: mapErrors(trainModel),
    evaluateModel: mapErrors(evaluateModel),
    registerModelVersion: mapErrors(registerModelVersion),
    recordRunCompleted: mapErrors(recordRunCompleted),
    recordRunFailed: mapErrors(recordRunFailed),
    recordRunCancelled: mapErrors(recordRunCancelled),
  };
}

/** The activity object the worker registers. */
export type TrainingActivitiesImpl = ReturnType<typeof createTrainingActivities>;
