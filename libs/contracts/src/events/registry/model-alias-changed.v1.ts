import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { ModelVersionFacts } from '../../model-version-facts';
import { Alias, ModelName, ModelVersion, Timestamp } from '../../primitives';

/**
 * `strata.registry.model-alias-changed.v1`: an alias (`champion`, `challenger`, …) of a
 * registered model was set, moved or deleted. Serving loads `toVersion` for that alias, or
 * unloads it when `toVersion` is null.
 *
 * - set: `fromVersion` null, `toVersion` a version;
 * - move: both versions, different;
 * - delete: `fromVersion` a version, `toVersion` null.
 *
 * `toVersionFacts` (optional, added compatibly) carries the facts of `toVersion` (artifact URI +
 * sha256, signature, metrics, reference profile), so serving loads the version from the event
 * alone. Absent when `toVersion` is null, in events published before it existed, or when the
 * facts would not fit the inline payload limit: a consumer then asks the registry
 * (`GET /registered-models/{m}/versions/{toVersion}`).
 *
 * Key: `modelName`.
 */
export const ModelAliasChangedV1 = defineEvent({
  domain: 'registry',
  event: 'model-alias-changed',
  version: 1,
  description: 'An alias (champion, challenger, ...) of a model was set, moved or deleted.',
  schema: z
    .object({
      modelName: ModelName,
      alias: Alias,
      fromVersion: ModelVersion.nullable(),
      toVersion: ModelVersion.nullable(),
      /** Who changed it: a user name or a service (`training:auto-promote`). */
      actor: z.string().min(1).max(256),
      reason: z.string().max(1024),
      changedAt: Timestamp,
      /** Facts of `toVersion`; absent when `toVersion` is null (or not provided, see above). */
      toVersionFacts: ModelVersionFacts.optional().describe('facts of toVersion (see Model version facts)'),
    })
    .refine((v) => v.fromVersion !== v.toVersion, {
      message: 'fromVersion and toVersion must differ (an alias change must change something)',
      path: ['toVersion'],
    })
    .refine((v) => v.toVersionFacts === undefined || v.toVersionFacts.version === v.toVersion, {
      message: 'toVersionFacts must describe toVersion (and is absent when toVersion is null)',
      path: ['toVersionFacts', 'version'],
    }),
  keyField: 'modelName',
  producers: ['registry'],
  consumers: ['serving', 'monitoring'],
});

/** Payload of {@link ModelAliasChangedV1}. */
export type ModelAliasChangedV1 = z.infer<typeof ModelAliasChangedV1.schema>;
