import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { LoggedModel } from '@strata/registry/data-access';
import { RequirePermission } from '@strata/shared/auth';
import { parseWith } from '@strata/shared/nest-platform';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MlflowErrorFilter } from '../mlflow/mlflow-errors';
import { resolveActor } from '../registry.schemas';
import { LoggedModelsService, parseLoggedModelStatus } from './logged-models.service';

/** MLflow `LoggedModel` JSON (mlflow/protos/service.proto `LoggedModel`: `info` + `data`). */
export interface MlflowLoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    creation_timestamp_ms: number;
    last_updated_timestamp_ms: number;
    artifact_uri: string;
    status: string;
    model_type?: string;
    source_run_id?: string;
    status_message?: string;
    tags: Array<{ key: string; value: string }>;
    registrations: Array<{ name: string; version: string }>;
  };
  data: { params: Array<{ key: string; value: string }>; metrics: never[] };
}

const kv = (o: Record<string, string>): Array<{ key: string; value: string }> => Object.entries(o).map(([key, value]) => ({ key, value }));

/** A {@link LoggedModel} as MLflow's JSON. */
export function toMlflowLoggedModel(lm: LoggedModel): MlflowLoggedModel {
  return {
    info: {
      model_id: lm.modelId,
      experiment_id: lm.experimentId,
      name: lm.name,
      creation_timestamp_ms: lm.creationTimestampMs,
      last_updated_timestamp_ms: lm.lastUpdatedTimestampMs,
      artifact_uri: lm.artifactLocation,
      status: lm.status,
      ...(lm.modelType ? { model_type: lm.modelType } : {}),
      ...(lm.sourceRunId ? { source_run_id: lm.sourceRunId } : {}),
      ...(lm.statusMessage ? { status_message: lm.statusMessage } : {}),
      tags: kv(lm.tags),
      registrations: [],
    },
    data: { params: kv(lm.params), metrics: [] },
  };
}

const Id = z.union([z.string(), z.number()]).transform(String);
const KeyValues = z
  .array(z.object({ key: z.string().min(1).max(250), value: z.union([z.string(), z.number(), z.boolean()]).nullish() }))
  .nullish()
  .transform((l) => Object.fromEntries((l ?? []).map((t) => [t.key, t.value === undefined || t.value === null ? '' : String(t.value)])));

/** Body of `POST logged-models` (MLflow `CreateLoggedModel`). */
export const CreateLoggedModelBody = z.object({
  experiment_id: Id,
  name: z.string().max(500).nullish(),
  model_type: z.string().max(500).nullish(),
  source_run_id: z.string().max(64).nullish(),
  params: KeyValues,
  tags: KeyValues,
});
/** Body of `POST logged-models/search` (MLflow `SearchLoggedModels`; `datasets` and `order_by` are not supported). */
export const SearchLoggedModelsBody = z.object({
  experiment_ids: z.array(Id).min(1),
  filter: z.string().max(10_000).nullish(),
  max_results: z.number().int().min(1).max(1000).nullish(),
  page_token: z.string().regex(/^\d{1,9}$/, 'must be a token returned by a previous search').nullish(),
  datasets: z.array(z.unknown()).max(0, 'filtering by datasets is not supported').nullish(),
  order_by: z.array(z.unknown()).max(0, 'order_by is not supported (results are newest first)').nullish(),
});
/** Body of `POST runs/outputs` (MLflow `LogOutputs`). */
export const LogOutputsBody = z.object({
  run_id: z.string().min(1).max(64),
  models: z.array(z.object({ model_id: z.string().min(1).max(64), step: z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).nullish() })).max(1000),
});

const actorOf = (req: FastifyRequest): string => resolveActor(req.headers['x-strata-actor'] as string | undefined);

/**
 * MLflow 3 logged models (`/api/2.0/mlflow/logged-models…`, `runs/outputs`): the minimum the
 * MLflow 3.x client needs for `mlflow.<flavor>.log_model` (create → upload files to the model's
 * `artifact_uri` → finalize; `runs/outputs`) and to load `models:/<model_id>` and
 * `runs:/<run_id>/<name>` (get; search by `name`). Protocol: mlflow/protos/service.proto.
 *
 * - `POST logged-models` `{experiment_id, name?, model_type?, source_run_id?, params?, tags?}` → `{model}` (status LOGGED_MODEL_PENDING)
 * - `GET logged-models/{id}` → `{model}`; `DELETE logged-models/{id}` → `{}` (soft delete)
 * - `PATCH logged-models/{id}` `{status}` → `{model}` (finalize: LOGGED_MODEL_READY | LOGGED_MODEL_UPLOAD_FAILED)
 * - `PATCH logged-models/{id}/tags` `{tags}`, `DELETE logged-models/{id}/tags/{key}`, `POST logged-models/{id}/params` `{params}` → `{}`
 * - `POST logged-models/search` `{experiment_ids, filter?, max_results? (≤ 1000, default 100), page_token?}` → `{models, next_page_token?}` (newest first)
 * - `POST runs/outputs` `{run_id, models: [{model_id, step}]}` → `{}`
 *
 * Not supported: metrics of logged models, `datasets` / `order_by` in search (400), registrations
 * (always `[]`), `logged-models/{id}/artifacts/directories` (the files are read through the
 * artifact proxy). Errors: MLflow's `{error_code, message}` ({@link MlflowErrorFilter}).
 */
