import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RequestAuthorizer, type RouteAuth, installFastRoutes } from '@strata/shared/nest-platform';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InferenceService } from './inference.service';
import { parseInferenceRequest } from './oip-request-check';
import { SERVING_OPTIONS, type ServingOptions } from './serving.constants';

/** What the infer routes require (the controller's `@RequirePermission('inference', 'execute')`). */
const INFER_AUTH: RouteAuth = { isPublic: false, permission: { resource: 'inference', action: 'execute' } };

/**
 * Serves `POST /v2/models/{m}/infer` and `POST /v2/models/{m}/versions/{v}/infer` straight from
 * Fastify ({@link installFastRoutes}: same auth, input rules, request logs, metrics and error
 * bodies as the Nest route, without Nest's per-request pipeline), with the same body check
 * ({@link parseInferenceRequest}) and use case (`InferenceService.infer`) as `InferenceController`.
 * The controller route stays: OpenAPI, and the path taken with `SERVING_FAST_INFER_ROUTE=false`.
 */
@Injectable()
export class InferFastRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly authorizer: RequestAuthorizer,
    private readonly inference: InferenceService,
    @Inject(SERVING_OPTIONS) private readonly options: Pick<ServingOptions, 'fastInferRoute'>,
  ) {}

  /** Installs the routes' hook (before the server starts listening). */
  onModuleInit(): void {
    if (this.options.fastInferRoute === false) return;
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify || typeof fastify.addHook !== 'function') return;
    installFastRoutes(fastify, this.authorizer, [
      {
        method: 'POST', url: '/v2/models/:model/infer', auth: INFER_AUTH, bodyRequired: true, status: 200,
        handle: (request: FastifyRequest) => this.inference.infer((request.params as { model: string }).model, undefined, parseInferenceRequest(request.body), request.headers),
      },
      {
        method: 'POST', url: '/v2/models/:model/versions/:version/infer', auth: INFER_AUTH, bodyRequired: true, status: 200,
        handle: (request: FastifyRequest) => {
          const { model, version } = request.params as { model: string; version: string };
          return this.inference.infer(model, version, parseInferenceRequest(request.body));
        },
      },
    ]);
  }
}
