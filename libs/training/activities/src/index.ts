/**
 * @module @strata/training/activities
 *
 * Temporal activities of the training workflow (build set, train, evaluate, upload, register,
 * record), created with their dependencies:
 *
 * ```ts
 * const activities = createTrainingActivities({ featuresUrl, registryUrl, ingestionUrl, objectStore, dataSource, publisher, logger });
 * await Worker.create({ taskQueue: TRAINING_TASK_QUEUE, workflowsPath, activities, connection });
 * ```
 */
export { COMMAND_TRAINER_PREFIX, createTrainingActivities, trainingRunId } from './lib/training.activities';
export { hasNvidiaSmi, readTrainerMetrics, runCommandTrainer, sampleGpuUtilization } from './lib/command-trainer';
export type { ChildResources, CommandTrainerSpec, LogSink, RunCommandOptions } from './lib/command-trainer';
export { liveCommandTrainers, parseCommandTrainers } from './lib/trainer-catalog';
export type { LiveTrainersOptions } from './lib/trainer-catalog';
export type { ActivityLogger, TrainingActivitiesDeps, TrainingActivitiesImpl } from './lib/training.activities';
export { mapErrors, nonRetryable, toApplicationFailure } from './lib/activity-errors';
export { LogisticRegressionParamsSchema, parseLogisticRegressionParams } from './lib/trainer-params';
export { EVENT_TIMESTAMP_COLUMN, LABEL_COLUMN, selectFeatureColumns, TrainingSetFile } from './lib/training-set-reader';
export type { TrainingSlice } from './lib/training-set-reader';
export { scoreSlice } from './lib/mixed-features';
export { ResourceMeter } from './lib/resource-meter';
export type * from './lib/activity.types';
export { TRAINERS } from './lib/activity.types';
