/**
 * Inputs and outputs of the training activities: the contract declared once in
 * `@strata/training/util-run-types` and shared with the workflow.
 */
export {
  TRAINERS,
  type TrainerId,
  type TrainingParams,
  type DatasetVersionInput,
  type ResolvedDatasetVersion,
  type TrainingReason,
  type ResourceUsage,
  type TrainingSetRef,
  type ResolveInputsInput,
  type ResolveInputsOutput,
  type BuildTrainingSetInput,
  type TrainModelActivityInput,
  type TrainModelActivityOutput,
  type EvaluateModelInput,
  type EvaluateModelOutput,
  type RegisterModelVersionInput,
  type RegisterModelVersionOutput,
  type RecordRunCompletedInput,
  type FailedStage,
  type RecordRunFailedInput,
  type RecordRunCancelledInput,
  type RecordRunRegisteredInput,
  type RecordSearchFinishedInput,
  type RetrainingSource,
  type TrainModelInput,
  type TriggerRetrainingInput,
  type TriggerRetrainingOutput,
} from '@strata/training/util-run-types';
