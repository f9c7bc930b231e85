import type { RequiredPermission } from './decorators';

/**
 * What the guard enforces on a route: public (`@Public()` on the handler or its controller), the
 * handler's `@RequirePermission` (method wins over class), or nothing → denied under
 * `STRATA_AUTH_MODE=enforce` (default-deny). There is no route table: each route declares its
 * own permission, and apps/strata-e2e/src/route-permissions.spec.ts fails when one does not.
 */
export type RouteAccess = { kind: 'public' } | { kind: 'permission'; permission: RequiredPermission } | { kind: 'undeclared' };

/** The access rule of a route from its declarations (see {@link RouteAccess}). */
export function routeAccess(isPublic: boolean, declared: RequiredPermission | undefined): RouteAccess {
  if (isPublic) return { kind: 'public' };
  return declared ? { kind: 'permission', permission: declared } : { kind: 'undeclared' };
}
