import { AuditOutcome, type RegistryStore } from '@strata/registry/data-access';
import type { EntityManager } from 'typeorm';
import { modelRef, type RequestContext } from './registry-tx';

/**
 * The bookkeeping of a new model version, shared by native and MLflow registration, in the
 * caller's transaction `m`: moves the model's latest version to `version` (updated at `now`) and
 * appends the successful `model_version.register` audit entry for `name@version` with `after`
 * (what the caller's API records about the version; no `before`).
 */
export async function recordVersionRegistration(
  store: RegistryStore,
  m: EntityManager,
  name: string,
  version: number,
  now: Date,
  ctx: RequestContext,
  after: Record<string, unknown>,
): Promise<void> {
  await store.setLatestVersion(m, name, version, now);
  await store.appendAudit(m, {
    actor: ctx.actor,
    action: 'model_version.register',
    resource: modelRef(name, version),
    before: null,
    after,
    requestId: ctx.requestId ?? null,
    outcome: AuditOutcome.SUCCESS,
  });
}
