import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditLogEntity } from './entities/audit-log.entity';
import { ModelAliasHistoryEntity } from './entities/model-alias-history.entity';
import { ModelAliasEntity } from './entities/model-alias.entity';
import { ModelVersionEntity } from './entities/model-version.entity';
import { RegisteredModelEntity } from './entities/registered-model.entity';
import { toAliasChange, toAuditRecord, toModelAlias, toModelVersion, toRegisteredModel } from './mappers/registry.mapper';
import type { AliasChange, AuditEntry, AuditRecord, ModelAlias, ModelVersion, NewModelVersion, RegisteredModel } from './registry.types';

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
  async listModels(m: EntityManager, search: string | undefined, page: PageRequest): Promise<RegisteredModel[]> {
    const qb = m.getRepository(RegisteredModelEntity).createQueryBuilder('m').orderBy('m.name', 'ASC').offset(page.offset).limit(page.limit);
    if (search) qb.where(`m.name ILIKE :pattern ESCAPE '\\'`, { pattern: `%${likeEscape(search)}%` });
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
    const row = m.getRepository(ModelVersionEntity).create({ ...v, status: 'READY' });
    await m.getRepository(ModelVersionEntity).insert(row as QueryDeepPartialEntity<ModelVersionEntity>);
    return toModelVersion(row);
  }

  /** The version registered from `runId` for model `name`, or null. */
  async findVersionByRun(m: EntityManager, name: string, runId: string): Promise<ModelVersion | null> {
    const row = await m.getRepository(ModelVersionEntity).findOneBy({ name, runId });
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
