import { z } from 'zod';
import { defineEvent } from '../../define-event';
import {
  DatasetVersionRef,
  FeatureViewRef,
  Id,
  Metrics,
  ModelName,
  ModelSignature,
  Params,
  Sha256,
  Timestamp,
  Uri,
} from '../../primitives';

/**
 * `strata.training.training-run-completed.v1`: a training workflow produced an ONNX model and
 * evaluated it. The artifact travels by reference (URI + sha256). The workflow registers the model
 * version itself (registry HTTP API) before announcing the run, so no Strata service consumes
 * this event: it is for external subscribers (notifications, experiment trackers).
 *
 * Key: `modelName`.
 */
export const TrainingRunCompletedV1 = defineEvent({
  domain: 'training',
  event: 'training-run-completed',
  version: 1,
  description: 'A training run finished: ONNX artifact (by reference), metrics, params and lineage.',
  schema: z.object({
    runId: Id,
    /** Temporal workflow id of the run. */
    workflowId: Id,
    modelName: ModelName,
    requestId: Id.optional(),
    trainer: z.string().min(1).max(256),
    artifactUri: Uri,
    artifactSha256: Sha256,
    artifactFormat: z.literal('onnx'),
    /** Evaluation metrics on the held-out set, e.g. `{ accuracy: 0.91, roc_auc: 0.95 }`. */
    metrics: Metrics,
    params: Params,
    datasetVersions: z.array(DatasetVersionRef).min(1),
    featureViews: z.array(FeatureViewRef),
    signature: ModelSignature,
    startedAt: Timestamp,
    completedAt: Timestamp,
  }),
  keyField: 'modelName',
  producers: ['training'],
  consumers: ['external (notifications, experiment trackers)'],
});

/** Payload of {@link TrainingRunCompletedV1}. */
export type TrainingRunCompletedV1 = z.infer<typeof TrainingRunCompletedV1.schema>;
