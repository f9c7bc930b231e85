import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AliasChange, AuditRecord, ModelAlias, ModelVersion, RegisteredModel } from '@strata/registry/data-access';
import { ZodApiBody, parseWith } from '@strata/shared/nest-platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  RegisterModelVersionBody,
  SetAliasBody,
  parseAlias,
  parseModelName,
  parsePage,
  parseVersion,
  resolveActor,
} from './registry.schemas';
import { RegistryService, type AliasSetResult, type RegisteredModelDetail, type RequestContext } from './registry.service';

const ACTOR_HEADER = 'x-strata-actor';

/** Optional body of alias deletion. */
const DeleteAliasBody = z.object({ reason: z.string().max(1024).optional(), actor: z.string().optional() }).optional();

/** `GET /registered-models` answer. */
export interface RegisteredModelList {
  registeredModels: RegisteredModel[];
  nextPageToken?: string;
}

/** `GET /registered-models/{name}/versions` answer. */
export interface ModelVersionList {
  modelVersions: ModelVersion[];
  nextPageToken?: string;
}

function context(req: FastifyRequest, actor: string): RequestContext {
  return { actor, requestId: String(req.id) };
}

/**
 * HTTP API of the model registry (docs/service-apis.md, "registry"). Errors are
 * `{error, code, details?}`: 400 `INVALID_ARGUMENT` (bad name, version, alias or body; the message
 * names each field), 404 `NOT_FOUND`, 409 `CONFLICT`, 503 `UNAVAILABLE` (PostgreSQL down).
 * The acting user/service is taken from the `X-Strata-Actor` header (or the body's `actor`).
 */
@ApiTags('registered-models')
@Controller('registered-models')
export class RegisteredModelsController {
  constructor(private readonly registry: RegistryService) {}

