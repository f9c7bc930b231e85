import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { LoggedModel, LoggedModelFilter, LoggedModelStatus } from './logged-model.types';
import { qualified } from './tracking.store';

type Row = Record<string, unknown>;

function toLoggedModel(r: Row): LoggedModel {
  return {
    modelId: String(r['model_id']),
    experimentId: String(r['experiment_id']),
    name: String(r['name']),
    artifactLocation: String(r['artifact_location']),
    status: r['status'] as LoggedModelStatus,
    statusMessage: (r['status_message'] as string | null) ?? null,
    modelType: (r['model_type'] as string | null) ?? null,
    sourceRunId: (r['source_run_id'] as string | null) ?? null,
    createdBy: String(r['created_by']),
    params: (r['params'] as Record<string, string>) ?? {},
    tags: (r['tags'] as Record<string, string>) ?? {},
    lifecycleStage: r['lifecycle_stage'] as 'active' | 'deleted',
    creationTimestampMs: Number(r['creation_timestamp_ms']),
    lastUpdatedTimestampMs: Number(r['last_updated_timestamp_ms']),
  };
}

/** PostgreSQL access of MLflow 3 logged models and run model outputs (raw SQL on the service schema). */
@Injectable()
export class LoggedModelStore {
  async insert(m: EntityManager, lm: Omit<LoggedModel, 'lifecycleStage' | 'lastUpdatedTimestampMs'>): Promise<LoggedModel> {
    const rows: Row[] = await m.query(
      `INSERT INTO ${qualified(m, 'logged_model')} (model_id, experiment_id, name, artifact_location, status, status_message, model_type, source_run_id, created_by, params, tags, creation_timestamp_ms, last_updated_timestamp_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING *`,
      [lm.modelId, lm.experimentId, lm.name, lm.artifactLocation, lm.status, lm.statusMessage, lm.modelType, lm.sourceRunId, lm.createdBy, JSON.stringify(lm.params), JSON.stringify(lm.tags), lm.creationTimestampMs],
    );
    return toLoggedModel(rows[0] as Row);
  }

  /** The model (deleted ones only when `withDeleted`), or null. */
  async get(m: EntityManager, modelId: string, opts: { lock?: boolean; withDeleted?: boolean } = {}): Promise<LoggedModel | null> {
    const rows: Row[] = await m.query(
      `SELECT * FROM ${qualified(m, 'logged_model')} WHERE model_id = $1 ${opts.withDeleted ? '' : `AND lifecycle_stage = 'active'`} ${opts.lock ? 'FOR UPDATE' : ''}`,
      [modelId],
    );
    return rows[0] ? toLoggedModel(rows[0]) : null;
  }

  /** Updates status / params / tags / lifecycle stage, bumping `last_updated_timestamp_ms` to `now`. */
  async update(
    m: EntityManager,
    modelId: string,
    p: { status?: LoggedModelStatus; params?: Record<string, string>; tags?: Record<string, string>; lifecycleStage?: 'active' | 'deleted' },
    now: number,
  ): Promise<void> {
    const sets: string[] = ['last_updated_timestamp_ms = $2'];
    const params: unknown[] = [modelId, now];
    const add = (col: string, v: unknown): void => {
      params.push(v);
      sets.push(`${col} = $${params.length}`);
    };
    if (p.status !== undefined) add('status', p.status);
    if (p.params !== undefined) add('params', JSON.stringify(p.params));
    if (p.tags !== undefined) add('tags', JSON.stringify(p.tags));
    if (p.lifecycleStage !== undefined) add('lifecycle_stage', p.lifecycleStage);
    await m.query(`UPDATE ${qualified(m, 'logged_model')} SET ${sets.join(', ')} WHERE model_id = $1`, params);
  }

  /**
   * Active models of the experiments matching every filter (AND), newest first
   * (creation time desc, then id), `limit` rows from `offset`.
   */
  async search(m: EntityManager, q: { experimentIds: string[]; filters: LoggedModelFilter[]; limit: number; offset: number }): Promise<LoggedModel[]> {
    const params: unknown[] = [q.experimentIds];
    const bind = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = [`experiment_id = ANY($1::bigint[])`, `lifecycle_stage = 'active'`];
    for (const f of q.filters) {
      const lhs = f.column === 'tags' || f.column === 'params' ? `(${f.column} ->> ${bind(f.key ?? '')})` : f.column;
      if (f.op === 'IN' || f.op === 'NOT IN') where.push(`${f.op === 'IN' ? '' : 'NOT '}(${lhs} = ANY(${bind(f.value)}::text[]))`);
      else where.push(`${lhs} ${f.op} ${bind(f.value)}`);
    }
    const rows: Row[] = await m.query(
      `SELECT * FROM ${qualified(m, 'logged_model')} WHERE ${where.join(' AND ')} ORDER BY creation_timestamp_ms DESC, model_id LIMIT ${bind(q.limit)} OFFSET ${bind(q.offset)}`,
      params,
    );
    return rows.map(toLoggedModel);
  }

  /** Records that `runId` produced `modelId` at `step` (idempotent). */
  async addRunOutput(m: EntityManager, runId: string, modelId: string, step: number): Promise<void> {
    await m.query(`INSERT INTO ${qualified(m, 'run_model_output')} (run_id, model_id, step) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [runId, modelId, step]);
  }

  /** Model outputs of a run, by step then model id. */
  async runOutputs(m: EntityManager, runId: string): Promise<Array<{ modelId: string; step: number }>> {
    const rows: Row[] = await m.query(`SELECT model_id, step FROM ${qualified(m, 'run_model_output')} WHERE run_id = $1 ORDER BY step, model_id`, [runId]);
    return rows.map((r) => ({ modelId: String(r['model_id']), step: Number(r['step']) }));
  }
}
