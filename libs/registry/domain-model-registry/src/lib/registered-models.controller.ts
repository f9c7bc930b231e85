import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AliasChange, AuditRecord, ModelAlias, ModelVersion, PromotionDecision, PromotionPolicy, RegisteredModel } from '@strata/registry/data-access';
import { ArtifactsService } from './artifacts.service';
import { RegistryApi, type ModelVersionList, type RegisteredModelList } from '@strata/contracts/api';
import { ZodApiBody, ZodApiResponse, parseWith, securityContextOf } from '@strata/shared/nest-platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  PromotionDecisionBody,
  PromotionPolicyBody,
  LiveRolloutDecisionBody,
  UpdateDescriptionTagsBody,
  RegisterModelVersionBody,
  SetAliasBody,
  parseAlias,
  parseModelName,
  parsePage,
  parseVersion,
  resolveActor,
  resolveRequestActor,
} from './registry.schemas';
import { ModelsService, VersionsService, AliasesService, PromotionService, LiveRolloutService, type AliasSetResult, type RegisteredModelDetail, type RequestContext } from './model-registry';
import { RequirePermission } from '@strata/shared/auth';

const ACTOR_HEADER = 'x-strata-actor';

/** Optional body of alias deletion. */
const DeleteAliasBody = z.object({ reason: z.string().max(1024).optional(), actor: z.string().optional() }).optional();