  /**
   * `GET /registered-models?search=&limit=&pageToken=` → 200 `{ registeredModels: RegisteredModel[], nextPageToken? }`
   * ordered by name; `search` is a case-insensitive substring of the name.
   */
  @Get()
  @ApiOperation({ summary: 'List registered models (search = name substring; limit 1-1000, default 100; pageToken)' })
  async list(@Query() query: Record<string, string | undefined>): Promise<RegisteredModelList> {
    const search = query['search'] ? query['search'].slice(0, 256) : undefined;
    const page = await this.registry.listModels(search, parsePage({ limit: query['limit'], pageToken: query['pageToken'] }));
    return { registeredModels: page.items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  /** `GET /registered-models/{name}` → 200 model with `aliases` (alias → version) and `latestVersions` (5 newest); 404. */
  @Get(':name')
  @ApiOperation({ summary: 'A registered model with its aliases and newest versions' })
  async get(@Param('name') name: string): Promise<RegisteredModelDetail> {
    return this.registry.getModel(parseModelName(name));
  }

  /**
   * `POST /registered-models/{name}/versions` → 201 new `ModelVersion`, or 200 the existing one when
   * this `runId` is already registered (idempotent retry). Creates the model if missing; the first
   * version gets alias `champion`. 400 on invalid input; 409 when the run is registered with a
   * different artifact sha256.
   */
  @Post(':name/versions')
  @ZodApiBody(RegisterModelVersionBody, 'A model version produced by a training run')
  @ApiOperation({ summary: 'Register a model version (201 new, 200 same runId already registered)' })
  async register(
    @Param('name') name: string,
    @Body() body: unknown,
    @Headers(ACTOR_HEADER) actorHeader: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ModelVersion> {
    const model = parseModelName(name);
    const input = parseWith(RegisterModelVersionBody, body);
    const result = await this.registry.registerVersion(model, input, context(req, resolveActor(actorHeader)));
    void reply.status(result.created ? 201 : 200);
    return result.modelVersion;
  }

  /** `GET /registered-models/{name}/versions?limit=&pageToken=` → 200 `{ modelVersions (newest first), nextPageToken? }`; 404. */
  @Get(':name/versions')
  @ApiOperation({ summary: 'List versions of a model, newest first' })
  async listVersions(@Param('name') name: string, @Query() query: Record<string, string | undefined>): Promise<ModelVersionList> {
    const page = await this.registry.listVersions(parseModelName(name), parsePage({ limit: query['limit'], pageToken: query['pageToken'] }));
    return { modelVersions: page.items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  /** `GET /registered-models/{name}/versions/{version}` → 200 `ModelVersion`; 400 non-integer version; 404. */
  @Get(':name/versions/:version')
  @ApiOperation({ summary: 'One model version ("2" and 2 are the same)' })
  async getVersion(@Param('name') name: string, @Param('version') version: string): Promise<ModelVersion> {
    return this.registry.getVersion(parseModelName(name), parseVersion(version));
  }

  /** `DELETE /registered-models/{name}/versions/{version}` → 200 the deleted `ModelVersion`; 404; 409 naming the alias pointing at it. */
  @Delete(':name/versions/:version')
  @ApiOperation({ summary: 'Delete a model version (409 while an alias points at it)' })
  async deleteVersion(
    @Param('name') name: string,
    @Param('version') version: string,
    @Headers(ACTOR_HEADER) actorHeader: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<ModelVersion> {
    const model = parseModelName(name);
    const v = parseVersion(version);
    return this.registry.deleteVersion(model, v, context(req, resolveActor(actorHeader)));
  }

  /** `GET /registered-models/{name}/aliases/{alias}` → 200 the `ModelVersion` the alias points at; 404. */
  @Get(':name/aliases/:alias')
  @ApiOperation({ summary: 'The model version an alias points at' })
  async getAlias(@Param('name') name: string, @Param('alias') alias: string): Promise<ModelVersion> {
    return this.registry.getVersionByAlias(parseModelName(name), parseAlias(alias));
  }

  /**
   * `PUT /registered-models/{name}/aliases/{alias}` body `{ version, reason?, actor? }` → 200
   * `{ name, alias, version, previousVersion, changed, updatedBy, updatedAt }`. Sets or atomically
   * moves the alias (history + audit + `model-alias-changed`); the same version again is a no-op
   * (`changed: false`, no event). 400; 404 model or version missing.
   */
  @Put(':name/aliases/:alias')
  @ZodApiBody(SetAliasBody, 'Target version, optional reason and actor')
  @ApiOperation({ summary: 'Set or move an alias' })
  async setAlias(
    @Param('name') name: string,
    @Param('alias') alias: string,
    @Body() body: unknown,
    @Headers(ACTOR_HEADER) actorHeader: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<AliasSetResult> {
    const model = parseModelName(name);
    const a = parseAlias(alias);
    const input = parseWith(SetAliasBody, body);
    const version = parseVersion(input.version, 'request body: version');
    return this.registry.setAlias(model, a, version, input.reason, context(req, resolveActor(input.actor, actorHeader)));
  }

  /** `DELETE /registered-models/{name}/aliases/{alias}` (optional body `{reason?, actor?}`) → 200 the removed alias; 404. */
  @Delete(':name/aliases/:alias')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete an alias' })
  async deleteAlias(
    @Param('name') name: string,
    @Param('alias') alias: string,
    @Body() body: unknown,
    @Headers(ACTOR_HEADER) actorHeader: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<ModelAlias> {
    const model = parseModelName(name);
    const a = parseAlias(alias);
    const input = parseWith(DeleteAliasBody, body ?? undefined);
    return this.registry.deleteAlias(model, a, input?.reason, context(req, resolveActor(input?.actor, actorHeader)));
  }

  /** `GET /registered-models/{name}/aliases/{alias}/history` → 200 `AliasChange[]`, newest first; 404 model missing. */
  @Get(':name/aliases/:alias/history')
  @ApiOperation({ summary: 'Changes of an alias (actor, from, to, reason, time), newest first' })
  async aliasHistory(@Param('name') name: string, @Param('alias') alias: string): Promise<AliasChange[]> {
    return this.registry.aliasHistory(parseModelName(name), parseAlias(alias));
  }

  /** `GET /registered-models/{name}/audit` → 200 `AuditRecord[]` of the model, its versions and aliases, oldest first; 404. */
  @Get(':name/audit')
  @ApiOperation({ summary: 'Audit log of a model (append-only)' })
  async audit(@Param('name') name: string): Promise<AuditRecord[]> {
    return this.registry.auditLog(parseModelName(name));
  }
}
