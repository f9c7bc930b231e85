import type { Principal } from '@strata/shared/auth';
import type { FastifyRequest } from 'fastify';

/** What the platform attaches to each request once the guard ran. */
export interface SecurityContext {
  principal: Principal;
  /** `resource:action` the route requires, or `undeclared`, or `public`. */
  action: string;
}

const KEY = Symbol.for('strata.security');

/** The request's security context (set by the guard), if any. */
export function securityContextOf(request: FastifyRequest): SecurityContext | undefined {
  return (request as unknown as Record<symbol, SecurityContext | undefined>)[KEY];
}

/** Sets the request's security context. */
export function setSecurityContext(request: FastifyRequest, ctx: SecurityContext): void {
  (request as unknown as Record<symbol, SecurityContext>)[KEY] = ctx;
}

/** The matched route pattern (`/registered-models/:name`) or the raw path. */
export function routePattern(request: FastifyRequest): string {
  return request.routeOptions?.url ?? request.url.split('?')[0] ?? request.url;
}

/** The single value of a header. */
export function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Methods that mutate (audited, rate-limited). */
export const isMutation = (method: string): boolean => !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
