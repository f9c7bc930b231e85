import { randomUUID } from 'node:crypto';

/** One audit record (row of `audit.audit_log`; payload of `strata.platform.audit-recorded.v1`). */
export interface AuditRecord {
  auditId: string;
  service: string;
  actor: string;
  roles: string[];
  action: string;
  route: string;
  resource: string;
  outcome: 'success' | 'failure' | 'refused';
  status: number;
  reason: string | null;
  requestId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  recordedAt: string;
}

/** Filters of `queryAuditLog` (@strata/shared/data-access-auth; all optional; AND-ed). */
export interface AuditQuery {
  actor?: string;
  service?: string;
  outcome?: AuditRecord['outcome'];
  /** Exact `resource:action`. */
  action?: string;
  /** Prefix of the concrete resource path. */
  resourcePrefix?: string;
  requestId?: string;
  /** ISO timestamps, inclusive / exclusive. */
  since?: string;
  until?: string;
  /** Page size 1..500 (default 100). */
  limit?: number;
  /** Return rows with seq < before (newest-first paging; `nextBefore` of the previous page). */
  before?: number;
}

/** Builds a new record with id and timestamp. */
export function newAuditRecord(fields: Omit<AuditRecord, 'auditId' | 'recordedAt'>): AuditRecord {
  return { ...fields, auditId: randomUUID(), recordedAt: new Date().toISOString() };
}
