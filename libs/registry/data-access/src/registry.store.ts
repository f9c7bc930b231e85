import { Injectable } from '@nestjs/common';
import { IsNull, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditLogEntity } from './entities/audit-log.entity';
import { ModelAliasHistoryEntity } from './entities/model-alias-history.entity';
import { ModelAliasEntity } from './entities/model-alias.entity';
import { ModelVersionEntity } from './entities/model-version.entity';
import { RegisteredModelEntity } from './entities/registered-model.entity';
import { toAliasChange, toAuditRecord, toModelAlias, toModelVersion, toRegisteredModel } from './mappers/registry.mapper';
import { applyOrder, applySearch } from './registry-search.sql';
import { LATEST_PER_STAGE_NAMES_PER_QUERY, aliasesOfVersions, latestPerStageSql, summaryColumns, versionKey, toModelVersionSummary, type ModelVersionSummaryRow } from './model-version-summary.sql';
import { qualified } from './tracking.store';
import type { AliasChange, AuditEntry, AuditRecord, ModelAlias, ModelVersion, ModelVersionSummary, NewModelVersion, RegisteredModel, RegistryOrder, RegistrySearch } from './registry.types';

/** Page request: `limit` rows after skipping `offset`. */
export interface PageRequest {
  limit: number;
  offset: number;
}

/** Escapes `%`, `_` and `\` for a LIKE pattern. */
function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * PostgreSQL access of the registry (TypeORM). Every method takes the caller's EntityManager,
 * so the feature service composes them in one transaction with the outbox insert. Returns domain
 * objects ({@link ModelVersion}, {@link RegisteredModel}, …), never rows.
 */
@Injectable()
export class RegistryStore {
  /** Inserts the `registered_model` row if it does not exist (concurrency-safe: ON CONFLICT DO NOTHING). */
  async createModelIfMissing(m: EntityManager, name: string, now: Date): Promise<void> {
    await m
      .createQueryBuilder()
      .insert()
      .into(RegisteredModelEntity)
      .values({ name, description: null, tags: {}, latestVersion: 0, createdAt: now, updatedAt: now })
      .orIgnore()
      .execute();
  }

  /**
   * Locks the model row (`SELECT … FOR UPDATE`) until the transaction ends, serialising every
   * change of that model. Must run inside a transaction.
   * @returns the model (without aliases), or null when it does not exist.
   */
  async lockModel(m: EntityManager, name: string): Promise<RegisteredModel | null> {
    const row = await m
      .getRepository(RegisteredModelEntity)
      .createQueryBuilder('m')
      .setLock('pessimistic_write')
      .where('m.name = :name', { name })
      .getOne();
    return row ? toRegisteredModel(row) : null;
  }

  /** Sets `latest_version` (and `updated_at`) of a model. */
  async setLatestVersion(m: EntityManager, name: string, version: number, now: Date): Promise<void> {
    await m.getRepository(RegisteredModelEntity).update({ name }, { latestVersion: version, updatedAt: now });
  }

  /** The model with its aliases, or null. */
  async getModel(m: EntityManager, name: string): Promise<RegisteredModel | null> {
    const row = await m.getRepository(RegisteredModelEntity).findOneBy({ name });
    return row ? toRegisteredModel(row, await this.aliasesOfModel(m, name)) : null;
  }

  /**
   * Models whose name contains `search` (case-insensitive; LIKE wildcards are taken literally),
   * ordered by name, with their aliases.
   */
  async listModels(
    m: EntityManager,
    search: string | undefined,
    page: PageRequest,
    extra: { exactName?: string; namePattern?: string; tags?: Array<{ key: string; value: string; op?: '=' | '!=' }> } = {},
  ): Promise<RegisteredModel[]> {
    const qb = m.getRepository(RegisteredModelEntity).createQueryBuilder('m').orderBy('m.name', 'ASC').offset(page.offset).limit(page.limit);
    if (search) qb.andWhere(`m.name ILIKE :pattern ESCAPE '\\'`, { pattern: `%${likeEscape(search)}%` });
    if (extra.exactName !== undefined) qb.andWhere('m.name = :exact', { exact: extra.exactName });
    if (extra.namePattern !== undefined) qb.andWhere('m.name ILIKE :np', { np: extra.namePattern });
    (extra.tags ?? []).forEach((t, i) => qb.andWhere(`m.tags ->> :tk${i} ${t.op === '!=' ? 'IS DISTINCT FROM' : '='} :tv${i}`, { [`tk${i}`]: t.key, [`tv${i}`]: t.value }));
    const rows = await qb.getMany();
    const aliasRows = rows.length
      ? await m.getRepository(ModelAliasEntity).createQueryBuilder('a').where('a.name IN (:...names)', { names: rows.map((r) => r.name) }).getMany()
      : [];
    return rows.map((r) =>
      toRegisteredModel(r, Object.fromEntries(aliasRows.filter((a) => a.name === r.name).map((a) => [a.alias, a.version]))),
    );
  }

