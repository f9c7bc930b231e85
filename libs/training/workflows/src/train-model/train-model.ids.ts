/**
 * Business workflow id of a training run: `train:<modelName>:<requestId>`. Starting the same id
 * twice (with `REJECT_DUPLICATE`) is refused by Temporal, so one request runs once.
 */
export function trainModelWorkflowId(modelName: string, requestId: string): string {
  return `train:${modelName}:${requestId}`;
}
