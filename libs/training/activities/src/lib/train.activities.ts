import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { TrainingRunEntity, TrainingRunLogEntity } from '@strata/training/data-access';
import { exportCategoricalLogisticRegressionToOnnx, onnxSignature, trainCategoricalLogisticRegression, type ModelSignature } from '@strata/training/util-trainers';
// Reference profiles are monitoring's format; the pure util lib is shared on purpose (see README).
import { buildReferenceProfile } from '@strata/shared/util-drift';
import { nonRetryable } from './activity-errors';
import type { TrainModelActivityInput, TrainModelActivityOutput } from './activity.types';
import { COMMAND_TRAINER_PREFIX, heartbeat, inActivity, openTrainingSet, type ActivityScope } from './activity-runtime';
import { hasNvidiaSmi, makeWorkDir, readTrainerMetrics, runCommandTrainer, sampleGpuUtilization } from './command-trainer';
import { ResourceMeter } from './resource-meter';
import type { ProgressPoint } from './run-tracking';
import { parseLogisticRegressionParams } from './trainer-params';
import { featureRefsOfColumns, LABEL_COLUMN, selectFeatureColumns } from './training-set-reader';
import { externalModelInputProblem, mixedTrainingData, modelFeatureOrder, sliceColumns } from './mixed-features'; // issue 18: categorical features
import { requestFieldsOfRefs } from './request-fields'; // issue 18: request fields recorded at training


/** The train activity: the built-in trainer or an external command trainer; artifacts go to the object store. */
export function createTrainActivities({ deps, tracker }: ActivityScope) {
  const { objectStore: store, logger } = deps;

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
    return openTrainingSet(store, input.trainingSet, async (file) => {
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
      return await openTrainingSet(store, input.trainingSet, async (file) => {
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

  return { trainModel };
}
