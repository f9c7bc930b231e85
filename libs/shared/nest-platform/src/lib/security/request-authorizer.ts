import { HttpException, Injectable } from '@nestjs/common';
import {
  NAME_ROUTE_PARAMS,
  assertSafeName,
  authenticatedActor,
  type Principal,
  type RequiredPermission,
  isAllowed,
  newAuditRecord,
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
 * What a route requires, read ONCE per route from its decorators (`@Public`, `@RequirePermission`,
 * `@BodyLimit`, `@RateLimited`) by the guard, or declared by a route served directly on Fastify.
 */
export interface RouteAuth {
  isPublic: boolean;
  /** The declared permission; undefined (and not public) = undeclared → 403 under enforce. */
  permission?: RequiredPermission;
  /** `@BodyLimit` in bytes. */
  bodyLimit?: number;
  /** `@RateLimited(false)` opts out of the per-principal limiter; undefined = by the route's kind. */
  rateLimited?: boolean;
}

/** `resource:action`, `public` or `undeclared` (the audit's and the security context's action). */
export function actionOf(access: RouteAuth): string {
  return access.isPublic ? 'public' : access.permission ? `${access.permission.resource}:${access.permission.action}` : 'undeclared';
}

/**
 * The platform's request authorization, shared by the global guard ({@link PlatformAuthGuard},
 * every Nest route) and by hot routes served directly on Fastify (serving's OIP infer):
 * 1. per-route body limit (413) and strict names in path parameters ({@link NAME_ROUTE_PARAMS}, 400) — always;
 * 2. `STRATA_AUTH_MODE=off`: nothing else (actor = `X-Strata-Actor` or `anonymous`);
 * 3. `enforce`: public routes pass; otherwise credentials (API key or JWT) → 401 when
 *    missing/invalid; the route's permission → 403 when undeclared (default-deny) or not
 *    granted; per-principal rate limit on writes and `inference:execute` → 429.
 * Every refusal is audited (outcome `refused`). One instance per process: the rate limiters'
 * budgets are shared by every route.
 */
@Injectable()
export class RequestAuthorizer {
  private readonly writeLimiter?: RateLimiterMemory;
  private readonly inferLimiter?: RateLimiterMemory;

  constructor(private readonly security: SecurityService) {
    const { writePerMinute, inferPerMinute } = security.config.rateLimit;
    if (writePerMinute > 0) this.writeLimiter = new RateLimiterMemory({ points: writePerMinute, duration: 60, keyPrefix: 'write' });
    if (inferPerMinute > 0) this.inferLimiter = new RateLimiterMemory({ points: inferPerMinute, duration: 60, keyPrefix: 'infer' });
  }

  /**
   * Authorizes one request for a route; sets its security context (and, under enforce, the
   * `x-strata-actor` header to the authenticated actor).
   * @throws the refusal (AppError 400/401/403/413, HttpException 429), already audited
   */
  async authorize(request: FastifyRequest, access: RouteAuth): Promise<void> {
    const action = actionOf(access);
    const permission = access.isPublic ? undefined : access.permission;
    if (access.bodyLimit !== undefined) {
      const length = Number(header(request, 'content-length') ?? 0);
      if (length > access.bodyLimit) {
        throw await this.refuse(request, ANONYMOUS, action, new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `request body of ${length} bytes exceeds this route's limit of ${access.bodyLimit} bytes`));
      }
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

    if (this.security.config.mode === 'off' || access.isPublic) {
      const actor = header(request, 'x-strata-actor');
      setSecurityContext(request, { principal: actor ? { ...ANONYMOUS, id: actor, name: actor } : ANONYMOUS, action });
      return;
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
      throw await this.refuse(request, principal, action, new AppError(ErrorCode.PERMISSION_DENIED, `${request.method} ${routePattern(request)} declares no permission (default-deny)`));
    }
    const project = permission.projectParam ? projectOf(request, permission.projectParam) : undefined;
    if (!isAllowed(principal, permission.resource, permission.action, project)) {
      throw await this.refuse(
        request,
        principal,
        action,
        new AppError(ErrorCode.PERMISSION_DENIED, `${principal.id} (roles: ${principal.roles.join(', ') || 'none'}) lacks ${action}${project ? ` on project '${project}'` : ''}`),
      );
    }
    const kind = rateLimitKind(permission.action, request.method);
    const limiter = kind === 'infer' ? this.inferLimiter : kind === 'write' ? this.writeLimiter : undefined;
    if (limiter && access.rateLimited !== false) {
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

function projectOf(request: FastifyRequest, param: string): string | undefined {
  const fromParams = (request.params as Record<string, string> | undefined)?.[param];
  const fromQuery = (request.query as Record<string, string> | undefined)?.[param];
  return fromParams ?? fromQuery;
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
