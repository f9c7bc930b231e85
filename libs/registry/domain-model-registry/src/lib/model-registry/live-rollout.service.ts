import { Injectable } from '@nestjs/common';
import { PromotionStore, RegistryStore, type LiveEvidence, type PromotionDecision } from '@strata/registry/data-access';
import { ConflictError, NotFoundError } from '@strata/shared/util-errors';
import { decideLive } from '../promotion';
import { applyDisparityGate, disparityDecisionEvidence, type DisparityEvidence } from '../disparity-gate';
import type { Rollout } from '../rollouts/rollouts.service';
import { RolloutsService } from '../rollouts/rollouts.service';
import { auditPromotionDecision } from './promotion-audit';
import { RegistryTx, type RequestContext } from './registry-tx';

/**
 * Closed-loop decision of a live rollout: monitoring's labeled evidence per version decides
 * ({@link decideLive}) whether the challenger is promoted or the rollout rolled back.
 */
@Injectable()
export class LiveRolloutService {
  constructor(
    private readonly db: RegistryTx,
    private readonly store: RegistryStore,
    private readonly promotions: PromotionStore,
    private readonly rollouts: RolloutsService,
  ) {}

  /**
   * Live decision of the active rollout (closed loop; called by monitoring with the policy's
   * metric measured on each version's labeled rollout traffic): records the decision with its
   * numbers, then — when `apply` — promotes the challenger (champion alias moves, rollout
   * `promoted`) or rolls the rollout back, all in one transaction under the model lock.
   * @throws NotFoundError (404) model unknown or no active rollout
   * @throws ConflictError (409) no policy / no `rollout` in the policy / `evidence.rolloutId` is not the active rollout /
   *   fewer than `minLabeledPerVersion` labels on either side (not decidable yet; nothing recorded)
   */
  async decideLiveRollout(name: string, evidence: LiveEvidence & { disparity?: DisparityEvidence }, apply: boolean, ctx: RequestContext): Promise<{ decision: PromotionDecision; rollout: Rollout }> {
    return this.db.run(async (m) => {
      await this.db.requireLockedModel(m, name);
      const policy = await this.promotions.getPolicy(m, name);
      if (!policy?.rollout) throw new ConflictError(`Registered model '${name}' has no promotion policy with a rollout; PUT /registered-models/${name}/promotion-policy with rollout first`);
      const active = await this.rollouts.activeLocked(m, name);
      if (!active) throw new NotFoundError(`Model '${name}' has no active rollout`);
      if (active.rolloutId !== evidence.rolloutId) {
        throw new ConflictError(`Rollout '${evidence.rolloutId}' of model '${name}' is not the active one ('${active.rolloutId}')`, { details: { activeRolloutId: active.rolloutId } });
      }
      const need = policy.rollout.minLabeledPerVersion;
      if (evidence.championLabeled < need || evidence.challengerLabeled < need) {
        // Not decidable yet: nothing is recorded and the rollout goes on (monitoring asks again later).
        throw new ConflictError(
          `Rollout '${active.rolloutId}' of model '${name}' is not decidable yet: labeled predictions ${evidence.challengerLabeled} (challenger v${active.challengerVersion}) / ${evidence.championLabeled} (champion v${active.championVersion}), ${need} required per version`,
          { details: { required: need } },
        );
      }
      const verdict = applyDisparityGate(decideLive(policy, need, evidence, active.championVersion, active.challengerVersion), evidence.disparity, policy.fairness); // disparity gate: issue #17 (the policy's fairness is the rule)
      const now = new Date();
      const decision = await this.promotions.insertDecision(m, {
        name,
        challengerVersion: active.challengerVersion,
        championVersion: active.championVersion,
        metric: policy.metric,
        direction: policy.direction,
        minMargin: policy.minMargin,
        ...verdict,
        applied: apply,
        trigger: 'live-rollout',
        evidence: {
          rolloutId: evidence.rolloutId,
          championLabeled: evidence.championLabeled,
          challengerLabeled: evidence.challengerLabeled,
          trainingDataCutoff: evidence.trainingDataCutoff ?? null,
          championExcluded: evidence.championExcluded ?? { predictions: 0, labels: 0 },
          challengerExcluded: evidence.challengerExcluded ?? { predictions: 0, labels: 0 },
          ...disparityDecisionEvidence(evidence.disparity),
        },
        actor: ctx.actor,
        requestId: ctx.requestId ?? null,
        decidedAt: now,
      });
      const before = { champion: active.championVersion, rolloutId: active.rolloutId };
      await auditPromotionDecision(this.store, m, name, active.challengerVersion, before, { decisionId: decision.id, outcome: verdict.outcome, applied: apply, reason: verdict.reason }, ctx);
      let rollout = active;
      if (apply) {
        const reason = `promotion decision ${decision.id}: ${verdict.reason}`;
        rollout = verdict.outcome === 'promoted' ? await this.rollouts.promoteLocked(m, name, reason, ctx) : await this.rollouts.rollbackLocked(m, name, reason, ctx);
      }
      return { decision, rollout };
    });
  }
}
