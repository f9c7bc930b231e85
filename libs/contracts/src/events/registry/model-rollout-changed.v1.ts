import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { ModelVersionFacts } from '../../model-version-facts';
import { Id, ModelName, ModelVersion, Timestamp } from '../../primitives';

/** How traffic reaches the challenger during a rollout. */
export const RolloutMode = z.enum(['canary', 'shadow']);

/**
 * `strata.registry.model-rollout-changed.v1`: the traffic routing of a registered model changed
 * (a canary or shadow rollout started, its weight changed, it was promoted, rolled back or
 * ended). Serving applies `route` as the whole routing table of the model — it never merges it
 * with an earlier route, so a new rollout after a rollback never inherits the old one.
 *
 * - `route` null: all traffic to the champion (no rollout active).
 * - canary: each request goes to the challenger with probability `challengerWeight` (sticky by
 *   the request parameter `stickyKey` when the request carries it: same key, same version).
 * - shadow: the champion answers; the challenger gets a copy whose answer is logged, never
 *   returned.
 *
 * Every change is also an audited registry record (actor, reason, before/after).
 *
 * `routeVersionFacts` (optional, added compatibly) carries the facts of the route's versions
 * (champion and challenger: artifact URI + sha256, signature, metrics, reference profile), so
 * serving loads them and monitoring reads their reference profiles from the event alone. Absent
 * when `route` is null, in events published before it existed, or when the facts would not fit
 * the inline payload limit: a consumer then asks the registry for the versions it lacks.
 *
 * Key: `modelName`.
 */
export const ModelRolloutChangedV1 = defineEvent({
  domain: 'registry',
  event: 'model-rollout-changed',
  version: 1,
  description: 'The traffic routing of a model changed: canary/shadow rollout started, re-weighted, promoted, rolled back or ended.',
  schema: z
    .object({
      modelName: ModelName,
      /** The rollout this change belongs to (a new id per started rollout). */
      rolloutId: Id,
      action: z.enum(['started', 'updated', 'promoted', 'rolled-back', 'ended']),
      /** The routing in force after this change, or null when all traffic goes to the champion. */
      route: z
        .object({
          mode: RolloutMode,
          championVersion: ModelVersion,
          challengerVersion: ModelVersion,
          /** Share of requests answered by the challenger in canary mode, in [0, 1]; 0 in shadow mode. */
          challengerWeight: z.number().min(0).max(1),
          /** Request parameter whose value pins a caller to one version (sticky canary), or null. */
          stickyKey: z.string().min(1).max(128).nullable(),
        })
        .nullable(),
      /**
       * The challenger's training data cutoff: the latest event time in the training set it was
       * trained on (its registry lineage's `trainingDataCutoff`). Set on `started`; null or absent
       * when the lineage does not record one. Monitoring's live comparison of champion and
       * challenger counts only predictions whose event time is after it (both versions), so the
       * challenger is never judged on rows it was trained on.
       */
      challengerTrainingDataCutoff: Timestamp.nullable().optional(),
      /** Who changed it: a user, or a service (`monitoring:auto-rollback`). */
      actor: z.string().min(1).max(256),
      reason: z.string().max(1024),
      changedAt: Timestamp,
      /** Facts of the versions of `route` (champion and challenger); absent when `route` is null (or not provided). */
      routeVersionFacts: z.array(ModelVersionFacts).max(2).optional().describe('facts of the route versions (see Model version facts)'),
    })
    .refine(
      (v) => v.routeVersionFacts === undefined || (v.route !== null && v.routeVersionFacts.every((f) => f.version === v.route?.championVersion || f.version === v.route?.challengerVersion)),
      { message: 'routeVersionFacts must describe versions of route (and is absent when route is null)', path: ['routeVersionFacts'] },
    ),
  keyField: 'modelName',
  producers: ['registry'],
  consumers: ['serving', 'monitoring'],
});

/** Payload of {@link ModelRolloutChangedV1}. */
export type ModelRolloutChangedV1 = z.infer<typeof ModelRolloutChangedV1.schema>;
