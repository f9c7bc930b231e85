import { defineQuery } from '@temporalio/workflow';

/** Steps of {@link trainModelWorkflow}, in order, then a terminal one. */
export const TrainModelStep = {
  PENDING: 'pending',
  RESOLVE_INPUTS: 'resolve-inputs',
  BUILD_TRAINING_SET: 'build-training-set',
  TRAIN: 'train',
  EVALUATE: 'evaluate',
  REGISTER: 'register',
  RECORD: 'record',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
} as const;
export type TrainModelStep = (typeof TrainModelStep)[keyof typeof TrainModelStep];

/** Answer of the {@link progressQuery}. */
export interface TrainModelProgress {
  /** Current (or terminal) step. */
  step: TrainModelStep;
  /** Overall progress in [0, 1]; 1 only once completed. */
  progress: number;
  /** Human-readable detail, e.g. `training on 24000 rows`. */
  detail: string;
}

/** Query `progress`: where the run is. Answered from workflow state (no activity involved). */
export const progressQuery = defineQuery<TrainModelProgress>('progress');
