import { randomUUID } from 'node:crypto';
import { type ArgumentsHost, Body, Catch, Controller, Delete, type ExceptionFilter, Get, HttpCode, Logger, Patch, Post, Query, Req, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Experiment, MetricValue, ModelVersion, RegisteredModel, Run } from '@strata/registry/data-access';
import { parseWith, toErrorResponse } from '@strata/shared/nest-platform';
import { AppError, InvalidArgumentError } from '@strata/shared/util-errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ArtifactsService } from './artifacts.service';
import { parseFilter } from './mlflow-filter';
import { SignatureInput, normalizeMetricValue, parseAlias, parseModelName, parseVersion, resolveActor } from './registry.schemas';
import { RegistryService, type RequestContext } from './registry.service';
import { TrackingService } from './tracking.service';

/** MLflow `ModelVersion` JSON (REST API 2.0). */
export interface MlflowModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  current_stage: 'None';
  description: string;
  source: string;
  run_id: string;
  status: 'READY';
  tags: Array<{ key: string; value: string }>;
  aliases: string[];
}

/** MLflow `RegisteredModel` JSON (REST API 2.0). */
export interface MlflowRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  latest_versions?: MlflowModelVersion[];
  tags: Array<{ key: string; value: string }>;
  aliases: Array<{ alias: string; version: string }>;
}

/** MLflow error body: `{error_code, message}`. */
export interface MlflowErrorBody {
  error_code: string;
  message: string;
}

/**
 * Maps errors of the MLflow endpoints to MLflow's shape `{error_code, message}`:
 * 404 → RESOURCE_DOES_NOT_EXIST (404); "already exists" conflicts → RESOURCE_ALREADY_EXISTS (400,
 * as MLflow); other 409 → INVALID_STATE (409); 400 → INVALID_PARAMETER_VALUE (400);
 * 422 → INVALID_STATE (422); 503 → TEMPORARILY_UNAVAILABLE; else INTERNAL_ERROR (500).
 */
@Catch()
export class MlflowErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('MlflowError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toErrorResponse(exception);
    const mlflowCode = exception instanceof AppError ? (exception.details?.['mlflowCode'] as string | undefined) : undefined;
    let code = 'INTERNAL_ERROR';
    let httpStatus = status;
    if (mlflowCode === 'RESOURCE_ALREADY_EXISTS') {
      code = mlflowCode;
      httpStatus = 400;
    } else if (mlflowCode) code = mlflowCode;
    else if (status === 404) code = 'RESOURCE_DOES_NOT_EXIST';
    else if (status === 400 || status === 413) code = 'INVALID_PARAMETER_VALUE';
    else if (status === 409 || status === 422) code = 'INVALID_STATE';
    else if (status === 503) code = 'TEMPORARILY_UNAVAILABLE';
    if (status >= 500) this.logger.error({ err: exception }, body.error);
    const out: MlflowErrorBody = { error_code: code, message: body.error };
    void reply.status(httpStatus).send(out);
  }
}

const tagList = (tags: Record<string, string>): Array<{ key: string; value: string }> => Object.entries(tags).map(([key, value]) => ({ key, value }));

function toMlflowVersion(v: ModelVersion): MlflowModelVersion {
  const t = Date.parse(v.createdAt);
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: t,
    last_updated_timestamp: t,
    current_stage: 'None',
    description: v.description ?? '',
    source: v.artifactUri,
    run_id: v.runId,
    status: 'READY',
    tags: tagList(v.tags),
    aliases: v.aliases,
  };
}

function toMlflowModel(m: RegisteredModel, latest?: ModelVersion[]): MlflowRegisteredModel {
  return {
    name: m.name,
    creation_timestamp: Date.parse(m.createdAt),
    last_updated_timestamp: Date.parse(m.updatedAt),
    description: m.description ?? '',
    ...(latest ? { latest_versions: latest.map(toMlflowVersion) } : {}),
    tags: tagList(m.tags),
    aliases: Object.entries(m.aliases).map(([alias, version]) => ({ alias, version: String(version) })),
  };
}

function toMlflowExperiment(e: Experiment): Record<string, unknown> {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: tagList(e.tags),
  };
}

