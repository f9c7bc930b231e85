import * as path from 'node:path';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  LoggedModelStore,
  RUN_ATTRIBUTE_COLUMNS,
  TrackingStore,
  type Experiment,
  type FilterClause,
  type LifecycleStage,
  type MetricPoint,
  type MetricValue,
  type OrderClause,
  type Run,
  type RunArtifact,
  type RunStatus,
} from '@strata/registry/data-access';
import type { ObjectStore } from '@strata/shared/data-access-object-store';
import { DatabaseService } from '@strata/shared/nest-platform';
import { ConflictError, InvalidArgumentError, NotFoundError } from '@strata/shared/util-errors';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { parseFilter, parseOrderBy } from './mlflow/mlflow-filter';
import { defaultExperimentArtifactLocation } from './mlflow-artifacts/mlflow-artifacts.paths';
import { newer, viewStage } from './tracking.helpers';
import { REGISTRY_ARTIFACT_STORE, REGISTRY_MLFLOW_ARTIFACT_ROOT } from './registry.options';

/** MLflow's code for "already exists" (carried in `details.mlflowCode`). */
export const RESOURCE_ALREADY_EXISTS = 'RESOURCE_ALREADY_EXISTS';

/** A run with its full data as the APIs return it. */
export type RunView = Run;

/** Batch of values to log on a run (MLflow `log-batch`). */
export interface LogBatchInput {
  metrics: Array<{ key: string; value: MetricValue; timestamp: number; step: number }>;
  params: Array<{ key: string; value: string }>;
  tags: Array<{ key: string; value: string }>;
}

/** MLflow's per-request limits of log-batch. */
export const LOG_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;

/** Tag MLflow uses for the run name. */
const RUN_NAME_TAG = 'mlflow.runName';


/**
 * Experiment tracking (MLflow vocabulary): experiments and runs with params (immutable once
 * logged), metrics as step series with timestamps, tags, status, start/end, who triggered it,
 * a log text and artifacts. Backs the native `/experiments`, `/runs` API and the MLflow REST
 * subset.
 */
@Injectable()
export class TrackingService {
  constructor(
    private readonly database: DatabaseService,
    private readonly store: TrackingStore,
    @Inject(REGISTRY_ARTIFACT_STORE) private readonly artifacts: ObjectStore,
    private readonly loggedModels: LoggedModelStore,
    @Optional() @Inject(REGISTRY_MLFLOW_ARTIFACT_ROOT) private readonly mlflowArtifactRoot: string | null = null,
  ) {}

  private get reader(): EntityManager {
    return this.database.getDataSource().manager;
  }

