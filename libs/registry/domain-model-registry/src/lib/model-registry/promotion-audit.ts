import { AuditOutcome, type RegistryStore } from '@strata/registry/data-access';
import type { EntityManager } from 'typeorm';
import { modelRef, type RequestContext } from './registry-tx';

/** What the audit entry of a promotion decision records about it. */
export interface DecisionAudit {
  /** The stored decision's id. */
  decisionId: number;
  /** `promoted` audits as SUCCESS, any other outcome as REFUSED. */
  outcome: string;
  /** Whether the decision was applied (aliases / rollout changed). */
  applied: boolean;
  reason: string;
}

/**
 * Appends the `promotion.decide` audit entry of a decision on `name@challengerVersion` (offline or
 * live), in the caller's transaction `m`: `before` is what the caller records of the state it
 * decided against (champion, rollout), `after` the decision id, outcome, applied flag and reason.
 */
export async function auditPromotionDecision(
  store: RegistryStore,
  m: EntityManager,
  name: string,
  challengerVersion: number,
  before: Record<string, unknown> | null,
  d: DecisionAudit,
  ctx: RequestContext,
): Promise<void> {
  await store.appendAudit(m, {
    actor: ctx.actor,
    action: 'promotion.decide',
    resource: modelRef(name, challengerVersion),
    before,
    after: { decisionId: d.decisionId, outcome: d.outcome, applied: d.applied, reason: d.reason },
    requestId: ctx.requestId ?? null,
    outcome: d.outcome === 'promoted' ? AuditOutcome.SUCCESS : AuditOutcome.REFUSED,
  });
}
