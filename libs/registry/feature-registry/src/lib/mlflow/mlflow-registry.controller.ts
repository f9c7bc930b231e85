import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Req, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { MetricValue } from '@strata/registry/data-access';
import { parseWith } from '@strata/shared/nest-platform';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { FastifyRequest } from 'fastify';
import { ArtifactsService } from '../artifacts.service';
import { AliasesService, ModelsService, VersionsService } from '../model-registry';
import { SignatureInput, parseAlias, parseModelName, parseVersion } from '../registry.schemas';
import { TrackingService } from '../tracking.service';
import { MlflowErrorFilter } from './mlflow-errors';
import { toMlflowModel, toMlflowVersion, type MlflowModelVersion, type MlflowRegisteredModel } from './mlflow-json';
import { ctxOf, inputOf, optStr, page, registryFilter, str, tagsOf, withToken } from './mlflow-request';

/**
 * MLflow REST API 2.0 model-registry subset under `/api/2.0/mlflow/` (the calls of the official
 * `mlflow` client with an `http://` registry URI): registered-models (create, get, search, update,
 * delete, set-tag, delete-tag, alias set/get/delete), model-versions (create, get, search, update,
 * set-tag, delete-tag, delete). Errors: `{error_code, message}` ({@link MlflowErrorFilter}).
 */
@ApiTags('mlflow-compat')
@Controller('api/2.0/mlflow')
@UseFilters(new MlflowErrorFilter())
export class MlflowRegistryController {
  constructor(
    private readonly models: ModelsService,
    private readonly versions: VersionsService,
    private readonly aliases: AliasesService,
    private readonly tracking: TrackingService,
    private readonly artifacts: ArtifactsService,
  ) {}

  // ---------------------------------------------------------------- registered models

  /** `POST registered-models/create {name, tags?, description?}` → `{registered_model}`; RESOURCE_ALREADY_EXISTS. */
  @Post('registered-models/create')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: create a registered model' })
  async createModel(@Req() req: FastifyRequest): Promise<{ registered_model: MlflowRegisteredModel }> {
    const i = inputOf(req);
    const m = await this.models.createModel(parseModelName(str(i, 'name')), optStr(i, 'description') ?? null, tagsOf(i), ctxOf(req));
    return { registered_model: toMlflowModel(m) };
  }

  /** `GET registered-models/get?name=` → `{registered_model}` (with `latest_versions`: the newest). */
  @Get('registered-models/get')
  @ApiOperation({ summary: 'MLflow: get a registered model' })
  async getModel(@Query('name') name: string): Promise<{ registered_model: MlflowRegisteredModel }> {
    const m = await this.models.getModel(parseModelName(name));
    return { registered_model: toMlflowModel(m, m.latestVersions.slice(0, 1)) };
  }

  /** `GET registered-models/search?filter=&max_results=&page_token=` → `{registered_models, next_page_token?}`; filter: name =/LIKE/ILIKE, tags.k = 'v'. */
  @Get('registered-models/search')
  @ApiOperation({ summary: "MLflow: search registered models (filter: name = | LIKE | ILIKE '...', tags.k = '...')" })
  async search(@Req() req: FastifyRequest): Promise<{ registered_models: MlflowRegisteredModel[]; next_page_token?: string }> {
    const i = inputOf(req);
    const p = page(i, 100, 1000);
    const f = registryFilter(optStr(i, 'filter'), false);
    const result = await this.models.searchModels(f, p);
    return withToken({ registered_models: result.items.map((m) => toMlflowModel(m)) }, result.nextPageToken);
  }

  /** `PATCH registered-models/update {name, description}` → `{registered_model}`. */
  @Patch('registered-models/update')
  @ApiOperation({ summary: 'MLflow: update the description of a registered model' })
  async updateModel(@Req() req: FastifyRequest): Promise<{ registered_model: MlflowRegisteredModel }> {
    const i = inputOf(req);
    const m = await this.models.updateModel(parseModelName(str(i, 'name')), { description: optStr(i, 'description') ?? null }, ctxOf(req));
    return { registered_model: toMlflowModel(m) };
  }

  /** `DELETE registered-models/delete {name}` → `{}`; INVALID_STATE (409) while an alias exists. */
  @Delete('registered-models/delete')
  @ApiOperation({ summary: 'MLflow: delete a registered model (refused while aliases exist)' })
  async deleteModel(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    await this.models.deleteModel(parseModelName(str(inputOf(req), 'name')), ctxOf(req));
    return {};
  }

