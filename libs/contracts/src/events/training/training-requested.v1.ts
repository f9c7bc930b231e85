import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { DatasetVersionRef, Id, ModelName, Name, Params, Timestamp } from '../../primitives';

/** Why a training run was asked for. */
export const TrainingReason = z.enum(['manual', 'drift', 'performance', 'schedule']);

/**
 * `strata.training.training-requested.v1`: someone (a user, the retraining policy, a schedule)
 * asks for a model to be (re)trained. Training starts a durable workflow whose id is derived
 * from `modelName` + `requestId`, so a redelivered request never starts a second run.
 *
 * Key: `modelName`.
 */
export const TrainingRequestedV1 = defineEvent({
  domain: 'training',
  event: 'training-requested',
  version: 1,
  description: 'A (re)training of a model was requested (manually, by schedule, or by drift/performance).',
  schema: z.object({
    modelName: ModelName,
    requestId: Id,
    /** Pinned dataset versions to train on; when absent, the latest versions are used. */
    datasetVersions: z.array(DatasetVersionRef).optional(),
    /** Feature views to join (point-in-time) into the training set. */
    featureViews: z.array(Name).optional(),
    /** Trainer id, e.g. `builtin:logistic-regression` or `command:train.py`. */
    trainer: z.string().min(1).max(256),
    params: Params,
    reason: TrainingReason,
    /** Event id (`ce_id`) of the drift/performance event that triggered this, if any. */
    triggeredBy: Id.optional(),
    requestedBy: z.string().min(1).max(256),
    requestedAt: Timestamp,
  }),
  keyField: 'modelName',
  producers: ['cli', 'monitoring', 'training'],
  consumers: ['training'],
});

/** Payload of {@link TrainingRequestedV1}. */
export type TrainingRequestedV1 = z.infer<typeof TrainingRequestedV1.schema>;
