import type { EntityManager } from 'typeorm';
import type { ModelVersionStatus, ModelVersionSummary } from './registry.types';
import { qualified as table } from './tracking.store';

/** A row of {@link summaryColumns}: snake_case columns as node-postgres returns them. */
export interface ModelVersionSummaryRow {
  name: string;
  version: number;
  run_id: string;
  artifact_uri: string;
  servable: boolean;
  not_servable_reason: string | null;
  source: string | null;
  source_run_id: string | null;
  current_stage: string;
  status: string;
  description: string | null;
  tags: Record<string, string>;
  aliases: string[];
  created_by: string;
  created_at: Date;
  updated_at: Date | null;
}

/**
 * SELECT list of a {@link ModelVersionSummaryRow} from `model_version` aliased `v`: the narrow
 * columns plus `aliases`, the aliases pointing at the version (one `model_alias` index lookup per row,
 * instead of a second query and a join in JavaScript).
 */
export function summaryColumns(m: EntityManager): Array<[expression: string, alias: keyof ModelVersionSummaryRow]> {
  return [
    ...(['name', 'version', 'run_id', 'artifact_uri', 'servable', 'not_servable_reason', 'source', 'source_run_id', 'current_stage', 'status', 'description', 'tags', 'created_by', 'created_at', 'updated_at'] as const).map(
      (c): [string, keyof ModelVersionSummaryRow] => [`v.${c}`, c],
    ),
    [`ARRAY(SELECT a.alias FROM ${table(m, 'model_alias')} a WHERE a.name = v.name AND a.version = v.version ORDER BY a.alias)`, 'aliases'],
  ];
}

/** {@link ModelVersionSummaryRow} → {@link ModelVersionSummary} (aliases sorted, timestamps ISO-8601; `updatedAt` = `createdAt` when never changed). */
export function toModelVersionSummary(r: ModelVersionSummaryRow): ModelVersionSummary {
  return {
    name: r.name,
    version: Number(r.version),
    runId: r.run_id,
    artifactUri: r.artifact_uri,
    servable: r.servable,
    notServableReason: r.not_servable_reason,
    source: r.source,
    sourceRunId: r.source_run_id,
    currentStage: r.current_stage,
    status: r.status as ModelVersionStatus,
    description: r.description,
    tags: r.tags,
    aliases: [...r.aliases].sort(),
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: (r.updated_at ?? r.created_at).toISOString(),
  };
}

/**
 * SQL (one parameter: `$1` text[] of model names) of the newest version of each stage of each model,
 * ordered by name then stage (MLflow `latest_versions`), as {@link ModelVersionSummaryRow}s. With the
 * index `model_version (name, current_stage, version DESC)` this is a skip scan: per model, one
 * index-only probe per distinct stage (`min(current_stage) … > previous`) and one index lookup of the
 * newest version of each, whatever the number of versions. Same rows and order as
 * `SELECT DISTINCT ON (name, current_stage) … ORDER BY name, current_stage, version DESC`.
 */
export function latestPerStageSql(m: EntityManager): string {
  const mv = table(m, 'model_version');
  const select = summaryColumns(m)
    .map(([expression, alias]) => `${expression} AS "${alias}"`)
    .join(', ');
  return `
    WITH RECURSIVE stage AS (
      SELECT n.name, (SELECT min(x.current_stage) FROM ${mv} x WHERE x.name = n.name) AS stage
      FROM (SELECT DISTINCT unnest($1::text[]) AS name) n
      UNION ALL
      SELECT s.name, (SELECT min(x.current_stage) FROM ${mv} x WHERE x.name = s.name AND x.current_stage > s.stage)
      FROM stage s WHERE s.stage IS NOT NULL
    )
    SELECT ${select}
    FROM stage s
    CROSS JOIN LATERAL (SELECT * FROM ${mv} y WHERE y.name = s.name AND y.current_stage = s.stage ORDER BY y.version DESC LIMIT 1) v
    WHERE s.stage IS NOT NULL
    ORDER BY v.name, v.current_stage`;
}