/** `GET /registered-models` and `GET /registered-models/{name}/versions` answers: declared once, in the API contracts. */
export type { ModelVersionList, RegisteredModelList };

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
  constructor(
    private readonly models: ModelsService,
    private readonly versions: VersionsService,
    private readonly aliases: AliasesService,
    private readonly promotion: PromotionService,
    private readonly liveRollouts: LiveRolloutService,
    private readonly artifacts: ArtifactsService,
  ) {}

  /**
   * `GET /registered-models?search=&limit=&pageToken=` → 200 `{ registeredModels: RegisteredModel[], nextPageToken? }`
   * ordered by name; `search` is a case-insensitive substring of the name.
   */
  @Get()
  @ApiOperation({ summary: 'List registered models (search = name substring; limit 1-1000, default 100; pageToken)' })
  @ZodApiResponse(RegistryApi.listModels.response)
  @RequirePermission('models', 'read')
  async list(@Query() query: Record<string, string | undefined>): Promise<RegisteredModelList> {
    const search = query['search'] ? query['search'].slice(0, 256) : undefined;
    const page = await this.models.listModels(search, parsePage({ limit: query['limit'], pageToken: query['pageToken'] }));
    return { registeredModels: page.items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  /** `GET /registered-models/{name}` → 200 model with `aliases` (alias → version) and `latestVersions` (5 newest); 404. */
  @Get(':name')
  @ApiOperation({ summary: 'A registered model with its aliases and newest versions' })
  @ZodApiResponse(RegistryApi.getModel.response)
  @RequirePermission('models', 'read')
  async get(@Param('name') name: string): Promise<RegisteredModelDetail> {
    return this.models.getModel(parseModelName(name));
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
  @RequirePermission('models', 'write')
  async register(
    @Param('name') name: string,
    @Body() body: unknown,
    @Headers(ACTOR_HEADER) actorHeader: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ModelVersion> {
    const model = parseModelName(name);
    const input = parseWith(RegisterModelVersionBody, body);
    const result = await this.versions.registerVersion(model, input, context(req, resolveActor(actorHeader)));
    void reply.status(result.created ? 201 : 200);
    return result.modelVersion;
  }

  /** `GET /registered-models/{name}/versions?limit=&pageToken=` → 200 `{ modelVersions (newest first), nextPageToken? }`; 404. */
  @Get(':name/versions')
  @ApiOperation({ summary: 'List versions of a model, newest first' })
  @ZodApiResponse(RegistryApi.listVersions.response)
  @RequirePermission('models', 'read')
  async listVersions(@Param('name') name: string, @Query() query: Record<string, string | undefined>): Promise<ModelVersionList> {
    const page = await this.versions.listVersions(parseModelName(name), parsePage({ limit: query['limit'], pageToken: query['pageToken'] }));
    return { modelVersions: page.items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  /** `GET /registered-models/{name}/versions/{version}` → 200 `ModelVersion`; 400 non-integer version; 404. */
  @Get(':name/versions/:version')
  @ApiOperation({ summary: 'One model version ("2" and 2 are the same)' })
  @ZodApiResponse(RegistryApi.getModelVersion.response)
  @RequirePermission('models', 'read')
  async getVersion(@Param('name') name: string, @Param('version') version: string): Promise<ModelVersion> {
    return this.versions.getVersion(parseModelName(name), parseVersion(version));
  }

  /** `DELETE /registered-models/{name}/versions/{version}` → 200 the deleted `ModelVersion`; 404; 409 naming the alias pointing at it. */
  @Delete(':name/versions/:version')
  @ApiOperation({ summary: 'Delete a model version (409 while an alias points at it)' })
  @RequirePermission('models', 'write')
  async deleteVersion(
    @Param('name') name: string,
    @Param('version') version: string,
    @Headers(ACTOR_HEADER) actorHeader: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<ModelVersion> {
    const model = parseModelName(name);
    const v = parseVersion(version);
    return this.versions.deleteVersion(model, v, context(req, resolveActor(actorHeader)));
  }

  /** `GET /registered-models/{name}/aliases/{alias}` → 200 the `ModelVersion` the alias points at; 404. */
  @Get(':name/aliases/:alias')
  @ApiOperation({ summary: 'The model version an alias points at' })
  @ZodApiResponse(RegistryApi.getAlias.response)
  @RequirePermission('aliases', 'read')
  async getAlias(@Param('name') name: string, @Param('alias') alias: string): Promise<ModelVersion> {
    return this.aliases.getVersionByAlias(parseModelName(name), parseAlias(alias));
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
  @RequirePermission('aliases', 'write')
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
    return this.aliases.setAlias(model, a, version, input.reason, context(req, resolveRequestActor(securityContextOf(req)?.principal, input.actor, actorHeader)));
  }

  /** `DELETE /registered-models/{name}/aliases/{alias}` (optional body `{reason?, actor?}`) → 200 the removed alias; 404. */
  @Delete(':name/aliases/:alias')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete an alias' })
  @RequirePermission('aliases', 'write')
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
    return this.aliases.deleteAlias(model, a, input?.reason, context(req, resolveRequestActor(securityContextOf(req)?.principal, input?.actor, actorHeader)));
  }

  /** `GET /registered-models/{name}/aliases/{alias}/history` → 200 `AliasChange[]`, newest first; 404 model missing. */
  @Get(':name/aliases/:alias/history')
  @ApiOperation({ summary: 'Changes of an alias (actor, from, to, reason, time), newest first' })
  @ZodApiResponse(RegistryApi.aliasHistory.response)
  @RequirePermission('aliases', 'read')
  async aliasHistory(@Param('name') name: string, @Param('alias') alias: string): Promise<AliasChange[]> {
    return this.aliases.aliasHistory(parseModelName(name), parseAlias(alias));
  }

  /** `GET /registered-models/{name}/audit` → 200 `AuditRecord[]` of the model, its versions and aliases, oldest first; 404. */
  @Get(':name/audit')
  @ApiOperation({ summary: 'Audit log of a model (append-only)' })
  @RequirePermission('models', 'read')
  async audit(@Param('name') name: string): Promise<AuditRecord[]> {
    return this.models.auditLog(parseModelName(name));
  }
  /** `PATCH /registered-models/{name}` body `{description?, tags?}` (tags replace the map) → 200 `RegisteredModel`; audited; 404. */
  @Patch(':name')
  @ZodApiBody(UpdateDescriptionTagsBody, 'Description and/or tags')
  @ApiOperation({ summary: 'Update the description / tags of a model' })
  @RequirePermission('models', 'write')
  async updateModel(@Param('name') name: string, @Body() body: unknown, @Headers(ACTOR_HEADER) actorHeader: string | undefined, @Req() req: FastifyRequest): Promise<RegisteredModel> {
    const model = parseModelName(name);
    const b = parseWith(UpdateDescriptionTagsBody, body);
    return this.models.updateModel(model, { ...(b.description !== undefined ? { description: b.description } : {}), ...(b.tags ? { tags: b.tags } : {}) }, context(req, resolveActor(actorHeader)));
  }

  /** `PATCH /registered-models/{name}/versions/{version}` body `{description?, tags?}` → 200 `ModelVersion`; audited; 404. */
  @Patch(':name/versions/:version')
  @ZodApiBody(UpdateDescriptionTagsBody, 'Description and/or tags')
  @ApiOperation({ summary: 'Update the description / tags of a version (the rest is immutable)' })
  @RequirePermission('models', 'write')
  async updateVersion(
    @Param('name') name: string,
    @Param('version') version: string,
    @Body() body: unknown,
    @Headers(ACTOR_HEADER) actorHeader: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<ModelVersion> {
    const model = parseModelName(name);
    const v = parseVersion(version);
    const b = parseWith(UpdateDescriptionTagsBody, body);
    return this.versions.updateVersion(model, v, { ...(b.description !== undefined ? { description: b.description } : {}), ...(b.tags ? { tags: b.tags } : {}) }, context(req, resolveActor(actorHeader)));
  }

  /**
   * `GET /registered-models/{name}/versions/{version}/artifact` → 200 the artifact bytes
   * (`application/octet-stream`, `Content-Length`, `X-Strata-Artifact-Sha256`). The file is
   * hashed before the first byte is sent: a file that was altered or truncated → 422
   * `INTEGRITY_ERROR` naming the version and both digests (never a 200); 404 unknown version.
   */
  @Get(':name/versions/:version/artifact')
  @ApiOperation({ summary: 'Download the artifact of a version (sha256-verified; 422 when it does not match)' })
  @RequirePermission('models', 'read')
  async downloadArtifact(@Param('name') name: string, @Param('version') version: string, @Res() reply: FastifyReply): Promise<void> {
    const mv = await this.versions.getVersion(parseModelName(name), parseVersion(version));
    const a = await this.artifacts.openVerified(mv);
    await reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', String(a.sizeBytes))
      .header('x-strata-artifact-sha256', a.sha256)
      .header('content-disposition', `attachment; filename="${a.fileName.replace(/"/g, '')}"`)
      .send(a.stream);
  }

  /**
   * `PUT /registered-models/{name}/promotion-policy` body `{metric, direction: maximize|minimize,
   * minMargin?: 0, autoPromote?: true, rollout?: null, fairness?: null | {segment, metric,
   * maxWidening?, maxValue? | minValue?, minCount?: 30}, actor?}` → 200 `PromotionPolicy`; audited;
   * 400 bad body (e.g. a fairness gate without a bound); 404 model.
   */
  @Put(':name/promotion-policy')
  @ZodApiBody(PromotionPolicyBody, 'Promotion policy')
  @ApiOperation({ summary: 'Set the promotion policy of a model' })
  @RequirePermission('aliases', 'write')
  async setPolicy(@Param('name') name: string, @Body() body: unknown, @Headers(ACTOR_HEADER) actorHeader: string | undefined, @Req() req: FastifyRequest): Promise<PromotionPolicy> {
    const model = parseModelName(name);
    const b = parseWith(PromotionPolicyBody, body);
    return this.promotion.setPromotionPolicy(
      model,
      { metric: b.metric, direction: b.direction, minMargin: b.minMargin, autoPromote: b.autoPromote, rollout: b.rollout, fairness: b.fairness },
      context(req, resolveRequestActor(securityContextOf(req)?.principal, b.actor, actorHeader)),
    );
  }

  /**
   * `POST /registered-models/{name}/rollouts/current/decision` body `{rolloutId, championValue,
   * challengerValue, championLabeled, challengerLabeled, apply?: true, actor?}` → 201
   * `{decision: PromotionDecision, rollout}`: the live decision of the active rollout under the
   * model's promotion policy (closed loop; monitoring sends the policy's metric measured on each
   * version's labeled rollout traffic). Promoted → champion moves to the challenger and the
   * rollout ends `promoted`; rejected → the rollout is rolled back. Recorded and audited either way.
   * 404 model / no active rollout; 409 no rollout policy or a stale `rolloutId`.
   */
  @Post(':name/rollouts/current/decision')
  @ZodApiBody(LiveRolloutDecisionBody, 'Live evidence of the active rollout')
  @ApiOperation({ summary: 'Decide the active rollout from live evidence (promote or roll back)' })
  @RequirePermission('rollouts', 'write')
  async decideLive(@Param('name') name: string, @Body() body: unknown, @Headers(ACTOR_HEADER) actorHeader: string | undefined, @Req() req: FastifyRequest): Promise<{ decision: PromotionDecision; rollout: unknown }> {
    const model = parseModelName(name);
    const b = parseWith(LiveRolloutDecisionBody, body);
    return this.liveRollouts.decideLiveRollout(
      model,
      {
        rolloutId: b.rolloutId, championValue: b.championValue, challengerValue: b.challengerValue, championLabeled: b.championLabeled, challengerLabeled: b.challengerLabeled,
        trainingDataCutoff: b.trainingDataCutoff === null ? null : new Date(b.trainingDataCutoff).toISOString(), championExcluded: b.championExcluded, challengerExcluded: b.challengerExcluded,
        disparity: b.disparity, // issue #17
      },
      b.apply,
      context(req, resolveRequestActor(securityContextOf(req)?.principal, b.actor, actorHeader)),
    );
  }

  /** `GET /registered-models/{name}/promotion-policy` → `PromotionPolicy`; 404 model or no policy. */
  @Get(':name/promotion-policy')
  @ApiOperation({ summary: 'The promotion policy of a model' })
  @RequirePermission('aliases', 'read')
  getPolicy(@Param('name') name: string): Promise<PromotionPolicy> {
    return this.promotion.getPromotionPolicy(parseModelName(name));
  }

  /**
   * `POST /registered-models/{name}/promotion-decisions` body `{challengerVersion?, apply?: true, actor?}`
   * → 201 `PromotionDecision` (recorded whatever the outcome; when `promoted` and `apply`, champion
   * moved in the same transaction). 404 model/version/challenger alias; 409 no policy.
   */
  @Post(':name/promotion-decisions')
  @ZodApiBody(PromotionDecisionBody, 'Challenger to evaluate (the body may be omitted)', { optional: true })
  @ApiOperation({ summary: 'Evaluate (and apply) a promotion of the challenger' })
  @ZodApiResponse(RegistryApi.decidePromotion.response, 201)
  @RequirePermission('aliases', 'write')
  async decide(@Param('name') name: string, @Body() body: unknown, @Headers(ACTOR_HEADER) actorHeader: string | undefined, @Req() req: FastifyRequest): Promise<PromotionDecision> {
    const model = parseModelName(name);
    const b = parseWith(PromotionDecisionBody, body ?? {});
    const v = b.challengerVersion === undefined ? undefined : parseVersion(b.challengerVersion, 'request body: challengerVersion');
    return this.promotion.decidePromotion(model, v, b.apply, context(req, resolveRequestActor(securityContextOf(req)?.principal, b.actor, actorHeader)));
  }

  /** `GET /registered-models/{name}/promotion-decisions?limit=&pageToken=` → `{decisions (newest first), nextPageToken?}`; 404. */
  @Get(':name/promotion-decisions')
  @ApiOperation({ summary: 'Promotion decisions of a model, newest first' })
  @ZodApiResponse(RegistryApi.listDecisions.response)
  @RequirePermission('aliases', 'read')
  async decisions(@Param('name') name: string, @Query() query: Record<string, string | undefined>): Promise<{ decisions: PromotionDecision[]; nextPageToken?: string }> {
    const page = await this.promotion.listPromotionDecisions(parseModelName(name), parsePage({ limit: query['limit'], pageToken: query['pageToken'] }));
    return { decisions: page.items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  /** `GET /registered-models/{name}/promotion-decisions/{id}` → `PromotionDecision`; 404. */
  @Get(':name/promotion-decisions/:id')
  @ApiOperation({ summary: 'One promotion decision' })
  @RequirePermission('aliases', 'read')
  decision(@Param('name') name: string, @Param('id') id: string): Promise<PromotionDecision> {
    return this.promotion.getPromotionDecision(parseModelName(name), parseVersion(id, 'decision id'));
  }
}
