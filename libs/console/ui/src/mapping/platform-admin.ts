import { EVENT_TOPICS, type AuditLogRecord, type DeadLetterRecord, type DeadLetterTopic, type StrataService, type WhoAmI } from '@strata/contracts/api';
import { formatTime } from './format';

const SERVICES: readonly StrataService[] = ['ingestion', 'features', 'training', 'registry', 'serving', 'monitoring'];

/**
 * The service the console asks about a topic's dead letters (and replays them through): the
 * first Strata service consuming the topic (its contract's `consumers`), else the registry (every
 * service reads the same Kafka, so any one answers).
 */
export function deadLetterServiceFor(topic: string): StrataService {
  const t = EVENT_TOPICS.find((e) => e.topic === topic.replace(/\.dlq$/, ''));
  return (t?.consumers.find((c) => (SERVICES as readonly string[]).includes(c)) as StrataService | undefined) ?? 'registry';
}

/** One dead-letter topic with records, for the topic list. */
export interface DeadLetterTopicRow {
  topic: string;
  records: number;
  /** The Strata services consuming the topic, from its contract (`—` for a topic no contract declares). */
  consumers: string;
  /** Where the console lists and replays it. */
  service: StrataService;
}

/** `GET /dead-letters/topics` → rows, most records first, then by name. */
export function deadLetterTopicRows(topics: readonly DeadLetterTopic[]): DeadLetterTopicRow[] {
  return [...topics]
    .sort((a, b) => b.records - a.records || a.topic.localeCompare(b.topic))
    .map((t) => ({ topic: t.topic, records: t.records, consumers: EVENT_TOPICS.find((e) => e.topic === t.topic)?.consumers.join(', ') || '—', service: deadLetterServiceFor(t.topic) }));
}

/** One dead letter, for the table. */
export interface DeadLetterRow {
  /** `partition:offset` in the dead-letter topic: what Replay sends. */
  ref: string;
  failedAt: string;
  errorCode: string;
  error: string;
  attempts: string;
  eventId: string;
  key: string;
  /** `topic[partition]@offset` of the original record. */
  original: string;
  size: number;
}

/** The dead letters of one consumer group. */
export interface DeadLetterGroup {
  /** The consumer group that gave up on them (`unknown` when the header is missing). */
  consumerGroup: string;
  rows: DeadLetterRow[];
}

/** `GET /dead-letters?topic=` (oldest first) → groups by consumer group (by name), newest failure first in each. */
export function deadLetterGroups(letters: readonly DeadLetterRecord[]): DeadLetterGroup[] {
  const groups = new Map<string, DeadLetterRecord[]>();
  for (const l of letters) {
    const g = l.consumerGroup ?? 'unknown';
    groups.set(g, [...(groups.get(g) ?? []), l]);
  }
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([consumerGroup, ls]) => ({
      consumerGroup,
      rows: [...ls]
        .sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? '') || b.partition - a.partition || Number(BigInt(b.offset) - BigInt(a.offset)))
        .map((l) => ({
          ref: `${l.partition}:${l.offset}`,
          failedAt: formatTime(l.failedAt),
          errorCode: l.errorCode ?? '—',
          error: l.error ?? '—',
          attempts: l.attempts === null ? '—' : String(l.attempts),
          eventId: l.eventId ?? '—',
          key: l.key ?? '—',
          original: `${l.originalTopic}[${l.originalPartition ?? '?'}]@${l.originalOffset ?? '?'}`,
          size: l.size,
        })),
    }));
}

/** What the audit search form holds (empty strings: no filter; times as `YYYY-MM-DDTHH:MM` in UTC, from datetime-local inputs). */
export interface AuditFilters {
  actor: string;
  action: string;
  resource: string;
  service: string;
  outcome: string;
  since: string;
  until: string;
}

export const NO_AUDIT_FILTERS: AuditFilters = { actor: '', action: '', resource: '', service: '', outcome: '', since: '', until: '' };

/**
 * The form → the `GET /audit-log` query: trimmed values, empty ones left out; `resource` is a
 * prefix of the concrete path (`resourcePrefix`); times read as UTC and sent as ISO-8601 with Z.
 * @throws Error naming the field when a time is not a date, or when `since` is not before `until`
 */
export function auditQuery(f: AuditFilters, limit: number, before?: number): Record<string, string | number> {
  const q: Record<string, string | number> = { limit };
  const put = (key: string, v: string): void => {
    if (v.trim()) q[key] = v.trim();
  };
  put('actor', f.actor);
  put('action', f.action);
  put('resourcePrefix', f.resource);
  put('service', f.service);
  put('outcome', f.outcome);
  for (const key of ['since', 'until'] as const) {
    const v = f[key].trim();
    if (!v) continue;
    const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
    if (Number.isNaN(ms)) throw new Error(`${key}: '${v}' is not a date and time`);
    q[key] = new Date(ms).toISOString();
  }
  if (typeof q['since'] === 'string' && typeof q['until'] === 'string' && q['since'] >= q['until']) throw new Error(`since (${q['since']}) must be before until (${q['until']})`);
  if (before !== undefined) q['before'] = before;
  return q;
}

/** One audit record, for the table. */
export interface AuditRow {
  seq: number;
  at: string;
  service: string;
  actor: string;
  action: string;
  /** `METHOD /concrete/path`. */
  request: string;
  outcome: AuditLogRecord['outcome'];
  status: number;
  /** The refusal / failure reason, or the summary of what the call did (`after`), or `—`. */
  detail: string;
}

/** `GET /audit-log` records (newest first) → rows in the same order. */
export function auditRows(records: readonly AuditLogRecord[]): AuditRow[] {
  return records.map((r) => ({
    seq: r.seq,
    at: formatTime(r.recordedAt),
    service: r.service,
    actor: r.actor,
    action: r.action,
    request: `${r.route.split(' ')[0] ?? ''} ${r.resource}`.trim(),
    outcome: r.outcome,
    status: r.status,
    detail: r.reason ?? (r.after ? JSON.stringify(r.after) : '—'),
  }));
}

/**
 * Whether the signed-in user may replay dead letters (`dead-letters:write`, from `GET /auth/whoami`;
 * every action when auth is off). Unknown (no whoami answer) hides the buttons; the service decides anyway.
 */
export function mayReplayDeadLetters(who: WhoAmI | undefined): boolean {
  if (!who) return false;
  return who.permissions === null || who.permissions.includes('dead-letters:write');
}
