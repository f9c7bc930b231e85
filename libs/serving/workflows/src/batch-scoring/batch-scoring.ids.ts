/**
 * Business workflow id of a batch scoring request: `batch-score:<modelName>:<requestId>`.
 * Started with `REJECT_DUPLICATE`, so one request runs once.
 */
export function batchScoringWorkflowId(modelName: string, requestId: string): string {
  return `batch-score:${modelName}:${requestId}`;
}
