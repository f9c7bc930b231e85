import { z } from 'zod';
import { Metrics, ModelSignature, ModelVersion, Sha256, Uri } from './primitives';

/**
 * What a consumer needs to act on a model version without calling the registry back: serving
 * loads the artifact (URI + sha256, verified on load) and knows its inputs; monitoring reads the
 * reference profile (URI + sha256) and the performance baseline (metrics). Carried by
 * `model-version-registered` (flat, as its own fields), `model-alias-changed` (`toVersionFacts`)
 * and `model-rollout-changed` (`routeVersionFacts`). Versions are immutable in the registry, so
 * the facts of `model@version` never change once announced.
 */

/** One request field of a model: a value the caller sends with a predict request (feature-repo value type). */
export const RequestFieldSpec = z.object({
  name: z.string().min(1).max(256),
  /** Feature-repo value type: INT32, INT64, FLOAT32, FLOAT64, STRING, BOOL, TIMESTAMP. */
  dtype: z.string().min(1).max(32),
});
/** One request field of a model. */
export type RequestFieldSpec = z.infer<typeof RequestFieldSpec>;

/**
 * A model signature as its consumers need it: the tensors (MLflow `ModelSignature`) plus, when
 * the registration recorded them, the input column names (`featureNames`, in input order), their
 * feature references (`featureRefs`, `view:feature`, one per column) and the request fields of
 * its on-demand views. The three lists are optional: versions registered without them carry
 * tensors only (consumers then resolve them as before, e.g. from the ONNX metadata).
 */
export const ServingSignature = ModelSignature.extend({
  featureNames: z.array(z.string().min(1).max(256)).optional().describe('input column names, in input order'),
  featureRefs: z
    .array(z.string().regex(/^[^:\s]+:[^:\s]+$/, "must be a feature reference 'view:feature'"))
    .optional()
    .describe("feature references 'view:feature', one per input column"),
  requestFields: z.array(RequestFieldSpec).optional().describe('request fields of the on-demand views'),
});
/** A model signature with its feature references and request fields. */
export type ServingSignature = z.infer<typeof ServingSignature>;

/**
 * The facts of one model version (see the module comment). `referenceProfileUri` and
 * `referenceProfileSha256` are both null when training recorded no reference profile.
 */
export const ModelVersionFacts = z
  .object({
    version: ModelVersion,
    artifactUri: Uri,
    artifactSha256: Sha256,
    artifactFormat: z.literal('onnx'),
    signature: ServingSignature,
    /** Registered metrics (finite values only): monitoring's performance baseline. */
    metrics: Metrics.describe("registered metrics (finite only): monitoring's performance baseline"),
    referenceProfileUri: Uri.nullable().describe('reference profile (util-drift JSON), or null when none was recorded'),
    referenceProfileSha256: Sha256.nullable().describe('sha256 of the reference profile; null exactly when its URI is null'),
  })
  .refine((f) => (f.referenceProfileUri === null) === (f.referenceProfileSha256 === null), {
    message: 'referenceProfileUri and referenceProfileSha256 go together: both set or both null',
    path: ['referenceProfileSha256'],
  })
  .describe('facts of one model version: artifact, signature, metrics, reference profile');
/** The facts of one model version. */
export type ModelVersionFacts = z.infer<typeof ModelVersionFacts>;