  /** Alias → version of one model. */
  async aliasesOfModel(m: EntityManager, name: string): Promise<Record<string, number>> {
    const rows = await m.getRepository(ModelAliasEntity).find({ where: { name }, order: { alias: 'ASC' } });
    return Object.fromEntries(rows.map((r) => [r.alias, r.version]));
  }

  /** Inserts a version row and returns it (with no aliases yet). */
  async insertVersion(m: EntityManager, v: NewModelVersion): Promise<ModelVersion> {
    const row = m.getRepository(ModelVersionEntity).create({
      ...v,
      status: v.status ?? 'READY',
      servable: v.servable ?? true,
      notServableReason: v.notServableReason ?? null,
      source: v.source ?? null,
      sourceRunId: v.sourceRunId ?? null,
      currentStage: v.currentStage ?? 'None',
      updatedAt: null,
    });
    await m.getRepository(ModelVersionEntity).insert(row as QueryDeepPartialEntity<ModelVersionEntity>);
    return toModelVersion(row);
  }

  /** The NATIVE registration of `runId` for model `name` (MLflow-API versions excluded), or null. */
  async findVersionByRun(m: EntityManager, name: string, runId: string): Promise<ModelVersion | null> {
    const row = await m.getRepository(ModelVersionEntity).findOneBy({ name, runId, source: IsNull() });
    return row ? toModelVersion(row, await this.aliasesPointingAt(m, name, row.version)) : null;
  }

  /** One version with its aliases, or null. */
  async getVersion(m: EntityManager, name: string, version: number): Promise<ModelVersion | null> {
    const row = await m.getRepository(ModelVersionEntity).findOneBy({ name, version });
    return row ? toModelVersion(row, await this.aliasesPointingAt(m, name, version)) : null;
  }

  /** Versions of a model, newest first, with their aliases. */
  async listVersions(m: EntityManager, name: string, page: PageRequest): Promise<ModelVersion[]> {
    const rows = await m.getRepository(ModelVersionEntity).find({ where: { name }, order: { version: 'DESC' }, skip: page.offset, take: page.limit });
    const aliases = await m.getRepository(ModelAliasEntity).find({ where: { name } });
    return rows.map((r) => toModelVersion(r, aliases.filter((a) => a.version === r.version).map((a) => a.alias)));
  }

  /**
   * The newest version of each MLflow stage of each model in `names` (MLflow `latest_versions`), with
   * the fields MLflow's JSON carries: grouped by model, by stage within a model; models by name within
   * each run of {@link LATEST_PER_STAGE_NAMES_PER_QUERY} names ({@link latestPerStageSql}: index
   * probes per (model, stage)). Duplicate names count once.
   */
  async latestPerStage(m: EntityManager, names: string[]): Promise<ModelVersionSummary[]> {
    const unique = [...new Set(names)];
    const out: ModelVersionSummary[] = [];
    for (let i = 0; i < unique.length; i += LATEST_PER_STAGE_NAMES_PER_QUERY) {
      const rows = (await m.query(latestPerStageSql(m), [unique.slice(i, i + LATEST_PER_STAGE_NAMES_PER_QUERY)])) as ModelVersionSummaryRow[];
      for (const r of rows) out.push(toModelVersionSummary(r));
    }
    return out;
  }

  /** Deletes a version row. @returns whether a row was deleted. */
  async deleteVersion(m: EntityManager, name: string, version: number): Promise<boolean> {
    const res = await m.getRepository(ModelVersionEntity).delete({ name, version });
    return (res.affected ?? 0) > 0;
  }

