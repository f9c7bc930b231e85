import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ModelVersion, RegisteredModel } from '@strata/registry/data-access';
import { parseWith } from '@strata/shared/nest-platform';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseAlias, parseModelName, parseVersion, resolveActor } from './registry.schemas';
import { RegistryService } from './registry.service';

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

/** `filter` of registered-models/search: only `name LIKE '%x%'`, `name ILIKE '%x%'` and `name = 'x'` are understood. */
function searchTerm(filter: string | undefined): string | undefined {
  if (!filter) return undefined;
  const m = /^\s*name\s+(?:I?LIKE|=)\s+'%?([^%']*)%?'\s*$/i.exec(filter);
  if (!m) throw new InvalidArgumentError(`Unsupported filter '${filter}': only "name LIKE '%text%'" and "name = 'text'" are supported`);
  return m[1] || undefined;
}

const SetAliasMlflowBody = z.object({ name: z.string(), alias: z.string(), version: z.union([z.string(), z.number()]) });

/**
 * A read-mostly subset of the MLflow Model Registry REST API 2.0 under `/api/2.0/mlflow/`, so MLflow
 * clients can browse Strata's registry: `registered-models/get`, `registered-models/search`,
 * `model-versions/get`, `registered-models/alias` (GET and POST). Versions are registered through
 * `POST /registered-models/{name}/versions` (it needs the artifact sha256 and signature, which
 * MLflow's `model-versions/create` does not carry). Errors keep Strata's `{error, code}` shape.
 */
@ApiTags('mlflow-compat')
@Controller('api/2.0/mlflow')
export class MlflowCompatController {
  constructor(private readonly registry: RegistryService) {}

  /** `GET /api/2.0/mlflow/registered-models/get?name=` → `{ registered_model }`; 404. */
  @Get('registered-models/get')
  @ApiOperation({ summary: 'MLflow: get a registered model' })
  async getModel(@Query('name') name: string): Promise<{ registered_model: MlflowRegisteredModel }> {
    const m = await this.registry.getModel(parseModelName(name));
    return { registered_model: toMlflowModel(m, m.latestVersions.slice(0, 1)) };
  }

  /** `GET /api/2.0/mlflow/registered-models/search?filter=&max_results=&page_token=` → `{ registered_models, next_page_token? }`. */
  @Get('registered-models/search')
  @ApiOperation({ summary: "MLflow: search registered models (filter: name LIKE '%text%')" })
  async search(
    @Query('filter') filter: string | undefined,
    @Query('max_results') maxResults: string | undefined,
    @Query('page_token') pageToken: string | undefined,
  ): Promise<{ registered_models: MlflowRegisteredModel[]; next_page_token?: string }> {
    const limit = maxResults === undefined ? 100 : parseVersion(maxResults, 'max_results');
    const offset = pageToken === undefined ? 0 : parseVersion(Number(pageToken) + 1, 'page_token') - 1;
    const page = await this.registry.listModels(searchTerm(filter), { limit: Math.min(limit, 1000), offset });
    return { registered_models: page.items.map((m) => toMlflowModel(m)), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  }

  /** `GET /api/2.0/mlflow/model-versions/get?name=&version=` → `{ model_version }`; 400; 404. */
  @Get('model-versions/get')
  @ApiOperation({ summary: 'MLflow: get a model version' })
  async getVersion(@Query('name') name: string, @Query('version') version: string): Promise<{ model_version: MlflowModelVersion }> {
    return { model_version: toMlflowVersion(await this.registry.getVersion(parseModelName(name), parseVersion(version))) };
  }

  /** `GET /api/2.0/mlflow/registered-models/alias?name=&alias=` → `{ model_version }`; 404. */
  @Get('registered-models/alias')
  @ApiOperation({ summary: 'MLflow: get the model version of an alias' })
  async getAlias(@Query('name') name: string, @Query('alias') alias: string): Promise<{ model_version: MlflowModelVersion }> {
    return { model_version: toMlflowVersion(await this.registry.getVersionByAlias(parseModelName(name), parseAlias(alias))) };
  }

  /** `POST /api/2.0/mlflow/registered-models/alias` body `{ name, alias, version }` → `{}` (same semantics as the PUT alias endpoint). */
  @Post('registered-models/alias')
  @HttpCode(200)
  @ApiOperation({ summary: 'MLflow: set an alias' })
  async setAlias(@Body() body: unknown, @Req() req: FastifyRequest): Promise<Record<string, never>> {
    const b = parseWith(SetAliasMlflowBody, body);
    const actor = resolveActor(req.headers['x-strata-actor'] as string | undefined);
    await this.registry.setAlias(parseModelName(b.name), parseAlias(b.alias), parseVersion(b.version), 'set through the MLflow API', {
      actor,
      requestId: String(req.id),
    });
    return {};
  }
}
