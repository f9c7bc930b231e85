import type { AuditLogPage } from '@strata/contracts/api';
import { type AuditQuery, type AuditRecord } from '@strata/shared/auth';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import { AUDIT_SCHEMA, rowsOf, type SqlExecutor } from './sql';

/** Appends one record (the table refuses updates/deletes). */
export async function insertAuditRecord(db: SqlExecutor, rec: AuditRecord): Promise<void> {
  await db.query(
    `INSERT INTO ${AUDIT_SCHEMA}.audit_log (audit_id, recorded_at, service, actor, roles, action, route, resource, outcome, status, reason, request_id, before, after)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [rec.auditId, rec.recordedAt, rec.service, rec.actor, rec.roles, rec.action, rec.route, rec.resource, rec.outcome, rec.status, rec.reason, rec.requestId, rec.before === null ? null : JSON.stringify(rec.before), rec.after === null ? null : JSON.stringify(rec.after)],
  );
}

/** A row of `audit_log`: the record's single-word fields as they are, the others in snake_case. */
type Row = Pick<AuditRecord, 'service' | 'actor' | 'roles' | 'action' | 'route' | 'resource' | 'outcome' | 'status' | 'reason' | 'before' | 'after'> & {
  /** bigserial, as node-postgres returns it. */
  seq: string;
  audit_id: string;
  recorded_at: Date;
  request_id: string | null;
};

/**
 * Newest-first page of audit records matching `q`, with `nextBefore` for the next page (`GET /audit-log`'s contract `AuditLogPage`).
 * @throws InvalidArgumentError on a bad limit, outcome or timestamp
 */
export async function queryAuditLog(db: SqlExecutor, q: AuditQuery): Promise<AuditLogPage> {
  const limit = q.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new InvalidArgumentError('limit must be an integer 1..500', { details: { field: 'limit' } });
  if (q.outcome && !['success', 'failure', 'refused'].includes(q.outcome)) throw new InvalidArgumentError('outcome must be success, failure or refused', { details: { field: 'outcome' } });
  for (const f of ['since', 'until'] as const) if (q[f] !== undefined && Number.isNaN(Date.parse(q[f] as string))) throw new InvalidArgumentError(`${f} must be an ISO-8601 timestamp`, { details: { field: f } });
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown): void => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.actor) add('actor = ?', q.actor);
  if (q.service) add('service = ?', q.service);
  if (q.outcome) add('outcome = ?', q.outcome);
  if (q.action) add('action = ?', q.action);
  if (q.resourcePrefix) add(`starts_with(resource, ?)`, q.resourcePrefix);
  if (q.requestId) add('request_id = ?', q.requestId);
  if (q.since) add('recorded_at >= ?', q.since);
  if (q.until) add('recorded_at < ?', q.until);
  if (q.before !== undefined) add('seq < ?', q.before);
  params.push(limit + 1);
  const rows = rowsOf<Row>(
    await db.query(`SELECT * FROM ${AUDIT_SCHEMA}.audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`, params),
  );
  const page = rows.slice(0, limit).map((r) => ({
    seq: Number(r.seq),
    auditId: r.audit_id,
    recordedAt: new Date(r.recorded_at).toISOString(),
    service: r.service,
    actor: r.actor,
    roles: r.roles,
    action: r.action,
    route: r.route,
    resource: r.resource,
    outcome: r.outcome,
    status: r.status,
    reason: r.reason,
    requestId: r.request_id,
    before: r.before,
    after: r.after,
  }));
  return { records: page, nextBefore: rows.length > limit ? page[page.length - 1]?.seq : undefined };
}
