import { z } from 'zod';
import { defineEvent } from '../../define-event';
import {
  DatasetVersionRef,
  FeatureViewRef,
  Id,
  Metrics,
  ModelName,
  ModelVersion,
  Sha256,
  Timestamp,
  Uri,
} from '../../primitives';
import { ServingSignature } from '../../model-version-facts';

/**
 * `strata.registry.model-version-registered.v1`: the registry created a new, immutable version
 * of a registered model from a training run (MLflow `ModelVersion` vocabulary). Versions start
 * at 1 and increase by one per model. An alias is not moved by this event (see
 * `model-alias-changed`).
 *
 * Carries the version's facts (see `model-version-facts.ts`): artifact URI + sha256, the
 * signature with its feature references and request fields when recorded, the metrics and the
 * reference profile (URI + sha256, or null), so monitoring never asks the registry for them.
 * `referenceProfileUri`/`referenceProfileSha256` and the signature's `featureNames`,
 * `featureRefs`, `requestFields` were added as optional fields (compatible): an event published
 * before them parses, and a consumer then falls back to `GET /registered-models/{m}/versions/{v}`.
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
    signature: ServingSignature,
    datasetVersions: z.array(DatasetVersionRef),
    featureViews: z.array(FeatureViewRef),
    tags: z.record(z.string().min(1), z.string()),
    registeredBy: z.string().min(1).max(256),
    registeredAt: Timestamp,
    /** The reference profile training wrote (util-drift JSON), or null when none was recorded; absent in older events. */
    referenceProfileUri: Uri.nullable().optional().describe('reference profile (util-drift JSON) of the version, or null when none was recorded'),
    /** sha256 of the reference profile file; null exactly when `referenceProfileUri` is null. */
    referenceProfileSha256: Sha256.nullable().optional().describe('sha256 of the reference profile file; null exactly when referenceProfileUri is null'),
  }),
  keyField: 'modelName',
  producers: ['registry'],
  consumers: ['monitoring'],
});

/** Payload of {@link ModelVersionRegisteredV1}. */
export type ModelVersionRegisteredV1 = z.infer<typeof ModelVersionRegisteredV1.schema>;
