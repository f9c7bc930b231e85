import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { MetricValue } from './registry.types';
import type { DatasetInput, Experiment, LifecycleStage, MetricPoint, Run, RunArtifact, RunStatus } from './tracking.types';

/** Schema-qualified table name for the manager's DataSource schema. */
export function qualified(m: EntityManager, table: string): string {
  const s = (m.connection.driver as { schema?: string }).schema ?? 'public';
  return `"${s.replace(/"/g, '""')}"."${table}"`;
}

/**
 * One comparison of a search filter (MLflow search syntax, parsed by the feature lib):
 * `metrics.k > 0.5`, `params.k = 'v'`, `tags.k != 'v'`, `attributes.status = 'FINISHED'`.
 */
export interface FilterClause {
  kind: 'metric' | 'param' | 'tag' | 'attribute';
  key: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';
  /** number for metrics and numeric attributes, string or string[] (IN) otherwise. */
  value: number | string | string[];
}

/** An ORDER BY term of a search. */
export interface OrderClause {
  kind: 'metric' | 'param' | 'tag' | 'attribute';
  key: string;
  desc: boolean;
}

/** Run attributes a filter/order may name, and their column. */
export const RUN_ATTRIBUTE_COLUMNS: Record<string, { column: string; numeric: boolean }> = {
  status: { column: 'status', numeric: false },
  run_name: { column: 'run_name', numeric: false },
  run_id: { column: 'run_id', numeric: false },
  user_id: { column: 'user_id', numeric: false },
  start_time: { column: 'start_time', numeric: true },
  end_time: { column: 'end_time', numeric: true },
  artifact_uri: { column: 'artifact_uri', numeric: false },
};

/** Converts a stored double (pg returns NaN/±Infinity as such) to a {@link MetricValue}. */
export function toMetricValue(v: number | string): MetricValue {
  const n = typeof v === 'string' ? Number(v) : v;
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return n;
}

/** A {@link MetricValue} as a JS number (for the double precision column). */
export function metricNumber(v: MetricValue): number {
  return typeof v === 'number' ? v : v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : -Infinity;
}

type Row = Record<string, unknown>;
const num = (v: unknown): number => Number(v);

function toExperiment(r: Row): Experiment {
  return {
    experimentId: String(r['experiment_id']),
    name: String(r['name']),
    artifactLocation: String(r['artifact_location']),
    lifecycleStage: r['lifecycle_stage'] as LifecycleStage,
    tags: (r['tags'] as Record<string, string>) ?? {},
    createdBy: String(r['created_by']),
    creationTime: num(r['creation_time']),
    lastUpdateTime: num(r['last_update_time']),
  };
}

function toRun(r: Row): Run {
  return {
    runId: String(r['run_id']),
    experimentId: String(r['experiment_id']),
    runName: String(r['run_name']),
    userId: String(r['user_id']),
    status: r['status'] as RunStatus,
    startTime: num(r['start_time']),
    endTime: r['end_time'] === null ? null : num(r['end_time']),
    lifecycleStage: r['lifecycle_stage'] as LifecycleStage,
    artifactUri: String(r['artifact_uri']),
    params: (r['params'] as Record<string, string>) ?? {},
    tags: (r['tags'] as Record<string, string>) ?? {},
    latestMetrics: (r['latest_metrics'] as Record<string, MetricPoint>) ?? {},
    artifacts: (r['artifacts'] as RunArtifact[]) ?? [],
    datasetInputs: (r['inputs'] as DatasetInput[] | undefined) ?? [],
  };
}

