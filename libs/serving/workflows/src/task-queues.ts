/** Default task queue of the serving worker (batch scoring workflows and activities); `SERVING_TASK_QUEUE` overrides it. */
export const SERVING_BATCH_TASK_QUEUE = 'strata-serving-batch';
