/**
 * @module @strata/serving/workflows
 *
 * Temporal workflows for serving (deterministic code only: imports are relative files,
 * `@temporalio/workflow` and types). `workflows.ts` is the worker's `workflowsPath`.
 *
 * ```ts
 * await client.workflow.start(batchScoringWorkflow, {
 *   taskQueue: SERVING_BATCH_TASK_QUEUE, workflowId: batchScoringWorkflowId(modelName, requestId), args: [input],
 * });
 * await client.workflow.getHandle(workflowId).query(batchScoringProgressQuery); // { phase, rowsDone, rowsTotal, ... }
 * ```
 */
export { SERVING_BATCH_TASK_QUEUE } from './task-queues';
export { batchScoringWorkflow } from './batch-scoring/batch-scoring.workflow';
export { batchScoringProgressQuery } from './batch-scoring/batch-scoring.messages';
export type { BatchScoringPhase, BatchScoringProgress } from './batch-scoring/batch-scoring.messages';
export { batchScoringWorkflowId } from './batch-scoring/batch-scoring.ids';
export type * from './batch-scoring/batch-scoring.types';
