import type { EntityManager } from 'typeorm';
import type { ModelVersionStatus, ModelVersionSummary } from './registry.types';
import { qualified as table } from './tracking.store';

/** A row of {@link summaryColumns} (+ `aliases` in {@link latestPerStageSql}): snake_case columns as node-postgres returns them. */
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
  /** Aliases pointing at the version (latestPerStageSql); absent from summaryColumns. */
  aliases?: string[];
  created_by: string;
  created_at: Date;
  updated_at: Date | null;
}

/**
 * SELECT list of a {@link ModelVersionSummaryRow} from `model_version` aliased `v`: the narrow columns
 * (no signature, metrics, params, lineage), without `aliases`.
 */
export function summaryColumns(): Array<[expression: string, alias: Exclude<keyof ModelVersionSummaryRow, 'aliases'>]> {
  return (['name', 'version', 'run_id', 'artifact_uri', 'servable', 'not_servable_reason', 'source', 'source_run_id', 'current_stage', 'status', 'description', 'tags', 'created_by', 'created_at', 'updated_at'] as const).map(
    (c): [string, Exclude<keyof ModelVersionSummaryRow, 'aliases'>] => [`v.${c}`, c],
  );
}

/** `aliases` of each version (`name`, `version`) of the models `names`, sorted: one `model_alias` query, keyed by {@link versionKey}. */
export async function aliasesOfVersions(m: EntityManager, names: string[]): Promise<Map<string, string[]>> {
  const byVersion = new Map<string, string[]>();
  if (!names.length) return byVersion;
  const rows = (await m.query(`SELECT name, version, alias FROM ${table(m, 'model_alias')} WHERE name = ANY($1::text[]) ORDER BY alias`, [names])) as Array<{ name: string; version: number; alias: string }>;
  for (const r of rows) {
    const key = versionKey(r.name, r.version);
    const list = byVersion.get(key);
    if (list) list.push(r.alias);
    else byVersion.set(key, [r.alias]);
  }
  return byVersion;
}

/** Map key of one version. */
export function versionKey(name: string, version: number): string {
  return `${version}\u0000${name}`;
}

/**
 * {@link ModelVersionSummaryRow} → {@link ModelVersionSummary}: `aliases` from the row, else the given
 * ones, sorted; timestamps ISO-8601 (`updatedAt` = `createdAt` when never changed).
 */
export function toModelVersionSummary(r: ModelVersionSummaryRow, aliases: string[] = []): ModelVersionSummary {
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
    aliases: [...(r.aliases ?? aliases)].sort(),
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: (r.updated_at ?? r.created_at).toISOString(),
  };
}

/**
 * Most model names per {@link latestPerStageSql} query. The planner multiplies the recursion's row
 * estimate by 10 at each level, so the estimated cost grows ~530 per name (measured: 100 names 53k,
 * 300 names 159k, 1,000 names 532k); above `jit_above_cost` (100,000) PostgreSQL JIT-compiles the
 * plan: 60 ms for 300 names and 1.1 s for 1,000 (with inlining and optimisation) instead of ~2 ms.
 * Pages of up to 1,000 models are therefore answered 100 names per query.
 */
export const LATEST_PER_STAGE_NAMES_PER_QUERY = 100;

/**
 * SQL (one parameter: `$1` text[] of model names, at most {@link LATEST_PER_STAGE_NAMES_PER_QUERY})
 * of the newest version of each stage of each model, ordered by name then stage (MLflow
 * `latest_versions`), as {@link ModelVersionSummaryRow}s. Same rows and order as `SELECT DISTINCT ON
 * (name, current_stage) … WHERE name IN (…) ORDER BY name, current_stage, version DESC`, which
 * scanned and sorted every version's full row.
 *
 * A skip scan on the index `model_version (name, current_stage, version DESC)`: per model, the first
 * index entry is the newest version of its first stage; each recursion step takes the first entry
 * with a greater stage (the newest version of the next stage). One index probe per (model, stage),
 * whatever the number of versions; the answer rows come out of the recursion directly and the aliases
 * are hash-joined once (anything done per recursion row, such as a join back or a per-row alias
 * subquery, priced 100 names above `jit_above_cost`: ~20 ms of JIT compilation per query, measured).
 */
export function latestPerStageSql(m: EntityManager): string {
  const mv = table(m, 'model_version');
  const columns = summaryColumns();
  const select = columns.map(([expression, alias]) => `${expression} AS "${alias}"`).join(', ');
  const next = (where: string): string => `(SELECT * FROM ${mv} y WHERE ${where} ORDER BY y.current_stage, y.version DESC LIMIT 1) v`;
  return `
    WITH RECURSIVE latest AS (
      SELECT ${select} FROM (SELECT DISTINCT unnest($1::text[]) AS name) n CROSS JOIN LATERAL ${next('y.name = n.name')}
      UNION ALL
      SELECT ${select} FROM latest l CROSS JOIN LATERAL ${next('y.name = l.name AND y.current_stage > l.current_stage')}
    )
    SELECT ${columns.map(([, alias]) => `l."${alias}"`).join(', ')}, COALESCE(a.aliases, '{}') AS "aliases"
    FROM latest l
    LEFT JOIN (
      SELECT a.name, a.version, array_agg(a.alias ORDER BY a.alias) AS aliases FROM ${table(m, 'model_alias')} a WHERE a.name = ANY($1::text[]) GROUP BY a.name, a.version
    ) a ON a.name = l.name AND a.version = l.version
    ORDER BY l.name, l.current_stage`;
}
