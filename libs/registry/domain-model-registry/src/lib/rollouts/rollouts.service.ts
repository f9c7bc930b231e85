import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ModelAliasChangedV1, ModelRolloutChangedV1 } from '@strata/contracts';
import type { Rollout } from '@strata/contracts/api';
import { EventPublisher, MessagingError } from '@strata/messaging';
import { AuditOutcome, ModelRolloutEntity, RegistryStore } from '@strata/registry/data-access';
import { DatabaseService } from '@strata/shared/nest-platform';
import { ConflictError, InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import type { EntityManager } from 'typeorm';
import { withAliasFacts, withRouteFacts } from '../version-facts';

/** Who asks (actor from `X-Strata-Actor`, request id), for the audit log and the events. */
export interface RolloutRequestContext {
  actor: string;
  requestId?: string;
}

/** Routing of a model while a rollout is active (the `route` of `ModelRolloutChangedV1`). */
export type RolloutRoute = NonNullable<ModelRolloutChangedV1['route']>;

/** Life cycle of a rollout (the contract's `RolloutStatusSchema`). */
export type RolloutStatus = Rollout['status'];

/**
 * A rollout as the HTTP API returns it: declared once, in the API contracts (`RolloutSchema`).
 * `route` is the routing in force: the configured route while `active`, null once ended (all
 * traffic to the champion). `mode`, versions, `challengerWeight` and `stickyKey` always show
 * what the rollout was configured with.
 */
export type { Rollout };

/** Input of {@link RolloutsService.start} (validated body of `POST /models/{name}/rollouts`). */
export interface StartRolloutInput {
  mode: 'canary' | 'shadow';
  challengerVersion?: number;
  challengerWeight?: number;
  stickyKey?: string;
  reason?: string;
}

/** Default challenger share of a canary when the request gives none. */
export const DEFAULT_CANARY_WEIGHT = 0.1;
const CHAMPION = 'champion';
const CHALLENGER = 'challenger';

function toRollout(r: ModelRolloutEntity): Rollout {
  const mode = r.mode as 'canary' | 'shadow';
  return {
    rolloutId: r.rolloutId,
    modelName: r.modelName,
    status: r.status as RolloutStatus,
    mode,
    championVersion: r.championVersion,
    challengerVersion: r.challengerVersion,
    challengerWeight: r.challengerWeight,
    stickyKey: r.stickyKey,
    route: r.status === 'active' ? routeOf(r) : null,
    actor: r.startedBy,
    reason: r.startReason,
    startedAt: r.startedAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    endedBy: r.endedBy,
    endReason: r.endReason,
    endedAt: r.endedAt ? r.endedAt.toISOString() : null,
  };
}

function routeOf(r: ModelRolloutEntity): RolloutRoute {
  return {
    mode: r.mode as 'canary' | 'shadow',
    championVersion: r.championVersion,
    challengerVersion: r.challengerVersion,
    challengerWeight: r.mode === 'shadow' ? 0 : r.challengerWeight,
    stickyKey: r.stickyKey,
  };
}

/**
 * Canary and shadow rollouts of registered models (docs/service-apis.md, "Rollouts").
 *
 * Every change runs in one PostgreSQL transaction that takes the model row lock (as every other
 * registry change does), updates `model_rollout`, appends an `audit_log` entry (actor, before =
 * the route before, after = the route after, reason) and writes `ModelRolloutChangedV1` to the
 * outbox — the event carries the WHOLE route in force afterwards (null = all traffic to the
 * champion), so serving never merges routes and a new rollout never inherits an old one.
 * Promotion also moves the `champion` alias (alias row, history, audit, `ModelAliasChangedV1`)
 * in the same transaction.
 */
@Injectable()
export class RolloutsService {
  private readonly logger = new Logger(RolloutsService.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly store: RegistryStore,
    private readonly publisher: EventPublisher,
  ) {}

  /**
   * Starts a rollout: champion = the version behind `champion`; challenger = `challengerVersion`
   * or the version behind `challenger`.
   * @throws NotFoundError (404) model or challenger version unknown
   * @throws InvalidArgumentError (400) no challenger given/aliased, challenger = champion, weight on a shadow rollout
   * @throws ConflictError (409) a rollout is already active, or the model has no champion
   */
  async start(name: string, input: StartRolloutInput, ctx: RolloutRequestContext): Promise<Rollout> {
    const rollout = await this.tx(async (m) => this.startLocked(m, name, input, ctx));
    this.logger.log({ model: name, rolloutId: rollout.rolloutId, mode: rollout.mode, actor: ctx.actor }, 'rollout started');
    return rollout;
  }

  /**
   * Closed loop (promotion policy with `rollout`): the `challenger` alias was just set to
   * `challengerVersion` in `m`'s transaction — ends an active rollout of an older challenger
   * (`ended`) and starts the policy's rollout for this one, in the same transaction. Nothing is
   * started when the challenger is the champion itself or the model has no champion.
   * @returns the started rollout, or null with the reason it was not started
   */
  async startForChallengerLocked(
    m: EntityManager,
    name: string,
    challengerVersion: number,
    policy: { mode: 'canary' | 'shadow'; challengerWeight: number; stickyKey: string | null },
    ctx: RolloutRequestContext,
  ): Promise<{ rollout: Rollout | null; reason: string }> {
    const champion = await this.store.getAlias(m, name, CHAMPION);
    if (!champion) return { rollout: null, reason: `no rollout: model '${name}' has no champion` };
    if (champion.version === challengerVersion) return { rollout: null, reason: `no rollout: version ${challengerVersion} is the champion` };
    const active = await this.activeOf(m, name);
    if (active) await this.end(m, active, 'ended', `superseded by challenger version ${challengerVersion}`, ctx);
    const rollout = await this.startLocked(
      m,
      name,
      {
        mode: policy.mode,
        challengerVersion,
        ...(policy.mode === 'canary' ? { challengerWeight: policy.challengerWeight } : {}),
        ...(policy.stickyKey ? { stickyKey: policy.stickyKey } : {}),
        reason: `automatic ${policy.mode} for challenger version ${challengerVersion} (promotion policy)`,
      },
      ctx,
    );
    return { rollout, reason: `started ${policy.mode} rollout ${rollout.rolloutId}` };
  }

  /** The active rollout in `m`'s transaction (model locked by the caller), or null. */
  async activeLocked(m: EntityManager, name: string): Promise<Rollout | null> {
    const row = await this.activeOf(m, name);
    return row ? toRollout(row) : null;
  }

  /** {@link start} inside the caller's transaction (takes the model row lock). */
  async startLocked(m: EntityManager, name: string, input: StartRolloutInput, ctx: RolloutRequestContext): Promise<Rollout> {
    {
      await this.lockModel(m, name);
      const active = await this.activeOf(m, name);
      if (active) {
        throw new ConflictError(`Model '${name}' already has an active ${active.mode} rollout '${active.rolloutId}' (${active.championVersion} → ${active.challengerVersion}): roll it back or promote it first`, {
          details: { rolloutId: active.rolloutId },
        });
      }
      const champion = await this.store.getAlias(m, name, CHAMPION);
      if (!champion) throw new ConflictError(`Model '${name}' has no '${CHAMPION}' alias: a rollout needs a champion`);
      let challengerVersion = input.challengerVersion;
      if (challengerVersion === undefined) {
        const alias = await this.store.getAlias(m, name, CHALLENGER);
        if (!alias) throw new InvalidArgumentError(`Rollout of '${name}': body.challengerVersion is missing and the model has no '${CHALLENGER}' alias`);
        challengerVersion = alias.version;
      }
      if (!(await this.store.getVersion(m, name, challengerVersion))) throw new NotFoundError(`Model version '${name}@${challengerVersion}' not found`);
      if (challengerVersion === champion.version) {
        throw new InvalidArgumentError(`Rollout of '${name}': challenger version ${challengerVersion} is the champion itself`);
      }
      if (input.mode === 'shadow' && input.challengerWeight !== undefined && input.challengerWeight !== 0) {
        throw new InvalidArgumentError(`Rollout of '${name}': body.challengerWeight applies to canary rollouts only (shadow copies every request)`);
      }
      const now = new Date();
      const row = m.getRepository(ModelRolloutEntity).create({
        rolloutId: randomUUID(),
        modelName: name,
        status: 'active',
        mode: input.mode,
        championVersion: champion.version,
        challengerVersion,
        challengerWeight: input.mode === 'shadow' ? 0 : (input.challengerWeight ?? DEFAULT_CANARY_WEIGHT),
        stickyKey: input.stickyKey ?? null,
        startedBy: ctx.actor,
        startReason: input.reason ?? '',
        startedAt: now,
        updatedAt: now,
        endedBy: null,
        endReason: null,
        endedAt: null,
      });
      await m.getRepository(ModelRolloutEntity).insert(row);
      await this.record(m, row, 'started', null, routeOf(row), input.reason ?? '', ctx, now);
      return toRollout(row);
    }
  }

  /**
   * Changes the challenger share of the active canary.
   * @throws NotFoundError (404) no active rollout; InvalidArgumentError (400) on a shadow rollout
   */
  async updateWeight(name: string, challengerWeight: number, reason: string | undefined, ctx: RolloutRequestContext): Promise<Rollout> {
    return this.tx(async (m) => {
      const row = await this.requireActive(m, name);
      if (row.mode !== 'canary') throw new InvalidArgumentError(`Rollout '${row.rolloutId}' of '${name}' is a shadow rollout: it has no challengerWeight`);
      const before = routeOf(row);
      const now = new Date();
      row.challengerWeight = challengerWeight;
      row.updatedAt = now;
      await m.getRepository(ModelRolloutEntity).update({ rolloutId: row.rolloutId }, { challengerWeight, updatedAt: now });
      await this.record(m, row, 'updated', before, routeOf(row), reason ?? '', ctx, now);
      return toRollout(row);
    });
  }

  /**
   * Rolls the active rollout back: route null (all traffic to the champion), status `rolled-back`.
   * @throws NotFoundError (404) no active rollout
   */
  async rollback(name: string, reason: string, ctx: RolloutRequestContext): Promise<Rollout> {
    const out = await this.tx(async (m) => this.rollbackLocked(m, name, reason, ctx));
    this.logger.log({ model: name, rolloutId: out.rolloutId, actor: ctx.actor, reason }, 'rollout rolled back');
    return out;
  }

  /**
   * Promotes the challenger: the `champion` alias moves to the challenger version (alias history,
   * audit, `ModelAliasChangedV1`), the rollout ends as `promoted` with route null — all in one
   * transaction.
   * @throws NotFoundError (404) no active rollout
   */
  async promote(name: string, reason: string, ctx: RolloutRequestContext): Promise<Rollout> {
    const out = await this.tx(async (m) => this.promoteLocked(m, name, reason, ctx));
    this.logger.log({ model: name, rolloutId: out.rolloutId, actor: ctx.actor, champion: out.challengerVersion }, 'rollout promoted');
    return out;
  }

  /** {@link rollback} inside the caller's transaction. @throws NotFoundError (404) no active rollout */
  async rollbackLocked(m: EntityManager, name: string, reason: string, ctx: RolloutRequestContext): Promise<Rollout> {
    return this.end(m, await this.requireActive(m, name), 'rolled-back', reason, ctx);
  }

  /** {@link promote} inside the caller's transaction. @throws NotFoundError (404) no active rollout */
  async promoteLocked(m: EntityManager, name: string, reason: string, ctx: RolloutRequestContext): Promise<Rollout> {
    {
      const row = await this.requireActive(m, name);
      const now = new Date();
      const current = await this.store.getAlias(m, name, CHAMPION);
      const fromVersion = current?.version ?? null;
      if (fromVersion !== row.challengerVersion) {
        await this.store.upsertAlias(m, { name, alias: CHAMPION, version: row.challengerVersion, updatedBy: ctx.actor, updatedAt: now });
        await this.store.appendAliasChange(m, { name, alias: CHAMPION, fromVersion, toVersion: row.challengerVersion, actor: ctx.actor, reason, changedAt: now });
        await this.store.appendAudit(m, {
          actor: ctx.actor,
          action: 'model_alias.set',
          resource: `${name}#${CHAMPION}`,
          before: fromVersion === null ? null : { version: fromVersion },
          after: { version: row.challengerVersion, rolloutId: row.rolloutId },
          requestId: ctx.requestId ?? null,
          outcome: AuditOutcome.SUCCESS,
        });
        await this.publisher.publish(m, ModelAliasChangedV1, await withAliasFacts(m, this.store, { // + toVersionFacts (version-facts.ts)
          modelName: name, alias: CHAMPION, fromVersion, toVersion: row.challengerVersion, actor: ctx.actor, reason, changedAt: now.toISOString(),
        }));
      }
      return this.end(m, row, 'promoted', reason, ctx);
    }
  }

  /** The active rollout. @throws NotFoundError (404) when none is active or the model is unknown */
  async current(name: string): Promise<Rollout> {
    const m = this.database.getDataSource().manager;
    const row = await this.activeOf(m, name);
    if (!row) {
      await this.requireModel(m, name);
      throw new NotFoundError(`Model '${name}' has no active rollout`);
    }
    return toRollout(row);
  }

  /** Every rollout of the model, newest first. @throws NotFoundError (404) when the model is unknown */
  async history(name: string): Promise<Rollout[]> {
    const m = this.database.getDataSource().manager;
    await this.requireModel(m, name);
    const rows = await m.getRepository(ModelRolloutEntity).find({ where: { modelName: name }, order: { startedAt: 'DESC', rolloutId: 'ASC' } });
    return rows.map(toRollout);
  }

  private async end(m: EntityManager, row: ModelRolloutEntity, status: 'rolled-back' | 'promoted' | 'ended', reason: string, ctx: RolloutRequestContext): Promise<Rollout> {
    const before = routeOf(row);
    const now = new Date();
    Object.assign(row, { status, endedBy: ctx.actor, endReason: reason, endedAt: now, updatedAt: now });
    await m.getRepository(ModelRolloutEntity).update({ rolloutId: row.rolloutId }, { status, endedBy: ctx.actor, endReason: reason, endedAt: now, updatedAt: now });
    await this.record(m, row, status, before, null, reason, ctx, now);
    return toRollout(row);
  }

  /** Audit entry + outbox event of one routing change (same transaction). */
  private async record(
    m: EntityManager,
    row: ModelRolloutEntity,
    action: 'started' | 'updated' | 'promoted' | 'rolled-back' | 'ended',
    from: RolloutRoute | null,
    to: RolloutRoute | null,
    reason: string,
    ctx: RolloutRequestContext,
    now: Date,
  ): Promise<void> {
    await this.store.appendAudit(m, {
      actor: ctx.actor,
      action: `model_rollout.${action === 'started' ? 'start' : action === 'updated' ? 'update' : action === 'promoted' ? 'promote' : action === 'ended' ? 'end' : 'rollback'}`,
      resource: `${row.modelName}#rollout`,
      before: { rolloutId: row.rolloutId, route: from },
      after: { rolloutId: row.rolloutId, route: to, reason },
      requestId: ctx.requestId ?? null,
      outcome: AuditOutcome.SUCCESS,
    });
    // a started rollout announces the challenger's training data cutoff (from its lineage), so
    // monitoring compares both versions only on predictions after it
    const cutoff = action === 'started' ? await this.trainingDataCutoff(m, row.modelName, row.challengerVersion) : undefined;
    await this.publisher.publish(m, ModelRolloutChangedV1, await withRouteFacts(m, this.store, { // + routeVersionFacts (version-facts.ts)
      modelName: row.modelName, rolloutId: row.rolloutId, action, route: to, actor: ctx.actor, reason, changedAt: now.toISOString(),
      ...(cutoff !== undefined ? { challengerTrainingDataCutoff: cutoff } : {}),
    }));
  }

  /** `lineage.trainingDataCutoff` of a version (ISO UTC), or null when it does not record a valid one. */
  private async trainingDataCutoff(m: EntityManager, name: string, version: number): Promise<string | null> {
    const v = await this.store.getVersion(m, name, version);
    const raw = v?.lineage['trainingDataCutoff'];
    const ms = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  }

  private async activeOf(m: EntityManager, name: string): Promise<ModelRolloutEntity | null> {
    return m.getRepository(ModelRolloutEntity).findOneBy({ modelName: name, status: 'active' });
  }

  private async requireActive(m: EntityManager, name: string): Promise<ModelRolloutEntity> {
    await this.lockModel(m, name);
    const row = await this.activeOf(m, name);
    if (!row) throw new NotFoundError(`Model '${name}' has no active rollout`);
    return row;
  }

  private async lockModel(m: EntityManager, name: string): Promise<void> {
    if (!(await this.store.lockModel(m, name))) throw new NotFoundError(`Registered model '${name}' not found`);
  }

  private async requireModel(m: EntityManager, name: string): Promise<void> {
    if (!(await this.store.getModel(m, name))) throw new NotFoundError(`Registered model '${name}' not found`);
  }

  private async tx<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.database.getDataSource().transaction('READ COMMITTED', work);
    } catch (err) {
      if (err instanceof MessagingError && !err.retryable) {
        throw new InvalidArgumentError(`Cannot announce the rollout change: ${err.message}`, { cause: err, details: { ...err.details } });
      }
      // The partial unique index: a concurrent start won the race.
      if ((err as { code?: string }).code === '23505' && String((err as { constraint?: string }).constraint ?? '').includes('model_rollout_one_active')) {
        throw new ConflictError('A rollout of this model is already active', { cause: err });
      }
      throw err;
    }
  }
}
