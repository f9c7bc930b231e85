import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RequestAuthorizer, installFastRoutes, parseWith } from '@strata/shared/nest-platform';
import type { FastifyInstance } from 'fastify';
import { FEATURE_STORE_OPTIONS, type FeatureStoreModuleOptions } from './feature-store.constants';
import { OnlineFeaturesService, getOnlineFeaturesSchema } from './online-features.service';

/**
 * Serves `POST /get-online-features` (serving's hot path: one call per prediction) straight from
 * Fastify ({@link installFastRoutes}: same auth — `features:read`, rate-limited as a read sent
 * as POST —, input rules, request logs, metrics and error bodies as the Nest route, without Nest's
 * per-request pipeline), with the same body schema and use case as `OnlineFeaturesController.get`.
 * The controller route stays: OpenAPI, and the path taken with `FEATURES_FAST_ONLINE_ROUTE=false`.
 */
@Injectable()
export class OnlineFastRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly authorizer: RequestAuthorizer,
    private readonly online: OnlineFeaturesService,
    @Inject(FEATURE_STORE_OPTIONS) private readonly options: Pick<FeatureStoreModuleOptions, 'fastOnlineRoute'>,
  ) {}

  /** Installs the route's hook (before the server starts listening). */
  onModuleInit(): void {
    if (this.options.fastOnlineRoute === false) return;
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify || typeof fastify.addHook !== 'function') return;
    installFastRoutes(fastify, this.authorizer, [
      {
        method: 'POST', url: '/get-online-features', auth: { isPublic: false, permission: { resource: 'features', action: 'read' } }, bodyRequired: true, status: 200,
        handle: (request) => this.online.get(parseWith(getOnlineFeaturesSchema, request.body)),
      },
    ]);
  }
}
