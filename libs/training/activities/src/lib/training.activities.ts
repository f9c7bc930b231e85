import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import * as ort from 'onnxruntime-node';
import type { DataSource, EntityManager } from 'typeorm';
import { TrainingRunCompletedV1, TrainingRunFailedV1 } from '@strata/contracts';
import type { EventPublisher } from '@strata/messaging';
import { withLocalFiles, type ObjectStore } from '@strata/shared/data-access-object-store';
import { evaluateBinaryClassifier, type BinaryClassificationReport } from '@strata/shared/util-model-evaluation';
import { InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import { RetrainingTriggerEntity, TrainingRunEntity, TrainingRunLogEntity, TrainingRunStatus, TrainingSearchEntity } from '@strata/training/data-access';
import { exportCategoricalLogisticRegressionToOnnx, onnxSignature, trainCategoricalLogisticRegression, type ModelSignature } from '@strata/training/util-trainers';
// Reference profiles are monitoring's format; the pure util lib is shared on purpose (see README).
import { buildReferenceProfile } from '@strata/shared/util-drift';
import { freshDatasetVersions, type ListedDatasetVersion } from './fresh-dataset-versions';
import { mapErrors, nonRetryable } from './activity-errors';
import { hasNvidiaSmi, makeWorkDir, readTrainerMetrics, runCommandTrainer, sampleGpuUtilization, type CommandTrainerSpec } from './command-trainer';
import type {
  BuildTrainingSetInput,
  EvaluateModelInput,
  EvaluateModelOutput,
  RecordRunCancelledInput,
  RecordRunCompletedInput,
  RecordRunFailedInput,
  RecordRunRegisteredInput,
  RecordSearchFinishedInput,
  RegisterModelVersionInput,
  RetrainingSource,
  TrainModelInput,
  TriggerRetrainingInput,
  TriggerRetrainingOutput,
  RegisterModelVersionOutput,
  ResolveInputsInput,
  ResolveInputsOutput,
  TrainingSetRef,
  TrainModelActivityInput,
  TrainModelActivityOutput,
} from './activity.types';
import { requestJson } from './http-client';
import { ResourceMeter } from './resource-meter';
import { RunTracker, type ProgressPoint } from './run-tracking';
import { parseLogisticRegressionParams } from './trainer-params';
import { featureRefsOfColumns, LABEL_COLUMN, selectFeatureColumns, TrainingSetFile, verifyFileSha256 } from './training-set-reader';
import { externalModelInputProblem, mixedTrainingData, modelFeatureOrder, scoreSlice, sliceColumns } from './mixed-features'; // issue 18: categorical features
import { requestFieldsOfRefs } from './request-fields'; // issue 18: request fields recorded at training

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
  /** External command trainers by name (`trainer: 'command:<name>'`); see `TRAINING_COMMAND_TRAINERS`. */
  commandTrainers?: Record<string, CommandTrainerSpec>;
  /** Heartbeat period of a running external trainer, ms (default 1000). */
  commandHeartbeatMs?: number;
  /** Captured log bytes kept per activity attempt (default 4 MiB; the rest is dropped with a note). */
  maxLogBytesPerAttempt?: number;
  /** The service's guarded retraining start path (cooldown, one at a time); used by the schedule's workflow. */
  triggerRetraining?: (input: TriggerRetrainingInput) => Promise<TriggerRetrainingOutput>;
}

/**
 * Run id of a training request: a UUID derived from sha256(`modelName\nrequestId`) (RFC 4122
 * layout, version nibble 5), so retries and redeliveries map to the same run.
 */
