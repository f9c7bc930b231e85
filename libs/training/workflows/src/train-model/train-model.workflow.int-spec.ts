/**
 * Workflow test on the real Temporal dev server with jest-mocked activities (C11 "Workflow"
 * tier; named `.int-spec.ts` so the int jest project runs it).
 */
/* eslint-disable no-restricted-imports, @nx/enforce-module-boundaries -- test harness (worker + client), never bundled into workflow code */
import path from 'node:path';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { eventually, uniqueName, useTemporalTestEnv } from '@strata/shared/testing';
import { progressQuery } from './train-model.messages';
import type { TrainingActivities, TrainModelInput } from './train-model.types';
import { trainModelWorkflow } from './train-model.workflow';

jest.setTimeout(120_000);

const SHA = 'a'.repeat(64);
const resources = { wallTimeMs: 10, cpuSeconds: 0.5, peakRssBytes: 1000 };

function mockActivities(calls: string[]): jest.Mocked<TrainingActivities> {
  const track = <K extends keyof TrainingActivities>(name: K, impl: TrainingActivities[K]) =>
    jest.fn(async (arg: never) => {
      calls.push(name);
      return (impl as (a: never) => unknown)(arg);
    }) as unknown as jest.Mocked<TrainingActivities>[K];
  return {
    resolveInputs: track('resolveInputs', async (i) => ({ datasetVersions: i.datasetVersions.map((d) => ({ ...d, contentSha256: SHA })) })),
    buildTrainingSet: track('buildTrainingSet', async () => ({
      id: 'ts-1',
      uri: 'file:///lake/ts-1.parquet',
      sha256: SHA,
      rowCount: 100,
      columns: ['pickup_location_id', 'event_timestamp', 'trips_1h', 'label'],
      featureRefs: ['zone_trip_stats:trips_1h', 'trip_request:fare_amount'],
    })),
    trainModel: track('trainModel', async (i) => ({
      artifactUri: `file:///artifacts/${i.modelName}/${i.runId}/model.onnx`,
      artifactSha256: SHA,
      referenceProfileUri: `file:///artifacts/${i.modelName}/${i.runId}/reference-profile.json`,
      referenceProfileSha256: SHA,
      featureNames: ['trips_1h'],
      splitTime: i.splitTime ?? '2020-01-01T00:00:00.000Z',
      trainRows: 80,
      evalRows: 20,
      iterations: 7,
      converged: true,
      resources,
    })),
    evaluateModel: track('evaluateModel', async () => ({ metrics: { roc_auc: 0.8, accuracy: 0.75 }, report: { eval: {}, train: {} }, resources })),
    registerModelVersion: track('registerModelVersion', async () => ({ modelVersion: 3 })),
    recordRunCompleted: track('recordRunCompleted', async () => undefined),
    recordRunFailed: track('recordRunFailed', async () => undefined),
    recordRunCancelled: track('recordRunCancelled', async () => undefined),
  };
}

function anInput(overrides: Partial<TrainModelInput> = {}): TrainModelInput {
  return {
    runId: 'run-1',
    modelName: 'taxi-tip',
    requestId: uniqueName('req'),
    trainer: 'logistic_regression',
    params: { l2: 0.001 },
    trainingSet: 'big_tipper',
    trainDatasetVersions: [{ datasetName: 'taxi', versionId: 'v1' }],
    evaluation: { splitTime: '2020-01-01T00:00:00.000Z' },
    reason: 'manual',
    timeouts: { initialRetryInterval: '50 milliseconds', maximumAttempts: 2, heartbeatTimeout: '10 seconds' },
    ...overrides,
  };
}

