import { Injectable } from '@nestjs/common';
import type { RegisteredModelDetail } from '@strata/contracts/api';
import { AuditOutcome, RegistryStore, type AuditRecord, type RegisteredModel, type RegistrySearch } from '@strata/registry/data-access';
import { ConflictError } from '@strata/shared/util-errors';
import { RegistryTx, modelNotFound, mergeTags, paged, type Page, type RequestContext } from './registry-tx';

/** A registered model with its newest versions (`GET /registered-models/{name}`): declared once, in the API contracts. */
export type { RegisteredModelDetail };

/** How many newest versions `GET /registered-models/{name}` embeds. */
export const LATEST_VERSIONS_SHOWN = 5;

/**
 * Registered models: create (MLflow), read with the newest versions, list/search, description
 * and tag updates, deletion (refused while an alias exists), the audit log.
 */
@Injectable()
export class ModelsService {
  constructor(
    private readonly db: RegistryTx,
    private readonly store: RegistryStore,
  ) {}

  /**
   * Creates a model without versions (MLflow `registered-models/create`).
   * @throws ConflictError (409, `details.mlflowCode = RESOURCE_ALREADY_EXISTS`) when it exists
   */
  async createModel(name: string, description: string | null, tags: Record<string, string>, ctx: RequestContext): Promise<RegisteredModel> {
    return this.db.run(async (m) => {
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
    return this.db.run(async (m) => {
      const before = await this.db.requireLockedModel(m, name);
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

  /**
   * Deletes a model with its versions. Refused (409 naming the aliases) while any alias exists.
   * @throws NotFoundError (404); ConflictError (409)
   */
  async deleteModel(name: string, ctx: RequestContext): Promise<void> {
    const refused = await this.db.run(async (m) => {
      await this.db.requireLockedModel(m, name);
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

  /** Models (MLflow `registered-models/search`): conditions on name and tags, `orderBy`, a page. */
  async searchModels(q: RegistrySearch, page: { limit: number; offset: number }): Promise<Page<RegisteredModel>> {
    return paged(await this.store.searchModels(this.db.reader, { ...q, limit: page.limit + 1, offset: page.offset }), page);
  }

  /**
   * Renames a model (MLflow `registered-models/rename`); versions, aliases, history, rollouts,
   * policy and decisions follow (audited as `registered_model.rename`).
   * @throws NotFoundError (404) `from` unknown; ConflictError (409, RESOURCE_ALREADY_EXISTS) `to` exists
   */
  async renameModel(from: string, to: string, ctx: RequestContext): Promise<RegisteredModel> {
    return this.db.run(async (m) => {
      await this.db.requireLockedModel(m, from);
      if (from !== to && (await this.store.getModel(m, to))) {
        throw new ConflictError(`Registered Model (name=${to}) already exists.`, { details: { mlflowCode: 'RESOURCE_ALREADY_EXISTS' } });
      }
      await this.store.renameModel(m, from, to, new Date());
      await this.store.appendAudit(m, { actor: ctx.actor, action: 'registered_model.rename', resource: to, before: { name: from }, after: { name: to }, requestId: ctx.requestId ?? null, outcome: AuditOutcome.SUCCESS });
      return (await this.store.getModel(m, to)) as RegisteredModel;
    });
  }

  /** Models whose name contains `search` (case-insensitive), by name. */
  async listModels(search: string | undefined, page: { limit: number; offset: number }): Promise<Page<RegisteredModel>> {
    const rows = await this.store.listModels(this.db.reader, search, { limit: page.limit + 1, offset: page.offset });
    return paged(rows, page);
  }

  /**
   * A model with its aliases and {@link LATEST_VERSIONS_SHOWN} newest versions.
   * @throws NotFoundError (404)
   */
  async getModel(name: string): Promise<RegisteredModelDetail> {
    const model = await this.store.getModel(this.db.reader, name);
    if (!model) throw modelNotFound(name);
    const latestVersions = await this.store.listVersions(this.db.reader, name, { limit: LATEST_VERSIONS_SHOWN, offset: 0 });
    return { ...model, latestVersions };
  }

  /** Audit entries of a model, its versions and aliases, oldest first. @throws NotFoundError (404) */
  async auditLog(name: string): Promise<AuditRecord[]> {
    await this.db.requireModel(name);
    return this.store.auditOf(this.db.reader, name);
  }
}
