import { Controller, Get, HttpCode, Post, Req, UseFilters } from '@nestjs/common';
import { RequirePermission } from '@strata/shared/auth';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Run } from '@strata/registry/data-access';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { FastifyRequest } from 'fastify';
import { RunInputsService } from '../run-inputs.service';
import { TrackingService } from '../tracking.service';
import { MlflowErrorFilter } from './mlflow-errors';
import { toMlflowExperiment, toMlflowRun } from './mlflow-json';
import { ctxOf, inputOf, int, listOf, metricValue, optStr, page, runIdOf, str, tagsOf, withToken, type Input } from './mlflow-request';
import { missingParam, mlflowObjectList } from './mlflow-schemas';

/**
 * MLflow REST API 2.0 tracking subset under `/api/2.0/mlflow/` (the calls of the official `mlflow`
 * client with an `http://` tracking URI): experiments (create, get, get-by-name, search, update,
 * delete, restore, set-experiment-tag), runs (create, get, update, delete, restore, log-metric,
 * log-parameter, log-batch, set-tag, delete-tag, search), metrics/get-history.
 * Errors: `{error_code, message}` ({@link MlflowErrorFilter}). Timestamps are epoch milliseconds;
 * metric values NaN/±Infinity travel as the strings "NaN", "Infinity", "-Infinity" (protobuf JSON).
 */
/** MLflow's default experiment order: newest `last_update_time` first (ties: experiment_id). */
const MLFLOW_EXPERIMENT_ORDER = ['last_update_time DESC'];

@ApiTags('mlflow-compat')
@Controller('api/2.0/mlflow')
@UseFilters(new MlflowErrorFilter())
export class MlflowTrackingController {
  constructor(
    private readonly tracking: TrackingService,
    private readonly inputs: RunInputsService,
  ) {}

  // ---------------------------------------------------------------- experiments

  /** `POST experiments/create {name, artifact_location?, tags?}` → `{experiment_id}`; RESOURCE_ALREADY_EXISTS. */
  @Post('experiments/create')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: create an experiment' })
  @RequirePermission('models', 'write')
  async createExperiment(@Req() req: FastifyRequest): Promise<{ experiment_id: string }> {
    const i = inputOf(req);
    const e = await this.tracking.createExperiment(str(i, 'name'), optStr(i, 'artifact_location'), tagsOf(i), ctxOf(req).actor);
    return { experiment_id: e.experimentId };
  }

  /** `GET experiments/get?experiment_id=` → `{experiment}`. */
  @Get('experiments/get')
  @ApiOperation({ summary: 'MLflow: get an experiment' })
  @RequirePermission('models', 'read')
  async getExperiment(@Req() req: FastifyRequest): Promise<{ experiment: Record<string, unknown> }> {
    return { experiment: toMlflowExperiment(await this.tracking.getExperiment(str(inputOf(req), 'experiment_id'))) };
  }

  /** `GET experiments/get-by-name?experiment_name=` → `{experiment}`. */
  @Get('experiments/get-by-name')
  @ApiOperation({ summary: 'MLflow: get an experiment by name' })
  @RequirePermission('models', 'read')
  async getExperimentByName(@Req() req: FastifyRequest): Promise<{ experiment: Record<string, unknown> }> {
    return { experiment: toMlflowExperiment(await this.tracking.getExperimentByName(str(inputOf(req), 'experiment_name'))) };
  }

  /** `POST|GET experiments/search {filter?, max_results?, order_by?, page_token?, view_type?}` → `{experiments, next_page_token?}`. */
  @Post('experiments/search')
  @HttpCode(200)
  @ApiOperation({ summary: "MLflow: search experiments (filter: name = | LIKE | ILIKE '...', tags.k = '...')" })
  @RequirePermission('models', 'read')
  async searchExperiments(@Req() req: FastifyRequest): Promise<{ experiments: unknown[]; next_page_token?: string }> {
    const i = inputOf(req);
    const p = page(i, 1000, 50000);
    const rows = await this.tracking.searchExperiments({ filter: optStr(i, 'filter'), viewType: optStr(i, 'view_type'), orderBy: listOf(i, 'order_by') ?? MLFLOW_EXPERIMENT_ORDER, limit: p.limit + 1, offset: p.offset });
    return withToken({ experiments: rows.slice(0, p.limit).map(toMlflowExperiment) }, rows.length > p.limit ? String(p.offset + p.limit) : undefined);
  }

  /** `GET experiments/search` (same as POST). */
  @Get('experiments/search')
  @ApiOperation({ summary: 'MLflow: search experiments (GET form)' })
  @RequirePermission('models', 'read')
  searchExperimentsGet(@Req() req: FastifyRequest): Promise<{ experiments: unknown[]; next_page_token?: string }> {
    return this.searchExperiments(req);
  }

  /** `POST experiments/update {experiment_id, new_name}` → `{}`. */
  @Post('experiments/update')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: rename an experiment' })
  @RequirePermission('models', 'write')
  async updateExperiment(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.tracking.renameExperiment(str(i, 'experiment_id'), str(i, 'new_name'));
    return {};
  }

