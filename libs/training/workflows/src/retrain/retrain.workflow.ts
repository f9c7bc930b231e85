import { ApplicationFailure, CancellationScope, executeChild, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { trainModelWorkflow } from '../train-model/train-model.workflow';
import { trainModelWorkflowId } from '../train-model/train-model.ids';
import type { RetrainingActivities, RetrainModelInput, RetrainModelOutput } from '../train-model/train-model.types';

/** Workflow id of a model's retraining: `retrain:<modelName>` — one running at a time per model. */
export function retrainWorkflowId(modelName: string): string {
  return `retrain:${modelName}`;
}

/** Schedule id of a model's periodic retraining: `retrain-schedule:<modelName>`. */
export function retrainScheduleId(modelName: string): string {
  return `retrain-schedule:${modelName}`;
}

function acts(input: { timeouts?: RetrainModelInput['timeouts'] }) {
  const t = input.timeouts ?? {};
  return proxyActivities<RetrainingActivities>({
    startToCloseTimeout: t.shortStartToClose ?? '2 minutes',
    retry: { initialInterval: t.initialRetryInterval ?? '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: t.maximumAttempts ?? 5 },
  });
}

/**
 * Retrains a model on fresh data and marks the result `challenger`: `prepareRetraining` (latest
 * dataset versions, the latest completed run's trainer/params/training set; inserts the run
 * row) → child `trainModelWorkflow` (`train:<modelName>:retrain-<triggerId>`) → `setModelAlias`
 * (alias `challenger` by default) → `recordRetrainingFinished`. Started with workflow id
 * {@link retrainWorkflowId} by the service's guarded trigger path (cooldown, one at a time).
 */
export async function retrainModelWorkflow(input: RetrainModelInput): Promise<RetrainModelOutput> {
  const a = acts(input);
  const alias = input.alias ?? 'challenger';
  let runId: string | undefined;
  try {
    const request = await a.prepareRetraining({ triggerId: input.triggerId, modelName: input.modelName, source: input.source });
    runId = request.runId;
    const out = await executeChild(trainModelWorkflow, {
      workflowId: trainModelWorkflowId(input.modelName, request.requestId),
      args: [{ ...request, ...(input.timeouts ? { timeouts: input.timeouts } : {}) }],
    });
    await a.setModelAlias({ modelName: input.modelName, alias, version: out.modelVersion, reason: `retraining (${input.source}): ${input.reason} [trigger ${input.triggerId}, run ${out.runId}]` });
    await a.recordRetrainingFinished({ triggerId: input.triggerId, status: 'COMPLETED', runId: out.runId, modelVersion: out.modelVersion });
    return { triggerId: input.triggerId, runId: out.runId, modelVersion: out.modelVersion, alias };
  } catch (err) {
    const cancelled = isCancellation(err);
    const message = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    await CancellationScope.nonCancellable(() =>
      a.recordRetrainingFinished({ triggerId: input.triggerId, status: cancelled ? 'CANCELLED' : 'FAILED', ...(runId ? { runId } : {}), errorMessage: message.slice(0, 4096) }),
    );
    if (cancelled) throw err;
    throw ApplicationFailure.create({ type: 'RETRAINING_FAILED', message: `Retraining of '${input.modelName}' (${workflowInfo().workflowId}) failed: ${message}`, nonRetryable: true });
  }
}

/**
 * Started by a model's Temporal Schedule ({@link retrainScheduleId}): asks the service's guarded
 * trigger path (`triggerRetraining`: cooldown, one at a time, recorded) to retrain the model.
 * The trigger id is this workflow's id (the schedule appends the scheduled time, so each firing
 * is distinct and a retried activity is idempotent).
 */
export async function scheduledRetrainingWorkflow(input: { modelName: string }): Promise<{ decision: string; triggerId: string }> {
  const { workflowId } = workflowInfo();
  const out = await acts({}).triggerRetraining({ modelName: input.modelName, source: 'schedule', triggerEventId: workflowId, reason: `scheduled retraining (${workflowId})` });
  return { decision: out.decision, triggerId: out.triggerId };
}
