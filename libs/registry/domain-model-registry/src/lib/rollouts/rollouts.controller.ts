import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RegistryApi, RolloutSchema } from '@strata/contracts/api';
import { parseWith, ZodApiBody, ZodApiResponse, int32 } from '@strata/shared/nest-platform';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseModelName, resolveActor } from '../registry.schemas';
import { RolloutsService, type Rollout, type RolloutRequestContext } from './rollouts.service';
import { RequirePermission } from '@strata/shared/auth';

const Weight = z.number().min(0).max(1);
const Reason = z.string().max(1024);

/** Body of `POST /models/{name}/rollouts`. */
export const StartRolloutBody = z.object({
  mode: z.enum(['canary', 'shadow']),
  /** Default: the version behind alias `challenger`. Accepts `2` or `"2"`; at most 2147483647 (int4 column). */
  challengerVersion: int32({ coerce: true }).min(1).optional(),
  /** Canary share of the challenger in [0, 1] (default 0.1); not for shadow. */
  challengerWeight: Weight.optional(),
  /** Request parameter (OIP `parameters`) / HTTP header whose value pins a caller to one version. */
  stickyKey: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be 1-128 letters, digits, ".", "_" or "-"').optional(),
  reason: Reason.optional(),
});

/** Body of `PATCH /models/{name}/rollouts/current`. */
export const UpdateRolloutBody = z.object({ challengerWeight: Weight, reason: Reason.optional() });

/** Body of `POST /models/{name}/rollouts/current/rollback` and `/promote`. */
export const EndRolloutBody = z.object({ reason: Reason });

function ctxOf(req: FastifyRequest, actorHeader: string | undefined): RolloutRequestContext {
  return { actor: resolveActor(actorHeader), requestId: String(req.id) };
}

/**
 * Rollouts of a registered model (agreed rollout contract, docs/service-apis.md "registry").
 * Actor from the `X-Strata-Actor` header (default `anonymous`). Errors `{error, code}`: 400 bad
 * body (names the field), 404 unknown model / no active rollout / unknown challenger version,
 * 409 a rollout is already active or the model has no champion.
 */
@ApiTags('rollouts')
@Controller('models/:name/rollouts')
export class RolloutsController {
  constructor(private readonly rollouts: RolloutsService) {}

  /**
   * `POST /models/{name}/rollouts` body `{mode: 'canary'|'shadow', challengerVersion?, challengerWeight? (canary, default 0.1),
   * stickyKey?, reason?}` → 201 `Rollout` `{rolloutId, modelName, status: 'active', route, startedAt, actor, ...}`.
   */
  @Post()
  @ZodApiBody(StartRolloutBody, 'Rollout to start')
  @ZodApiResponse(RegistryApi.startRollout.response, 201)
  @ApiOperation({ summary: 'Start a canary or shadow rollout (409 when one is active)' })
  @RequirePermission('rollouts', 'write')
  start(@Param('name') name: string, @Body() body: unknown, @Headers('x-strata-actor') actor: string | undefined, @Req() req: FastifyRequest): Promise<Rollout> {
    const input = parseWith(StartRolloutBody, body ?? {}, 'request body');
    return this.rollouts.start(parseModelName(name), input, ctxOf(req, actor));
  }

  /** `GET /models/{name}/rollouts` → every rollout of the model, newest first. */
  @Get()
  @ApiOperation({ summary: 'Rollout history of a model (newest first)' })
  @ZodApiResponse(RegistryApi.listRollouts.response)
  @RequirePermission('rollouts', 'read')
  history(@Param('name') name: string): Promise<Rollout[]> {
    return this.rollouts.history(parseModelName(name));
  }

  /** `GET /models/{name}/rollouts/current` → the active rollout; 404 when none. */
  @Get('current')
  @ApiOperation({ summary: 'The active rollout (404 when none)' })
  @ZodApiResponse(RegistryApi.getCurrentRollout.response)
  @RequirePermission('rollouts', 'read')
  current(@Param('name') name: string): Promise<Rollout> {
    return this.rollouts.current(parseModelName(name));
  }

  /** `PATCH /models/{name}/rollouts/current` body `{challengerWeight, reason?}` → the updated rollout (canary only). */
  @Patch('current')
  @ZodApiBody(UpdateRolloutBody, 'New challenger weight')
  @ApiOperation({ summary: 'Change the challenger weight of the active canary' })
  @ZodApiResponse(RolloutSchema)
  @RequirePermission('rollouts', 'write')
  update(@Param('name') name: string, @Body() body: unknown, @Headers('x-strata-actor') actor: string | undefined, @Req() req: FastifyRequest): Promise<Rollout> {
    const input = parseWith(UpdateRolloutBody, body ?? {}, 'request body');
    return this.rollouts.updateWeight(parseModelName(name), input.challengerWeight, input.reason, ctxOf(req, actor));
  }

  /** `POST /models/{name}/rollouts/current/rollback` body `{reason}` → rollout with status `rolled-back`, route null. */
  @Post('current/rollback')
  @HttpCode(200)
  @ZodApiBody(EndRolloutBody, 'Why')
  @ApiOperation({ summary: 'Roll the active rollout back: all traffic to the champion' })
  @ZodApiResponse(RegistryApi.rollbackRollout.response)
  @RequirePermission('rollouts', 'write')
  rollback(@Param('name') name: string, @Body() body: unknown, @Headers('x-strata-actor') actor: string | undefined, @Req() req: FastifyRequest): Promise<Rollout> {
    const input = parseWith(EndRolloutBody, body ?? {}, 'request body');
    return this.rollouts.rollback(parseModelName(name), input.reason, ctxOf(req, actor));
  }

  /** `POST /models/{name}/rollouts/current/promote` body `{reason}` → status `promoted`, champion alias moved to the challenger. */
  @Post('current/promote')
  @HttpCode(200)
  @ZodApiBody(EndRolloutBody, 'Why')
  @ApiOperation({ summary: 'Promote the challenger to champion and end the rollout' })
  @ZodApiResponse(RegistryApi.promoteRollout.response)
  @RequirePermission('rollouts', 'write')
  promote(@Param('name') name: string, @Body() body: unknown, @Headers('x-strata-actor') actor: string | undefined, @Req() req: FastifyRequest): Promise<Rollout> {
    const input = parseWith(EndRolloutBody, body ?? {}, 'request body');
    return this.rollouts.promote(parseModelName(name), input.reason, ctxOf(req, actor));
  }
}
