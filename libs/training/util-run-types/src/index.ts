/**
 * @module @strata/training/util-run-types
 *
 * The contract between the training workflow and its activities: the workflow's input and
 * output, each activity's input and output, and the `TrainingActivities` interface. Plain data
 * types only (they are serialized into Temporal workflow history), so workflow code, activities
 * and the service all import the same definitions.
 */
export * from './lib/train-model.types';
export * from './lib/evaluation-segments.types';
