/* eslint-disable no-restricted-imports, @nx/enforce-module-boundaries -- test harness (worker + client), never bundled into workflow code */
/**
 * batchScoringWorkflow on the real Temporal server with scripted activities: the cleanup of a
 * cancelled job must run only after the chunk activity in flight has stopped. The scripted chunk
 * ignores the cancellation for a while and then stages its part (as a real chunk does when the
 * cancellation reaches it only after its last heartbeat): the cleanup must come after that write,
 * otherwise the part is left behind (the race of apps/serving batch-scoring.int-spec, made
 * deterministic here).
 */
import path from 'node:path';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { eventually, uniqueName, useTemporalTestEnv } from '@strata/shared/testing';
import type { BatchScoringActivities, BatchScoringPlan } from './batch-scoring.types';
import { batchScoringWorkflow } from './batch-scoring.workflow';

jest.setTimeout(120_000);

describe('batchScoringWorkflow cancellation (real Temporal, scripted activities)', () => {
  const temporal = useTemporalTestEnv(path.join(__dirname, '../workflows.ts'));

  it('runs the cleanup only after the chunk in flight has stopped: no part is staged after it', async () => {
    const taskQueue = uniqueName('serving-cancel-order');
    const jobId = uniqueName('job');
    const events: string[] = [];
    let chunkStarted = false;
    const plan: BatchScoringPlan = {
      jobId,
      modelName: 'm',
      modelVersion: 1,
      artifactUri: 'memory://x/model.onnx',
      artifactSha256: 'a'.repeat(64),
      inputUri: 'memory://x/in.parquet',
      inputSha256: 'b'.repeat(64),
      rowsTotal: 30,
      featureNames: ['f'],
      featureColumns: ['f'],
      passThroughColumns: [],
      chunkRows: 10,
      chunkCount: 3,
    };
    const acts: BatchScoringActivities = {
      prepareBatchScoring: async () => plan,
      scoreChunk: async ({ chunkIndex }) => {
        events.push(`chunk ${chunkIndex} started`);
        chunkStarted = true;
        // Busy for 1.5 s without heartbeating (the cancellation cannot reach it), then stages its part.
        await new Promise((r) => setTimeout(r, 1500));
        events.push(`part ${chunkIndex} staged`);
        return { chunkIndex, rows: 10, partUri: `memory://x/parts/${chunkIndex}`, partSha256: 'c'.repeat(64) };
      },
      finalizeBatchScoring: async () => {
        events.push('finalized');
        return { jobId, modelVersion: 1, outputUri: 'memory://x/out', outputSha256: 'd'.repeat(64), rowCount: 30 };
      },
      recordBatchScoringFailed: async () => {
        events.push('failed');
      },
      recordBatchScoringCancelled: async () => {
        events.push('cleanup');
      },
    };
    const worker = await Worker.create({ connection: temporal.env.nativeConnection, namespace: temporal.namespace, taskQueue, workflowBundle: temporal.workflowBundle, activities: acts });
    await worker.runUntil(async () => {
      const handle = await temporal.env.client.workflow.start(batchScoringWorkflow, {
        taskQueue,
        workflowId: `batch-score:m:${jobId}`,
        args: [{ jobId, modelName: 'm', model: { version: 1 }, inputUri: plan.inputUri, chunkRows: 10, timeouts: { initialRetryInterval: '1 second', maximumAttempts: 1 } }],
      });
      await eventually(() => expect(chunkStarted).toBe(true), 30_000, 20);
      await handle.cancel();
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    });
    // The part of the chunk in flight is staged BEFORE the cleanup (which deletes it); nothing after.
    expect(events).toEqual(['chunk 0 started', 'part 0 staged', 'cleanup']);
  });
});