export function trainingRunId(modelName: string, requestId: string): string {
  const h = createHash('sha256').update(`${modelName}\n${requestId}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Prefix of external trainer ids. */
export const COMMAND_TRAINER_PREFIX = 'command:';

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

function sha256Of(uri: string, expected: string, what: string, store: ObjectStore): Promise<Buffer> {
  return store.getBuffer(store.resolve(uri), { expectedSha256: expected }).catch((e: unknown) => {
    if (e instanceof Error && /not found/i.test(e.message)) throw new NotFoundError(`${what} '${uri}' not found`, { cause: e });
    throw e;
  });
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
  /** Best-effort mirror of runs into the registry's experiment tracking (never fails an activity). */
  const tracker = new RunTracker(deps.dataSource, deps.registryUrl, logger);

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

  async function openTrainingSet<T>(ref: Pick<TrainingSetRef, 'id' | 'uri' | 'sha256'>, fn: (file: TrainingSetFile) => Promise<T>): Promise<T> {
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
    if (input.trainer.startsWith(COMMAND_TRAINER_PREFIX)) return trainWithCommand(input);
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
      const lossSeries: ProgressPoint[] = [];
      const model = trainCategoricalLogisticRegression(mixedTrainingData(train), params, (p) => {
        if (Number.isFinite(p.loss)) lossSeries.push([p.iteration, p.loss, Date.now()]);
        heartbeat({ phase: 'train', iteration: p.iteration, progress: p.iteration / maxIterations, loss: p.loss }, meter);
      });
      const modelFeatures = modelFeatureOrder(train); // numeric then categorical: the ONNX feature order
      const featureRefs = featureRefsOfColumns(file.columns, input.trainingSet.featureRefs, modelFeatures);
      const requestFields = featureRefs ? await requestFieldsOfRefs(deps.featuresUrl, featureRefs) : undefined; // issue 18
      const onnx = exportCategoricalLogisticRegressionToOnnx(model, {
        docString: `Strata ${input.modelName} run ${input.runId}`,
        ...(featureRefs ? { featureRefs, ...(requestFields ? { requestFields } : {}) } : {}),
        metadata: { run_id: input.runId, model_name: input.modelName, training_set: input.trainingSet.id, split_time: splitTime },
      });
      const prefix = `artifacts/${input.modelName}/${input.runId}`;
      const artifact = await store.put(`${prefix}/model.onnx`, onnx, { contentType: 'application/octet-stream' });
      const profile = buildReferenceProfile({ ...sliceColumns(train), [LABEL_COLUMN]: train.labels }, { label: LABEL_COLUMN });
      const profileObj = await store.put(`${prefix}/reference-profile.json`, Buffer.from(JSON.stringify(profile)), { contentType: 'application/json' });
      logger.log('model trained', { runId: input.runId, modelName: input.modelName, trainRows: train.rows.length, iterations: model.linear.iterations, artifactUri: artifact.uri });
      // The loss per iteration becomes the tracked run's `train_loss` step series (a retry overwrites it).
      await deps.dataSource.getRepository(TrainingRunEntity).update({ runId: input.runId }, { trainerProgress: { train_loss: lossSeries } });
      await tracker.sync(input.runId);
      return {
        artifactUri: artifact.uri,
        artifactSha256: artifact.sha256,
        referenceProfileUri: profileObj.uri,
        referenceProfileSha256: profileObj.sha256,
        featureNames: modelFeatures,
        splitTime,
        trainRows: train.rows.length,
        evalRows,
        iterations: model.linear.iterations,
        converged: model.linear.converged,
        resources: { ...meter.finish(), gpuUtilizationPct: hasNvidiaSmi() ? (sampleGpuUtilization() ?? null) : null },
      };
    });
  }

  /** Appends captured output to `training_run_log` (bounded per attempt). */
  function logSink(runId: string, attempt: number) {
    const max = deps.maxLogBytesPerAttempt ?? 4 * 1024 * 1024;
    let written = 0;
    let truncated = false;
    const repo = deps.dataSource.getRepository(TrainingRunLogEntity);
    return async (stream: 'stdout' | 'stderr' | 'system', chunk: string): Promise<void> => {
      if (truncated) return;
      const bytes = Buffer.byteLength(chunk);
      if (written + bytes > max && stream !== 'system') {
        truncated = true;
        await repo.insert({ runId, attempt, stream: 'system', chunk: `[log truncated after ${written} bytes of attempt ${attempt}]\n` });
        return;
      }
      written += bytes;
      await repo.insert({ runId, attempt, stream, chunk: chunk.split(String.fromCharCode(0)).join('') /* PostgreSQL text cannot hold NUL */ });
    };
  }

  /**
   * External command trainer (`trainer: 'command:<name>'`), file contract: writes the train
   * slice (`event_timestamp < splitTime`; feature columns as DOUBLE, `label` 0/1) to
   * `<work>/train.parquet` and `{params, features, label, modelName, runId, splitTime}` to
   * `<work>/params.json`, runs the configured command with the work dir appended (stdout/stderr
   * → `training_run_log`, heartbeats while it runs, cancellation kills its process group), then
   * requires `<work>/model.onnx` (one FP32 input of width = #features) and `<work>/metrics.json`
   * (finite numbers, returned as `trainerMetrics`). ONNX + reference profile → object store as
   * for the built-in trainer. Non-zero exit → non-retryable `TRAINER_FAILED` with the stderr tail.
   */
  async function trainWithCommand(input: TrainModelActivityInput): Promise<TrainModelActivityOutput> {
    const meter = new ResourceMeter();
    const name = input.trainer.slice(COMMAND_TRAINER_PREFIX.length);
    const spec = deps.commandTrainers?.[name];
    if (!spec) throw new InvalidArgumentError(`Unknown command trainer '${name}' (configured: ${Object.keys(deps.commandTrainers ?? {}).join(', ') || 'none'})`);
    const ctx = inActivity();
    const attempt = ctx?.info.attempt ?? 1;
    const workDir = await makeWorkDir(input.runId);
    try {
      return await openTrainingSet(input.trainingSet, async (file) => {
        const features = selectFeatureColumns(file.columns, input.trainingSet.featureRefs);
        const splitTime = await file.resolveSplitTime(input.splitTime);
        const trainRows = await file.writeTrainSlice(features, splitTime, path.join(workDir, 'train.parquet'));
        if (trainRows === 0) throw new InvalidArgumentError(`Training set '${input.trainingSet.id}' has no rows before the split ${splitTime}`);
        const evalRows = (await file.readSlice(features, splitTime, 'eval')).rows.length;
        await fsp.writeFile(path.join(workDir, 'params.json'), JSON.stringify({ params: input.params, features, label: LABEL_COLUMN, modelName: input.modelName, runId: input.runId, splitTime }, null, 2));
        heartbeat({ phase: 'train', trainer: input.trainer, trainRows, evalRows }, meter);
        const child = await runCommandTrainer({
          spec,
          workDir,
          log: logSink(input.runId, attempt),
          heartbeatMs: deps.commandHeartbeatMs,
          onHeartbeat: ({ elapsedMs, pid }) => heartbeat({ phase: 'train', trainer: input.trainer, elapsedMs, pid }, meter),
          cancelled: ctx ? ctx.cancelled : new Promise<never>(() => undefined),
        });
        let onnx: Buffer;
        try {
          onnx = await fsp.readFile(path.join(workDir, 'model.onnx'));
        } catch {
          throw nonRetryable('TRAINER_FAILED', `External trainer '${name}' exited 0 but wrote no model.onnx`);
        }
        let signature: ModelSignature;
        try {
          signature = onnxSignature(new Uint8Array(onnx));
        } catch (e) {
          throw nonRetryable('TRAINER_FAILED', `External trainer '${name}' wrote an unreadable model.onnx: ${e instanceof Error ? e.message : String(e)}`);
        }
        const inputProblem = externalModelInputProblem(signature, features, features.filter((f) => file.isCategorical(f)));
        if (inputProblem !== null) {
          throw nonRetryable('TRAINER_FAILED', `External trainer '${name}' model.onnx must take the features [${features.join(', ')}] (one FP32 input [N, ${features.length}], or the inputs its 'strata.inputs' metadata lists): ${inputProblem}; got ${JSON.stringify(signature.inputs)}`);
        }
        const trainerMetrics = await readTrainerMetrics(path.join(workDir, 'metrics.json'));
        const train = await file.readSlice(features, splitTime, 'train');
        const prefix = `artifacts/${input.modelName}/${input.runId}`;
        const artifact = await store.put(`${prefix}/model.onnx`, onnx, { contentType: 'application/octet-stream' });
        const profile = buildReferenceProfile({ ...sliceColumns(train), [LABEL_COLUMN]: train.labels }, { label: LABEL_COLUMN });
        const profileObj = await store.put(`${prefix}/reference-profile.json`, Buffer.from(JSON.stringify(profile)), { contentType: 'application/json' });
        const own = meter.finish();
        logger.log('model trained by external command', { runId: input.runId, modelName: input.modelName, trainer: input.trainer, trainRows, artifactUri: artifact.uri, trainerMetrics });
        return {
          artifactUri: artifact.uri,
          artifactSha256: artifact.sha256,
          referenceProfileUri: profileObj.uri,
          referenceProfileSha256: profileObj.sha256,
          featureNames: features,
          splitTime,
          trainRows,
          evalRows,
          iterations: 0,
          converged: true,
          resources: { wallTimeMs: own.wallTimeMs, cpuSeconds: own.cpuSeconds + child.cpuSeconds, peakRssBytes: Math.max(own.peakRssBytes, child.peakRssBytes), gpuUtilizationPct: child.gpuUtilizationPct },
          trainerMetrics,
        };
      });
    } finally {
      await fsp.rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
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
    const signature = onnxSignature(new Uint8Array(bytes));
    try {
      return await openTrainingSet(input.trainingSet, async (file) => {
        const evalSlice = await file.readSlice(input.featureNames, input.splitTime, 'eval');
        if (evalSlice.rows.length === 0) throw new InvalidArgumentError(`Training set '${input.trainingSet.id}' has no rows at or after the split ${input.splitTime} to evaluate on`);
        heartbeat({ phase: 'evaluate', slice: 'eval', rows: evalSlice.rows.length }, meter);
        const evalReport = evaluateBinaryClassifier(evalSlice.labels, await scoreSlice(session, signature, evalSlice, input.featureNames));
        const trainSlice = await file.readSlice(input.featureNames, input.splitTime, 'train');
        heartbeat({ phase: 'evaluate', slice: 'train', rows: trainSlice.rows.length }, meter);
        const trainReport = evaluateBinaryClassifier(trainSlice.labels, await scoreSlice(session, signature, trainSlice, input.featureNames));
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
    // the latest event time the version was trained (and evaluated) on: live rollouts compare after it
    const trainingDataCutoff = await openTrainingSet(input.trainingSet, (file) => file.maxEventTime());
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
          ...(trainingDataCutoff ? { trainingDataCutoff } : {}),
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
      const url = `${deps.ingestionUrl}/datasets/${encodeURIComponent(name)}/versions`;
      const { body } = await requestJson<ListedDatasetVersion[] | { items?: ListedDatasetVersion[] }>('ingestion', 'GET', url);
      listed.set(name, Array.isArray(body) ? body : (body?.items ?? []));
    }
    const datasetVersions = freshDatasetVersions(last.datasetVersions, listed);
    const requestId = `retrain-${input.triggerId}`;
    const runId = trainingRunId(input.modelName, requestId);
    const workflowId = `train:${input.modelName}:${requestId}`;
    await runs
      .createQueryBuilder()
      .insert()
      .into(TrainingRunEntity)
      .values({
        runId,
        workflowId,
        modelName: input.modelName,
        requestId,
        status: TrainingRunStatus.RUNNING,
        step: 'pending',
        trainer: last.trainer,
        trainingSet: last.trainingSet,
        reason: input.source,
        params: last.params,
        evaluation: {},
        datasetVersions,
      } as never)
      .orIgnore()
      .execute();
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

  /** `PUT {REGISTRY_URL}/registered-models/{name}/aliases/{alias}` body `{ version, reason, actor: 'training' }`. */
  async function setModelAlias(input: { modelName: string; alias: string; version: number; reason: string }): Promise<void> {
    const url = `${deps.registryUrl}/registered-models/${encodeURIComponent(input.modelName)}/aliases/${encodeURIComponent(input.alias)}`;
    await requestJson('registry', 'PUT', url, { body: { version: input.version, reason: input.reason.slice(0, 1000), actor: 'training' } });
    logger.log('alias set', { ...input });
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

  return {
    recordRunRegistered: mapErrors(recordRunRegistered),
    recordSearchFinished: mapErrors(recordSearchFinished),
    prepareRetraining: mapErrors(prepareRetraining),
    setModelAlias: mapErrors(setModelAlias),
    recordRetrainingFinished: mapErrors(recordRetrainingFinished),
    triggerRetraining: mapErrors(triggerRetraining),
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
