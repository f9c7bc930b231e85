import { Injectable } from '@nestjs/common';
import { LoggedModelStore, type LoggedModel, type LoggedModelFilter, type LoggedModelStatus } from '@strata/registry/data-access';
import { DatabaseService } from '@strata/shared/nest-platform';
import { InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { parseFilter } from '../mlflow/mlflow-filter';
import { TrackingService } from '../tracking.service';

const STATUSES: readonly LoggedModelStatus[] = ['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'];
/** MLflow's `LoggedModelStatus` enum numbers (protobuf JSON may send either form). */
const STATUS_BY_NUMBER: Record<number, LoggedModelStatus> = { 1: 'LOGGED_MODEL_PENDING', 2: 'LOGGED_MODEL_READY', 3: 'LOGGED_MODEL_UPLOAD_FAILED' };
const ATTRIBUTES = new Set(['name', 'model_id', 'source_run_id', 'status', 'model_type']);

/** A status given as MLflow's enum name or number. @throws InvalidArgumentError (400) */
export function parseLoggedModelStatus(v: unknown): LoggedModelStatus {
  const s = typeof v === 'number' ? STATUS_BY_NUMBER[v] : STATUSES.find((x) => x === v);
  if (!s) throw new InvalidArgumentError(`Invalid value ${JSON.stringify(v)} for parameter 'status': use one of ${STATUSES.join(', ')}`);
  return s;
}

/**
 * The logged-model filter grammar supported: `AND`-joined comparisons of `name`, `model_id`,
 * `source_run_id`, `status`, `model_type` (bare or `attributes.`), `tags.<k>`, `params.<k>` with
 * `=`, `!=`, `LIKE`, `ILIKE`, `IN`, `NOT IN` and quoted strings (MLflow's search syntax).
 * @throws InvalidArgumentError (400) naming an unsupported term (metrics, numeric comparisons)
 */
export function parseLoggedModelFilter(filter: string | undefined): LoggedModelFilter[] {
  return parseFilter(filter).map((c) => {
    const where = `'${c.entity ? `${c.entity}.` : ''}${c.key} ${c.op} ${JSON.stringify(c.value)}'`;
    const value = c.value;
    const known = ((c.entity === '' || c.entity === 'attributes') && ATTRIBUTES.has(c.key)) || c.entity === 'tags' || c.entity === 'params';
    if (!known) throw new InvalidArgumentError(`Unsupported logged-model filter term ${where}: supported are ${[...ATTRIBUTES].join(', ')}, tags.<key>, params.<key> (metrics are not)`);
    if (typeof value === 'number' || (Array.isArray(value) && value.some((x) => typeof x !== 'string'))) throw new InvalidArgumentError(`Unsupported logged-model filter term ${where}: values must be quoted strings`);
    if (!['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'].includes(c.op)) throw new InvalidArgumentError(`Unsupported logged-model filter term ${where}: operators are =, !=, LIKE, ILIKE, IN, NOT IN`);
    const op = c.op as LoggedModelFilter['op'];
    if ((c.entity === '' || c.entity === 'attributes') && ATTRIBUTES.has(c.key)) return { column: c.key as LoggedModelFilter['column'], op, value };
    if (c.entity === 'tags' || c.entity === 'params') return { column: c.entity, key: c.key, op, value };
    throw new InvalidArgumentError(`Unsupported logged-model filter term ${where}: supported are ${[...ATTRIBUTES].join(', ')}, tags.<key>, params.<key> (metrics are not)`);
  });
}

/**
 * MLflow 3 logged models: what `mlflow.<flavor>.log_model` creates before uploading the model's
 * files (to `<experiment artifact location>/models/<model_id>/artifacts`, through the artifact
 * proxy for Strata's default `mlflow-artifacts:` locations) and finalizes after; what
 * `models:/<model_id>` and, by name and source run, `runs:/<run_id>/<name>` resolve to.
 */
@Injectable()
export class LoggedModelsService {
  constructor(
    private readonly database: DatabaseService,
    private readonly store: LoggedModelStore,
    private readonly tracking: TrackingService,
  ) {}

  private tx<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.database.getDataSource().transaction('READ COMMITTED', work);
  }

  /**
   * Creates a PENDING logged model in `experimentId` (a random name `model-<8 hex>` when none).
   * @throws NotFoundError (404) unknown experiment or source run
   */
  async create(p: { experimentId: string; name?: string; modelType?: string; sourceRunId?: string; params: Record<string, string>; tags: Record<string, string>; actor: string }): Promise<LoggedModel> {
    const exp = await this.tracking.getExperiment(p.experimentId);
    if (p.sourceRunId) await this.tracking.getRun(p.sourceRunId);
    const modelId = `m-${randomUUID().replace(/-/g, '')}`;
    const base = exp.artifactLocation.replace(/\/+$/, '');
    return this.tx((m) =>
      this.store.insert(m, {
        modelId,
        experimentId: exp.experimentId,
        name: p.name || `model-${modelId.slice(2, 10)}`,
        artifactLocation: `${base}/models/${modelId}/artifacts`,
        status: 'LOGGED_MODEL_PENDING',
        statusMessage: null,
        modelType: p.modelType ?? null,
        sourceRunId: p.sourceRunId ?? null,
        createdBy: p.actor,
        params: p.params,
        tags: p.tags,
        creationTimestampMs: Date.now(),
      }),
    );
  }

  /** @throws NotFoundError (404) naming the model id */
  async get(modelId: string, allowDeleted = false): Promise<LoggedModel> {
    const lm = await this.store.get(this.database.getDataSource().manager, modelId, { withDeleted: allowDeleted });
    if (!lm) throw new NotFoundError(`Logged model with ID '${modelId}' not found`);
    return lm;
  }

  private async change(modelId: string, f: (lm: LoggedModel) => Parameters<LoggedModelStore['update']>[2]): Promise<LoggedModel> {
    return this.tx(async (m) => {
      const lm = await this.store.get(m, modelId, { lock: true });
      if (!lm) throw new NotFoundError(`Logged model with ID '${modelId}' not found`);
      await this.store.update(m, modelId, f(lm), Date.now());
      return (await this.store.get(m, modelId)) as LoggedModel;
    });
  }

  /** Sets the final status (READY after a successful upload, UPLOAD_FAILED otherwise). */
  finalize(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    return this.change(modelId, () => ({ status }));
  }

  setTags(modelId: string, tags: Record<string, string>): Promise<LoggedModel> {
    return this.change(modelId, (lm) => ({ tags: { ...lm.tags, ...tags } }));
  }

  /** @throws NotFoundError (404) when the tag is not set, as MLflow */
  async deleteTag(modelId: string, key: string): Promise<void> {
    await this.change(modelId, (lm) => {
      if (!(key in lm.tags)) throw new NotFoundError(`No tag with key '${key}' found for logged model with ID '${modelId}'`);
      const { [key]: _gone, ...rest } = lm.tags;
      return { tags: rest };
    });
  }

  /** Adds params (a param keeps its first value, as run params). @throws InvalidArgumentError (400) on a changed value */
  logParams(modelId: string, params: Record<string, string>): Promise<LoggedModel> {
    return this.change(modelId, (lm) => {
      for (const [k, v] of Object.entries(params))
        if (k in lm.params && lm.params[k] !== v) throw new InvalidArgumentError(`Changing param values is not allowed. Param with key='${k}' was already logged with value='${lm.params[k]}' for logged model ID='${modelId}'. Attempted logging new value '${v}'.`);
      return { params: { ...lm.params, ...params } };
    });
  }

  /** Soft delete (the files stay). */
  async delete(modelId: string): Promise<void> {
    await this.change(modelId, () => ({ lifecycleStage: 'deleted' }));
  }

  /** Active models of the experiments matching `filter` ({@link parseLoggedModelFilter}), newest first. */
  async search(q: { experimentIds: string[]; filter?: string; limit: number; offset: number }): Promise<LoggedModel[]> {
    if (q.experimentIds.length === 0) throw new InvalidArgumentError("Missing value for required parameter 'experiment_ids'.");
    for (const id of q.experimentIds) if (!/^\d{1,18}$/.test(id)) throw new InvalidArgumentError(`Invalid experiment id '${id}'`);
    const filters = parseLoggedModelFilter(q.filter);
    return this.store.search(this.database.getDataSource().manager, { experimentIds: q.experimentIds, filters, limit: q.limit, offset: q.offset });
  }

  /** Records the models a run produced (`runs/outputs`). @throws NotFoundError (404) unknown run or model */
  async logOutputs(runId: string, models: Array<{ modelId: string; step: number }>): Promise<void> {
    await this.tracking.getRun(runId);
    await this.tx(async (m) => {
      for (const o of models) {
        if (!(await this.store.get(m, o.modelId))) throw new NotFoundError(`Logged model with ID '${o.modelId}' not found`);
        await this.store.addRunOutput(m, runId, o.modelId, o.step);
      }
    });
  }
}
