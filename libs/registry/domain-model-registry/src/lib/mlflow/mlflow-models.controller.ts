import { Controller, Delete, Get, HttpCode, Patch, Post, Req, UseFilters } from '@nestjs/common';
import { RequirePermission } from '@strata/shared/auth';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { ModelVersionSummary } from '@strata/registry/data-access';
import { AliasesService, MLFLOW_STAGES, MlflowVersionsService, ModelsService } from '../model-registry';
import { parseAlias } from '../registry.schemas';
import { MlflowErrorFilter } from './mlflow-errors';
import { toMlflowModel, toMlflowVersion, type MlflowModelVersion, type MlflowRegisteredModel } from './mlflow-json';
import { ctxOf, inputOf, listOf, optStr, page, registrySearch, str, tagsOf, withToken } from './mlflow-request';
import { mlflowVersionNumber } from './mlflow-versions.controller';

/**
 * MLflow REST API 2.0 registered models under `/api/2.0/mlflow/registered-models/`: create, get,
 * search, update, rename, delete, set-tag, delete-tag, alias (set/get/delete),
 * get-latest-versions. Names are MLflow's (any non-empty string, case and spaces kept;
 * mlflow-schemas.ts). `latest_versions` is the newest version of each stage (MLflow).
 * Errors: `{error_code, message}` with MLflow's codes and wording ({@link MlflowErrorFilter}).
 */
@ApiTags('mlflow-compat')
@Controller('api/2.0/mlflow')
@UseFilters(new MlflowErrorFilter())
export class MlflowModelsController {
  constructor(
    private readonly models: ModelsService,
    private readonly aliases: AliasesService,
    private readonly mlflow: MlflowVersionsService,
  ) {}

  private async withLatest(models: Array<Parameters<typeof toMlflowModel>[0]>): Promise<MlflowRegisteredModel[]> {
    const byModel = new Map<string, ModelVersionSummary[]>();
    for (const v of await this.mlflow.latestPerStage(models.map((m) => m.name))) {
      const list = byModel.get(v.name);
      if (list) list.push(v);
      else byModel.set(v.name, [v]);
    }
    return models.map((m) => toMlflowModel(m, byModel.get(m.name) ?? []));
  }

  /** `POST registered-models/create {name, tags?, description?}` → `{registered_model}`; RESOURCE_ALREADY_EXISTS (400). */
  @Post('registered-models/create')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: create a registered model' })
  @RequirePermission('models', 'write')
  async createModel(@Req() req: FastifyRequest): Promise<{ registered_model: MlflowRegisteredModel }> {
    const i = inputOf(req);
    const m = await this.models.createModel(str(i, 'name'), optStr(i, 'description') ?? null, tagsOf(i), ctxOf(req));
    return { registered_model: toMlflowModel(m) };
  }

  /** `GET registered-models/get?name=` → `{registered_model}` with `latest_versions` (newest per stage). */
  @Get('registered-models/get')
  @ApiOperation({ summary: 'MLflow: get a registered model' })
  @RequirePermission('models', 'read')
  async getModel(@Req() req: FastifyRequest): Promise<{ registered_model: MlflowRegisteredModel }> {
    const m = await this.models.getModel(str(inputOf(req), 'name'));
    return { registered_model: (await this.withLatest([m]))[0] as MlflowRegisteredModel };
  }

  /** `GET registered-models/search?filter=&max_results=&order_by=&page_token=` → `{registered_models, next_page_token?}` (grammar: mlflow-request.ts registrySearch). */
  @Get('registered-models/search')
  @ApiOperation({ summary: "MLflow: search registered models (name / tags.<key> with = != LIKE ILIKE; order_by name, timestamps)" })
  @RequirePermission('models', 'read')
  async search(@Req() req: FastifyRequest): Promise<{ registered_models: MlflowRegisteredModel[]; next_page_token?: string }> {
    const i = inputOf(req);
    const p = page(i, 100, 1000);
    const result = await this.models.searchModels(registrySearch(optStr(i, 'filter'), listOf(i, 'order_by'), 'models'), p);
    return withToken({ registered_models: await this.withLatest(result.items) }, result.nextPageToken);
  }

  /** `PATCH registered-models/update {name, description}` → `{registered_model}`. */
  @Patch('registered-models/update')
  @ApiOperation({ summary: 'MLflow: update the description of a registered model' })
  @RequirePermission('models', 'write')
  async updateModel(@Req() req: FastifyRequest): Promise<{ registered_model: MlflowRegisteredModel }> {
    const i = inputOf(req);
    const m = await this.models.updateModel(str(i, 'name'), { description: optStr(i, 'description') ?? null }, ctxOf(req));
    return { registered_model: toMlflowModel(m) };
  }

