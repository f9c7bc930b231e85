import { Logger } from '@nestjs/common';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from '../errors/app-error.filter';
import type { RequestAuthorizer, RouteAuth } from '../security/request-authorizer';
import { BODY_REQUIRED_MESSAGE, assertNoNulCharacter } from './storable-input';

/** A hot route answered straight from Fastify (see {@link installFastRoutes}). */
export interface FastRoute {
  method: 'GET' | 'POST';
  /** The Fastify route pattern, exactly as the Nest controller declares it (`/v2/models/:model/infer`). */
  url: string;
  /** What the route requires (as its `@Public`/`@RequirePermission`/`@BodyLimit`/`@RateLimited` say). */
  auth: RouteAuth;
  /** A missing or `null` body → 400 (as `@ZodApiBody` marks it). */
  bodyRequired: boolean;
  /** Success status (the route's `@HttpCode`). */
  status: number;
  /** The handler: validates the body, runs the use case; throws like a controller method. */
  handle(request: FastifyRequest): Promise<unknown>;
}

const httpErrorLogger = new Logger('HttpError');

/**
 * Answers the given routes from a Fastify `preHandler` hook, so the Nest handler of the same
 * route never runs: Nest's per-request router pipeline (execution context, the guard and each
 * interceptor through rxjs, an AsyncResource per interceptor) is skipped. Issue 15's profile: on
 * serving's infer that pipeline cost more than auth, validation and the ONNX run together.
 *
 * Same behaviour as the controller route, step by step:
 * - Fastify-level hooks still run (pino request logs of nestjs-pino's middleware, the
 *   `http_server_request_duration_seconds` metric, body limits and parsers);
 * - the platform's {@link RequestAuthorizer} (the global guard's logic: strict names in path
 *   parameters, 401/403 under enforce, per-principal rate limits, refusals audited);
 * - the platform's input rules (`StorableInputInterceptor`: body required, no NUL character);
 * - `handle` (the route's validation and use case);
 * - errors through {@link toErrorResponse} (`{error, code, details?, requestId}`; 5xx logged),
 *   as `AppErrorFilter` answers them.
 * Not applied: interceptors a service adds on its own, and the `AuditInterceptor` (it only audits
 * `*:write` routes: never register one here). Install before the server listens (e.g. onModuleInit).
 */
export function installFastRoutes(fastify: FastifyInstance, authorizer: RequestAuthorizer, routes: FastRoute[]): void {
  for (const r of routes) if (r.auth.permission?.action === 'write') throw new Error(`fast route ${r.method} ${r.url}: *:write routes are audited by the AuditInterceptor and cannot be fast routes`);
  const byKey = new Map(routes.map((r) => [`${r.method} ${r.url}`, r]));
  fastify.addHook('preHandler', (request, reply, done) => {
    const route = byKey.get(`${request.method} ${request.routeOptions.url ?? ''}`);
    if (!route) {
      done();
      return;
    }
    // Answered here: `done` is not called, so the route's (Nest) handler does not run.
    void answer(authorizer, route, request, reply);
  });
}

async function answer(authorizer: RequestAuthorizer, route: FastRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  try {
    await authorizer.authorize(request, route.auth);
    if (route.bodyRequired && (request.body === undefined || request.body === null)) throw new InvalidArgumentError(BODY_REQUIRED_MESSAGE, { details: { field: 'body' } });
    assertNoNulCharacter(request);
    const result = await route.handle(request);
    void reply.code(route.status).send(result);
  } catch (error) {
    const { status, body } = toErrorResponse(error);
    body.requestId = String(request.id);
    if (status >= 500) httpErrorLogger.error({ err: error, requestId: request.id, url: request.url }, body.error);
    void reply.code(status).send(body);
  }
}