  /** `POST experiments/delete {experiment_id}` → `{}` (soft delete, with its runs). */
  @Post('experiments/delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: delete an experiment (soft)' })
  @RequirePermission('models', 'write')
  async deleteExperiment(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    await this.tracking.setExperimentStage(str(inputOf(req), 'experiment_id'), 'deleted');
    return {};
  }

  /** `POST experiments/restore {experiment_id}` → `{}`. */
  @Post('experiments/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: restore an experiment' })
  @RequirePermission('models', 'write')
  async restoreExperiment(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    await this.tracking.setExperimentStage(str(inputOf(req), 'experiment_id'), 'active');
    return {};
  }

  /** `POST experiments/set-experiment-tag {experiment_id, key, value}` → `{}`. */
  @Post('experiments/set-experiment-tag')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set an experiment tag' })
  @RequirePermission('models', 'write')
  async setExperimentTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.tracking.setExperimentTag(str(i, 'experiment_id'), str(i, 'key'), str(i, 'value', false));
    return {};
  }

  // ---------------------------------------------------------------- runs

  /** `POST runs/create {experiment_id?, user_id?, run_name?, start_time?, tags?}` → `{run}`. */
  @Post('runs/create')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: create a run' })
  @RequirePermission('models', 'write')
  async createRun(@Req() req: FastifyRequest): Promise<{ run: Record<string, unknown> }> {
    const i = inputOf(req);
    const tags = tagsOf(i);
    const run = await this.tracking.createRun({
      experimentId: optStr(i, 'experiment_id') ?? '0',
      ...(optStr(i, 'run_name') ? { runName: optStr(i, 'run_name') } : {}),
      userId: optStr(i, 'user_id') ?? tags['mlflow.user'] ?? ctxOf(req).actor,
      startTime: int(i, 'start_time', Date.now()),
      tags,
    });
    return { run: toMlflowRun(run) };
  }

  /** `GET runs/get?run_id=` → `{run}`. */
  @Get('runs/get')
  @ApiOperation({ summary: 'MLflow: get a run' })
  @RequirePermission('models', 'read')
  async getRun(@Req() req: FastifyRequest): Promise<{ run: Record<string, unknown> }> {
    const i = inputOf(req);
    return { run: toMlflowRun(await this.tracking.getRun(runIdOf(i))) };
  }

  /** `POST runs/update {run_id, status?, end_time?, run_name?}` → `{run_info}`. */
  @Post('runs/update')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: update a run (status, end time, name)' })
  @RequirePermission('models', 'write')
  async updateRun(@Req() req: FastifyRequest): Promise<{ run_info: unknown }> {
    const i = inputOf(req);
    const status = optStr(i, 'status');
    if (status !== undefined && !['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'].includes(status)) {
      throw new InvalidArgumentError(`Invalid status '${status}': one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED`);
    }
    const run = await this.tracking.updateRun(runIdOf(i), {
      ...(status ? { status: status as Run['status'] } : {}),
      ...(i['end_time'] !== undefined && i['end_time'] !== null ? { endTime: int(i, 'end_time') } : {}),
      ...(optStr(i, 'run_name') ? { runName: optStr(i, 'run_name') } : {}),
    });
    return { run_info: toMlflowRun(run)['info'] };
  }

  /** `POST runs/delete {run_id}` → `{}` (soft). */
  @Post('runs/delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: delete a run (soft)' })
  @RequirePermission('models', 'write')
  async deleteRun(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    await this.tracking.setRunStage(runIdOf(inputOf(req)), 'deleted');
    return {};
  }

  /** `POST runs/restore {run_id}` → `{}`. */
  @Post('runs/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: restore a run' })
  @RequirePermission('models', 'write')
  async restoreRun(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    await this.tracking.setRunStage(runIdOf(inputOf(req)), 'active');
    return {};
  }

  /** `POST runs/log-metric {run_id, key, value, timestamp, step?}` → `{}`. */
  @Post('runs/log-metric')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: log a metric point' })
  @RequirePermission('models', 'write')
  async logMetric(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.tracking.logBatch(runIdOf(i), {
      metrics: [{ key: str(i, 'key'), value: metricValue(i['value'], 'value'), timestamp: int(i, 'timestamp'), step: int(i, 'step', 0) }],
      params: [],
      tags: [],
    });
    return {};
  }

  /** `POST runs/log-parameter {run_id, key, value}` → `{}`; a different value for a logged key → INVALID_PARAMETER_VALUE. */
  @Post('runs/log-parameter')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: log a param' })
  @RequirePermission('models', 'write')
  async logParam(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.tracking.logBatch(runIdOf(i), { metrics: [], params: [{ key: str(i, 'key'), value: str(i, 'value', false) }], tags: [] });
    return {};
  }

  /** `POST runs/log-batch {run_id, metrics?, params?, tags?}` → `{}` (atomic). */
  @Post('runs/log-batch')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: log metrics, params and tags at once' })
  @RequirePermission('models', 'write')
  async logBatch(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    const runId = runIdOf(i);
    const arr = (k: string): Input[] => mlflowObjectList(k).parse(i[k]);
    // Element fields are named as MLflow names them: `metrics[0].timestamp`.
    const field = (o: Input, list: string, n: number, k: string): Input => ({ [`${list}[${n}].${k}`]: o[k] });
    const metrics = arr('metrics').map((m, n) => ({
      key: str(field(m, 'metrics', n, 'key'), `metrics[${n}].key`),
      value: metricValue(m['value'], `metrics[${n}].value`),
      timestamp: int(field(m, 'metrics', n, 'timestamp'), `metrics[${n}].timestamp`),
      step: int(field(m, 'metrics', n, 'step'), `metrics[${n}].step`, 0),
    }));
    const params = arr('params').map((p, n) => ({ key: str(field(p, 'params', n, 'key'), `params[${n}].key`), value: str(field(p, 'params', n, 'value'), `params[${n}].value`, false) }));
    const tags = arr('tags').map((t, n) => ({ key: str(field(t, 'tags', n, 'key'), `tags[${n}].key`), value: str(field(t, 'tags', n, 'value'), `tags[${n}].value`, false) }));
    await this.tracking.logBatch(runId, { metrics, params, tags });
    return {};
  }

  /**
   * `POST runs/log-inputs {run_id, datasets: [{dataset: {name, digest, source_type, source, schema?, profile?}, tags?}]}` → `{}`.
   * A dataset already logged on the run (same name and digest) is not added again.
   */
  @Post('runs/log-inputs')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: log dataset inputs of a run' })
  @RequirePermission('models', 'write')
  async logInputs(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    const runId = runIdOf(i);
    if (i['datasets'] === undefined || i['datasets'] === null) throw missingParam('datasets');
    const datasets = mlflowObjectList('datasets').parse(i['datasets']).map((d, n) => {
      const ds = mlflowObjectList(`datasets[${n}].dataset`).parse([d['dataset']])[0] as Input;
      const text = (k: string, required: boolean): string => str({ [`datasets[${n}].dataset.${k}`]: ds[k] }, `datasets[${n}].dataset.${k}`, required);
      const schema = text('schema', false);
      const profile = text('profile', false);
      return {
        dataset: { name: text('name', true), digest: text('digest', true), source_type: text('source_type', true), source: text('source', true), ...(schema ? { schema } : {}), ...(profile ? { profile } : {}) },
        tags: Object.entries(tagsOf(d)).map(([key, value]) => ({ key, value })),
      };
    });
    await this.inputs.logInputs(runId, datasets);
    return {};
  }

  /** `POST runs/set-tag {run_id, key, value}` → `{}`. */
  @Post('runs/set-tag')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set a run tag' })
  @RequirePermission('models', 'write')
  async setRunTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.tracking.logBatch(runIdOf(i), { metrics: [], params: [], tags: [{ key: str(i, 'key'), value: str(i, 'value', false) }] });
    return {};
  }

  /** `POST runs/delete-tag {run_id, key}` → `{}`. */
  @Post('runs/delete-tag')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: delete a run tag' })
  @RequirePermission('models', 'write')
  async deleteRunTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.tracking.deleteRunTag(runIdOf(i), str(i, 'key'));
    return {};
  }

  /** `POST runs/search {experiment_ids, filter?, run_view_type?, max_results?, order_by?, page_token?}` → `{runs, next_page_token?}`. */
  @Post('runs/search')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: search runs (metrics/params/tags/attributes filter, AND only)' })
  @RequirePermission('models', 'read')
  async searchRuns(@Req() req: FastifyRequest): Promise<{ runs?: unknown[]; next_page_token?: string }> {
    const i = inputOf(req);
    const p = page(i, 1000, 50000);
    const rows = await this.tracking.searchRuns({
      experimentIds: listOf(i, 'experiment_ids') ?? [],
      filter: optStr(i, 'filter'),
      viewType: optStr(i, 'run_view_type'),
      orderBy: listOf(i, 'order_by'),
      limit: p.limit + 1,
      offset: p.offset,
    });
    const runs = rows.slice(0, p.limit).map(toMlflowRun);
    return withToken(runs.length ? { runs } : {}, rows.length > p.limit ? String(p.offset + p.limit) : undefined);
  }

  /** `GET metrics/get-history?run_id=&metric_key=&max_results?&page_token?` → `{metrics: [{key, value, timestamp, step}], next_page_token?}`. */
  @Get('metrics/get-history')
  @ApiOperation({ summary: 'MLflow: every point of a metric' })
  @RequirePermission('models', 'read')
  async metricHistory(@Req() req: FastifyRequest): Promise<{ metrics: unknown[]; next_page_token?: string }> {
    const i = inputOf(req);
    const p = page(i, 25000, 25000);
    const rows = await this.tracking.metricHistory(runIdOf(i), str(i, 'metric_key'), { limit: p.limit + 1, offset: p.offset });
    return withToken({ metrics: rows.slice(0, p.limit) }, rows.length > p.limit ? String(p.offset + p.limit) : undefined);
  }
}
