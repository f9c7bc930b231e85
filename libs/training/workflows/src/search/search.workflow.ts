import { ApplicationFailure, CancellationScope, executeChild, isCancellation, ParentClosePolicy, proxyActivities, setHandler, defineQuery } from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import { trainModelWorkflow } from '../train-model/train-model.workflow';
import { trainModelWorkflowId } from '../train-model/train-model.ids';
import type {
  HyperparameterSearchInput,
  HyperparameterSearchOutput,
  SearchActivities,
  SearchTrialOutcome,
  TrainingActivities,
  TrainModelOutput,
} from '../train-model/train-model.types';

/** Answer of {@link searchProgressQuery}. */
export interface SearchProgress {
  total: number;
  running: number;
  completed: number;
  failed: number;
  /** Best trial so far by the declared metric. */
  best: { runId: string; metric: number } | null;
}

/** Query `search-progress`: trial counts and the best trial so far. */
export const searchProgressQuery = defineQuery<SearchProgress>('search-progress');

/** Workflow id of a search: `search:<modelName>:<requestId>`. */
export function searchWorkflowId(modelName: string, requestId: string): string {
  return `search:${modelName}:${requestId}`;
}

function better(direction: 'maximize' | 'minimize', a: number, b: number): boolean {
  return direction === 'maximize' ? a > b : a < b;
}

/**
 * Hyperparameter search: runs every trial as a child `trainModelWorkflow` (workflow id
 * `train:<modelName>:<trialRequestId>`, `register: false`), at most `parallelism` at a time. A
 * failed trial is recorded (its run FAILED) and does not fail the search. The best completed
 * trial by `metric` (`direction`; ties → the lower trial index) is registered as a model
 * version (`registerModelVersion`, idempotency key = its run id), its run row gets the version,
 * and the search row is completed. No completed trial with the metric → the search is recorded
 * FAILED (`NO_SUCCESSFUL_TRIAL`) and the workflow fails. Cancelling the search cancels the
 * running trials (they record CANCELLED).
 */
export async function hyperparameterSearchWorkflow(input: HyperparameterSearchInput): Promise<HyperparameterSearchOutput> {
  const t = input.base.timeouts ?? {};
  const retry: RetryPolicy = { initialInterval: t.initialRetryInterval ?? '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: t.maximumAttempts ?? 5 };
  const acts = proxyActivities<TrainingActivities & SearchActivities>({ startToCloseTimeout: t.shortStartToClose ?? '2 minutes', retry });
  const outcomes: SearchTrialOutcome[] = [];
  const outputs = new Map<string, TrainModelOutput>();
  let running = 0;
  let best: { runId: string; metric: number; index: number } | null = null;
  setHandler(searchProgressQuery, () => ({
    total: input.trials.length,
    running,
    completed: outcomes.filter((o) => o.status === 'COMPLETED').length,
    failed: outcomes.filter((o) => o.status !== 'COMPLETED').length,
    best: best ? { runId: best.runId, metric: best.metric } : null,
  }));

  const queue = [...input.trials];
  const runTrial = async (): Promise<void> => {
    for (let trial = queue.shift(); trial; trial = queue.shift()) {
      running++;
      try {
        const out = await executeChild(trainModelWorkflow, {
          workflowId: trainModelWorkflowId(input.modelName, trial.requestId),
          args: [{ ...input.base, runId: trial.runId, requestId: trial.requestId, params: trial.params, register: false }],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        });
        outputs.set(trial.runId, out);
        const metric = out.metrics[input.metric];
        outcomes.push({ index: trial.index, runId: trial.runId, status: 'COMPLETED', ...(metric === undefined ? {} : { metric }) });
        if (metric !== undefined && Number.isFinite(metric) && (!best || better(input.direction, metric, best.metric) || (metric === best.metric && trial.index < best.index))) {
          best = { runId: trial.runId, metric, index: trial.index };
        }
      } catch (err) {
        if (isCancellation(err)) throw err;
        const message = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
        outcomes.push({ index: trial.index, runId: trial.runId, status: 'FAILED', error: message.slice(0, 1024) });
      } finally {
        running--;
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(input.parallelism, input.trials.length)) }, () => runTrial()));
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() =>
        acts.recordSearchFinished({ searchId: input.searchId, status: 'CANCELLED', completedTrials: outcomes.filter((o) => o.status === 'COMPLETED').length, failedTrials: outcomes.filter((o) => o.status !== 'COMPLETED').length }),
      );
    }
    throw err;
  }
  outcomes.sort((a, b) => a.index - b.index);
  const completed = outcomes.filter((o) => o.status === 'COMPLETED').length;
  const failed = outcomes.length - completed;
  const winner = best as { runId: string; metric: number; index: number } | null;
  if (!winner) {
    const message = `No trial of search '${input.searchId}' completed with metric '${input.metric}' (${failed} of ${outcomes.length} failed)`;
    await acts.recordSearchFinished({ searchId: input.searchId, status: 'FAILED', completedTrials: completed, failedTrials: failed, errorCode: 'NO_SUCCESSFUL_TRIAL', errorMessage: message });
    throw ApplicationFailure.create({ type: 'NO_SUCCESSFUL_TRIAL', message, nonRetryable: true });
  }
  const out = outputs.get(winner.runId)!;
  const trialRequestId = input.trials.find((tr) => tr.runId === winner.runId)!.requestId;
  const { modelVersion } = await acts.registerModelVersion({
    runId: winner.runId,
    workflowId: trainModelWorkflowId(input.modelName, trialRequestId),
    modelName: input.modelName,
    ...out.registration!,
  });
  await acts.recordRunRegistered({ runId: winner.runId, modelVersion });
  await acts.recordSearchFinished({ searchId: input.searchId, status: 'COMPLETED', completedTrials: completed, failedTrials: failed, bestRunId: winner.runId, bestMetric: winner.metric, modelVersion });
  return { searchId: input.searchId, bestRunId: winner.runId, bestMetric: winner.metric, modelVersion, trials: outcomes };
}
