import { randomUUID } from 'node:crypto';
import type { AuditRecordedV1 } from '@strata/contracts';

/**
 * One audit record (row of `audit.audit_log`): the `strata.platform.audit-recorded.v1` payload,
 * declared once in that event contract (the audit-log API's `AuditLogRecord` is it plus `seq`).
 */
export type AuditRecord = AuditRecordedV1;

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