  /** `POST registered-models/rename {name, new_name}` → `{registered_model}`; versions, aliases, history, rollouts and policy follow. */
  @Post('registered-models/rename')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: rename a registered model' })
  @RequirePermission('models', 'write')
  async renameModel(@Req() req: FastifyRequest): Promise<{ registered_model: MlflowRegisteredModel }> {
    const i = inputOf(req);
    const m = await this.models.renameModel(str(i, 'name'), str(i, 'new_name'), ctxOf(req));
    return { registered_model: toMlflowModel(m) };
  }

  /** `DELETE registered-models/delete {name}` → `{}`; INVALID_STATE (409) while an alias exists. */
  @Delete('registered-models/delete')
  @ApiOperation({ summary: 'MLflow: delete a registered model (refused while aliases exist)' })
  @RequirePermission('models', 'write')
  async deleteModel(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    await this.models.deleteModel(str(inputOf(req), 'name'), ctxOf(req));
    return {};
  }

  /** `POST registered-models/set-tag {name, key, value}` → `{}`. */
  @Post('registered-models/set-tag')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set a registered model tag' })
  @RequirePermission('models', 'write')
  async setModelTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.models.updateModel(str(i, 'name'), { setTags: { [str(i, 'key')]: str(i, 'value', false) } }, ctxOf(req));
    return {};
  }

  /** `DELETE registered-models/delete-tag {name, key}` → `{}`. */
  @Delete('registered-models/delete-tag')
  @ApiOperation({ summary: 'MLflow: delete a registered model tag' })
  @RequirePermission('models', 'write')
  async deleteModelTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.models.updateModel(str(i, 'name'), { deleteTags: [str(i, 'key')] }, ctxOf(req));
    return {};
  }

  /** `GET registered-models/alias?name=&alias=` → `{model_version}`. */
  @Get('registered-models/alias')
  @ApiOperation({ summary: 'MLflow: get the model version of an alias' })
  @RequirePermission('aliases', 'read')
  async getAlias(@Req() req: FastifyRequest): Promise<{ model_version: MlflowModelVersion }> {
    const i = inputOf(req);
    return { model_version: toMlflowVersion(await this.aliases.getVersionByAlias(str(i, 'name'), parseAlias(str(i, 'alias')))) };
  }

  /** `POST registered-models/alias {name, alias, version}` → `{}` (same semantics as the PUT alias endpoint, incl. automatic promotion for `challenger`). */
  @Post('registered-models/alias')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set an alias' })
  @RequirePermission('aliases', 'write')
  async setAlias(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.aliases.setAlias(str(i, 'name'), parseAlias(str(i, 'alias')), mlflowVersionNumber(i), 'set through the MLflow API', ctxOf(req));
    return {};
  }

  /** `DELETE registered-models/alias {name, alias}` → `{}`. */
  @Delete('registered-models/alias')
  @ApiOperation({ summary: 'MLflow: delete an alias' })
  @RequirePermission('aliases', 'write')
  async deleteAlias(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.aliases.deleteAlias(str(i, 'name'), parseAlias(str(i, 'alias')), 'deleted through the MLflow API', ctxOf(req));
    return {};
  }

  /**
   * `POST|GET registered-models/get-latest-versions {name, stages?}` → `{model_versions}`: the
   * newest version of each requested stage (all stages when none given). Stages are mirrored on
   * the aliases `stage-staging` / `stage-production` (MlflowVersionsService.transitionStage).
   */
  @Post('registered-models/get-latest-versions')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: newest version per stage (stages: None, Staging, Production, Archived)' })
  @RequirePermission('models', 'read')
  async latestVersions(@Req() req: FastifyRequest): Promise<{ model_versions: MlflowModelVersion[] }> {
    const i = inputOf(req);
    const name = str(i, 'name');
    await this.models.getModel(name);
    const stages = (listOf(i, 'stages') ?? []).map((s) => MLFLOW_STAGES.find((x) => x.toLowerCase() === s.toLowerCase()) ?? s);
    const latest = await this.mlflow.latestPerStage([name]);
    return { model_versions: latest.filter((v) => stages.length === 0 || stages.includes(v.currentStage)).map(toMlflowVersion) };
  }

  /** `GET registered-models/get-latest-versions` (same as POST). */
  @Get('registered-models/get-latest-versions')
  @ApiOperation({ summary: 'MLflow: newest version per stage (GET form)' })
  @RequirePermission('models', 'read')
  latestVersionsGet(@Req() req: FastifyRequest): Promise<{ model_versions: MlflowModelVersion[] }> {
    return this.latestVersions(req);
  }
}
