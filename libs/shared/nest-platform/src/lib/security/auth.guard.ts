import { type CanActivate, type ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  BODY_LIMIT_METADATA,
  NAME_ROUTE_PARAMS,
  assertSafeName,
  authenticatedActor,
  PERMISSION_METADATA,
  PUBLIC_METADATA,
  RATE_LIMITED_METADATA,
  type Principal,
  type RequiredPermission,
  isAllowed,
  newAuditRecord,
  routeAccess,
} from '@strata/shared/auth';
import { AppError, ErrorCode } from '@strata/shared/util-errors';
import type { FastifyRequest } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { toErrorResponse } from '../errors/app-error.filter';
import { SecurityService } from './security.service';
import { header, isMutation, routePattern, setSecurityContext } from './request-context';

const ANONYMOUS: Principal = { id: 'anonymous', name: 'anonymous', via: 'anonymous', roles: [], projects: null };

/** `Authorization: Bearer <x>` or `X-API-Key: <x>`; undefined when neither. */
export function extractCredential(request: FastifyRequest): string | undefined {
  const auth = header(request, 'authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m?.[1] ?? '';
  }
  const apiKey = header(request, 'x-api-key');
  return apiKey?.trim() || undefined;
}

/**
 * The platform's global guard (registered by PlatformModule for every service):
 * 1. per-route body limit (`@BodyLimit`, 413) and strict names in path parameters
 *    ({@link NAME_ROUTE_PARAMS}, 400) — always;
 * 2. `STRATA_AUTH_MODE=off`: nothing else (actor = `X-Strata-Actor` or `anonymous`);
 * 3. `enforce`: `@Public()` routes (/health/*, /metrics, /v2/health/*) pass; otherwise
 *    credentials (API key or JWT) → 401 when missing/invalid; the route's `@RequirePermission`
 *    → 403 when undeclared (default-deny)
 *    or not granted; per-principal rate limit on writes and `inference:execute` → 429.
 * Every refusal is audited (outcome `refused`).
 */
@Injectable()
export class PlatformAuthGuard implements CanActivate {
  private readonly writeLimiter?: RateLimiterMemory;
  private readonly inferLimiter?: RateLimiterMemory;

  constructor(
    private readonly security: SecurityService,
    private readonly reflector: Reflector,
  ) {
    const { writePerMinute, inferPerMinute } = security.config.rateLimit;
    if (writePerMinute > 0) this.writeLimiter = new RateLimiterMemory({ points: writePerMinute, duration: 60, keyPrefix: 'write' });
    if (inferPerMinute > 0) this.inferLimiter = new RateLimiterMemory({ points: inferPerMinute, duration: 60, keyPrefix: 'infer' });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const targets = [context.getHandler(), context.getClass()];
    const path = routePattern(request);
    const access = routeAccess(
      this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets) === true,
      this.reflector.getAllAndOverride<RequiredPermission | undefined>(PERMISSION_METADATA, targets),
    );
    const isPublic = access.kind === 'public';
    const permission = access.kind === 'permission' ? access.permission : undefined;
    const action = isPublic ? 'public' : permission ? `${permission.resource}:${permission.action}` : 'undeclared';