function toMlflowRun(r: Run): Record<string, unknown> {
  return {
    info: {
      run_id: r.runId,
      run_uuid: r.runId,
      run_name: r.runName,
      experiment_id: r.experimentId,
      user_id: r.userId,
      status: r.status,
      start_time: r.startTime,
      ...(r.endTime !== null ? { end_time: r.endTime } : {}),
      artifact_uri: r.artifactUri,
      lifecycle_stage: r.lifecycleStage,
    },
    data: {
      metrics: Object.values(r.latestMetrics).map((p) => ({ key: p.key, value: p.value, timestamp: p.timestamp, step: p.step })),
      params: tagList(r.params),
      tags: tagList(r.tags),
    },
    inputs: {},
  };
}

type Input = Record<string, unknown>;

/** Request input: query string (GET) merged with the JSON body (POST/PATCH/DELETE). */
function inputOf(req: FastifyRequest): Input {
  const q = (req.query ?? {}) as Input;
  const b = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Input) : {};
  return { ...q, ...b };
}

function str(i: Input, key: string, required = true): string {
  const v = i[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw new InvalidArgumentError(`Missing value for required parameter '${key}'.`);
    return '';
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new InvalidArgumentError(`Invalid value for parameter '${key}': must be a string`);
  return String(v);
}

function optStr(i: Input, key: string): string | undefined {
  return i[key] === undefined || i[key] === null || i[key] === '' ? undefined : str(i, key);
}

/** int64 fields arrive as numbers or decimal strings. */
function int(i: Input, key: string, fallback?: number): number {
  const v = i[key];
  if (v === undefined || v === null || v === '') {
    if (fallback !== undefined) return fallback;
    throw new InvalidArgumentError(`Missing value for required parameter '${key}'.`);
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`Invalid value ${JSON.stringify(v)} for parameter '${key}': must be an integer`);
  return n;
}

function tagsOf(i: Input, key = 'tags'): Record<string, string> {
  const v = i[key];
  if (v === undefined || v === null) return {};
  if (!Array.isArray(v)) throw new InvalidArgumentError(`Invalid value for parameter '${key}': must be a list of {key, value}`);
  const out: Record<string, string> = {};
  v.forEach((t: unknown, n) => {
    const o = t as Input;
    if (!o || typeof o !== 'object' || typeof o['key'] !== 'string' || !o['key']) throw new InvalidArgumentError(`Invalid ${key}[${n}]: needs a non-empty string key`);
    out[o['key']] = o['value'] === undefined || o['value'] === null ? '' : String(o['value']);
  });
  return out;
}

function metricValue(raw: unknown, where: string): MetricValue {
  const v = normalizeMetricValue(raw);
  if (v === undefined) throw new InvalidArgumentError(`Invalid metric value ${JSON.stringify(raw)} at ${where}: must be a number, "NaN", "Infinity" or "-Infinity"`);
  return v;
}

function page(i: Input, maxDefault: number, maxAllowed: number): { limit: number; offset: number } {
  const limit = int(i, 'max_results', maxDefault);
  if (limit < 1 || limit > maxAllowed) throw new InvalidArgumentError(`Invalid value ${limit} for parameter 'max_results': must be between 1 and ${maxAllowed}`);
  const token = optStr(i, 'page_token');
  if (token !== undefined && !/^\d{1,9}$/.test(token)) throw new InvalidArgumentError(`Invalid page_token '${token}'`);
  return { limit, offset: token ? Number(token) : 0 };
}

function listOf(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  return (Array.isArray(v) ? v : [v]).map(String);
}

const withToken = <T extends object>(body: T, next?: string): T & { next_page_token?: string } => (next ? { ...body, next_page_token: next } : body);

function ctxOf(req: FastifyRequest): RequestContext {
  return { actor: resolveActor(req.headers['x-strata-actor'] as string | undefined), requestId: String(req.id) };
}

/** Name / tag conditions of a registered-models or model-versions filter. */
function registryFilter(filter: string | undefined, allowRunId: boolean): { exactName?: string; namePattern?: string; runIds?: string[]; tags: Array<{ key: string; value: string; op: '=' | '!=' }> } {
  const out: { exactName?: string; namePattern?: string; runIds?: string[]; tags: Array<{ key: string; value: string; op: '=' | '!=' }> } = { tags: [] };
  for (const c of parseFilter(filter)) {
    const bare = c.entity === '' || c.entity === 'attributes';
    if (bare && c.key === 'name' && c.op === '=' && typeof c.value === 'string') out.exactName = c.value;
    else if (bare && c.key === 'name' && (c.op === 'LIKE' || c.op === 'ILIKE') && typeof c.value === 'string') out.namePattern = c.value;
    else if (allowRunId && bare && c.key === 'run_id' && c.op === '=' && typeof c.value === 'string') out.runIds = [c.value];
    else if (allowRunId && bare && c.key === 'run_id' && c.op === 'IN' && Array.isArray(c.value)) out.runIds = c.value;
    else if (c.entity === 'tags' && (c.op === '=' || c.op === '!=') && typeof c.value === 'string') out.tags.push({ key: c.key, value: c.value, op: c.op });
    else {
      throw new InvalidArgumentError(
        `Unsupported filter term '${c.entity ? `${c.entity}.` : ''}${c.key} ${c.op} ${JSON.stringify(c.value)}': supported are name = | LIKE | ILIKE '<text>', ${allowRunId ? "run_id = '<id>', run_id IN ('<id>', …), " : ''}tags.<key> = | != '<value>'`,
      );
    }
  }
  return out;
}

/**
 * The MLflow REST API 2.0 subset under `/api/2.0/mlflow/` that the official `mlflow` Python client
 * (MlflowClient with an `http://` tracking/registry URI) uses: experiments (create, get,
 * get-by-name, search, update, delete, restore, set-experiment-tag), runs (create, get, update,
 * delete, restore, log-metric, log-parameter, log-batch, set-tag, delete-tag, search),
 * metrics/get-history, registered-models (create, get, search, update, rename-less delete,
 * set-tag, delete-tag, alias set/get/delete), model-versions (create, get, search, update,
 * set-tag, delete-tag, delete). Errors: `{error_code, message}` ({@link MlflowErrorFilter}).
 * Timestamps are epoch milliseconds; metric values NaN/±Infinity travel as the strings
 * "NaN", "Infinity", "-Infinity" (protobuf JSON).
 */
@ApiTags('mlflow-compat')
@Controller('api/2.0/mlflow')
@UseFilters(new MlflowErrorFilter())
export class MlflowCompatController {
  constructor(
    private readonly registry: RegistryService,
    private readonly tracking: TrackingService,
    private readonly artifacts: ArtifactsService,
  ) {}

  // ---------------------------------------------------------------- experiments

  /** `POST experiments/create {name, artifact_location?, tags?}` → `{experiment_id}`; RESOURCE_ALREADY_EXISTS. */
  @Post('experiments/create')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: create an experiment' })
  async createExperiment(@Req() req: FastifyRequest): Promise<{ experiment_id: string }> {
    const i = inputOf(req);
    const e = await this.tracking.createExperiment(str(i, 'name'), optStr(i, 'artifact_location'), tagsOf(i), ctxOf(req).actor);
    return { experiment_id: e.experimentId };
  }

  /** `GET experiments/get?experiment_id=` → `{experiment}`. */
  @Get('experiments/get')
  @ApiOperation({ summary: 'MLflow: get an experiment' })
  async getExperiment(@Req() req: FastifyRequest): Promise<{ experiment: Record<string, unknown> }> {
    return { experiment: toMlflowExperiment(await this.tracking.getExperiment(str(inputOf(req), 'experiment_id'))) };
  }

  /** `GET experiments/get-by-name?experiment_name=` → `{experiment}`. */
  @Get('experiments/get-by-name')
  @ApiOperation({ summary: 'MLflow: get an experiment by name' })
  async getExperimentByName(@Req() req: FastifyRequest): Promise<{ experiment: Record<string, unknown> }> {
    return { experiment: toMlflowExperiment(await this.tracking.getExperimentByName(str(inputOf(req), 'experiment_name'))) };
  }

  /** `POST|GET experiments/search {filter?, max_results?, order_by?, page_token?, view_type?}` → `{experiments, next_page_token?}`. */
  @Post('experiments/search')
  @HttpCode(200)
  @ApiOperation({ summary: "MLflow: search experiments (filter: name = | LIKE | ILIKE '...', tags.k = '...')" })
  async searchExperiments(@Req() req: FastifyRequest): Promise<{ experiments: unknown[]; next_page_token?: string }> {
    const i = inputOf(req);
    const p = page(i, 1000, 50000);
    const rows = await this.tracking.searchExperiments({ filter: optStr(i, 'filter'), viewType: optStr(i, 'view_type'), orderBy: listOf(i['order_by']), limit: p.limit + 1, offset: p.offset });
    return withToken({ experiments: rows.slice(0, p.limit).map(toMlflowExperiment) }, rows.length > p.limit ? String(p.offset + p.limit) : undefined);
  }

  /** `GET experiments/search` (same as POST). */
  @Get('experiments/search')
  @ApiOperation({ summary: 'MLflow: search experiments (GET form)' })
  searchExperimentsGet(@Req() req: FastifyRequest): Promise<{ experiments: unknown[]; next_page_token?: string }> {
    return this.searchExperiments(req);
  }

  /** `POST experiments/update {experiment_id, new_name}` → `{}`. */
  @Post('experiments/update')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: rename an experiment' })
  async updateExperiment(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.tracking.renameExperiment(str(i, 'experiment_id'), str(i, 'new_name'));
    return {};
  }

  /** `POST experiments/delete {experiment_id}` → `{}` (soft delete, with its runs). */
  @Post('experiments/delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: delete an experiment (soft)' })
  async deleteExperiment(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    await this.tracking.setExperimentStage(str(inputOf(req), 'experiment_id'), 'deleted');
    return {};
  }

  /** `POST experiments/restore {experiment_id}` → `{}`. */
  @Post('experiments/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: restore an experiment' })
  async restoreExperiment(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    await this.tracking.setExperimentStage(str(inputOf(req), 'experiment_id'), 'active');
    return {};
  }

  /** `POST experiments/set-experiment-tag {experiment_id, key, value}` → `{}`. */
  @Post('experiments/set-experiment-tag')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set an experiment tag' })
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
  async getRun(@Req() req: FastifyRequest): Promise<{ run: Record<string, unknown> }> {
    const i = inputOf(req);
    return { run: toMlflowRun(await this.tracking.getRun(optStr(i, 'run_id') ?? str(i, 'run_uuid'))) };
  }

  /** `POST runs/update {run_id, status?, end_time?, run_name?}` → `{run_info}`. */
  @Post('runs/update')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: update a run (status, end time, name)' })
  async updateRun(@Req() req: FastifyRequest): Promise<{ run_info: unknown }> {
    const i = inputOf(req);
    const status = optStr(i, 'status');
    if (status !== undefined && !['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'].includes(status)) {
      throw new InvalidArgumentError(`Invalid status '${status}': one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED`);
    }
    const run = await this.tracking.updateRun(optStr(i, 'run_id') ?? str(i, 'run_uuid'), {
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
  async deleteRun(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    await this.tracking.setRunStage(str(inputOf(req), 'run_id'), 'deleted');
    return {};
  }

  /** `POST runs/restore {run_id}` → `{}`. */
  @Post('runs/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: restore a run' })
  async restoreRun(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    await this.tracking.setRunStage(str(inputOf(req), 'run_id'), 'active');
    return {};
  }

  /** `POST runs/log-metric {run_id, key, value, timestamp, step?}` → `{}`. */
  @Post('runs/log-metric')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: log a metric point' })
  async logMetric(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.tracking.logBatch(optStr(i, 'run_id') ?? str(i, 'run_uuid'), {
      metrics: [{ key: str(i, 'key'), value: metricValue(i['value'], 'value'), timestamp: int(i, 'timestamp', Date.now()), step: int(i, 'step', 0) }],
      params: [],
      tags: [],
    });
    return {};
  }

  /** `POST runs/log-parameter {run_id, key, value}` → `{}`; a different value for a logged key → INVALID_PARAMETER_VALUE. */
  @Post('runs/log-parameter')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: log a param' })
  async logParam(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.tracking.logBatch(optStr(i, 'run_id') ?? str(i, 'run_uuid'), { metrics: [], params: [{ key: str(i, 'key'), value: str(i, 'value', false) }], tags: [] });
    return {};
  }

  /** `POST runs/log-batch {run_id, metrics?, params?, tags?}` → `{}` (atomic). */
  @Post('runs/log-batch')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: log metrics, params and tags at once' })
  async logBatch(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    const arr = (k: string): Input[] => {
      const v = i[k];
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v)) throw new InvalidArgumentError(`Invalid '${k}': must be a list`);
      return v as Input[];
    };
    await this.tracking.logBatch(str(i, 'run_id'), {
      metrics: arr('metrics').map((m, n) => ({ key: str(m, 'key'), value: metricValue(m['value'], `metrics[${n}].value`), timestamp: int(m, 'timestamp', Date.now()), step: int(m, 'step', 0) })),
      params: arr('params').map((p) => ({ key: str(p, 'key'), value: str(p, 'value', false) })),
      tags: arr('tags').map((t) => ({ key: str(t, 'key'), value: str(t, 'value', false) })),
    });
    return {};
  }

  /** `POST runs/set-tag {run_id, key, value}` → `{}`. */
  @Post('runs/set-tag')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set a run tag' })
  async setRunTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.tracking.logBatch(optStr(i, 'run_id') ?? str(i, 'run_uuid'), { metrics: [], params: [], tags: [{ key: str(i, 'key'), value: str(i, 'value', false) }] });
    return {};
  }

  /** `POST runs/delete-tag {run_id, key}` → `{}`. */
  @Post('runs/delete-tag')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: delete a run tag' })
  async deleteRunTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.tracking.deleteRunTag(str(i, 'run_id'), str(i, 'key'));
    return {};
  }

  /** `POST runs/search {experiment_ids, filter?, run_view_type?, max_results?, order_by?, page_token?}` → `{runs, next_page_token?}`. */
  @Post('runs/search')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: search runs (metrics/params/tags/attributes filter, AND only)' })
  async searchRuns(@Req() req: FastifyRequest): Promise<{ runs?: unknown[]; next_page_token?: string }> {
    const i = inputOf(req);
    const p = page(i, 1000, 50000);
    const rows = await this.tracking.searchRuns({
      experimentIds: listOf(i['experiment_ids']) ?? [],
      filter: optStr(i, 'filter'),
      viewType: optStr(i, 'run_view_type'),
      orderBy: listOf(i['order_by']),
      limit: p.limit + 1,
      offset: p.offset,
    });
    const runs = rows.slice(0, p.limit).map(toMlflowRun);
    return withToken(runs.length ? { runs } : {}, rows.length > p.limit ? String(p.offset + p.limit) : undefined);
  }

  /** `GET metrics/get-history?run_id=&metric_key=&max_results?&page_token?` → `{metrics: [{key, value, timestamp, step}], next_page_token?}`. */
  @Get('metrics/get-history')
  @ApiOperation({ summary: 'MLflow: every point of a metric' })
  async metricHistory(@Req() req: FastifyRequest): Promise<{ metrics: unknown[]; next_page_token?: string }> {
    const i = inputOf(req);
    const p = page(i, 25000, 25000);
    const rows = await this.tracking.metricHistory(optStr(i, 'run_id') ?? str(i, 'run_uuid'), str(i, 'metric_key'), { limit: p.limit + 1, offset: p.offset });
    return withToken({ metrics: rows.slice(0, p.limit) }, rows.length > p.limit ? String(p.offset + p.limit) : undefined);
  }

  // ---------------------------------------------------------------- registered models

  /** `POST registered-models/create {name, tags?, description?}` → `{registered_model}`; RESOURCE_ALREADY_EXISTS. */
  @Post('registered-models/create')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: create a registered model' })
  async createModel(@Req() req: FastifyRequest): Promise<{ registered_model: MlflowRegisteredModel }> {
    const i = inputOf(req);
    const m = await this.registry.createModel(parseModelName(str(i, 'name')), optStr(i, 'description') ?? null, tagsOf(i), ctxOf(req));
    return { registered_model: toMlflowModel(m) };
  }

  /** `GET registered-models/get?name=` → `{registered_model}` (with `latest_versions`: the newest). */
  @Get('registered-models/get')
  @ApiOperation({ summary: 'MLflow: get a registered model' })
  async getModel(@Query('name') name: string): Promise<{ registered_model: MlflowRegisteredModel }> {
    const m = await this.registry.getModel(parseModelName(name));
    return { registered_model: toMlflowModel(m, m.latestVersions.slice(0, 1)) };
  }

  /** `GET registered-models/search?filter=&max_results=&page_token=` → `{registered_models, next_page_token?}`; filter: name =/LIKE/ILIKE, tags.k = 'v'. */
  @Get('registered-models/search')
  @ApiOperation({ summary: "MLflow: search registered models (filter: name = | LIKE | ILIKE '...', tags.k = '...')" })
  async search(@Req() req: FastifyRequest): Promise<{ registered_models: MlflowRegisteredModel[]; next_page_token?: string }> {
    const i = inputOf(req);
    const p = page(i, 100, 1000);
    const f = registryFilter(optStr(i, 'filter'), false);
    const result = await this.registry.searchModels(f, p);
    return withToken({ registered_models: result.items.map((m) => toMlflowModel(m)) }, result.nextPageToken);
  }

  /** `PATCH registered-models/update {name, description}` → `{registered_model}`. */
  @Patch('registered-models/update')
  @ApiOperation({ summary: 'MLflow: update the description of a registered model' })
  async updateModel(@Req() req: FastifyRequest): Promise<{ registered_model: MlflowRegisteredModel }> {
    const i = inputOf(req);
    const m = await this.registry.updateModel(parseModelName(str(i, 'name')), { description: optStr(i, 'description') ?? null }, ctxOf(req));
    return { registered_model: toMlflowModel(m) };
  }

  /** `DELETE registered-models/delete {name}` → `{}`; INVALID_STATE (409) while an alias exists. */
  @Delete('registered-models/delete')
  @ApiOperation({ summary: 'MLflow: delete a registered model (refused while aliases exist)' })
  async deleteModel(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    await this.registry.deleteModel(parseModelName(str(inputOf(req), 'name')), ctxOf(req));
    return {};
  }

  /** `POST registered-models/set-tag {name, key, value}` → `{}`. */
  @Post('registered-models/set-tag')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set a registered model tag' })
  async setModelTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.registry.updateModel(parseModelName(str(i, 'name')), { setTags: { [str(i, 'key')]: str(i, 'value', false) } }, ctxOf(req));
    return {};
  }

  /** `DELETE registered-models/delete-tag {name, key}` → `{}`. */
  @Delete('registered-models/delete-tag')
  @ApiOperation({ summary: 'MLflow: delete a registered model tag' })
  async deleteModelTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.registry.updateModel(parseModelName(str(i, 'name')), { deleteTags: [str(i, 'key')] }, ctxOf(req));
    return {};
  }

  /** `GET registered-models/alias?name=&alias=` → `{model_version}`. */
  @Get('registered-models/alias')
  @ApiOperation({ summary: 'MLflow: get the model version of an alias' })
  async getAlias(@Query('name') name: string, @Query('alias') alias: string): Promise<{ model_version: MlflowModelVersion }> {
    return { model_version: toMlflowVersion(await this.registry.getVersionByAlias(parseModelName(name), parseAlias(alias))) };
  }

  /** `POST registered-models/alias {name, alias, version}` → `{}` (same semantics as the PUT alias endpoint, incl. automatic promotion for `challenger`). */
  @Post('registered-models/alias')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set an alias' })
  async setAlias(@Body() _body: unknown, @Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.registry.setAlias(parseModelName(str(i, 'name')), parseAlias(str(i, 'alias')), parseVersion(i['version']), 'set through the MLflow API', ctxOf(req));
    return {};
  }

  /** `DELETE registered-models/alias {name, alias}` → `{}`. */
  @Delete('registered-models/alias')
  @ApiOperation({ summary: 'MLflow: delete an alias' })
  async deleteAlias(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.registry.deleteAlias(parseModelName(str(i, 'name')), parseAlias(str(i, 'alias')), 'deleted through the MLflow API', ctxOf(req));
    return {};
  }

  // ---------------------------------------------------------------- model versions

  /**
   * `POST model-versions/create {name, source, run_id?, tags?, description?}` → `{model_version}`.
   * `source` (`file:` URI in the artifact store, or `runs:/<run_id>/<path>`; a directory means
   * its `model.onnx`) is hashed (sha256) and its `MLmodel` signature read; the run's latest
   * metrics and params are copied. Creates the model if needed; idempotent per run_id; without
   * run_id every call creates a new version (as in MLflow), under a unique synthetic run id.
   */
  @Post('model-versions/create')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: create a model version from an artifact source' })
  async createVersion(@Req() req: FastifyRequest): Promise<{ model_version: MlflowModelVersion }> {
    const i = inputOf(req);
    const name = parseModelName(str(i, 'name'));
    const runId = optStr(i, 'run_id');
    const run = runId ? await this.tracking.getRun(runId) : null;
    const source = await this.tracking.resolveRunsUri(str(i, 'source'));
    const resolved = await this.artifacts.resolveModelSource(source);
    if (!resolved.signature) {
      throw new InvalidArgumentError(`Model version source '${source}' has no MLmodel file with a tensor signature (inputs and outputs) beside the model; Strata needs the signature to serve the model`);
    }
    const metrics: Record<string, MetricValue> = {};
    for (const p of Object.values(run?.latestMetrics ?? {})) metrics[p.key] = p.value;
    const { modelVersion } = await this.registry.registerVersion(
      name,
      {
        // MLflow has no idempotency for this call: without run_id every create is a new version,
        // so the synthetic run id is unique per request (a clock-derived id collided within a
        // millisecond and answered one caller with another request's version: issue 19).
        runId: runId ?? `mlflow-${randomUUID()}`,
        workflowId: null,
        artifactUri: resolved.artifactUri,
        artifactSha256: resolved.artifactSha256,
        artifactFormat: 'onnx',
        signature: parseWith(SignatureInput, resolved.signature, 'MLmodel signature'),
        metrics,
        params: { ...(run?.params ?? {}) },
        lineage: { datasetVersions: [], featureViews: [], evaluation: undefined, ...(run ? { experimentId: run.experimentId, runId: run.runId } : {}), mlflowSource: str(i, 'source') },
        referenceProfileUri: null,
        referenceProfileSha256: null,
        description: optStr(i, 'description') ?? null,
        tags: tagsOf(i),
      },
      ctxOf(req),
    );
    return { model_version: toMlflowVersion(modelVersion) };
  }

  /** `GET model-versions/get?name=&version=` → `{model_version}`. */
  @Get('model-versions/get')
  @ApiOperation({ summary: 'MLflow: get a model version' })
  async getVersion(@Query('name') name: string, @Query('version') version: string): Promise<{ model_version: MlflowModelVersion }> {
    return { model_version: toMlflowVersion(await this.registry.getVersion(parseModelName(name), parseVersion(version))) };
  }

  /** `GET model-versions/search?filter=&max_results=&page_token=` → `{model_versions, next_page_token?}`; filter: name, run_id, tags. */
  @Get('model-versions/search')
  @ApiOperation({ summary: "MLflow: search model versions (filter: name = | LIKE '...', run_id = | IN, tags.k = '...')" })
  async searchVersions(@Req() req: FastifyRequest): Promise<{ model_versions: MlflowModelVersion[]; next_page_token?: string }> {
    const i = inputOf(req);
    const p = page(i, 10000, 200000);
    const f = registryFilter(optStr(i, 'filter'), true);
    const result = await this.registry.searchVersions({ ...(f.exactName !== undefined ? { name: f.exactName } : {}), ...(f.namePattern !== undefined ? { namePattern: f.namePattern } : {}), ...(f.runIds ? { runIds: f.runIds } : {}), tags: f.tags }, p);
    return withToken({ model_versions: result.items.map(toMlflowVersion) }, result.nextPageToken);
  }

  /** `PATCH model-versions/update {name, version, description}` → `{model_version}`. */
  @Patch('model-versions/update')
  @ApiOperation({ summary: 'MLflow: update the description of a model version' })
  async updateVersion(@Req() req: FastifyRequest): Promise<{ model_version: MlflowModelVersion }> {
    const i = inputOf(req);
    const mv = await this.registry.updateVersion(parseModelName(str(i, 'name')), parseVersion(i['version']), { description: optStr(i, 'description') ?? null }, ctxOf(req));
    return { model_version: toMlflowVersion(mv) };
  }

  /** `POST model-versions/set-tag {name, version, key, value}` → `{}`. */
  @Post('model-versions/set-tag')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set a model version tag' })
  async setVersionTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.registry.updateVersion(parseModelName(str(i, 'name')), parseVersion(i['version']), { setTags: { [str(i, 'key')]: str(i, 'value', false) } }, ctxOf(req));
    return {};
  }

  /** `DELETE model-versions/delete-tag {name, version, key}` → `{}`. */
  @Delete('model-versions/delete-tag')
  @ApiOperation({ summary: 'MLflow: delete a model version tag' })
  async deleteVersionTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.registry.updateVersion(parseModelName(str(i, 'name')), parseVersion(i['version']), { deleteTags: [str(i, 'key')] }, ctxOf(req));
    return {};
  }

  /** `DELETE model-versions/delete {name, version}` → `{}`; INVALID_STATE (409) naming the alias pointing at it. */
  @Delete('model-versions/delete')
  @ApiOperation({ summary: 'MLflow: delete a model version (refused while an alias points at it)' })
  async deleteVersion(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.registry.deleteVersion(parseModelName(str(i, 'name')), parseVersion(i['version']), ctxOf(req));
    return {};
  }
}
