import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { Id, ModelName, Timestamp } from '../../primitives';

/**
 * `strata.monitoring.feedback-received.v1`: the ground-truth label of an earlier prediction
 * became known. Monitoring joins it to the prediction on `predictionId` to compute performance.
 *
 * Key: `modelName`.
 */
export const FeedbackReceivedV1 = defineEvent({
  domain: 'monitoring',
  event: 'feedback-received',
  version: 1,
  description: 'The ground-truth label of an earlier prediction (joined on predictionId).',
  schema: z.object({
    predictionId: Id,
    modelName: ModelName,
    /** The observed label: class index / 0-1 for classification, the value for regression. */
    label: z.number(),
    observedAt: Timestamp,
    /** Where the label came from, e.g. `api`, `batch-import`. */
    source: z.string().min(1).max(64).optional(),
  }),
  keyField: 'modelName',
  producers: ['external', 'monitoring'],
  consumers: ['monitoring'],
});

/** Payload of {@link FeedbackReceivedV1}. */
export type FeedbackReceivedV1 = z.infer<typeof FeedbackReceivedV1.schema>;