    const limit = this.reflector.getAllAndOverride<number | undefined>(BODY_LIMIT_METADATA, targets);
    const length = Number(header(request, 'content-length') ?? 0);
    if (limit !== undefined && length > limit) {
      throw await this.refuse(request, ANONYMOUS, action, new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `request body of ${length} bytes exceeds this route's limit of ${limit} bytes`));
    }

    // Names in paths (datasets, models, feature views, ...) must be strict names in every mode.
    const params = (request.params ?? {}) as Record<string, string | undefined>;
    for (const key of NAME_ROUTE_PARAMS) {
      const value = params[key];
      if (value !== undefined) {
        try {
          assertSafeName(value, `path parameter ${key}`);
        } catch (e) {
          throw await this.refuse(request, ANONYMOUS, action, e);
        }
      }
    }

    if (this.security.config.mode === 'off' || isPublic) {
      const actor = header(request, 'x-strata-actor');
      setSecurityContext(request, { principal: actor ? { ...ANONYMOUS, id: actor, name: actor } : ANONYMOUS, action });
      return true;
    }

    const credential = extractCredential(request);
    if (credential === undefined) throw await this.refuse(request, ANONYMOUS, action, new AppError(ErrorCode.UNAUTHENTICATED, 'credentials required: Authorization: Bearer <JWT or API key>, or X-API-Key'));
    let principal: Principal;
    try {
      principal = await this.security.authenticate(credential);
    } catch (e) {
      throw await this.refuse(request, ANONYMOUS, action, e);
    }
    setSecurityContext(request, { principal, action });
    if (!permission) {
      throw await this.refuse(request, principal, action, new AppError(ErrorCode.PERMISSION_DENIED, `${request.method} ${path} declares no permission (default-deny)`));
    }
    const project = permission.projectParam ? this.projectOf(request, permission.projectParam) : undefined;
    if (!isAllowed(principal, permission.resource, permission.action, project)) {
      throw await this.refuse(
        request,
        principal,
        action,
        new AppError(ErrorCode.PERMISSION_DENIED, `${principal.id} (roles: ${principal.roles.join(', ') || 'none'}) lacks ${action}${project ? ` on project '${project}'` : ''}`),
      );
    }
    const forced = this.reflector.getAllAndOverride<boolean | undefined>(RATE_LIMITED_METADATA, targets);
    const kind = rateLimitKind(permission.action, request.method);
    const limiter = kind === 'infer' ? this.inferLimiter : kind === 'write' ? this.writeLimiter : undefined;
    if (limiter && forced !== false) {
      try {
        await limiter.consume(principal.id);
      } catch (e) {
        if (!(e instanceof RateLimiterRes)) throw e;
        const retryS = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
        throw await this.refuse(request, principal, action, new HttpException({ message: `rate limit exceeded for ${principal.id}; retry in ${retryS} s` }, 429));
      }
    }
    // Handlers record the actor from X-Strata-Actor: under enforce it is the authenticated
    // principal; a service principal may name on whose behalf it acts, under its own name
    // (e.g. monitoring:auto-rollback; see authenticatedActor).
    request.headers['x-strata-actor'] = authenticatedActor(principal, header(request, 'x-strata-actor'));
    return true;
  }

  private projectOf(request: FastifyRequest, param: string): string | undefined {
    const fromParams = (request.params as Record<string, string> | undefined)?.[param];
    const fromQuery = (request.query as Record<string, string> | undefined)?.[param];
    return fromParams ?? fromQuery;
  }

  /** Audits a refusal and returns the error to throw. */
  private async refuse(request: FastifyRequest, principal: Principal, action: string, error: unknown): Promise<unknown> {
    const { status, body } = toErrorResponse(error);
    await this.security.audit(
      newAuditRecord({
        service: this.security.serviceName,
        actor: principal.id,
        roles: principal.roles,
        action,
        route: `${request.method} ${routePattern(request)}`,
        resource: (request.url.split('?')[0] ?? request.url).slice(0, 2048),
        outcome: 'refused',
        status,
        reason: `${body.code}: ${body.error}`.slice(0, 1024),
        requestId: request.id ? String(request.id) : null,
        before: null,
        after: null,
      }),
    );
    return error;
  }
}

/**
 * Which per-principal budget a request counts against: `infer` (STRATA_RATE_LIMIT_INFER_PER_MIN)
 * for `execute` routes and for reads sent as POST (a query in the body, e.g. `get-online-features`
 * on serving's hot path: a lookup, not a write); `write` (STRATA_RATE_LIMIT_WRITE_PER_MIN) for
 * other mutating methods; none for GET/HEAD reads.
 */
export function rateLimitKind(action: string, method: string): 'infer' | 'write' | undefined {
  if (action === 'execute') return 'infer';
  if (!isMutation(method)) return undefined;
  return action === 'read' ? 'infer' : 'write';
}
