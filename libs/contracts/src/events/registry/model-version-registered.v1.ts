import { z } from 'zod';
import { defineEvent } from '../../define-event';
import {
  DatasetVersionRef,
  FeatureViewRef,
  Id,
  Metrics,
  ModelName,
  ModelSignature,
  ModelVersion,
  Sha256,
  Timestamp,
  Uri,
} from '../../primitives';

/**
 * `strata.registry.model-version-registered.v1`: the registry created a new, immutable version
 * of a registered model from a training run (MLflow `ModelVersion` vocabulary). Versions start
 * at 1 and increase by one per model. An alias is not moved by this event (see
 * `model-alias-changed`).
 *
 * Key: `modelName`.
 */
export const ModelVersionRegisteredV1 = defineEvent({
  domain: 'registry',
  event: 'model-version-registered',
  version: 1,
  description: 'A new immutable model version was registered from a training run, with its lineage.',
  schema: z.object({
    modelName: ModelName,
    version: ModelVersion,
    runId: Id,
    artifactUri: Uri,
    artifactSha256: Sha256,
    artifactFormat: z.literal('onnx'),
    metrics: Metrics,
    signature: ModelSignature,
    datasetVersions: z.array(DatasetVersionRef),
    featureViews: z.array(FeatureViewRef),
    tags: z.record(z.string().min(1), z.string()),
    registeredBy: z.string().min(1).max(256),
    registeredAt: Timestamp,
  }),
  key: (v) => v.modelName,
  keyDescription: 'modelName',
  producers: ['registry'],
  consumers: ['serving', 'monitoring'],
});

/** Payload of {@link ModelVersionRegisteredV1}. */
export type ModelVersionRegisteredV1 = z.infer<typeof ModelVersionRegisteredV1.schema>;