  /** Aliases of `name` pointing at `version`, sorted. */
  async aliasesPointingAt(m: EntityManager, name: string, version: number): Promise<string[]> {
    const rows = await m.getRepository(ModelAliasEntity).find({ where: { name, version }, order: { alias: 'ASC' } });
    return rows.map((r) => r.alias);
  }

  /** One alias, or null. */
  async getAlias(m: EntityManager, name: string, alias: string): Promise<ModelAlias | null> {
    const row = await m.getRepository(ModelAliasEntity).findOneBy({ name, alias });
    return row ? toModelAlias(row) : null;
  }

  /** Creates or moves an alias. */
  async upsertAlias(m: EntityManager, a: { name: string; alias: string; version: number; updatedBy: string; updatedAt: Date }): Promise<ModelAlias> {
    await m.getRepository(ModelAliasEntity).upsert(a, ['name', 'alias']);
    return toModelAlias(m.getRepository(ModelAliasEntity).create(a));
  }

  /** Removes an alias. @returns whether it existed. */
  async deleteAlias(m: EntityManager, name: string, alias: string): Promise<boolean> {
    const res = await m.getRepository(ModelAliasEntity).delete({ name, alias });
    return (res.affected ?? 0) > 0;
  }

  /** Appends one alias change to `model_alias_history`. */
  async appendAliasChange(m: EntityManager, c: Omit<AliasChange, 'id' | 'changedAt'> & { changedAt: Date }): Promise<AliasChange> {
    const repo = m.getRepository(ModelAliasHistoryEntity);
    const saved = await repo.save(repo.create(c));
    return toAliasChange(saved);
  }

  /** Changes of one alias, newest first. */
  async aliasHistory(m: EntityManager, name: string, alias: string): Promise<AliasChange[]> {
    const rows = await m.getRepository(ModelAliasHistoryEntity).find({ where: { name, alias }, order: { id: 'DESC' } });
    return rows.map(toAliasChange);
  }

  /** Updates the description and/or tags (replaced as a whole) of a model. */
  async updateModel(m: EntityManager, name: string, p: { description?: string | null; tags?: Record<string, string> }, now: Date): Promise<void> {
    await m.getRepository(RegisteredModelEntity).update({ name }, { ...(p.description !== undefined ? { description: p.description } : {}), ...(p.tags ? { tags: p.tags } : {}), updatedAt: now });
  }

  /** Updates the description and/or tags (replaced as a whole) of a version (both mutable; the rest is immutable). */
  async updateVersion(m: EntityManager, name: string, version: number, p: { description?: string | null; tags?: Record<string, string> }, now = new Date()): Promise<void> {
    const patch = { ...(p.description !== undefined ? { description: p.description } : {}), ...(p.tags ? { tags: p.tags } : {}) };
    if (Object.keys(patch).length) await m.getRepository(ModelVersionEntity).update({ name, version }, { ...patch, updatedAt: now });
  }

  /** Deletes a model row with its (unaliased) versions and alias history. Callers check aliases first. */
  async deleteModel(m: EntityManager, name: string): Promise<void> {
    await m.getRepository(ModelAliasHistoryEntity).delete({ name });
    await m.getRepository(ModelVersionEntity).delete({ name });
    await m.getRepository(RegisteredModelEntity).delete({ name });
  }

  /**
   * Versions across models matching every condition of `q` (MLflow `model-versions/search`), with the
   * fields MLflow's JSON carries and their aliases (a second query): `runId` matches MLflow's run id (the
   * one given to `model-versions/create`, else the training run), `source` MLflow's source (given,
   * else the artifact URI). Default order (MLflow's): last update DESC, name ASC, version DESC.
   */
  async searchVersions(m: EntityManager, q: RegistrySearch & { limit: number; offset: number }): Promise<ModelVersionSummary[]> {
    const qb = m.getRepository(ModelVersionEntity).createQueryBuilder('v').select([]);
    for (const [expression, alias] of summaryColumns()) qb.addSelect(expression, alias);
    applySearch(qb, 'v', q, { runId: 'COALESCE(v.source_run_id, v.run_id)', source: 'COALESCE(v.source, v.artifact_uri)' });
    const order: RegistryOrder[] = [...(q.orderBy ?? [])];
    if (!order.length) order.push({ field: 'last_updated_timestamp', desc: true });
    for (const o of [{ field: 'name', desc: false }, { field: 'version', desc: true }] as RegistryOrder[]) if (!order.some((x) => x.field === o.field)) order.push(o);
    applyOrder(qb, order, { name: 'v.name COLLATE "C"', version: 'v.version', creation_timestamp: 'v.created_at', last_updated_timestamp: 'COALESCE(v.updated_at, v.created_at)' });
    const rows = await qb.offset(q.offset).limit(q.limit).getRawMany<ModelVersionSummaryRow>();
    const aliases = await aliasesOfVersions(m, [...new Set(rows.map((r) => r.name))]);
    return rows.map((r) => toModelVersionSummary(r, aliases.get(versionKey(r.name, Number(r.version)))));
  }

