import { ActivityCancellationType, ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import { batchScoringProgressQuery, type BatchScoringProgress } from './batch-scoring.messages';
import type { BatchScoringActivities, BatchScoringInput, BatchScoringOutput, ScoredChunk } from './batch-scoring.types';

/**
 * Patch id: cancellation waits for the chunk activity in flight to stop (or finish) before the
 * cleanup deletes the staged parts, so no part written after the cleanup can be left behind.
 * Runs recorded before it (no marker in their history) keep the old behaviour on replay.
 */
export const BATCH_SCORING_WAIT_CANCELLED_CHUNK_PATCH = 'batch-scoring-wait-cancelled-chunk';

function activities(input: BatchScoringInput, waitForCancelledChunk: boolean) {
  const t = input.timeouts ?? {};
  const retry: RetryPolicy = {
    initialInterval: t.initialRetryInterval ?? '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: t.maximumAttempts ?? 5,
    // Bad input is reported as non-retryable ApplicationFailures by the activities themselves.
  };
  const short = proxyActivities<BatchScoringActivities>({ startToCloseTimeout: t.shortStartToClose ?? '2 minutes', retry });
  const long = proxyActivities<BatchScoringActivities>({
    startToCloseTimeout: t.chunkStartToClose ?? '30 minutes',
    heartbeatTimeout: t.heartbeatTimeout ?? '60 seconds',
    retry,
    // On cancellation, wait until the running chunk/finalize activity has stopped (it sees the
    // cancellation at its next heartbeat) or finished, so the cleanup below runs after its last write.
    ...(waitForCancelledChunk ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED } : {}),
  });
  return { short, long };
}

/** Error code and message of a failure, looking through ActivityFailure. */
function describeFailure(err: unknown): { code: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { code: cause.type ?? 'INTERNAL', message: cause.message };
  if (cause instanceof Error) return { code: 'INTERNAL', message: cause.message };
  return { code: 'INTERNAL', message: String(cause) };
}

/**
 * Scores a dataset version (or any Parquet in the object store) with one model version and
 * writes the predictions to Parquet: prepare (pin model version + input, map columns, count
 * rows) → `scoreChunk` for every chunk of `chunkRows` rows, in order (each call heartbeats its
 * progress and stages a Parquet part) → finalize (merge parts in order into
 * `batch-scoring/<jobId>/predictions.parquet`, sha256, row count check). Steps pass URIs and
 * digests, never rows.
 *
 * - Resumable: finished chunks are in the workflow history, so after a worker restart the
 *   workflow continues with the first unfinished chunk (that chunk is retried after its
 *   heartbeat timeout; parts have deterministic keys, so a retry overwrites, never duplicates).
 * - Query {@link batchScoringProgressQuery} (`progress`): `{ phase, rowsDone, rowsTotal, chunksDone, chunkCount }`.
 * - Cancellation: the running chunk is cancelled and the workflow waits until that activity has
 *   stopped or finished (patch {@link BATCH_SCORING_WAIT_CANCELLED_CHUNK_PATCH}); then the job is
 *   recorded CANCELLED (staged parts deleted: none can be written afterwards), the workflow ends
 *   cancelled.
 * - Failure (bad input, or out of retries): the job is recorded FAILED with the code and message,
 *   nothing is left under the job's prefix, and the workflow fails with an `ApplicationFailure`
 *   whose `type` is the error code.
 *
 * Workflow id `batch-score:<modelName>:<requestId>` (see `batchScoringWorkflowId`).
 */
export async function batchScoringWorkflow(input: BatchScoringInput): Promise<BatchScoringOutput> {
  const { short, long } = activities(input, patched(BATCH_SCORING_WAIT_CANCELLED_CHUNK_PATCH));
  let state: BatchScoringProgress = { phase: 'preparing', rowsDone: 0, rowsTotal: null, chunksDone: 0, chunkCount: null };
  setHandler(batchScoringProgressQuery, () => state);
  try {
    const plan = await short.prepareBatchScoring(input);
    state = { phase: 'scoring', rowsDone: 0, rowsTotal: plan.rowsTotal, chunksDone: 0, chunkCount: plan.chunkCount };
    const chunks: ScoredChunk[] = [];
    for (let chunkIndex = 0; chunkIndex < plan.chunkCount; chunkIndex++) {
      const chunk = await long.scoreChunk({ plan, chunkIndex });
      chunks.push(chunk);
      state = { ...state, rowsDone: state.rowsDone + chunk.rows, chunksDone: chunkIndex + 1 };
    }
    state = { ...state, phase: 'finalizing' };
    const output = await long.finalizeBatchScoring({ plan, chunks });
    state = { ...state, phase: 'succeeded' };
    return output;
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => short.recordBatchScoringCancelled({ jobId: input.jobId }));
      state = { ...state, phase: 'cancelled' };
      throw err;
    }
    const failure = describeFailure(err);
    await CancellationScope.nonCancellable(() => short.recordBatchScoringFailed({ jobId: input.jobId, code: failure.code, message: failure.message.slice(0, 4096) }));
    state = { ...state, phase: 'failed' };
    throw ApplicationFailure.create({ type: failure.code, message: `Batch scoring job '${input.jobId}' failed: ${failure.message}`, nonRetryable: true, cause: err instanceof Error ? err : undefined });
  }
}