@ApiTags('mlflow-compat')
@Controller('api/2.0/mlflow')
@UseFilters(new MlflowErrorFilter())
export class LoggedModelsController {
  constructor(private readonly models: LoggedModelsService) {}

  @Post('logged-models')
  @HttpCode(200)
  @RequirePermission('models', 'write')
  @ApiOperation({ summary: 'MLflow 3: create a logged model (PENDING)' })
  async create(@Body() body: unknown, @Req() req: FastifyRequest): Promise<{ model: MlflowLoggedModel }> {
    const b = parseWith(CreateLoggedModelBody, body ?? {});
    const lm = await this.models.create({
      experimentId: b.experiment_id,
      ...(b.name ? { name: b.name } : {}),
      ...(b.model_type ? { modelType: b.model_type } : {}),
      ...(b.source_run_id ? { sourceRunId: b.source_run_id } : {}),
      params: b.params,
      tags: b.tags,
      actor: actorOf(req),
    });
    return { model: toMlflowLoggedModel(lm) };
  }

  @Post('logged-models/search')
  @HttpCode(200)
  @RequirePermission('models', 'read')
  @ApiOperation({ summary: 'MLflow 3: search logged models (newest first)' })
  async search(@Body() body: unknown): Promise<{ models: MlflowLoggedModel[]; next_page_token?: string }> {
    const b = parseWith(SearchLoggedModelsBody, body ?? {});
    const limit = b.max_results ?? 100;
    const offset = b.page_token ? Number(b.page_token) : 0;
    const found = await this.models.search({ experimentIds: b.experiment_ids, ...(b.filter ? { filter: b.filter } : {}), limit: limit + 1, offset });
    const page = found.slice(0, limit).map(toMlflowLoggedModel);
    return found.length > limit ? { models: page, next_page_token: String(offset + limit) } : { models: page };
  }

  @Get('logged-models/:model_id')
  @RequirePermission('models', 'read')
  @ApiOperation({ summary: 'MLflow 3: get a logged model' })
  async get(@Param('model_id') modelId: string): Promise<{ model: MlflowLoggedModel }> {
    return { model: toMlflowLoggedModel(await this.models.get(modelId)) };
  }

  @Patch('logged-models/:model_id')
  @RequirePermission('models', 'write')
  @ApiOperation({ summary: 'MLflow 3: finalize a logged model (set its status)' })
  async finalize(@Param('model_id') modelId: string, @Body() body: unknown): Promise<{ model: MlflowLoggedModel }> {
    const status = parseLoggedModelStatus((body as { status?: unknown } | null)?.status);
    return { model: toMlflowLoggedModel(await this.models.finalize(modelId, status)) };
  }

  @Delete('logged-models/:model_id')
  @RequirePermission('models', 'write')
  @ApiOperation({ summary: 'MLflow 3: delete a logged model (soft)' })
  async remove(@Param('model_id') modelId: string): Promise<Record<string, never>> {
    await this.models.delete(modelId);
    return {};
  }

  @Patch('logged-models/:model_id/tags')
  @RequirePermission('models', 'write')
  @ApiOperation({ summary: 'MLflow 3: set tags of a logged model' })
  async setTags(@Param('model_id') modelId: string, @Body() body: unknown): Promise<Record<string, never>> {
    await this.models.setTags(modelId, parseWith(z.object({ tags: KeyValues }), body ?? {}).tags);
    return {};
  }

  @Delete('logged-models/:model_id/tags/:tag_key')
  @RequirePermission('models', 'write')
  @ApiOperation({ summary: 'MLflow 3: delete a tag of a logged model' })
  async deleteTag(@Param('model_id') modelId: string, @Param('tag_key') key: string): Promise<Record<string, never>> {
    await this.models.deleteTag(modelId, key);
    return {};
  }

  @Post('logged-models/:model_id/params')
  @HttpCode(200)
  @RequirePermission('models', 'write')
  @ApiOperation({ summary: 'MLflow 3: log params of a logged model' })
  async logParams(@Param('model_id') modelId: string, @Body() body: unknown): Promise<Record<string, never>> {
    await this.models.logParams(modelId, parseWith(z.object({ params: KeyValues }), body ?? {}).params);
    return {};
  }

  @Post('runs/outputs')
  @HttpCode(200)
  @RequirePermission('models', 'write')
  @ApiOperation({ summary: 'MLflow 3: record the logged models a run produced' })
  async logOutputs(@Body() body: unknown): Promise<Record<string, never>> {
    const b = parseWith(LogOutputsBody, body ?? {});
    await this.models.logOutputs(b.run_id, b.models.map((o) => ({ modelId: o.model_id, step: o.step === undefined || o.step === null ? 0 : Number(o.step) })));
    return {};
  }
}