  /** Models matching every condition of `q` (MLflow `registered-models/search`), by `q.orderBy` (default name ASC). */
  async searchModels(m: EntityManager, q: RegistrySearch & { limit: number; offset: number }): Promise<RegisteredModel[]> {
    const qb = m.getRepository(RegisteredModelEntity).createQueryBuilder('m');
    applySearch(qb, 'm', q, {});
    const order: RegistryOrder[] = [...(q.orderBy ?? [])];
    if (!order.some((o) => o.field === 'name')) order.push({ field: 'name', desc: false });
    applyOrder(qb, order, { name: 'm.name COLLATE "C"', version: 'm.latest_version', creation_timestamp: 'm.created_at', last_updated_timestamp: 'm.updated_at' });
    const rows = await qb.offset(q.offset).limit(q.limit).getMany();
    const aliasRows = rows.length
      ? await m.getRepository(ModelAliasEntity).createQueryBuilder('a').where('a.name IN (:...names)', { names: rows.map((r) => r.name) }).getMany()
      : [];
    return rows.map((r) => toRegisteredModel(r, Object.fromEntries(aliasRows.filter((a) => a.name === r.name).map((a) => [a.alias, a.version]))));
  }

  /**
   * Renames a model (MLflow `registered-models/rename`): the foreign keys cascade the new name to
   * versions, aliases, rollouts and the policy; alias history and promotion decisions follow here.
   * The audit log keeps the old name in its past entries.
   */
  async renameModel(m: EntityManager, from: string, to: string, now: Date): Promise<void> {
    await m.getRepository(RegisteredModelEntity).update({ name: from }, { name: to, updatedAt: now });
    await m.getRepository(ModelAliasHistoryEntity).update({ name: from }, { name: to });
    await m.query(`UPDATE ${qualified(m, 'promotion_decision')} SET "name" = $1 WHERE "name" = $2`, [to, from]);
  }

  /** Marks the model changed now (MLflow `last_updated_timestamp`: version created, deleted or staged). */
  async touchModel(m: EntityManager, name: string, now: Date): Promise<void> {
    await m.getRepository(RegisteredModelEntity).update({ name }, { updatedAt: now });
  }

  /** Sets MLflow's deprecated stage of a version (see the MLflow API's transition-stage). */
  async setVersionStage(m: EntityManager, name: string, version: number, stage: string, now: Date): Promise<void> {
    await m.getRepository(ModelVersionEntity).update({ name, version }, { currentStage: stage, updatedAt: now });
  }

  /** Appends one entry to the append-only `audit_log`. */
  async appendAudit(m: EntityManager, e: AuditEntry): Promise<void> {
    await m.getRepository(AuditLogEntity).insert(e as QueryDeepPartialEntity<AuditLogEntity>);
  }

  /** Audit entries whose resource is `resource` or starts with `resource` + `@`/`#`, oldest first. */
  async auditOf(m: EntityManager, resource: string): Promise<AuditRecord[]> {
    const rows = await m
      .getRepository(AuditLogEntity)
      .createQueryBuilder('a')
      .where(`a.resource = :r OR a.resource LIKE :p1 ESCAPE '\\' OR a.resource LIKE :p2 ESCAPE '\\'`, {
        r: resource,
        p1: `${likeEscape(resource)}@%`,
        p2: `${likeEscape(resource)}#%`,
      })
      .orderBy('a.id', 'ASC')
      .getMany();
    return rows.map(toAuditRecord);
  }
}
