import { Injectable, Logger } from '@nestjs/common';
import { ModelAliasChangedV1, ModelVersionRegisteredV1 } from '@strata/contracts';
import { EventPublisher, MessagingError } from '@strata/messaging';
import {
  AuditOutcome,
  PromotionStore,
  RegistryStore,
  type PromotionDecision,
  type PromotionPolicy,
  type PolicyRollout,
  type LiveEvidence,
  type AliasChange,
  type AuditRecord,
  type ModelAlias,
  type ModelVersion,
  type RegisteredModel,
} from '@strata/registry/data-access';
import { DatabaseService } from '@strata/shared/nest-platform';
import { ConflictError, InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import type { EntityManager } from 'typeorm';
import { CHALLENGER_ALIAS, decideLive, decidePromotion } from './promotion';
import { applyDisparityGate, disparityDecisionEvidence, type DisparityEvidence } from './disparity-gate';
import type { Rollout } from './rollouts/rollouts.service';
import { RolloutsService } from './rollouts/rollouts.service';
import { CHAMPION_ALIAS, type RegisterModelVersionInput } from './registry.schemas';
import { versionRegisteredPayload, withAliasFacts } from './version-facts';

/** Who asks, for the audit log and the events. */
export interface RequestContext {
  /** User or service name (`X-Strata-Actor` header / body `actor`), default `anonymous`. */
  actor: string;
  /** HTTP request id (`x-request-id`), when there is one. */
  requestId?: string;
}

/** Result of {@link RegistryService.registerVersion}. */
export interface RegistrationResult {
  /** false when the run was already registered (idempotent retry): the existing version is returned. */
  created: boolean;
  modelVersion: ModelVersion;
}

/** A registered model with its newest versions (`GET /registered-models/{name}`). */
export interface RegisteredModelDetail extends RegisteredModel {
  /** Up to {@link LATEST_VERSIONS_SHOWN} newest versions, newest first. */
  latestVersions: ModelVersion[];
}

/** A page of results; `nextPageToken` is absent on the last page. */
export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/** Result of {@link RegistryService.setAlias}. */
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

/** How many newest versions `GET /registered-models/{name}` embeds. */
export const LATEST_VERSIONS_SHOWN = 5;

const modelRef = (name: string, version: number): string => `${name}@${version}`;
const aliasRef = (name: string, alias: string): string => `${name}#${alias}`;

/**
 * The model registry (MLflow vocabulary): registered models, immutable versions with lineage,
 * aliases with history, an append-only audit log. Every change happens in one PostgreSQL
 * transaction together with its outbox event(s) (`model-version-registered`,
 * `model-alias-changed`), and takes the model row's lock first, so changes of one model are
 * serialised: version numbers are unique and contiguous under concurrency.
 */
@Injectable()
export class RegistryService {
  private readonly logger = new Logger(RegistryService.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly store: RegistryStore,
    private readonly publisher: EventPublisher,
    private readonly promotions: PromotionStore,
    private readonly rollouts: RolloutsService,
  ) {}

  private async tx<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.database.getDataSource().transaction('READ COMMITTED', work);
    } catch (err) {
      // A payload the contract refuses is a bad request, not a server fault.
      if (err instanceof MessagingError && !err.retryable) {
        throw new InvalidArgumentError(`Cannot announce the change: ${err.message}`, { cause: err, details: { ...err.details } });
      }
      throw err;
    }
  }

  private get reader(): EntityManager {
    return this.database.getDataSource().manager;
  }

  /**
   * Registers a version of model `name` from a training run (creating the model if missing).
   * The version number is `latest_version + 1`, assigned under the model row's lock. Idempotent
   * per `(name, runId)`: a second call for the same run returns the existing version with
   * `created: false`. The first version of a model also gets the alias `champion`.
   * Writes the version row, the audit entry and the `model-version-registered` event (plus, for
   * version 1, the alias row, its history and `model-alias-changed`) in one transaction.
   *
   * @throws ConflictError (409) when the run is already registered with a different artifact sha256
   * @throws InvalidArgumentError (400) when the event payload would break its contract
   * @throws UnavailableError (503) when PostgreSQL is not reachable
   */
  async registerVersion(name: string, input: RegisterModelVersionInput, ctx: RequestContext): Promise<RegistrationResult> {
    const result = await this.tx(async (m) => {
      const now = new Date();
      await this.store.createModelIfMissing(m, name, now);
      const model = await this.store.lockModel(m, name);
      if (!model) throw new NotFoundError(`Registered model '${name}' not found`); // cannot happen: created above
      const existing = await this.store.findVersionByRun(m, name, input.runId);
      if (existing) {
        if (existing.artifactSha256 !== input.artifactSha256) {
          throw new ConflictError(
            `Run '${input.runId}' is already registered as model version '${modelRef(name, existing.version)}' with artifact sha256 ${existing.artifactSha256}, not ${input.artifactSha256}`,
            { details: { version: existing.version, artifactSha256: existing.artifactSha256 } },
          );
        }
        return { created: false, modelVersion: existing };
      }
      const version = model.latestVersion + 1;
      const mv = await this.store.insertVersion(m, {
        name,
        version,
        runId: input.runId,
        workflowId: input.workflowId ?? null,
        artifactUri: input.artifactUri,
        artifactSha256: input.artifactSha256,
        signature: input.signature,
        metrics: input.metrics,
        params: input.params,
        lineage: input.lineage,
        referenceProfileUri: input.referenceProfileUri ?? null,
        referenceProfileSha256: input.referenceProfileSha256 ?? null,
        description: input.description ?? null,
        tags: input.tags,
        createdBy: ctx.actor,
        createdAt: now,
      });
      await this.store.setLatestVersion(m, name, version, now);
      await this.store.appendAudit(m, {
        actor: ctx.actor,
        action: 'model_version.register',
        resource: modelRef(name, version),
        before: null,
        after: { runId: mv.runId, artifactUri: mv.artifactUri, artifactSha256: mv.artifactSha256 },
        requestId: ctx.requestId ?? null,
        outcome: AuditOutcome.SUCCESS,
      });
      await this.publisher.publish(m, ModelVersionRegisteredV1, versionRegisteredPayload(mv, input, ctx.actor, now)); // carries the version's facts (version-facts.ts)
      if (version === 1) {
        await this.changeAlias(m, { name, alias: CHAMPION_ALIAS, fromVersion: null, toVersion: 1, reason: 'first version of the model', ctx, now });
        mv.aliases = [CHAMPION_ALIAS];
      }
      return { created: true, modelVersion: mv };
    });
    if (result.created) this.logger.log(`registered model version '${modelRef(name, result.modelVersion.version)}' from run '${input.runId}'`);
    return result;
  }

  /** Writes an alias change (row, history, audit, event) inside `m`'s transaction. */
  private async changeAlias(
    m: EntityManager,
    c: { name: string; alias: string; fromVersion: number | null; toVersion: number | null; reason: string; ctx: RequestContext; now: Date },
  ): Promise<void> {
    if (c.toVersion === null) await this.store.deleteAlias(m, c.name, c.alias);
    else await this.store.upsertAlias(m, { name: c.name, alias: c.alias, version: c.toVersion, updatedBy: c.ctx.actor, updatedAt: c.now });
    await this.store.appendAliasChange(m, {
      name: c.name,
      alias: c.alias,
      fromVersion: c.fromVersion,
      toVersion: c.toVersion,
      actor: c.ctx.actor,
      reason: c.reason,
      changedAt: c.now,
    });
    await this.store.appendAudit(m, {
      actor: c.ctx.actor,
      action: c.toVersion === null ? 'model_alias.delete' : 'model_alias.set',
      resource: aliasRef(c.name, c.alias),
      before: c.fromVersion === null ? null : { version: c.fromVersion },
      after: c.toVersion === null ? null : { version: c.toVersion },
      requestId: c.ctx.requestId ?? null,
      outcome: AuditOutcome.SUCCESS,
    });
    await this.publisher.publish(m, ModelAliasChangedV1, await withAliasFacts(m, this.store, { // + toVersionFacts (version-facts.ts)
      modelName: c.name,
      alias: c.alias,
      fromVersion: c.fromVersion,
      toVersion: c.toVersion,
      actor: c.ctx.actor,
      reason: c.reason,
      changedAt: c.now.toISOString(),
    }));
  }

  /**
   * Points `alias` of model `name` at `version` (set or atomic move). Setting the version it
   * already points at changes nothing (`changed: false`, no history row, no event).
   *
   * @throws NotFoundError (404) when the model or the version does not exist
   */
  async setAlias(name: string, alias: string, version: number, reason: string | undefined, ctx: RequestContext): Promise<AliasSetResult> {
    return this.tx(async (m) => {
      await this.requireLockedModel(m, name);
      if (!(await this.store.getVersion(m, name, version))) throw new NotFoundError(`Model version '${modelRef(name, version)}' not found`);
      const current = await this.store.getAlias(m, name, alias);
      if (current && current.version === version) return { ...current, previousVersion: current.version, changed: false };
      const now = new Date();
      const fromVersion = current?.version ?? null;
      await this.changeAlias(m, { name, alias, fromVersion, toVersion: version, reason: reason ?? '', ctx, now });
      const result: AliasSetResult = { name, alias, version, updatedBy: ctx.actor, updatedAt: now.toISOString(), previousVersion: fromVersion, changed: true };
      if (alias === CHALLENGER_ALIAS) {
        const policy = await this.promotions.getPolicy(m, name);
        if (policy?.rollout) result.rollout = await this.rollouts.startForChallengerLocked(m, name, version, policy.rollout, ctx);
        else if (policy?.autoPromote) result.promotionDecision = await this.decideLocked(m, name, policy, version, true, 'challenger-alias-set', ctx);
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
    return this.tx(async (m) => {
      await this.requireLockedModel(m, name);
      const current = await this.store.getAlias(m, name, alias);
      if (!current) throw new NotFoundError(`Alias '${alias}' of model '${name}' not found`);
      await this.changeAlias(m, { name, alias, fromVersion: current.version, toVersion: null, reason: reason ?? '', ctx, now: new Date() });
      return current;
    });
  }

  /**
   * Deletes a version. Refused while an alias points at it (the refusal is audited). Version
   * numbers are never reused.
   * @returns the deleted version
   * @throws NotFoundError (404) when the model or version does not exist
   * @throws ConflictError (409) naming the alias(es) that point at the version
   */
  async deleteVersion(name: string, version: number, ctx: RequestContext): Promise<ModelVersion> {
    const outcome = await this.tx(async (m) => {
      await this.requireLockedModel(m, name);
      const mv = await this.store.getVersion(m, name, version);
      if (!mv) throw new NotFoundError(`Model version '${modelRef(name, version)}' not found`);
      const audit = { actor: ctx.actor, action: 'model_version.delete', resource: modelRef(name, version), requestId: ctx.requestId ?? null };
      const summary = { runId: mv.runId, artifactSha256: mv.artifactSha256, aliases: mv.aliases };
      if (mv.aliases.length > 0) {
        // Commit the refusal's audit row, then report the conflict.
        await this.store.appendAudit(m, { ...audit, before: summary, after: summary, outcome: AuditOutcome.REFUSED });
        return { refused: mv.aliases, mv };
      }
      await this.store.deleteVersion(m, name, version);
      await this.store.appendAudit(m, { ...audit, before: summary, after: null, outcome: AuditOutcome.SUCCESS });
      return { refused: null, mv };
    });
    if (outcome.refused) {
      const list = outcome.refused.map((a) => `'${a}'`).join(', ');
      throw new ConflictError(
        `Model version '${modelRef(name, version)}' cannot be deleted: alias ${list} points at it; move or delete the alias first`,
        { details: { aliases: outcome.refused } },
      );
    }
    return { ...outcome.mv, aliases: [] };
  }

  /**
   * Compares `challengerVersion` with the current champion under `policy` (model row locked by
   * the caller), records the decision (with its numbers and reason) and an audit entry, and, when
   * promoted and `apply`, moves `champion` (history, audit, `model-alias-changed`) — all in `m`'s
   * transaction, so the move and its decision commit together or not at all.
   */
  private async decideLocked(
    m: EntityManager,
    name: string,
    policy: PromotionPolicy,
    challengerVersion: number,
    apply: boolean,
    trigger: string,
    ctx: RequestContext,
  ): Promise<PromotionDecision> {
    const challenger = await this.store.getVersion(m, name, challengerVersion);
    if (!challenger) throw new NotFoundError(`Model version '${modelRef(name, challengerVersion)}' not found`);
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
      applied,
      trigger,
      actor: ctx.actor,
      requestId: ctx.requestId ?? null,
      decidedAt: now,
    });
    await this.store.appendAudit(m, {
      actor: ctx.actor,
      action: 'promotion.decide',
      resource: modelRef(name, challengerVersion),
      before: champion ? { champion: champion.version } : null,
      after: { decisionId: decision.id, outcome: verdict.outcome, applied, reason: verdict.reason },
      requestId: ctx.requestId ?? null,
      outcome: verdict.outcome === 'promoted' ? AuditOutcome.SUCCESS : AuditOutcome.REFUSED,
    });
    if (applied) {
      await this.changeAlias(m, {
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
    p: { metric: string; direction: 'maximize' | 'minimize'; minMargin: number; autoPromote: boolean; rollout: PolicyRollout | null },
    ctx: RequestContext,
  ): Promise<PromotionPolicy> {
    return this.tx(async (m) => {
      await this.requireLockedModel(m, name);
      const before = await this.promotions.getPolicy(m, name);
      const policy = await this.promotions.upsertPolicy(m, { name, ...p, updatedBy: ctx.actor, updatedAt: new Date() });
      await this.store.appendAudit(m, {
        actor: ctx.actor,
        action: 'promotion_policy.set',
        resource: name,
        before: before ? { metric: before.metric, direction: before.direction, minMargin: before.minMargin, autoPromote: before.autoPromote, rollout: before.rollout } : null,
        after: { metric: policy.metric, direction: policy.direction, minMargin: policy.minMargin, autoPromote: policy.autoPromote, rollout: policy.rollout },
        requestId: ctx.requestId ?? null,
        outcome: AuditOutcome.SUCCESS,
      });
      return policy;
    });
  }

  /** The promotion policy of a model. @throws NotFoundError (404) when the model or its policy does not exist */
  async getPromotionPolicy(name: string): Promise<PromotionPolicy> {
    await this.requireModel(name);
    const p = await this.promotions.getPolicy(this.reader, name);
    if (!p) throw new NotFoundError(`Registered model '${name}' has no promotion policy`);
    return p;
  }

  /**
   * Evaluates a challenger (default: the version the `challenger` alias points at) against the
   * champion under the model's policy; records the decision; moves the champion when promoted and
   * `apply`. @throws NotFoundError (404) model/version/challenger alias missing; ConflictError (409) no policy
   */
  async decidePromotion(name: string, challengerVersion: number | undefined, apply: boolean, ctx: RequestContext): Promise<PromotionDecision> {
    return this.tx(async (m) => {
      await this.requireLockedModel(m, name);
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
    return this.tx(async (m) => {
      await this.requireLockedModel(m, name);
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
      const verdict = applyDisparityGate(decideLive(policy, need, evidence, active.championVersion, active.challengerVersion), evidence.disparity); // disparity gate: issue #17
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
      await this.store.appendAudit(m, {
        actor: ctx.actor,
        action: 'promotion.decide',
        resource: modelRef(name, active.challengerVersion),
        before: { champion: active.championVersion, rolloutId: active.rolloutId },
        after: { decisionId: decision.id, outcome: verdict.outcome, applied: apply, reason: verdict.reason },
        requestId: ctx.requestId ?? null,
        outcome: verdict.outcome === 'promoted' ? AuditOutcome.SUCCESS : AuditOutcome.REFUSED,
      });
      let rollout = active;
      if (apply) {
        const reason = `promotion decision ${decision.id}: ${verdict.reason}`;
        rollout = verdict.outcome === 'promoted' ? await this.rollouts.promoteLocked(m, name, reason, ctx) : await this.rollouts.rollbackLocked(m, name, reason, ctx);
      }
      return { decision, rollout };
    });
  }

  /** Promotion decisions of a model, newest first. @throws NotFoundError (404) */
  async listPromotionDecisions(name: string, page: { limit: number; offset: number }): Promise<Page<PromotionDecision>> {
    await this.requireModel(name);
    return paged(await this.promotions.listDecisions(this.reader, name, { limit: page.limit + 1, offset: page.offset }), page);
  }

  /** One promotion decision. @throws NotFoundError (404) */
  async getPromotionDecision(name: string, id: number): Promise<PromotionDecision> {
    const d = await this.promotions.getDecision(this.reader, name, id);
    if (!d) throw new NotFoundError(`Promotion decision ${id} of model '${name}' not found`);
    return d;
  }

  /**
   * Creates a model without versions (MLflow `registered-models/create`).
   * @throws ConflictError (409, `details.mlflowCode = RESOURCE_ALREADY_EXISTS`) when it exists
   */
  async createModel(name: string, description: string | null, tags: Record<string, string>, ctx: RequestContext): Promise<RegisteredModel> {
    return this.tx(async (m) => {
      const now = new Date();
      if (await this.store.getModel(m, name)) {
        throw new ConflictError(`Registered Model (name=${name}) already exists.`, { details: { mlflowCode: 'RESOURCE_ALREADY_EXISTS' } });
      }
      await this.store.createModelIfMissing(m, name, now);
      const model = await this.store.lockModel(m, name);
      if (!model || model.latestVersion !== 0 || Date.parse(model.createdAt) !== now.getTime()) {
        throw new ConflictError(`Registered Model (name=${name}) already exists.`, { details: { mlflowCode: 'RESOURCE_ALREADY_EXISTS' } });
      }
      await this.store.updateModel(m, name, { description, tags }, now);
      await this.store.appendAudit(m, { actor: ctx.actor, action: 'registered_model.create', resource: name, before: null, after: { description, tags }, requestId: ctx.requestId ?? null, outcome: AuditOutcome.SUCCESS });
      return (await this.store.getModel(m, name)) as RegisteredModel;
    });
  }

  /** Updates description and/or tags of a model (audited). @throws NotFoundError (404) */
  async updateModel(name: string, p: { description?: string | null; tags?: Record<string, string>; setTags?: Record<string, string>; deleteTags?: string[] }, ctx: RequestContext): Promise<RegisteredModel> {
    return this.tx(async (m) => {
      const before = await this.requireLockedModel(m, name);
      const tags = mergeTags(before.tags, p);
      await this.store.updateModel(m, name, { ...(p.description !== undefined ? { description: p.description } : {}), ...(tags ? { tags } : {}) }, new Date());
      const after = (await this.store.getModel(m, name)) as RegisteredModel;
      await this.store.appendAudit(m, {
        actor: ctx.actor,
        action: 'registered_model.update',
        resource: name,
        before: { description: before.description, tags: before.tags },
        after: { description: after.description, tags: after.tags },
        requestId: ctx.requestId ?? null,
        outcome: AuditOutcome.SUCCESS,
      });
      return after;
    });
  }

  /** Updates description and/or tags of a version (audited; everything else is immutable). @throws NotFoundError (404) */
  async updateVersion(
    name: string,
    version: number,
    p: { description?: string | null; tags?: Record<string, string>; setTags?: Record<string, string>; deleteTags?: string[] },
    ctx: RequestContext,
  ): Promise<ModelVersion> {
    return this.tx(async (m) => {
      await this.requireLockedModel(m, name);
      const before = await this.store.getVersion(m, name, version);
      if (!before) throw new NotFoundError(`Model version '${modelRef(name, version)}' not found`);
      const tags = mergeTags(before.tags, p);
      await this.store.updateVersion(m, name, version, { ...(p.description !== undefined ? { description: p.description } : {}), ...(tags ? { tags } : {}) });
      const after = (await this.store.getVersion(m, name, version)) as ModelVersion;
      await this.store.appendAudit(m, {
        actor: ctx.actor,
        action: 'model_version.update',
        resource: modelRef(name, version),
        before: { description: before.description, tags: before.tags },
        after: { description: after.description, tags: after.tags },
        requestId: ctx.requestId ?? null,
        outcome: AuditOutcome.SUCCESS,
      });
      return after;
    });
  }

  /**
   * Deletes a model with its versions. Refused (409 naming the aliases) while any alias exists.
   * @throws NotFoundError (404); ConflictError (409)
   */
  async deleteModel(name: string, ctx: RequestContext): Promise<void> {
    const refused = await this.tx(async (m) => {
      await this.requireLockedModel(m, name);
      const aliases = await this.store.aliasesOfModel(m, name);
      const audit = { actor: ctx.actor, action: 'registered_model.delete', resource: name, requestId: ctx.requestId ?? null, before: { aliases } };
      if (Object.keys(aliases).length) {
        await this.store.appendAudit(m, { ...audit, after: { aliases }, outcome: AuditOutcome.REFUSED });
        return Object.keys(aliases);
      }
      await this.store.deleteModel(m, name);
      await this.store.appendAudit(m, { ...audit, after: null, outcome: AuditOutcome.SUCCESS });
      return null;
    });
    if (refused) {
      throw new ConflictError(`Registered model '${name}' cannot be deleted: alias ${refused.map((a) => `'${a}'`).join(', ')} points at its versions; delete the aliases first`, {
        details: { aliases: refused, mlflowCode: 'INVALID_STATE' },
      });
    }
  }

  /** Versions across models (search). */
  async searchVersions(q: { name?: string; namePattern?: string; runIds?: string[]; tags?: Array<{ key: string; value: string; op?: '=' | '!=' }> }, page: { limit: number; offset: number }): Promise<Page<ModelVersion>> {
    return paged(await this.store.searchVersions(this.reader, { ...q, limit: page.limit + 1, offset: page.offset }), page);
  }

  /** Models (search) with exact name / LIKE pattern / tag equalities. */
  async searchModels(q: { search?: string; exactName?: string; namePattern?: string; tags?: Array<{ key: string; value: string; op?: '=' | '!=' }> }, page: { limit: number; offset: number }): Promise<Page<RegisteredModel>> {
    const rows = await this.store.listModels(this.reader, q.search, { limit: page.limit + 1, offset: page.offset }, q);
    return paged(rows, page);
  }

  private async requireLockedModel(m: EntityManager, name: string): Promise<RegisteredModel> {
    const model = await this.store.lockModel(m, name);
    if (!model) throw new NotFoundError(`Registered model '${name}' not found`);
    return model;
  }

  /** Models whose name contains `search` (case-insensitive), by name. */
  async listModels(search: string | undefined, page: { limit: number; offset: number }): Promise<Page<RegisteredModel>> {
    const rows = await this.store.listModels(this.reader, search, { limit: page.limit + 1, offset: page.offset });
    return paged(rows, page);
  }

  /**
   * A model with its aliases and {@link LATEST_VERSIONS_SHOWN} newest versions.
   * @throws NotFoundError (404)
   */
  async getModel(name: string): Promise<RegisteredModelDetail> {
    const model = await this.store.getModel(this.reader, name);
    if (!model) throw new NotFoundError(`Registered model '${name}' not found`);
    const latestVersions = await this.store.listVersions(this.reader, name, { limit: LATEST_VERSIONS_SHOWN, offset: 0 });
    return { ...model, latestVersions };
  }

  /** Versions of a model, newest first. @throws NotFoundError (404) when the model does not exist */
  async listVersions(name: string, page: { limit: number; offset: number }): Promise<Page<ModelVersion>> {
    await this.requireModel(name);
    const rows = await this.store.listVersions(this.reader, name, { limit: page.limit + 1, offset: page.offset });
    return paged(rows, page);
  }

  /** One version. @throws NotFoundError (404) naming `name@version` */
  async getVersion(name: string, version: number): Promise<ModelVersion> {
    const mv = await this.store.getVersion(this.reader, name, version);
    if (!mv) throw new NotFoundError(`Model version '${modelRef(name, version)}' not found`);
    return mv;
  }

  /** The version an alias points at. @throws NotFoundError (404) when the model or alias does not exist */
  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const a = await this.store.getAlias(this.reader, name, alias);
    if (!a) {
      await this.requireModel(name);
      throw new NotFoundError(`Alias '${alias}' of model '${name}' not found`);
    }
    return this.getVersion(name, a.version);
  }

  /** Changes of an alias, newest first (empty if never set). @throws NotFoundError (404) when the model does not exist */
  async aliasHistory(name: string, alias: string): Promise<AliasChange[]> {
    await this.requireModel(name);
    return this.store.aliasHistory(this.reader, name, alias);
  }

  /** Audit entries of a model, its versions and aliases, oldest first. @throws NotFoundError (404) */
  async auditLog(name: string): Promise<AuditRecord[]> {
    await this.requireModel(name);
    return this.store.auditOf(this.reader, name);
  }

  private async requireModel(name: string): Promise<void> {
    if (!(await this.store.getModel(this.reader, name))) throw new NotFoundError(`Registered model '${name}' not found`);
  }
}

function paged<T>(rows: T[], page: { limit: number; offset: number }): Page<T> {
  const items = rows.slice(0, page.limit);
  return rows.length > page.limit ? { items, nextPageToken: String(page.offset + page.limit) } : { items };
}

function mergeTags(
  current: Record<string, string>,
  p: { tags?: Record<string, string>; setTags?: Record<string, string>; deleteTags?: string[] },
): Record<string, string> | undefined {
  if (!p.tags && !p.setTags && !p.deleteTags) return undefined;
  const out = { ...(p.tags ?? current), ...(p.setTags ?? {}) };
  for (const k of p.deleteTags ?? []) delete out[k];
  return out;
}
