import type { Principal } from './permissions';

const SERVICE_ROLE = /^service:([a-z][a-z0-9-]*)$/;

/** The service name of a `service:<name>` principal (first such role), else undefined. */
export function serviceNameOf(principal: Pick<Principal, 'roles'>): string | undefined {
  for (const role of principal.roles) {
    const m = SERVICE_ROLE.exec(role);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * The actor recorded for an authenticated request (`STRATA_AUTH_MODE=enforce`):
 * - a person or any non-service principal: its principal id (`key:<keyId>`, `jwt:<sub>`) — an
 *   actor they name themselves (header or body) is ignored, so it cannot be spoofed;
 * - a service principal (`service:<svc>`) may name on whose behalf it acts: `requested` is kept
 *   when it is `<svc>` or starts with `<svc>:` (e.g. `monitoring:auto-rollback`), otherwise it is
 *   prefixed with `<svc>:` (`training` asking for `alice` → `training:alice`); without
 *   `requested` the actor is the principal id.
 * Callers validate length/shape of the result as before.
 */
export function authenticatedActor(principal: Pick<Principal, 'id' | 'roles'>, requested?: string): string {
  const svc = serviceNameOf(principal);
  if (!svc || requested === undefined || requested.trim() === '') return principal.id;
  return requested === svc || requested.startsWith(`${svc}:`) ? requested : `${svc}:${requested}`;
}
