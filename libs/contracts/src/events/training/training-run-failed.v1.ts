import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { Id, ModelName, Timestamp } from '../../primitives';

/** The workflow stage a training run failed in. */
export const TrainingStage = z.enum(['build-training-set', 'train', 'evaluate', 'export', 'register']);

/**
 * `strata.training.training-run-failed.v1`: a training workflow gave up (after its own retries).
 * No Strata service consumes it (the run's state is in the training service); it is for external
 * subscribers (alerting, notifications).
 *
 * Key: `modelName`.
 */
export const TrainingRunFailedV1 = defineEvent({
  domain: 'training',
  event: 'training-run-failed',
  version: 1,
  description: 'A training run failed for good (after retries), with the stage and error.',
  schema: z.object({
    runId: Id,
    workflowId: Id,
    modelName: ModelName,
    requestId: Id.optional(),
    stage: TrainingStage,
    /** Machine error code (an `ErrorCode` of util-errors), e.g. `TRAINER_FAILED`. */
    errorCode: z.string().min(1).max(128),
    errorMessage: z.string().max(4096),
    attempts: z.number().int().min(1),
    startedAt: Timestamp,
    failedAt: Timestamp,
  }),
  keyField: 'modelName',
  producers: ['training'],
  consumers: ['external (alerting, notifications)'],
});

/** Payload of {@link TrainingRunFailedV1}. */
export type TrainingRunFailedV1 = z.infer<typeof TrainingRunFailedV1.schema>;
