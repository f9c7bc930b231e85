import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { Count, Id, ModelName, ModelVersion, Timestamp } from '../../primitives';

/** Statistical drift tests (Evidently vocabulary). */
export const DriftMethod = z.enum(['psi', 'ks', 'chi2', 'js', 'wasserstein']);

/** The drift result for one feature. */
export const FeatureDrift = z.object({
  feature: z.string().min(1),
  method: DriftMethod,
  /** The test statistic (PSI, JS distance, Wasserstein) or p-value (KS, chi2). */
  score: z.number(),
  threshold: z.number(),
  drifted: z.boolean(),
});

/**
 * `strata.monitoring.drift-detected.v1`: over the window `[windowStart, windowEnd)` the
 * production feature distribution of a model version drifted from its reference profile.
 * Training's retraining policy may answer with a `training-requested` (reason `drift`).
 *
 * Key: `modelName`.
 */
export const DriftDetectedV1 = defineEvent({
  domain: 'monitoring',
  event: 'drift-detected',
  version: 1,
  description: 'Feature drift of a model version over a window, per feature and for the dataset.',
  schema: z
    .object({
      detectionId: Id,
      modelName: ModelName,
      modelVersion: ModelVersion,
      windowStart: Timestamp,
      windowEnd: Timestamp,
      /** Reference profile the window was compared with (usually the training set's). */
      referenceProfileId: Id,
      /** Predictions in the window. */
      sampleSize: Count,
      features: z.array(FeatureDrift).min(1),
      /** True when `driftShare` reached the dataset-drift threshold. */
      datasetDrift: z.boolean(),
      /** Share of drifted features, in [0, 1]. */
      driftShare: z.number().min(0).max(1),
      detectedAt: Timestamp,
    })
    .refine((v) => Date.parse(v.windowStart) <= Date.parse(v.windowEnd), { message: 'windowStart must not be after windowEnd', path: ['windowEnd'] }),
  keyField: 'modelName',
  producers: ['monitoring'],
  consumers: ['training'],
});

/** Payload of {@link DriftDetectedV1}. */
export type DriftDetectedV1 = z.infer<typeof DriftDetectedV1.schema>;
