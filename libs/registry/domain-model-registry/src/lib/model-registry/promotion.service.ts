import { Injectable } from '@nestjs/common';
import {
  AuditOutcome,
  PromotionStore,
  RegistryStore,
  type PolicyFairness,
  type PolicyRollout,
  type PromotionDecision,
  type PromotionPolicy,
} from '@strata/registry/data-access';
import { ConflictError, NotFoundError } from '@strata/shared/util-errors';
import type { EntityManager } from 'typeorm';
import { CHALLENGER_ALIAS, decidePromotion } from '../promotion';
import { CHAMPION_ALIAS } from '../registry.schemas';
import { AliasWriter } from './alias-writer';
import { auditPromotionDecision } from './promotion-audit';
import { RegistryTx, versionNotFound, paged, type Page, type RequestContext } from './registry-tx';

/**
 * Offline promotion: the policy of a model, challenger-vs-champion decisions (recorded with their
 * numbers and reason, {@link decidePromotion}) and, when promoted and applied, the champion move
 * in the same transaction.
 */
@Injectable()
export class PromotionService {
  constructor(
    private readonly db: RegistryTx,
    private readonly store: RegistryStore,
    private readonly promotions: PromotionStore,
    private readonly aliasWriter: AliasWriter,
  ) {}

  /**
   * Compares `challengerVersion` with the current champion under `policy` (model row locked by
   * the caller), records the decision (with its numbers and reason) and an audit entry, and, when
   * promoted and `apply`, moves `champion` (history, audit, `model-alias-changed`) — all in `m`'s
   * transaction, so the move and its decision commit together or not at all.
   */
  async decideLocked(
    m: EntityManager,
    name: string,
    policy: PromotionPolicy,
    challengerVersion: number,
    apply: boolean,
    trigger: string,
    ctx: RequestContext,
  ): Promise<PromotionDecision> {
    const challenger = await this.store.getVersion(m, name, challengerVersion);
    if (!challenger) throw versionNotFound(name, challengerVersion);
    const championAlias = await this.store.getAlias(m, name, CHAMPION_ALIAS);
    const champion = championAlias ? await this.store.getVersion(m, name, championAlias.version) : null;
    const verdict = decidePromotion(policy, challenger, champion);
    const now = new Date();
    const applied = verdict.outcome === 'promoted' && apply;
    const decision = await this.promotions.insertDecision(m, {
      name,
      challengerVersion,
      championVersion: champion?.version ?? null,
      metric: policy.metric,
      direction: policy.direction,
      minMargin: policy.minMargin,
      ...verdict,
      // the offline gate's numbers (policy `fairness`): the contract's DisparityGateEvidenceSchema shape
      evidence: (verdict.evidence ?? null) as PromotionDecision['evidence'],
      applied,
      trigger,
      actor: ctx.actor,
      requestId: ctx.requestId ?? null,
      decidedAt: now,
    });
    const before = champion ? { champion: champion.version } : null;
    await auditPromotionDecision(this.store, m, name, challengerVersion, before, { decisionId: decision.id, outcome: verdict.outcome, applied, reason: verdict.reason }, ctx);
    if (applied) {
      await this.aliasWriter.change(m, {
        name,
        alias: CHAMPION_ALIAS,
        fromVersion: champion?.version ?? null,
        toVersion: challengerVersion,
        reason: `promotion decision ${decision.id}: ${verdict.reason}`,
        ctx,
        now,
      });
    }
    return decision;
  }

  /**
   * Creates or replaces the promotion policy of a model (audited).
   * @throws NotFoundError (404) when the model does not exist
   */
  async setPromotionPolicy(
    name: string,
    p: { metric: string; direction: 'maximize' | 'minimize'; minMargin: number; autoPromote: boolean; rollout: PolicyRollout | null; fairness: PolicyFairness | null },
    ctx: RequestContext,
  ): Promise<PromotionPolicy> {
    return this.db.run(async (m) => {
      await this.db.requireLockedModel(m, name);
      const before = await this.promotions.getPolicy(m, name);
      const policy = await this.promotions.upsertPolicy(m, { name, ...p, updatedBy: ctx.actor, updatedAt: new Date() });
      await this.store.appendAudit(m, {
        actor: ctx.actor,
        action: 'promotion_policy.set',
        resource: name,
        before: before ? { metric: before.metric, direction: before.direction, minMargin: before.minMargin, autoPromote: before.autoPromote, rollout: before.rollout, fairness: before.fairness } : null,
        after: { metric: policy.metric, direction: policy.direction, minMargin: policy.minMargin, autoPromote: policy.autoPromote, rollout: policy.rollout, fairness: policy.fairness },
        requestId: ctx.requestId ?? null,
        outcome: AuditOutcome.SUCCESS,
      });
      return policy;
    });
  }

  /** The promotion policy of a model. @throws NotFoundError (404) when the model or its policy does not exist */
  async getPromotionPolicy(name: string): Promise<PromotionPolicy> {
    await this.db.requireModel(name);
    const p = await this.promotions.getPolicy(this.db.reader, name);
    if (!p) throw new NotFoundError(`Registered model '${name}' has no promotion policy`);
    return p;
  }

  /**
   * Evaluates a challenger (default: the version the `challenger` alias points at) against the
   * champion under the model's policy; records the decision; moves the champion when promoted and
   * `apply`. @throws NotFoundError (404) model/version/challenger alias missing; ConflictError (409) no policy
   */
  async decidePromotion(name: string, challengerVersion: number | undefined, apply: boolean, ctx: RequestContext): Promise<PromotionDecision> {
    return this.db.run(async (m) => {
      await this.db.requireLockedModel(m, name);
      const policy = await this.promotions.getPolicy(m, name);
      if (!policy) throw new ConflictError(`Registered model '${name}' has no promotion policy; PUT /registered-models/${name}/promotion-policy first`);
      let version = challengerVersion;
      if (version === undefined) {
        const a = await this.store.getAlias(m, name, CHALLENGER_ALIAS);
        if (!a) throw new NotFoundError(`Alias '${CHALLENGER_ALIAS}' of model '${name}' not found; give challengerVersion`);
        version = a.version;
      }
      return this.decideLocked(m, name, policy, version, apply, 'request', ctx);
    });
  }

  /** Promotion decisions of a model, newest first. @throws NotFoundError (404) */
  async listPromotionDecisions(name: string, page: { limit: number; offset: number }): Promise<Page<PromotionDecision>> {
    await this.db.requireModel(name);
    return paged(await this.promotions.listDecisions(this.db.reader, name, { limit: page.limit + 1, offset: page.offset }), page);
  }

  /** One promotion decision. @throws NotFoundError (404) */
  async getPromotionDecision(name: string, id: number): Promise<PromotionDecision> {
    const d = await this.promotions.getDecision(this.db.reader, name, id);
    if (!d) throw new NotFoundError(`Promotion decision ${id} of model '${name}' not found`);
    return d;
  }
}