/** Builds `WHERE` SQL for run filter clauses; pushes bound values onto `params`. */
export function runFilterSql(clauses: FilterClause[], params: unknown[]): string[] {
  const out: string[] = [];
  const bind = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  for (const c of clauses) {
    const op = c.op;
    if (c.kind === 'metric') {
      out.push(`(r.latest_metrics -> ${bind(c.key)} ->> 'value')::double precision ${op} ${bind(c.value)}::double precision`);
    } else if (c.kind === 'param' || c.kind === 'tag') {
      const col = c.kind === 'param' ? 'params' : 'tags';
      const lhs = `(r.${col} ->> ${bind(c.key)})`;
      if (op === 'IN' || op === 'NOT IN') out.push(`${op === 'IN' ? '' : 'NOT '}(${lhs} = ANY(${bind(c.value)}::text[]))`);
      else out.push(`${lhs} ${op} ${bind(c.value)}`);
    } else {
      const a = RUN_ATTRIBUTE_COLUMNS[c.key];
      if (!a) throw new Error(`unknown run attribute ${c.key}`);
      if (op === 'IN' || op === 'NOT IN') out.push(`${op === 'IN' ? '' : 'NOT '}(r.${a.column} = ANY(${bind(c.value)}::text[]))`);
      else out.push(`r.${a.column} ${op} ${bind(c.value)}${a.numeric ? '::bigint' : ''}`);
    }
  }
  return out;
}

/**
 * PostgreSQL access of experiment tracking (raw SQL on the service schema). Every method takes
 * the caller's EntityManager so a service composes them in one transaction.
 */
@Injectable()
export class TrackingStore {
  /** Inserts an experiment. @returns it, or null when the name is taken (unique violation). */
  async insertExperiment(
    m: EntityManager,
    e: { name: string; artifactLocation: string | null; tags: Record<string, string>; createdBy: string; now: number },
  ): Promise<Experiment | null> {
    const t = qualified(m, 'experiment');
    const rows: Row[] = await m.query(
      `INSERT INTO ${t} (name, artifact_location, tags, created_by, creation_time, last_update_time)
       VALUES ($1, '', $2, $3, $4, $4) ON CONFLICT (name) DO NOTHING RETURNING *`,
      [e.name, JSON.stringify(e.tags), e.createdBy, e.now],
    );
    const row = rows[0];
    if (!row) return null;
    if (e.artifactLocation !== null) {
      await m.query(`UPDATE ${t} SET artifact_location = $2 WHERE experiment_id = $1`, [row['experiment_id'], e.artifactLocation]);
      row['artifact_location'] = e.artifactLocation;
    }
    return toExperiment(row);
  }

  /** Sets the artifact location of an experiment. */
  async setExperimentArtifactLocation(m: EntityManager, id: string, location: string): Promise<void> {
    await m.query(`UPDATE ${qualified(m, 'experiment')} SET artifact_location = $2 WHERE experiment_id = $1`, [id, location]);
  }

