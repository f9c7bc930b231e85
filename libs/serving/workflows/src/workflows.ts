/**
 * The serving worker's `workflowsPath`: exactly the workflow functions (every exported function
 * here becomes a workflow type). `index.ts` is the public API and also exports helpers.
 */
export { batchScoringWorkflow } from './batch-scoring/batch-scoring.workflow';
