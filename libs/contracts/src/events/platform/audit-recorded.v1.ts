import { z } from 'zod';
import { defineEvent } from '../../define-event';
import { Timestamp } from '../../primitives';

/**
 * `strata.platform.audit-recorded.v1`: one row was appended to the platform audit log
 * (`audit.audit_log`): a mutation (or a refused attempt at one) on any service.
 *
 * - `outcome`: `success` (2xx), `failure` (other 4xx/5xx answered by the handler), `refused`
 *   (the platform refused it: 401 unauthenticated, 403 forbidden, 429 rate-limited, 413 too large).
 * - `before`/`after`: small summaries (ids, versions, names) when the handler exposes them,
 *   never request bodies or secrets.
 *
 * Key: `service` (the audit stream of one service stays ordered).
 */
export const AuditRecordedV1 = defineEvent({
  domain: 'platform',
  event: 'audit-recorded',
  version: 1,
  description: 'A mutation (or a refused attempt) was appended to the platform audit log.',
  schema: z.object({
    /** Audit row id (uuid). */
    auditId: z.uuid(),
    /** The service that handled the request (`registry`, `serving`, ...). */
    service: z.string().min(1).max(64),
    /** Principal id: `key:<keyId>`, `jwt:<sub>`, `anonymous`, or the X-Strata-Actor value when auth is off. */
    actor: z.string().min(1).max(256),
    /** Roles of the principal (empty when unauthenticated). */
    roles: z.array(z.string().min(1).max(64)).max(32),
    /** `<resource>:<action>` permission the route declares, e.g. `models:write`; `undeclared` when none. */
    action: z.string().min(1).max(128),
    /** HTTP method and matched route pattern, e.g. `POST /registered-models/:name/versions`. */
    route: z.string().min(1).max(512),
    /** The concrete resource path, e.g. `/registered-models/adult-income/versions`. */
    resource: z.string().min(1).max(2048),
    outcome: z.enum(['success', 'failure', 'refused']),
    /** HTTP status answered. */
    status: z.number().int().min(100).max(599),
    /** Why it was refused or failed (error code), null on success. */
    reason: z.string().max(1024).nullable(),
    requestId: z.string().max(256).nullable(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    recordedAt: Timestamp,
  }),
  keyField: 'service',
  producers: ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'],
  consumers: ['external (SIEM, compliance archive)'],
});

/** Payload of {@link AuditRecordedV1}. */
export type AuditRecordedV1 = z.infer<typeof AuditRecordedV1.schema>;