  /** `POST registered-models/set-tag {name, key, value}` → `{}`. */
  @Post('registered-models/set-tag')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set a registered model tag' })
  async setModelTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.models.updateModel(parseModelName(str(i, 'name')), { setTags: { [str(i, 'key')]: str(i, 'value', false) } }, ctxOf(req));
    return {};
  }

  /** `DELETE registered-models/delete-tag {name, key}` → `{}`. */
  @Delete('registered-models/delete-tag')
  @ApiOperation({ summary: 'MLflow: delete a registered model tag' })
  async deleteModelTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.models.updateModel(parseModelName(str(i, 'name')), { deleteTags: [str(i, 'key')] }, ctxOf(req));
    return {};
  }

  /** `GET registered-models/alias?name=&alias=` → `{model_version}`. */
  @Get('registered-models/alias')
  @ApiOperation({ summary: 'MLflow: get the model version of an alias' })
  async getAlias(@Query('name') name: string, @Query('alias') alias: string): Promise<{ model_version: MlflowModelVersion }> {
    return { model_version: toMlflowVersion(await this.aliases.getVersionByAlias(parseModelName(name), parseAlias(alias))) };
  }

  /** `POST registered-models/alias {name, alias, version}` → `{}` (same semantics as the PUT alias endpoint, incl. automatic promotion for `challenger`). */
  @Post('registered-models/alias')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set an alias' })
  async setAlias(@Body() _body: unknown, @Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.aliases.setAlias(parseModelName(str(i, 'name')), parseAlias(str(i, 'alias')), parseVersion(i['version']), 'set through the MLflow API', ctxOf(req));
    return {};
  }

  /** `DELETE registered-models/alias {name, alias}` → `{}`. */
  @Delete('registered-models/alias')
  @ApiOperation({ summary: 'MLflow: delete an alias' })
  async deleteAlias(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.aliases.deleteAlias(parseModelName(str(i, 'name')), parseAlias(str(i, 'alias')), 'deleted through the MLflow API', ctxOf(req));
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
    const { modelVersion } = await this.versions.registerVersion(
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
    return { model_version: toMlflowVersion(await this.versions.getVersion(parseModelName(name), parseVersion(version))) };
  }

  /** `GET model-versions/search?filter=&max_results=&page_token=` → `{model_versions, next_page_token?}`; filter: name, run_id, tags. */
  @Get('model-versions/search')
  @ApiOperation({ summary: "MLflow: search model versions (filter: name = | LIKE '...', run_id = | IN, tags.k = '...')" })
  async searchVersions(@Req() req: FastifyRequest): Promise<{ model_versions: MlflowModelVersion[]; next_page_token?: string }> {
    const i = inputOf(req);
    const p = page(i, 10000, 200000);
    const f = registryFilter(optStr(i, 'filter'), true);
    const result = await this.versions.searchVersions({ ...(f.exactName !== undefined ? { name: f.exactName } : {}), ...(f.namePattern !== undefined ? { namePattern: f.namePattern } : {}), ...(f.runIds ? { runIds: f.runIds } : {}), tags: f.tags }, p);
    return withToken({ model_versions: result.items.map(toMlflowVersion) }, result.nextPageToken);
  }

  /** `PATCH model-versions/update {name, version, description}` → `{model_version}`. */
  @Patch('model-versions/update')
  @ApiOperation({ summary: 'MLflow: update the description of a model version' })
  async updateVersion(@Req() req: FastifyRequest): Promise<{ model_version: MlflowModelVersion }> {
    const i = inputOf(req);
    const mv = await this.versions.updateVersion(parseModelName(str(i, 'name')), parseVersion(i['version']), { description: optStr(i, 'description') ?? null }, ctxOf(req));
    return { model_version: toMlflowVersion(mv) };
  }

  /** `POST model-versions/set-tag {name, version, key, value}` → `{}`. */
  @Post('model-versions/set-tag')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set a model version tag' })
  async setVersionTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.versions.updateVersion(parseModelName(str(i, 'name')), parseVersion(i['version']), { setTags: { [str(i, 'key')]: str(i, 'value', false) } }, ctxOf(req));
    return {};
  }

  /** `DELETE model-versions/delete-tag {name, version, key}` → `{}`. */
  @Delete('model-versions/delete-tag')
  @ApiOperation({ summary: 'MLflow: delete a model version tag' })
  async deleteVersionTag(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.versions.updateVersion(parseModelName(str(i, 'name')), parseVersion(i['version']), { deleteTags: [str(i, 'key')] }, ctxOf(req));
    return {};
  }

  /** `DELETE model-versions/delete {name, version}` → `{}`; INVALID_STATE (409) naming the alias pointing at it. */
  @Delete('model-versions/delete')
  @ApiOperation({ summary: 'MLflow: delete a model version (refused while an alias points at it)' })
  async deleteVersion(@Req() req: FastifyRequest): Promise<Record<string, never>> {
    const i = inputOf(req);
    await this.versions.deleteVersion(parseModelName(str(i, 'name')), parseVersion(i['version']), ctxOf(req));
    return {};
  }
}
