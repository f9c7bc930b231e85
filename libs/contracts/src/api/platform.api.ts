import { z } from 'zod';
import { ALL_EVENTS } from '../all-events';
import { AuditRecordedV1 } from '../events/platform/audit-recorded.v1';
import { defineEndpoint, NoParams, type StrataService } from './define-endpoint';

/**
 * Platform endpoints every service serves (docs/service-apis.md, "platform (every service)"; docs/security.md):
 * the caller's identity and permissions,
 * the audit log (one shared store: any service answers for all of them) and dead letters (the
 * shared Kafka: any service with messaging lists and replays any topic's `<topic>.dlq`).
 */

/**
 * One audit-log record, newest first: the row as appended — exactly the `strata.platform.audit-recorded.v1`
 * payload (`AuditRecordedV1`, field docs there; `recordedAt` ISO-8601 UTC) — and its `seq`, which orders them.
 */
export const AuditRecordSchema = z.looseObject({ seq: z.number().int(), ...AuditRecordedV1.schema.shape });
export type AuditLogRecord = z.infer<typeof AuditRecordSchema>;

/** `GET /audit-log`: one page, newest first; `nextBefore` is the `before` of the next (older) page. */
export const AuditLogPageSchema = z.object({ records: z.array(AuditRecordSchema), nextBefore: z.number().int().optional() });
export type AuditLogPage = z.infer<typeof AuditLogPageSchema>;

/** Filters of `GET /audit-log` (AND-ed): `since` inclusive, `until` exclusive (ISO-8601 with offset or Z); `limit` 1..500 (default 100). */
export const AuditLogQuery = z.object({
  actor: z.string().optional(),
  service: z.string().optional(),
  outcome: z.enum(['success', 'failure', 'refused']).optional(),
  /** Exact `resource:action`, e.g. `aliases:write`. */
  action: z.string().optional(),
  /** Prefix of the concrete resource path, e.g. `/registered-models/adult-income`. */
  resourcePrefix: z.string().optional(),
  requestId: z.string().optional(),
  since: z.string().optional(),
  until: z.string().optional(),
  limit: z.number().int().optional(),
  before: z.number().int().optional(),
});

/** One record of a dead-letter topic (libs/messaging `DeadLetter`): offsets are int64 strings. */
export const DeadLetterSchema = z.looseObject({
  dlqTopic: z.string(),
  partition: z.number().int(),
  /** Offset in the dead-letter topic: what replay takes (`"offset"` or `"partition:offset"`). */
  offset: z.string(),
  key: z.string().nullable(),
  eventId: z.string().nullable(),
  originalTopic: z.string(),
  originalPartition: z.number().int().nullable(),
  originalOffset: z.string().nullable(),
  error: z.string().nullable(),
  /** e.g. `EVENT_SCHEMA_INVALID`, `HANDLER_FAILED`. */
  errorCode: z.string().nullable(),
  attempts: z.number().int().nullable(),
  failedAt: z.string().nullable(),
  consumerGroup: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  value: z.string().nullable(),
  /** Value size, bytes. */
  size: z.number().int(),
});
export type DeadLetterRecord = z.infer<typeof DeadLetterSchema>;

/** `POST /dead-letters/replay` answer: records re-published to their original topic, and requested offsets not found. */
export const ReplayResultSchema = z.object({ replayed: z.number().int(), offsets: z.array(z.string()), missing: z.array(z.string()) });
export type DeadLetterReplayResult = z.infer<typeof ReplayResultSchema>;

/** `GET /dead-letters/topics` item: a dead-letter topic that holds records (Kafka keeps replayed ones too). */
export const DeadLetterTopicSchema = z.object({ topic: z.string(), dlqTopic: z.string(), records: z.number().int() });
export type DeadLetterTopic = z.infer<typeof DeadLetterTopicSchema>;

/**
 * `GET /auth/whoami` (every service; `models:read`): the caller's principal and the permissions
 * (`resource:action`) its roles grant. `projects` null: every project. With auth off
 * (`STRATA_AUTH_MODE=off`) `authEnforced` is false and `permissions` null: every action is allowed.
 */
export const WhoAmISchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  /** How the caller authenticated: `api-key`, `oidc`, `anonymous`, … */
  via: z.string(),
  roles: z.array(z.string()),
  projects: z.array(z.string()).nullable(),
  authEnforced: z.boolean(),
  permissions: z.array(z.string()).nullable(),
});
export type WhoAmI = z.infer<typeof WhoAmISchema>;

/**
 * Answer of `GET /health/ready` of every service (200 `ok`, 503 `unavailable`): every check with
 * `up` or the reason it is down, and how long it took. Checks: `postgres`, `kafka` (broker metadata
 * round-trip), `consumer-group:<groupId>` per consumer group (up only while the group is joined;
 * `details` = `{ groupId, state, topics, since, restarts, lastError?, lastErrorAt?, nextRestartAt?,
 * lag? }`, `lag` = `{ records, partitions, at }` the offset lag as of the last batches this process
 * fetched, no broker call; informative only: it never makes the check down), `temporal` for training.
 */
export const ReadinessReportSchema = z.looseObject({
  status: z.enum(['ok', 'unavailable']),
  service: z.string(),
  checks: z.record(z.string(), z.looseObject({ status: z.enum(['up', 'down']), error: z.string().optional(), latencyMs: z.number(), details: z.record(z.string(), z.unknown()).optional() })),
});
export type ReadinessReport = z.infer<typeof ReadinessReportSchema>;

/** The platform endpoints as served by `service` (each service serves the same ones). */
export function platformApi<S extends StrataService>(service: S) {
  return {
    auditLog: defineEndpoint({ service, method: 'GET', path: '/audit-log', summary: 'Audit records, newest first (audit:read, admins)', params: NoParams, query: AuditLogQuery, response: AuditLogPageSchema }),
    deadLetterTopics: defineEndpoint({ service, method: 'GET', path: '/dead-letters/topics', summary: 'Dead-letter topics holding records, with their record counts', params: NoParams, response: z.array(DeadLetterTopicSchema) }),
    deadLetters: defineEndpoint({ service, method: 'GET', path: '/dead-letters', summary: "Records of a topic's dead-letter topic, oldest first (limit default 1000)", params: NoParams, query: z.object({ topic: z.string(), limit: z.number().int().optional() }), response: z.array(DeadLetterSchema) }),
    replayDeadLetters: defineEndpoint({ service, method: 'POST', path: '/dead-letters/replay', summary: 'Re-publishes dead letters to their original topic (dead-letters:write)', params: NoParams, body: z.object({ topic: z.string(), offsets: z.array(z.union([z.string(), z.number().int()])).optional() }), response: ReplayResultSchema }),
    whoami: defineEndpoint({ service, method: 'GET', path: '/auth/whoami', summary: 'The caller and the permissions its roles grant (models:read)', params: NoParams, response: WhoAmISchema }),
  } as const;
}

/**
 * Every event topic with the Strata services that consume it (from the event contracts), e.g.
 * `{ topic: 'strata.serving.prediction-logged.v1', consumers: ['monitoring'] }`: where dead letters can come from.
 */
export const EVENT_TOPICS: ReadonlyArray<{ topic: string; consumers: readonly string[] }> = ALL_EVENTS.map((c) => ({ topic: c.topic, consumers: c.consumers }));