  private tx<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.database.getDataSource().transaction('READ COMMITTED', work);
  }

  /**
   * Creates an experiment; its artifact location defaults to `mlflow-artifacts:/<id>` (MLflow clients
   * upload through the registry's artifact proxy, into `<artifact store>/mlflow/<id>/`), or to
   * `<REGISTRY_MLFLOW_DEFAULT_ARTIFACT_ROOT>/<id>` when that root is configured.
   * @throws ConflictError (409, `details.mlflowCode = RESOURCE_ALREADY_EXISTS`) when the name is taken
   */
  async createExperiment(name: string, artifactLocation: string | undefined, tags: Record<string, string>, actor: string): Promise<Experiment> {
    if (!name.trim()) throw new InvalidArgumentError('Invalid experiment name: must not be empty');
    return this.tx(async (m) => {
      // A relative location is resolved against the server's working directory, as MLflow does.
      const location = artifactLocation && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(artifactLocation) ? path.resolve(artifactLocation) : artifactLocation;
      const e = await this.store.insertExperiment(m, { name, artifactLocation: location ?? null, tags, createdBy: actor, now: Date.now() });
      if (!e) throw new ConflictError(`Experiment '${name}' already exists`, { details: { mlflowCode: RESOURCE_ALREADY_EXISTS } });
      if (!artifactLocation) {
        e.artifactLocation = defaultExperimentArtifactLocation(e.experimentId, this.mlflowArtifactRoot);
        await this.store.setExperimentArtifactLocation(m, e.experimentId, e.artifactLocation);
      }
      return e;
    });
  }

  /** @throws NotFoundError (404) naming the experiment id */
  async getExperiment(id: string): Promise<Experiment> {
    const e = await this.store.getExperiment(this.reader, id);
    if (!e) throw new NotFoundError(`Experiment with id '${id}' not found`);
    return this.withDefaultLocation(e);
  }

  /** @throws NotFoundError (404) naming the experiment */
  async getExperimentByName(name: string): Promise<Experiment> {
    const e = await this.store.getExperimentByName(this.reader, name);
    if (!e) throw new NotFoundError(`Experiment '${name}' not found`);
    return this.withDefaultLocation(e);
  }

  private withDefaultLocation(e: Experiment): Experiment {
    return e.artifactLocation ? e : { ...e, artifactLocation: defaultExperimentArtifactLocation(e.experimentId, this.mlflowArtifactRoot) };
  }

  /**
   * Experiments (filter: `name = | != | LIKE | ILIKE '<x>'`, `tags.<k> = | != '<v>'`; order by
   * `name`, `experiment_id`, `creation_time`). `viewType`: ACTIVE_ONLY (default), DELETED_ONLY, ALL.
   */
  async searchExperiments(q: { filter?: string; viewType?: string; orderBy?: string[]; limit: number; offset: number }): Promise<Experiment[]> {
    const clauses = parseFilter(q.filter);
    let name: { op: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string } | undefined;
    const tags: Array<{ key: string; value: string; op: '=' | '!=' | 'LIKE' | 'ILIKE' }> = [];
    for (const c of clauses) {
      const isName = (c.entity === '' || c.entity === 'attributes') && c.key === 'name';
      if (isName && ['=', '!=', 'LIKE', 'ILIKE'].includes(c.op) && typeof c.value === 'string') name = { op: c.op as '=', value: c.value };
      else if (c.entity === 'tags' && ['=', '!=', 'LIKE', 'ILIKE'].includes(c.op) && typeof c.value === 'string') tags.push({ key: c.key, value: c.value, op: c.op as '=' });
      else throw new InvalidArgumentError(`Unsupported experiment filter term '${c.entity ? `${c.entity}.` : ''}${c.key} ${c.op}': supported are name and tags.<key> with = | != | LIKE | ILIKE '<text>'`);
    }
    const order = parseOrderBy(q.orderBy)[0];
    const orderBy = !order ? 'id' : order.key === 'name' ? 'name' : order.key === 'creation_time' ? 'creation_time' : order.key === 'last_update_time' ? 'last_update_time' : order.key === 'experiment_id' ? 'id' : undefined;
    if (!orderBy) throw new InvalidArgumentError(`Unsupported experiment order_by '${order?.key}': use name, experiment_id, creation_time or last_update_time`);
    const rows = await this.store.searchExperiments(this.reader, {
      stage: viewStage(q.viewType),
      ...(name ? { name } : {}),
      tags,
      orderBy,
      desc: order?.desc ?? false,
      limit: q.limit,
      offset: q.offset,
    });
    return rows.map((e) => this.withDefaultLocation(e));
  }

  /** Renames an experiment. @throws NotFoundError (404); ConflictError (409 RESOURCE_ALREADY_EXISTS) */
  async renameExperiment(id: string, newName: string): Promise<void> {
    await this.getExperiment(id);
    if (!newName.trim()) throw new InvalidArgumentError('Invalid new_name: must not be empty');
    const ok = await this.tx((m) => this.store.renameExperiment(m, id, newName, Date.now()));
    if (!ok) throw new ConflictError(`Experiment '${newName}' already exists`, { details: { mlflowCode: RESOURCE_ALREADY_EXISTS } });
  }

  /** Marks an experiment and its runs deleted (soft delete, as MLflow) or active again. */
  async setExperimentStage(id: string, stage: LifecycleStage): Promise<void> {
    await this.getExperiment(id);
    if (id === '0' && stage === 'deleted') throw new InvalidArgumentError("The 'Default' experiment (id 0) cannot be deleted");
    await this.tx((m) => this.store.setExperimentStage(m, id, stage));
  }

  /** Sets one tag of an experiment. @throws NotFoundError (404) */
  async setExperimentTag(id: string, key: string, value: string): Promise<void> {
    await this.getExperiment(id);
    await this.tx((m) => this.store.setExperimentTag(m, id, key, value, Date.now()));
  }

  /**
   * Starts a run in an experiment (status RUNNING unless given). `userId` is who triggered it.
   * @throws NotFoundError (404) when the experiment does not exist; InvalidArgumentError (400) when it is deleted
   */
  async createRun(input: { experimentId: string; runName?: string; userId: string; startTime?: number; status?: RunStatus; tags: Record<string, string>; params?: Record<string, string> }): Promise<Run> {
    const exp = await this.getExperiment(input.experimentId);
    if (exp.lifecycleStage !== 'active') throw new InvalidArgumentError(`Experiment '${exp.name}' (id ${exp.experimentId}) is deleted: no new runs`);
    const runId = randomUUID().replace(/-/g, '');
    const runName = input.runName ?? input.tags[RUN_NAME_TAG] ?? `run-${runId.slice(0, 8)}`;
    return this.tx((m) =>
      this.store.insertRun(m, {
        runId,
        experimentId: exp.experimentId,
        runName,
        userId: input.userId,
        status: input.status ?? 'RUNNING',
        startTime: input.startTime ?? Date.now(),
        artifactUri: `${exp.artifactLocation.replace(/\/+$/, '')}/${runId}/artifacts`,
        params: input.params ?? {},
        tags: { ...input.tags, [RUN_NAME_TAG]: runName },
      }),
    );
  }

  /** @throws NotFoundError (404) naming the run */
  async getRun(runId: string): Promise<Run> {
    const r = await this.store.getRun(this.reader, runId);
    if (!r) throw new NotFoundError(`Run '${runId}' not found`);
    return r;
  }

  /** Locks an active run inside `m`'s transaction. @throws NotFoundError (404); InvalidArgumentError (400) when deleted */
  async lockedActiveRun(m: EntityManager, runId: string): Promise<Run> {
    const r = await this.store.getRun(m, runId, true);
    if (!r) throw new NotFoundError(`Run '${runId}' not found`);
    if (r.lifecycleStage !== 'active') {
      throw new InvalidArgumentError(`Run '${runId}' is deleted; restore it before logging to it`, {
        details: { mlflowMessage: `The run ${runId} must be in the 'active' state. Current state is ${r.lifecycleStage}.` },
      });
    }
    return r;
  }

  /** Updates status / end time / name of a run. @throws NotFoundError (404) */
  async updateRun(runId: string, p: { status?: RunStatus; endTime?: number | null; runName?: string }): Promise<Run> {
    return this.tx(async (m) => {
      const r = await this.store.getRun(m, runId, true);
      if (!r) throw new NotFoundError(`Run '${runId}' not found`);
      const tags = p.runName !== undefined ? { ...r.tags, [RUN_NAME_TAG]: p.runName } : undefined;
      await this.store.updateRun(m, runId, { ...p, ...(tags ? { tags } : {}) });
      return (await this.store.getRun(m, runId)) as Run;
    });
  }

  /** Soft-deletes or restores a run. @throws NotFoundError (404) */
  async setRunStage(runId: string, stage: LifecycleStage): Promise<void> {
    await this.tx(async (m) => {
      if (!(await this.store.getRun(m, runId, true))) throw new NotFoundError(`Run '${runId}' not found`);
      await this.store.updateRun(m, runId, { lifecycleStage: stage });
    });
  }

  /**
   * Logs metrics, params and tags on a run, atomically (all or nothing). Params are immutable:
   * logging a different value for an existing key is refused (400), the same value is a no-op.
   * Tag `mlflow.runName` also renames the run.
   * @throws NotFoundError (404); InvalidArgumentError (400) on limits, a changed param, a deleted run
   */
  async logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    if (batch.metrics.length > LOG_BATCH_LIMITS.metrics || batch.params.length > LOG_BATCH_LIMITS.params || batch.tags.length > LOG_BATCH_LIMITS.tags) {
      throw new InvalidArgumentError(
        `log-batch of run '${runId}' exceeds the limits: at most ${LOG_BATCH_LIMITS.metrics} metrics, ${LOG_BATCH_LIMITS.params} params, ${LOG_BATCH_LIMITS.tags} tags (got ${batch.metrics.length}, ${batch.params.length}, ${batch.tags.length})`,
      );
    }
    await this.tx(async (m) => {
      const run = await this.lockedActiveRun(m, runId);
      const params = { ...run.params };
      const seen = new Map<string, string>();
      for (const p of batch.params) {
        const prior = params[p.key] ?? seen.get(p.key);
        if (prior !== undefined && prior !== p.value) {
          throw new InvalidArgumentError(
            `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${prior}' for run ID='${runId}'. Attempted logging new value '${p.value}'.`,
          );
        }
        seen.set(p.key, p.value);
        params[p.key] = p.value;
      }
      const tags = { ...run.tags };
      for (const t of batch.tags) tags[t.key] = t.value;
      const latest = { ...run.latestMetrics };
      for (const p of batch.metrics) {
        const cur = latest[p.key];
        if (!cur || newer(p, cur)) latest[p.key] = { key: p.key, value: p.value, timestamp: p.timestamp, step: p.step };
      }
      await this.store.insertMetricPoints(m, runId, batch.metrics.map((p) => ({ key: p.key, value: p.value, timestamp: p.timestamp, step: p.step })));
      await this.store.updateRun(m, runId, {
        params,
        tags,
        latestMetrics: latest,
        ...(tags[RUN_NAME_TAG] !== run.tags[RUN_NAME_TAG] && tags[RUN_NAME_TAG] ? { runName: tags[RUN_NAME_TAG] } : {}),
      });
    });
  }

  /** Removes a tag of a run. @throws NotFoundError (404) when the run or the tag does not exist */
  async deleteRunTag(runId: string, key: string): Promise<void> {
    await this.tx(async (m) => {
      const run = await this.lockedActiveRun(m, runId);
      if (!(key in run.tags)) throw new NotFoundError(`No tag with name: ${key} in run with id ${runId}`);
      const tags = { ...run.tags };
      delete tags[key];
      await this.store.updateRun(m, runId, { tags });
    });
  }

  /** Every point of a metric of a run, by step then timestamp. @throws NotFoundError (404) when the run does not exist */
  async metricHistory(runId: string, key: string, page: { limit: number; offset: number }): Promise<MetricPoint[]> {
    await this.getRun(runId);
    return this.store.metricHistory(this.reader, runId, key, page);
  }

  /**
   * Runs of experiments matching an MLflow filter. Supported: `metrics.<k> <op> <number>`
   * (op `= != < <= > >=`, on the latest value), `params.<k>` / `tags.<k>` with `= != LIKE ILIKE
   * IN NOT IN` and quoted strings, `attributes.<a>` for status, run_name, run_id, user_id,
   * artifact_uri (strings) and start_time, end_time (numbers); joined by AND. `order_by` on
   * metrics/params/tags/those attributes. `viewType`: ACTIVE_ONLY (default), DELETED_ONLY, ALL.
   * @throws InvalidArgumentError (400) naming the unsupported term
   */
  async searchRuns(q: { experimentIds: string[]; filter?: string; viewType?: string; orderBy?: string[]; limit: number; offset: number }): Promise<Run[]> {
    for (const id of q.experimentIds) if (!/^\d{1,18}$/.test(id)) throw new InvalidArgumentError(`Invalid experiment id '${id}': must be a decimal integer`);
    const clauses: FilterClause[] = parseFilter(q.filter).map((c) => {
      const term = `${c.entity ? `${c.entity}.` : ''}${c.key} ${c.op}`;
      if (c.entity === 'metrics') {
        if (typeof c.value !== 'number' || !['=', '!=', '<', '<=', '>', '>='].includes(c.op)) {
          throw new InvalidArgumentError(`Unsupported run filter term '${term}': metrics compare with = != < <= > >= against a number`);
        }
        return { kind: 'metric', key: c.key, op: c.op, value: c.value };
      }
      if (c.entity === 'params' || c.entity === 'tags') {
        if (typeof c.value === 'number' || ['<', '<=', '>', '>='].includes(c.op)) {
          throw new InvalidArgumentError(`Unsupported run filter term '${term}': ${c.entity} compare with = != LIKE ILIKE IN NOT IN against quoted strings`);
        }
        return { kind: c.entity === 'params' ? 'param' : 'tag', key: c.key, op: c.op, value: c.value };
      }
      const key = c.entity === '' && c.key === 'run_name' ? 'run_name' : c.key;
      const attr = RUN_ATTRIBUTE_COLUMNS[key];
      if ((c.entity !== 'attributes' && c.entity !== '') || !attr) {
        throw new InvalidArgumentError(`Unsupported run filter term '${term}': use metrics.<k>, params.<k>, tags.<k> or attributes.{${Object.keys(RUN_ATTRIBUTE_COLUMNS).join(',')}}`);
      }
      if (attr.numeric !== (typeof c.value === 'number')) {
        throw new InvalidArgumentError(`Unsupported run filter term '${term}': attribute ${key} compares with ${attr.numeric ? 'a number' : 'a quoted string'}`);
      }
      return { kind: 'attribute', key, op: c.op, value: c.value };
    });
    const orderBy: OrderClause[] = parseOrderBy(q.orderBy).map((o) => {
      const kind = o.entity === 'metrics' ? 'metric' : o.entity === 'params' ? 'param' : o.entity === 'tags' ? 'tag' : 'attribute';
      if (kind === 'attribute' && !RUN_ATTRIBUTE_COLUMNS[o.key]) throw new InvalidArgumentError(`Unsupported order_by '${o.key}'`);
      return { kind, key: o.key, desc: o.desc };
    });
    return this.store.searchRuns(this.reader, { experimentIds: q.experimentIds, stage: viewStage(q.viewType), clauses, orderBy, limit: q.limit, offset: q.offset });
  }

  /** Appends text to the run's log (e.g. captured stdout/stderr). @throws NotFoundError (404) */
  async appendLog(runId: string, text: string): Promise<void> {
    await this.tx(async (m) => {
      await this.lockedActiveRun(m, runId);
      await this.store.appendLog(m, runId, text);
    });
  }

  /** The run's log text. @throws NotFoundError (404) */
  async getLog(runId: string): Promise<string> {
    const log = await this.store.getLog(this.reader, runId);
    if (log === null) throw new NotFoundError(`Run '${runId}' not found`);
    return log;
  }

  /** Records an artifact of a run (replacing one with the same path). @throws NotFoundError (404) */
  async recordArtifact(runId: string, a: RunArtifact): Promise<RunArtifact[]> {
    return this.tx(async (m) => {
      const run = await this.lockedActiveRun(m, runId);
      const artifacts = [...run.artifacts.filter((x) => x.path !== a.path), a].sort((x, y) => x.path.localeCompare(y.path));
      await this.store.updateRun(m, runId, { artifacts });
      return artifacts;
    });
  }

  /**
   * Artifacts of a run: the recorded ones plus files found under the run's artifact URI when it
   * lies in the registry's artifact store (what the MLflow client wrote there), by path.
   */
  async listArtifacts(runId: string): Promise<RunArtifact[]> {
    const run = await this.getRun(runId);
    const byPath = new Map(run.artifacts.map((a) => [a.path, a]));
    let prefix: string | undefined;
    try {
      prefix = this.artifacts.resolve(run.artifactUri);
    } catch {
      prefix = undefined; // outside the store: only the recorded ones
    }
    if (prefix !== undefined) {
      for (const o of await this.artifacts.list(`${prefix}/`)) {
        const path = o.key.slice(prefix.length + 1);
        if (!byPath.has(path)) byPath.set(path, { path, uri: o.uri, sha256: null, sizeBytes: o.sizeBytes });
      }
    }
    return [...byPath.values()].sort((x, y) => x.path.localeCompare(y.path));
  }

  /**
   * Resolves `runs:/<run_id>/<path>` to `<run artifact uri>/<path>` and an MLflow 3 logged-model
   * URI `models:/m-<32 hex>/<path>` to `<logged model artifact location>/<path>`; any other URI
   * is returned unchanged. @throws NotFoundError (404) unknown run or logged model
   */
  async resolveRunsUri(uri: string): Promise<string> {
    const lm = /^models:\/(m-[0-9a-f]{32})(?:\/(.*))?$/.exec(uri);
    if (lm) {
      const model = await this.loggedModels.get(this.reader, lm[1] as string);
      if (!model) throw new NotFoundError(`Logged model with ID '${lm[1]}' not found`);
      return lm[2] ? `${model.artifactLocation}/${lm[2].replace(/^\/+/, '')}` : model.artifactLocation;
    }
    const m = /^runs:\/([^/]+)(?:\/(.*))?$/.exec(uri);
    if (!m) return uri;
    const run = await this.getRun(m[1] as string);
    return m[2] ? `${run.artifactUri}/${m[2].replace(/^\/+/, '')}` : run.artifactUri;
  }
}
