import { Injectable } from '@nestjs/common';
import { PromotionStore, RegistryStore, type AliasChange, type ModelAlias, type ModelVersion, type PromotionDecision } from '@strata/registry/data-access';
import { NotFoundError } from '@strata/shared/util-errors';
import { CHALLENGER_ALIAS } from '../promotion';
import type { Rollout } from '../rollouts/rollouts.service';
import { RolloutsService } from '../rollouts/rollouts.service';
import { AliasWriter } from './alias-writer';
import { PromotionService } from './promotion.service';
import { RegistryTx, versionNotFound, type RequestContext } from './registry-tx';
import { VersionsService } from './versions.service';

/** Result of {@link AliasesService.setAlias}. */
export interface AliasSetResult extends ModelAlias {
  /** The version the alias pointed at before (null if it was not set). */
  previousVersion: number | null;
  /** false when the alias already pointed at that version (no-op: no history row, no event). */
  changed: boolean;
  /** Setting `challenger` under a policy with `autoPromote`: the decision taken in the same transaction. */
  promotionDecision?: PromotionDecision;
  /** Setting `challenger` under a policy with `rollout`: the rollout started in the same transaction (or null + why not). */
  rollout?: { rollout: Rollout | null; reason: string };
}

/**
 * Aliases with history: set/move (setting `challenger` starts the policy's rollout or automatic
 * promotion in the same transaction), delete, resolve, history.
 */
@Injectable()
export class AliasesService {
  constructor(
    private readonly db: RegistryTx,
    private readonly store: RegistryStore,
    private readonly aliasWriter: AliasWriter,
    private readonly promotions: PromotionStore,
    private readonly promotion: PromotionService,
    private readonly rollouts: RolloutsService,
    private readonly versions: VersionsService,
  ) {}

  /**
   * Points `alias` of model `name` at `version` (set or atomic move). Setting the version it
   * already points at changes nothing (`changed: false`, no history row, no event).
   *
   * @throws NotFoundError (404) when the model or the version does not exist
   */
  async setAlias(name: string, alias: string, version: number, reason: string | undefined, ctx: RequestContext): Promise<AliasSetResult> {
    return this.db.run(async (m) => {
      await this.db.requireLockedModel(m, name);
      if (!(await this.store.getVersion(m, name, version))) throw versionNotFound(name, version);
      const current = await this.store.getAlias(m, name, alias);
      if (current && current.version === version) return { ...current, previousVersion: current.version, changed: false };
      const now = new Date();
      const fromVersion = current?.version ?? null;
      await this.aliasWriter.change(m, { name, alias, fromVersion, toVersion: version, reason: reason ?? '', ctx, now });
      const result: AliasSetResult = { name, alias, version, updatedBy: ctx.actor, updatedAt: now.toISOString(), previousVersion: fromVersion, changed: true };
      if (alias === CHALLENGER_ALIAS) {
        const policy = await this.promotions.getPolicy(m, name);
        if (policy?.rollout) result.rollout = await this.rollouts.startForChallengerLocked(m, name, version, policy.rollout, ctx);
        else if (policy?.autoPromote) result.promotionDecision = await this.promotion.decideLocked(m, name, policy, version, true, 'challenger-alias-set', ctx);
      }
      return result;
    });
  }

  /**
   * Removes an alias (history row, audit entry, `model-alias-changed` with `toVersion: null`).
   * @returns the alias as it was
   * @throws NotFoundError (404) when the model or the alias does not exist
   */
  async deleteAlias(name: string, alias: string, reason: string | undefined, ctx: RequestContext): Promise<ModelAlias> {
    return this.db.run(async (m) => {
      await this.db.requireLockedModel(m, name);
      const current = await this.store.getAlias(m, name, alias);
      if (!current) throw new NotFoundError(`Alias '${alias}' of model '${name}' not found`);
      await this.aliasWriter.change(m, { name, alias, fromVersion: current.version, toVersion: null, reason: reason ?? '', ctx, now: new Date() });
      return current;
    });
  }

  /** The version an alias points at. @throws NotFoundError (404) when the model or alias does not exist */
  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const a = await this.store.getAlias(this.db.reader, name, alias);
    if (!a) {
      await this.db.requireModel(name);
      throw new NotFoundError(`Alias '${alias}' of model '${name}' not found`);
    }
    return this.versions.getVersion(name, a.version);
  }

  /** Changes of an alias, newest first (empty if never set). @throws NotFoundError (404) when the model does not exist */
  async aliasHistory(name: string, alias: string): Promise<AliasChange[]> {
    await this.db.requireModel(name);
    return this.store.aliasHistory(this.db.reader, name, alias);
  }
}
