/**
 * @module @strata/training/workflows
 *
 * Temporal workflows for training (deterministic code only: imports are relative files,
 * `@temporalio/workflow` and types). This file is the worker's `workflowsPath`: everything it
 * exports that is a function is registered as a workflow type.
 *
 * ```ts
 * await client.workflow.start(trainModelWorkflow, {
 *   taskQueue: TRAINING_TASK_QUEUE, workflowId: trainModelWorkflowId(modelName, requestId), args: [input],
 * });
 * const p = await client.workflow.getHandle(workflowId).query(progressQuery); // { step, progress, detail }
 * ```
 */
export { TRAINING_TASK_QUEUE } from './task-queues';
export { trainModelWorkflow } from './train-model/train-model.workflow';
export { progressQuery, TrainModelStep } from './train-model/train-model.messages';
export type { TrainModelProgress } from './train-model/train-model.messages';
export { TRAINERS } from './train-model/train-model.types';
export type * from './train-model/train-model.types';
export { trainModelWorkflowId } from './train-model/train-model.ids';
export { TRAINING_V2_PATCH } from './train-model/train-model.workflow';
export { hyperparameterSearchWorkflow, searchProgressQuery, searchWorkflowId } from './search/search.workflow';
export type { SearchProgress } from './search/search.workflow';
export { retrainModelWorkflow, retrainScheduleId, retrainWorkflowId, scheduledRetrainingWorkflow } from './retrain/retrain.workflow';
