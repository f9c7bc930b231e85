import type { EntityManager } from 'typeorm';
import { ModelAliasChangedV1 } from '@strata/contracts';
import { EventValidationError, PayloadTooLargeError } from './errors';
import { EventPublisher } from './publisher';
import { testContract } from '../testing/harness';

/** A manager double: records queries; its connection looks like a PostgreSQL DataSource with the messaging entities. */
function fakeManager() {
  const queries: Array<{ sql: string; params: unknown[] }> = [];
  const connection = {
    options: { type: 'postgres', schema: 'svc' },
    hasMetadata: () => true,
    getMetadata: (e: { name: string }) => ({ schema: 'svc', tableName: e.name === 'OutboxEventEntity' ? 'outbox_event' : 'inbox_event' }),
  };
  const manager = {
    connection,
    query: async (sql: string, params: unknown[]) => {
      queries.push({ sql, params });
      return [];
    },
  } as unknown as EntityManager;
  return { manager, queries };
}

describe(EventPublisher.name, () => {
  const sut = new EventPublisher({ serviceName: 'registry' });
  const valid = {
    modelName: 'churn',
    alias: 'champion',
    fromVersion: null,
    toVersion: 3,
    actor: 'alice',
    reason: 'better auc',
    changedAt: '2026-11-29T22:00:00.000Z',
  };

  it('inserts one outbox row with CloudEvents headers and notifies', async () => {
    const { manager, queries } = fakeManager();
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const out = await sut.publish(manager, ModelAliasChangedV1, valid, { traceparent: tp });
    expect(queries).toHaveLength(1);
    const [id, topic, key, headers, payload, channel] = queries[0]!.params as [string, string, string, string, Buffer, string];
    expect(queries[0]!.sql).toContain('INSERT INTO "svc"."outbox_event"');
    expect(id).toBe(out.id);
    expect(topic).toBe('strata.registry.model-alias-changed.v1');
    expect(key).toBe('churn');
    expect(JSON.parse(headers)).toMatchObject({
      ce_id: out.id,
      ce_source: '/strata/registry',
      ce_type: 'dev.strata.registry.model-alias-changed.v1',
      ce_specversion: '1.0',
      ce_subject: 'churn',
      'content-type': 'application/json',
      traceparent: tp,
    });
    expect(JSON.parse(payload.toString('utf8'))).toEqual(valid);
    expect(channel).toBe('strata_outbox_svc');
  });

  it('with notify: false inserts the same row without pg_notify, and still calls onPublished', async () => {
    const { manager, queries } = fakeManager();
    let woken = 0;
    const quiet = new EventPublisher({ serviceName: 'registry', notify: false, onPublished: () => woken++ });
    const out = await quiet.publish(manager, ModelAliasChangedV1, valid);
    expect(queries).toHaveLength(1);
    expect(queries[0]!.sql).toContain('INSERT INTO "svc"."outbox_event"');
    expect(queries[0]!.sql).not.toContain('pg_notify');
    expect(queries[0]!.params.slice(0, 3)).toEqual([out.id, 'strata.registry.model-alias-changed.v1', 'churn']);
    expect(queries[0]!.params).toHaveLength(5);
    await quiet.publishMany(manager, ModelAliasChangedV1, [valid, { ...valid, toVersion: 4 }]);
    expect(queries).toHaveLength(2);
    expect(queries[1]!.sql).not.toContain('pg_notify');
    expect(woken).toBe(2);
  });

  it('rejects an invalid value with the topic and issue paths, writing nothing', async () => {
    const { manager, queries } = fakeManager();
    const bad = { ...valid, toVersion: 0, alias: 'Not An Alias' };
    await expect(sut.publish(manager, ModelAliasChangedV1, bad)).rejects.toThrow(EventValidationError);
    await expect(sut.publish(manager, ModelAliasChangedV1, bad)).rejects.toThrow(
      /invalid event for topic 'strata\.registry\.model-alias-changed\.v1': .*alias: .*toVersion: /,
    );
    expect(queries).toHaveLength(0);
  });

  it('rejects a payload over 64 KiB naming topic and size, writing nothing', async () => {
    const { manager, queries } = fakeManager();
    const c = testContract('big', 'x');
    const err = await sut.publish(manager, c, { id: '1', key: 'k', n: 1, blob: 'x'.repeat(70_000) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as Error).message).toMatch(/topic 'strata\.test\.big-x\.v1' is 700\d\d bytes, over the 65536-byte limit/);
    expect(queries).toHaveLength(0);
  });

  it('generates a traceparent when none is given', async () => {
    const { manager } = fakeManager();
    const out = await sut.publish(manager, ModelAliasChangedV1, valid);
    expect(out.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