  /** One experiment by id, or null. */
  async getExperiment(m: EntityManager, id: string): Promise<Experiment | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const rows: Row[] = await m.query(`SELECT * FROM ${qualified(m, 'experiment')} WHERE experiment_id = $1`, [id]);
    return rows[0] ? toExperiment(rows[0]) : null;
  }

  /** One experiment by name, or null. */
  async getExperimentByName(m: EntityManager, name: string): Promise<Experiment | null> {
    const rows: Row[] = await m.query(`SELECT * FROM ${qualified(m, 'experiment')} WHERE name = $1`, [name]);
    return rows[0] ? toExperiment(rows[0]) : null;
  }

  /**
   * Experiments by lifecycle (`active`, `deleted`, or both when null), optionally filtered by
   * name (`=`/`LIKE`/`ILIKE` pattern) and a tag equality, ordered by id (or name / creation time).
   */
  async searchExperiments(
    m: EntityManager,
    q: { stage: LifecycleStage | null; name?: { op: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string }; tags?: Array<{ key: string; value: string; op: '=' | '!=' | 'LIKE' | 'ILIKE' }>; orderBy: 'id' | 'name' | 'creation_time' | 'last_update_time'; desc: boolean; limit: number; offset: number },
  ): Promise<Experiment[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (q.stage) where.push(`lifecycle_stage = $${params.push(q.stage)}`);
    if (q.name) where.push(`name ${q.name.op} $${params.push(q.name.value)}`);
    for (const tag of q.tags ?? []) where.push(`(tags ->> $${params.push(tag.key)}) ${tag.op} $${params.push(tag.value)}`);
    // Names sort by code point (COLLATE "C"), as MLflow's stores do: 'Abc' < 'Default' < 'a'.
    const col = q.orderBy === 'id' ? 'experiment_id' : q.orderBy === 'name' ? 'name COLLATE "C"' : q.orderBy;
    const rows: Row[] = await m.query(
      `SELECT * FROM ${qualified(m, 'experiment')} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${col} ${q.desc ? 'DESC' : 'ASC'}, experiment_id ASC LIMIT ${q.limit} OFFSET ${q.offset}`,
      params,
    );
    return rows.map(toExperiment);
  }

  /** Renames an experiment. @returns false when the name is taken. */
  async renameExperiment(m: EntityManager, id: string, name: string, now: number): Promise<boolean> {
    const rows: Row[] = await m.query(
      `UPDATE ${qualified(m, 'experiment')} SET name = $2, last_update_time = $3 WHERE experiment_id = $1
       AND NOT EXISTS (SELECT 1 FROM ${qualified(m, 'experiment')} WHERE name = $2 AND experiment_id <> $1) RETURNING experiment_id`,
      [id, name, now],
    );
    return rows.length > 0;
  }

  /**
   * Sets the lifecycle stage of an experiment (and of its runs when deleting/restoring). Its
   * `last_update_time` is kept, as MLflow 2.17 does (its own search tests list a just-deleted
   * experiment in its previous place of the newest-update-first order).
   */
  async setExperimentStage(m: EntityManager, id: string, stage: LifecycleStage): Promise<void> {
    await m.query(`UPDATE ${qualified(m, 'experiment')} SET lifecycle_stage = $2 WHERE experiment_id = $1`, [id, stage]);
    await m.query(`UPDATE ${qualified(m, 'run')} SET lifecycle_stage = $2 WHERE experiment_id = $1`, [id, stage]);
  }

  /** Sets one tag of an experiment. */
  async setExperimentTag(m: EntityManager, id: string, key: string, value: string, now: number): Promise<void> {
    await m.query(`UPDATE ${qualified(m, 'experiment')} SET tags = tags || jsonb_build_object($2::text, $3::text), last_update_time = $4 WHERE experiment_id = $1`, [
      id,
      key,
      value,
      now,
    ]);
  }

  /** Inserts a run. */
  async insertRun(m: EntityManager, r: Omit<Run, 'latestMetrics' | 'artifacts' | 'lifecycleStage' | 'endTime' | 'datasetInputs'> & { endTime?: number | null }): Promise<Run> {
    const rows: Row[] = await m.query(
      `INSERT INTO ${qualified(m, 'run')} (run_id, experiment_id, run_name, user_id, status, start_time, end_time, artifact_uri, params, tags)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
      [r.runId, r.experimentId, r.runName, r.userId, r.status, r.startTime, r.endTime ?? null, r.artifactUri, JSON.stringify(r.params), JSON.stringify(r.tags)],
    );
    return toRun(rows[0] as Row);
  }

  /** One run, or null; `lock` takes `FOR UPDATE` (serialises writers of that run). */
  async getRun(m: EntityManager, runId: string, lock = false): Promise<Run | null> {
    const rows: Row[] = await m.query(`SELECT * FROM ${qualified(m, 'run')} WHERE run_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [runId]);
    return rows[0] ? toRun(rows[0]) : null;
  }

  /** Sets the dataset inputs of a run (MLflow `runs/log-inputs`; the caller merges). */
  async setRunInputs(m: EntityManager, runId: string, inputs: DatasetInput[]): Promise<void> {
    await m.query(`UPDATE ${qualified(m, 'run')} SET inputs = $2::jsonb WHERE run_id = $1`, [runId, JSON.stringify(inputs)]);
  }

  /** Updates the mutable attributes of a run. */
  async updateRun(
    m: EntityManager,
    runId: string,
    p: { status?: RunStatus; endTime?: number | null; runName?: string; lifecycleStage?: LifecycleStage; params?: Record<string, string>; tags?: Record<string, string>; latestMetrics?: Record<string, MetricPoint>; artifacts?: RunArtifact[] },
  ): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [runId];
    const add = (col: string, v: unknown, json = false): void => {
      params.push(json ? JSON.stringify(v) : v);
      sets.push(`${col} = $${params.length}`);
    };
    if (p.status !== undefined) add('status', p.status);
    if (p.endTime !== undefined) add('end_time', p.endTime);
    if (p.runName !== undefined) add('run_name', p.runName);
    if (p.lifecycleStage !== undefined) add('lifecycle_stage', p.lifecycleStage);
    if (p.params !== undefined) add('params', p.params, true);
    if (p.tags !== undefined) add('tags', p.tags, true);
    if (p.latestMetrics !== undefined) add('latest_metrics', p.latestMetrics, true);
    if (p.artifacts !== undefined) add('artifacts', p.artifacts, true);
    if (sets.length === 0) return;
    await m.query(`UPDATE ${qualified(m, 'run')} SET ${sets.join(', ')} WHERE run_id = $1`, params);
  }

  /** Appends text to a run's log. */
  async appendLog(m: EntityManager, runId: string, text: string): Promise<void> {
    await m.query(`UPDATE ${qualified(m, 'run')} SET log = log || $2 WHERE run_id = $1`, [runId, text]);
  }

  /** The run's log text, or null when the run does not exist. */
  async getLog(m: EntityManager, runId: string): Promise<string | null> {
    const rows: Array<{ log: string }> = await m.query(`SELECT log FROM ${qualified(m, 'run')} WHERE run_id = $1`, [runId]);
    return rows[0] ? rows[0].log : null;
  }

  /** Appends metric points. */
  async insertMetricPoints(m: EntityManager, runId: string, points: MetricPoint[]): Promise<void> {
    if (points.length === 0) return;
    const params: unknown[] = [runId];
    const values = points.map((p) => {
      params.push(p.key, metricNumber(p.value), p.timestamp, p.step);
      const n = params.length;
      return `($1, $${n - 3}, $${n - 2}::double precision, $${n - 1}, $${n})`;
    });
    await m.query(`INSERT INTO ${qualified(m, 'run_metric')} (run_id, key, value, timestamp, step) VALUES ${values.join(', ')}`, params);
  }

  /** Every point of one metric of a run, by step, timestamp, insertion order. */
  async metricHistory(m: EntityManager, runId: string, key: string, page: { limit: number; offset: number }): Promise<MetricPoint[]> {
    const rows: Array<{ key: string; value: number; timestamp: string; step: string }> = await m.query(
      `SELECT key, value, timestamp, step FROM ${qualified(m, 'run_metric')} WHERE run_id = $1 AND key = $2
       ORDER BY step, timestamp, seq LIMIT ${page.limit} OFFSET ${page.offset}`,
      [runId, key],
    );
    return rows.map((r) => ({ key: r.key, value: toMetricValue(r.value), timestamp: Number(r.timestamp), step: Number(r.step) }));
  }

  /** Runs of the given experiments matching every clause, ordered (default: start_time DESC, run_id). */
  async searchRuns(
    m: EntityManager,
    q: { experimentIds: string[]; stage: LifecycleStage | null; clauses: FilterClause[]; orderBy: OrderClause[]; limit: number; offset: number },
  ): Promise<Run[]> {
    const params: unknown[] = [q.experimentIds];
    const where = [`r.experiment_id = ANY($1::bigint[])`];
    if (q.stage) where.push(`r.lifecycle_stage = $${params.push(q.stage)}`);
    where.push(...runFilterSql(q.clauses, params));
    const order = q.orderBy.map((o) => {
      const dir = o.desc ? 'DESC NULLS LAST' : 'ASC NULLS LAST';
      if (o.kind === 'metric') return `(r.latest_metrics -> $${params.push(o.key)} ->> 'value')::double precision ${dir}`;
      if (o.kind === 'param') return `(r.params ->> $${params.push(o.key)}) ${dir}`;
      if (o.kind === 'tag') return `(r.tags ->> $${params.push(o.key)}) ${dir}`;
      return `r.${RUN_ATTRIBUTE_COLUMNS[o.key]?.column ?? 'start_time'} ${dir}`;
    });
    order.push('r.start_time DESC', 'r.run_id ASC');
    const rows: Row[] = await m.query(
      `SELECT r.* FROM ${qualified(m, 'run')} r WHERE ${where.join(' AND ')} ORDER BY ${order.join(', ')} LIMIT ${q.limit} OFFSET ${q.offset}`,
      params,
    );
    return rows.map(toRun);
  }
}
