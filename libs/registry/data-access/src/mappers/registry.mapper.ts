import type { AuditLogEntity } from '../entities/audit-log.entity';
import type { ModelAliasHistoryEntity } from '../entities/model-alias-history.entity';
import type { ModelAliasEntity } from '../entities/model-alias.entity';
import type { ModelVersionEntity } from '../entities/model-version.entity';
import type { RegisteredModelEntity } from '../entities/registered-model.entity';
import type { AliasChange, AuditOutcome, AuditRecord, MetricValue, ModelAlias, ModelVersion, ModelVersionStatus, RegisteredModel } from '../registry.types';

/** Row → {@link ModelVersion}; `aliases` are the aliases pointing at it. */
export function toModelVersion(row: ModelVersionEntity, aliases: string[] = []): ModelVersion {
  return {
    name: row.name,
    version: row.version,
    runId: row.runId,
    workflowId: row.workflowId,
    artifactUri: row.artifactUri,
    artifactSha256: row.artifactSha256,
    servable: row.servable,
    notServableReason: row.notServableReason,
    source: row.source,
    sourceRunId: row.sourceRunId,
    currentStage: row.currentStage,
    signature: row.signature,
    metrics: row.metrics as Record<string, MetricValue>,
    params: row.params,
    lineage: row.lineage,
    referenceProfileUri: row.referenceProfileUri,
    referenceProfileSha256: row.referenceProfileSha256,
    status: row.status as ModelVersionStatus,
    description: row.description,
    tags: row.tags,
    aliases: [...aliases].sort(),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: (row.updatedAt ?? row.createdAt).toISOString(),
  };
}

/** Row → {@link RegisteredModel}. */
export function toRegisteredModel(row: RegisteredModelEntity, aliases: Record<string, number> = {}): RegisteredModel {
  return {
    name: row.name,
    description: row.description,
    tags: row.tags,
    latestVersion: row.latestVersion,
    aliases,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Row → {@link ModelAlias}. */
export function toModelAlias(row: ModelAliasEntity): ModelAlias {
  return { name: row.name, alias: row.alias, version: row.version, updatedBy: row.updatedBy, updatedAt: row.updatedAt.toISOString() };
}

/** Row → {@link AliasChange}. */
export function toAliasChange(row: ModelAliasHistoryEntity): AliasChange {
  return {
    id: Number(row.id),
    name: row.name,
    alias: row.alias,
    fromVersion: row.fromVersion,
    toVersion: row.toVersion,
    actor: row.actor,
    reason: row.reason,
    changedAt: row.changedAt.toISOString(),
  };
}

/** Row → {@link AuditRecord}. */
export function toAuditRecord(row: AuditLogEntity): AuditRecord {
  return {
    id: Number(row.id),
    actor: row.actor,
    action: row.action,
    resource: row.resource,
    before: row.before,
    after: row.after,
    requestId: row.requestId,
    outcome: row.outcome as AuditOutcome,
    at: row.at.toISOString(),
  };
}
