import { Injectable } from '@nestjs/common';
import { ModelAliasChangedV1 } from '@strata/contracts';
import { EventPublisher } from '@strata/messaging';
import { AuditOutcome, RegistryStore } from '@strata/registry/data-access';
import type { EntityManager } from 'typeorm';
import { withAliasFacts } from '../version-facts';
import { isAnnounceable } from './event-names';
import { aliasRef, type RequestContext } from './registry-tx';

/** One alias change: `toVersion: null` deletes the alias. */
export interface AliasChangeInput {
  name: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number | null;
  reason: string;
  ctx: RequestContext;
  now: Date;
}

/**
 * Writes an alias change — the alias row, its history row, the audit entry and the
 * `model-alias-changed` event — inside the caller's transaction (model row locked by the caller).
 * The one place an alias moves: aliases, versions (champion of version 1), promotion.
 */
@Injectable()
export class AliasWriter {
  constructor(
    private readonly store: RegistryStore,
    private readonly publisher: EventPublisher,
  ) {}

  /** Writes the change `c` (row, history, audit, event) inside `m`'s transaction. */
  async change(m: EntityManager, c: AliasChangeInput): Promise<void> {
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
    if (!isAnnounceable(c.name)) return; // MLflow-only name: not announced (event-names.ts)
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
}
