/**
 * The worker's `workflowsPath`: exactly the workflow functions (every exported function here
 * becomes a workflow type). `index.ts` is the public API and also exports helpers.
 */
export { trainModelWorkflow } from './train-model/train-model.workflow';
export { hyperparameterSearchWorkflow } from './search/search.workflow';
export { retrainModelWorkflow, scheduledRetrainingWorkflow } from './retrain/retrain.workflow';