describe('trainModelWorkflow (real Temporal dev server, mocked activities)', () => {
  const temporal = useTemporalTestEnv(path.join(__dirname, '../workflows.ts'));

  async function withWorker<T>(acts: TrainingActivities, fn: (client: Client, taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = uniqueName('training-wf-test');
    const worker = await Worker.create({ connection: temporal.env.nativeConnection, namespace: temporal.namespace, taskQueue, workflowBundle: temporal.workflowBundle, activities: acts });
    return worker.runUntil(fn(temporal.env.client, taskQueue));
  }

  it('runs every step in order and returns the registered version', async () => {
    const calls: string[] = [];
    const acts = mockActivities(calls);
    const input = anInput();
    const result = await withWorker(acts, (client, taskQueue) =>
      client.workflow.execute(trainModelWorkflow, { taskQueue, workflowId: `train:taxi-tip:${input.requestId}`, args: [input] }),
    );
    expect(calls).toEqual(['resolveInputs', 'buildTrainingSet', 'trainModel', 'evaluateModel', 'registerModelVersion', 'recordRunCompleted']);
    expect(result).toEqual({
      runId: 'run-1',
      modelVersion: 3,
      artifactUri: 'file:///artifacts/taxi-tip/run-1/model.onnx',
      artifactSha256: SHA,
      metrics: { roc_auc: 0.8, accuracy: 0.75 },
      registration: expect.objectContaining({ trainer: 'logistic_regression', metrics: { roc_auc: 0.8, accuracy: 0.75 }, params: { l2: 0.001 } }),
    });
    const registered = acts.registerModelVersion.mock.calls[0]?.[0];
    expect(registered).toMatchObject({
      workflowId: `train:taxi-tip:${input.requestId}`,
      featureViews: ['trip_request', 'zone_trip_stats'],
      datasetVersions: [{ datasetName: 'taxi', versionId: 'v1', contentSha256: SHA }],
      trainingSet: { name: 'big_tipper', id: 'ts-1', uri: 'file:///lake/ts-1.parquet', sha256: SHA },
    });
    const completed = acts.recordRunCompleted.mock.calls[0]?.[0];
    expect(completed).toMatchObject({ modelVersion: 3, resources: { wallTimeMs: 20, cpuSeconds: 1, peakRssBytes: 1000 } });
    expect(acts.recordRunFailed).not.toHaveBeenCalled();
  });

  it('register: false (search trials) skips registration; trainer metrics are merged as trainer_<name>', async () => {
    const calls: string[] = [];
    const acts = mockActivities(calls);
    acts.trainModel.mockImplementationOnce(async (i) => (calls.push('trainModel'), {
      artifactUri: `file:///artifacts/${i.modelName}/${i.runId}/model.onnx`,
      artifactSha256: SHA,
      referenceProfileUri: `file:///artifacts/${i.modelName}/${i.runId}/reference-profile.json`,
      referenceProfileSha256: SHA,
      featureNames: ['f'],
      splitTime: '2020-01-01T00:00:00.000Z',
      trainRows: 80,
      evalRows: 20,
      iterations: 0,
      converged: true,
      resources: { wallTimeMs: 10, cpuSeconds: 0.5, peakRssBytes: 1000, gpuUtilizationPct: 42 },
      trainerMetrics: { sklearn_train_accuracy: 0.9 },
    }));
    // (the tracking wrapper is replaced for this call, so the call is recorded above)
    const input = anInput({ register: false, trainer: 'command:sk' });
    const result = await withWorker(acts, (client, taskQueue) => client.workflow.execute(trainModelWorkflow, { taskQueue, workflowId: `train:taxi-tip:${input.requestId}`, args: [input] }));
    expect(calls).toEqual(['resolveInputs', 'buildTrainingSet', 'trainModel', 'evaluateModel', 'recordRunCompleted']);
    expect(result.modelVersion).toBe(0);
    expect(result.metrics).toEqual({ roc_auc: 0.8, accuracy: 0.75, trainer_sklearn_train_accuracy: 0.9 });
    expect(result.registration?.trainer).toBe('command:sk');
    expect(acts.recordRunCompleted.mock.calls[0]?.[0]).toMatchObject({ modelVersion: null, metrics: { trainer_sklearn_train_accuracy: 0.9 }, resources: { gpuUtilizationPct: 42 } });
  });

  it('replays its own history deterministically', async () => {
    const acts = mockActivities([]);
    const input = anInput();
    const workflowId = `train:taxi-tip:${input.requestId}`;
    const history = await withWorker(acts, async (client, taskQueue) => {
      const handle = await client.workflow.start(trainModelWorkflow, { taskQueue, workflowId, args: [input] });
      await handle.result();
      return handle.fetchHistory();
    });
    await expect(Worker.runReplayHistory({ workflowBundle: temporal.workflowBundle }, history, workflowId)).resolves.toBeUndefined();
  });

  it('answers the progress query while training, and reports completion', async () => {
    const calls: string[] = [];
    const acts = mockActivities(calls);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const original = acts.trainModel.getMockImplementation()!;
    acts.trainModel.mockImplementation(async (i) => {
      await gate;
      return original(i);
    });
    const input = anInput();
    await withWorker(acts, async (client, taskQueue) => {
      const handle = await client.workflow.start(trainModelWorkflow, { taskQueue, workflowId: `train:taxi-tip:${input.requestId}`, args: [input] });
      const during = await eventually(async () => {
        const p = await handle.query(progressQuery);
        expect(p.step).toBe('train');
        return p;
      }, 30_000);
      expect(during.progress).toBeGreaterThan(0);
      expect(during.progress).toBeLessThan(1);
      expect(during.detail).toBe('training logistic_regression on training set ts-1 (100 rows)');
      release();
      await handle.result();
      expect(await handle.query(progressQuery)).toEqual({ step: 'completed', progress: 1, detail: 'registered taxi-tip version 3' });
    });
  });

  it('a failing activity fails the run: recorded FAILED with stage and error, workflow failed', async () => {
    const calls: string[] = [];
    const acts = mockActivities(calls);
    acts.trainModel.mockImplementation(async () => {
      calls.push('trainModel');
      throw ApplicationFailure.create({ type: 'INVALID_ARGUMENT', message: "Training set 'ts-1' has no rows before the split", nonRetryable: true, details: [{ attempt: 1 }] });
    });
    const input = anInput();
    const error = await withWorker(acts, (client, taskQueue) =>
      client.workflow.execute(trainModelWorkflow, { taskQueue, workflowId: `train:taxi-tip:${input.requestId}`, args: [input] }).catch((e: unknown) => e),
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('INVALID_ARGUMENT');
    expect(calls).toEqual(['resolveInputs', 'buildTrainingSet', 'trainModel', 'recordRunFailed']);
    expect(acts.recordRunFailed.mock.calls[0]?.[0]).toMatchObject({
      runId: 'run-1',
      stage: 'train',
      step: 'train',
      errorCode: 'INVALID_ARGUMENT',
      errorMessage: "Training set 'ts-1' has no rows before the split",
      attempts: 1,
    });
  });

  it('a retryable failure is retried with backoff before the run fails', async () => {
    const calls: string[] = [];
    const acts = mockActivities(calls);
    acts.evaluateModel.mockImplementation(async () => {
      calls.push('evaluateModel');
      throw ApplicationFailure.create({ type: 'UNAVAILABLE', message: 'object store unavailable', nonRetryable: false, details: [{ attempt: calls.filter((c) => c === 'evaluateModel').length }] });
    });
    const input = anInput();
    await withWorker(acts, (client, taskQueue) =>
      client.workflow.execute(trainModelWorkflow, { taskQueue, workflowId: `train:taxi-tip:${input.requestId}`, args: [input] }).catch((e: unknown) => e),
    );
    expect(calls.filter((c) => c === 'evaluateModel')).toHaveLength(2); // maximumAttempts: 2
    expect(acts.recordRunFailed.mock.calls[0]?.[0]).toMatchObject({ stage: 'evaluate', errorCode: 'UNAVAILABLE', attempts: 2 });
  });

  it('cancellation records the run CANCELLED', async () => {
    const calls: string[] = [];
    const acts = mockActivities(calls);
    // Heartbeats until cancelled (cancellation reaches an activity through its heartbeats).
    acts.buildTrainingSet.mockImplementation(async () => {
      for (;;) {
        Context.current().heartbeat();
        await Context.current().sleep(100);
      }
    });
    const input = anInput();
    await withWorker(acts, async (client, taskQueue) => {
      const handle = await client.workflow.start(trainModelWorkflow, { taskQueue, workflowId: `train:taxi-tip:${input.requestId}`, args: [input] });
      await eventually(async () => expect((await handle.query(progressQuery)).step).toBe('build-training-set'), 30_000);
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
    });
    expect(acts.recordRunCancelled).toHaveBeenCalledWith({ runId: 'run-1', step: 'build-training-set', resources: { wallTimeMs: 0, cpuSeconds: 0, peakRssBytes: 0 } });
    expect(acts.recordRunFailed).not.toHaveBeenCalled();
  });
});

