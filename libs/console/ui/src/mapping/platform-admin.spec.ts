import type { AuditLogRecord, DeadLetterRecord, WhoAmI } from '@strata/contracts/api';
import { auditQuery, auditRows, deadLetterGroups, deadLetterServiceFor, deadLetterTopicRows, mayReplayDeadLetters, NO_AUDIT_FILTERS } from './platform-admin';

function letter(offset: string, over: Partial<DeadLetterRecord> = {}): DeadLetterRecord {
  return {
    dlqTopic: 'strata.serving.prediction-logged.v1.dlq',
    partition: 0,
    offset,
    key: 'adult-income',
    eventId: `ev-${offset}`,
    originalTopic: 'strata.serving.prediction-logged.v1',
    originalPartition: 3,
    originalOffset: `10${offset}`,
    error: 'payload: modelVersion: expected number',
    errorCode: 'EVENT_SCHEMA_INVALID',
    attempts: 0,
    failedAt: `2024-03-0${offset}T10:00:00.000Z`,
    consumerGroup: 'monitoring',
    headers: {},
    value: '{}',
    size: 2,
    ...over,
  };
}

describe('platform page mapping: dead letters and audit log', () => {
  it('asks a consumer of the topic (from the event contracts) about its dead letters', () => {
    expect(deadLetterServiceFor('strata.serving.prediction-logged.v1')).toBe('monitoring');
    expect(deadLetterServiceFor('strata.serving.prediction-logged.v1.dlq')).toBe('monitoring');
    expect(deadLetterServiceFor('strata.training.training-requested.v1')).toBe('training');
    expect(deadLetterServiceFor('some.other.topic')).toBe('registry');
  });

  it('lists dead-letter topics, most records first, with their consumers', () => {
    expect(deadLetterTopicRows([
      { topic: 'strata.training.training-requested.v1', dlqTopic: 'strata.training.training-requested.v1.dlq', records: 1 },
      { topic: 'strata.serving.prediction-logged.v1', dlqTopic: 'strata.serving.prediction-logged.v1.dlq', records: 7 },
      { topic: 'other.topic', dlqTopic: 'other.topic.dlq', records: 1 },
    ])).toEqual([
      { topic: 'strata.serving.prediction-logged.v1', records: 7, consumers: 'monitoring', service: 'monitoring' },
      { topic: 'other.topic', records: 1, consumers: '—', service: 'registry' },
      { topic: 'strata.training.training-requested.v1', records: 1, consumers: 'training', service: 'training' },
    ]);
  });

  it("groups a topic's dead letters by consumer group, newest failure first, with the reference Replay sends", () => {
    const groups = deadLetterGroups([letter('1'), letter('2', { consumerGroup: 'monitoring-labels', errorCode: 'HANDLER_FAILED', attempts: 5, error: 'database unavailable' }), letter('3'), letter('4', { consumerGroup: null, originalPartition: null, originalOffset: null })]);
    expect(groups.map((g) => [g.consumerGroup, g.rows.map((r) => r.ref)])).toEqual([
      ['monitoring', ['0:3', '0:1']],
      ['monitoring-labels', ['0:2']],
      ['unknown', ['0:4']],
    ]);
    expect(groups[1]!.rows[0]).toEqual({ ref: '0:2', failedAt: '2024-03-02 10:00', errorCode: 'HANDLER_FAILED', error: 'database unavailable', attempts: '5', eventId: 'ev-2', key: 'adult-income', original: 'strata.serving.prediction-logged.v1[3]@102', size: 2 });
    expect(groups[2]!.rows[0]!.original).toBe('strata.serving.prediction-logged.v1[?]@?');
  });

  it('builds the audit query from the form: trimmed filters, resource as a prefix, times as UTC, paging', () => {
    expect(auditQuery(NO_AUDIT_FILTERS, 50)).toEqual({ limit: 50 });
    expect(auditQuery({ ...NO_AUDIT_FILTERS, actor: ' key:k1 ', action: 'aliases:write', resource: '/registered-models/adult-income', outcome: 'refused', since: '2024-03-01T00:00', until: '2024-03-02T12:30' }, 50, 901)).toEqual({
      limit: 50,
      actor: 'key:k1',
      action: 'aliases:write',
      resourcePrefix: '/registered-models/adult-income',
      outcome: 'refused',
      since: '2024-03-01T00:00:00.000Z',
      until: '2024-03-02T12:30:00.000Z',
      before: 901,
    });
    expect(() => auditQuery({ ...NO_AUDIT_FILTERS, since: 'yesterday' }, 50)).toThrow("since: 'yesterday' is not a date and time");
    expect(() => auditQuery({ ...NO_AUDIT_FILTERS, since: '2024-03-02T00:00', until: '2024-03-01T00:00' }, 50)).toThrow('since (2024-03-02T00:00:00.000Z) must be before until (2024-03-01T00:00:00.000Z)');
  });

  it('shows audit records with the request, the outcome and the reason or what the call did', () => {
    const base: AuditLogRecord = { seq: 902, auditId: 'a-2', recordedAt: '2024-03-02T11:30:05.000Z', service: 'registry', actor: 'key:k1', roles: ['ml-engineer'], action: 'aliases:write', route: 'PUT /registered-models/:name/aliases/:alias', resource: '/registered-models/adult-income/aliases/champion', outcome: 'success', status: 200, reason: null, requestId: 'r-1', before: null, after: { name: 'adult-income', alias: 'champion', version: 2 } };
    const refused: AuditLogRecord = { ...base, seq: 901, auditId: 'a-1', actor: 'key:k2', roles: ['viewer'], outcome: 'refused', status: 403, reason: 'role viewer lacks aliases:write', after: null };
    expect(auditRows([base, refused])).toEqual([
      { seq: 902, at: '2024-03-02 11:30', service: 'registry', actor: 'key:k1', action: 'aliases:write', request: 'PUT /registered-models/adult-income/aliases/champion', outcome: 'success', status: 200, detail: '{"name":"adult-income","alias":"champion","version":2}' },
      { seq: 901, at: '2024-03-02 11:30', service: 'registry', actor: 'key:k2', action: 'aliases:write', request: 'PUT /registered-models/adult-income/aliases/champion', outcome: 'refused', status: 403, detail: 'role viewer lacks aliases:write' },
    ]);
  });
});

describe('mayReplayDeadLetters', () => {
  const who = (permissions: string[] | null): WhoAmI => ({ id: 'k1', name: 'someone', via: 'api-key', roles: [], projects: [], authEnforced: permissions !== null, permissions });
  it('shows Replay to a role with dead-letters:write, or to everyone when auth is off', () => {
    expect(mayReplayDeadLetters(who(['models:read', 'dead-letters:read', 'dead-letters:write']))).toBe(true);
    expect(mayReplayDeadLetters(who(null))).toBe(true);
  });
  it('hides it from a role that may only read dead letters, and when whoami did not answer', () => {
    expect(mayReplayDeadLetters(who(['models:read', 'dead-letters:read']))).toBe(false);
    expect(mayReplayDeadLetters(undefined)).toBe(false);
  });
});
