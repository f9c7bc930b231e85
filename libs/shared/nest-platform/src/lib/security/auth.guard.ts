import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BODY_LIMIT_METADATA, PERMISSION_METADATA, PUBLIC_METADATA, RATE_LIMITED_METADATA, type RequiredPermission, routeAccess } from '@strata/shared/auth';
import type { FastifyRequest } from 'fastify';
import { RequestAuthorizer, type RouteAuth } from './request-authorizer';

export { extractCredential, rateLimitKind } from './request-authorizer';

/**
 * The platform's global guard (registered by PlatformModule for every service): reads what the
 * route requires from its decorators (`@Public`, `@RequirePermission`, `@BodyLimit`,
 * `@RateLimited`) once per handler, then applies {@link RequestAuthorizer.authorize}:
 * 1. per-route body limit (`@BodyLimit`, 413) and strict names in path parameters (400) — always;
 * 2. `STRATA_AUTH_MODE=off`: nothing else (actor = `X-Strata-Actor` or `anonymous`);
 * 3. `enforce`: `@Public()` routes (/health/*, /metrics, /v2/health/*) pass; otherwise
 *    credentials (API key or JWT) → 401 when missing/invalid; the route's `@RequirePermission`
 *    → 403 when undeclared (default-deny)
 *    or not granted; per-principal rate limit on writes and `inference:execute` → 429.
 * Every refusal is audited (outcome `refused`).
 */
@Injectable()
export class PlatformAuthGuard implements CanActivate {
  /** Route requirements by controller class, then handler (decorators never change at run time). */
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAuth>>();

  constructor(
    private readonly authorizer: RequestAuthorizer,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    await this.authorizer.authorize(request, this.routeAuth(context.getHandler(), context.getClass()));
    return true;
  }

  private routeAuth(handler: object, cls: object): RouteAuth {
    let byHandler = this.routes.get(cls);
    if (!byHandler) this.routes.set(cls, (byHandler = new WeakMap()));
    let access = byHandler.get(handler);
    if (!access) {
      const targets = [handler, cls] as Array<() => void>;
      const kind = routeAccess(
        this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets) === true,
        this.reflector.getAllAndOverride<RequiredPermission | undefined>(PERMISSION_METADATA, targets),
      );
      const bodyLimit = this.reflector.getAllAndOverride<number | undefined>(BODY_LIMIT_METADATA, targets);
      const rateLimited = this.reflector.getAllAndOverride<boolean | undefined>(RATE_LIMITED_METADATA, targets);
      access = {
        isPublic: kind.kind === 'public',
        ...(kind.kind === 'permission' ? { permission: kind.permission } : {}),
        ...(bodyLimit !== undefined ? { bodyLimit } : {}),
        ...(rateLimited !== undefined ? { rateLimited } : {}),
      };
      byHandler.set(handler, access);
    }
    return access;
  }
}
