/** Task queue of the training worker: training workflows and their activities. */
export const TRAINING_TASK_QUEUE = 'strata-training';
