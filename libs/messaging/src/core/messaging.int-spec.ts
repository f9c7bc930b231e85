/**
 * Outbox → Kafka → inbox against the REAL broker and PostgreSQL (tools/stack).
 */
import type { DataSource } from 'typeorm';
import type { Kafka } from 'kafkajs';
import { EventConsumerRunner, type EventHandler } from './consumer';
import { DeadLetterSchema } from '@strata/contracts/api';
import { DeadLetterService } from './dead-letters';
import { MessagingMetrics } from './metrics';
import { EventPublisher } from './publisher';
import { type OutboxRelay } from './relay';
import { PayloadTooLargeError } from './errors';
import { MessagingRetention } from './retention';
import { Registry } from 'prom-client';
import { createTestDataSource, createTopics, eventually, silentLogger, testContract, testKafka, uniq } from '../testing/harness';
import { startTestRelay, tearDownSpec, testRunner } from '../testing/spec-stack';

jest.setTimeout(120_000);

const id = uniq();
const schema = `msg_it_${id}`;
const ping = testContract('ping', id);
const poison = testContract('poison', id);
const flaky = testContract('flaky', id);
const bin = testContract('bin', id);
const big = testContract('big', id);
const iso = testContract('iso', id);
const topics = [ping.topic, poison.topic, flaky.topic, bin.topic, big.topic, iso.topic];

let ds: DataSource;
let kafka: Kafka;
let relay: OutboxRelay;
const registry = new Registry();
const metrics = new MessagingMetrics(registry);
const publisher = new EventPublisher({ serviceName: 'it', onPublished: () => relay?.wake() });
const runners: EventConsumerRunner[] = [];

function runner(groupId: string, attempts = 3): EventConsumerRunner {
  const r = testRunner(kafka, ds, groupId, attempts, { metrics });
  runners.push(r);
  return r;
}

/** Handler that records its effect in the same transaction as the inbox row. */
const recordEffect: EventHandler = async (value, ctx) => {
  await ctx.manager.query(`INSERT INTO "${schema}".effect (event_id, value) VALUES ($1, $2)`, [ctx.eventId, JSON.stringify(value)]);
};

async function effects(eventId?: string): Promise<number> {
  const rows: Array<{ n: string }> = await ds.query(
    `SELECT count(*) AS n FROM "${schema}".effect ${eventId ? 'WHERE event_id = $1' : ''}`,
    eventId ? [eventId] : [],
  );
  return Number(rows[0]?.n);
}

async function inboxCount(group: string, eventId: string): Promise<number> {
  const rows: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM "${schema}".inbox_event WHERE consumer_group = $1 AND event_id = $2`, [
    group,
    eventId,
  ]);
  return Number(rows[0]?.n);
}

async function publish(contract: typeof ping, value: { id: string; key: string; n: number; blob?: string }, traceparent?: string) {
  return ds.transaction((m) => publisher.publish(m, contract, value, { traceparent }));
}

beforeAll(async () => {
  kafka = testKafka(`it-${id}`);
  await createTopics(kafka, topics);
  ds = await createTestDataSource(schema);
  relay = startTestRelay(ds, kafka, 'it', 200, metrics);
});

afterAll(() => tearDownSpec({ runners, relay, dataSource: ds, schema, kafka, topics }));

describe('outbox → relay → consumer with inbox', () => {
  const group = `it-main-${id}`;
  const seen: Array<{ eventId: string; traceparent?: string; attempt: number }> = [];

  beforeAll(async () => {
    await runner(group)
      .register(ping, async (v, ctx) => {
        seen.push({ eventId: ctx.eventId, traceparent: ctx.traceparent, attempt: ctx.attempt });
        await recordEffect(v, ctx);
      })
      .start();
  });

  it('(1) publishes in a transaction; the handler runs once; one inbox row; trace context carried', async () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const out = await publish(ping, { id: 'a', key: 'k1', n: 1 }, tp);
    await eventually(async () => expect(await effects(out.id)).toBe(1));
    expect(await inboxCount(group, out.id)).toBe(1);
    expect(seen.find((s) => s.eventId === out.id)).toMatchObject({ traceparent: tp, attempt: 1 });
    const sent: Array<{ sent_at: Date | null }> = await ds.query(`SELECT sent_at FROM "${schema}".outbox_event WHERE id = $1`, [out.id]);
    expect(sent[0]?.sent_at).not.toBeNull();
    await eventually(async () => expect(await relay.lagSeconds()).toBe(0));
  });

  it('(2) a rolled-back transaction publishes nothing', async () => {
    let rolledBackId = '';
    await expect(
      ds.transaction(async (m) => {
        rolledBackId = (await publisher.publish(m, ping, { id: 'rb', key: 'k1', n: 2 })).id;
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    // A later event on the same key goes through; the rolled-back one never appears.
    const after = await publish(ping, { id: 'after', key: 'k1', n: 3 });
    await eventually(async () => expect(await effects(after.id)).toBe(1));
    expect(await effects(rolledBackId)).toBe(0);
    const rows: unknown[] = await ds.query(`SELECT 1 FROM "${schema}".outbox_event WHERE id = $1`, [rolledBackId]);
    expect(rows).toHaveLength(0);
  });

  it('keeps per-key order', async () => {
    const ids: string[] = [];
    await ds.transaction(async (m) => {
      for (let n = 0; n < 20; n++) ids.push((await publisher.publish(m, ping, { id: `o${n}`, key: 'ordered', n })).id);
    });
    await eventually(async () => expect(await effects()).toBeGreaterThanOrEqual(ids.length + 2));
    const rows: Array<{ event_id: string }> = await ds.query(
      `SELECT e.event_id FROM "${schema}".effect e JOIN "${schema}".inbox_event i ON i.event_id = e.event_id AND i.consumer_group = $1
        WHERE e.event_id = ANY($2) ORDER BY i."offset"`,
      [group, ids],
    );
    expect(rows.map((r) => r.event_id)).toEqual(ids);
  });

  it('(3) re-delivered events (offsets reset to 0, new consumer, same group) take effect exactly once', async () => {
    const before = await effects();
    expect(before).toBeGreaterThan(0);
    const sut = runners[0]!;
    await sut.stop();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await eventually(() => admin.resetOffsets({ groupId: group, topic: ping.topic, earliest: true }), 60_000, 500);
    } finally {
      await admin.disconnect();
    }
    const redelivered: string[] = [];
    const again = runner(group);
    again.register(ping, async (v, ctx) => {
      redelivered.push(ctx.eventId);
      await recordEffect(v, ctx);
    });
    await again.start();
    // Wait until the group has consumed to the end again (its committed offsets reach the high watermark).
    await eventually(
      async () => {
        const a = kafka.admin();
        await a.connect();
        try {
          const [committed] = await a.fetchOffsets({ groupId: group, topics: [ping.topic] });
          const ends = await a.fetchTopicOffsets(ping.topic);
          // Empty partitions have high watermark 0 and no committed offset (-1).
          return ends.every((e) => e.high === '0' || committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high);
        } finally {
          await a.disconnect();
        }
      },
      60_000,
      250,
    );
    expect(redelivered).toHaveLength(0);
    expect(await effects()).toBe(before);
    const dup: unknown[] = await ds.query(`SELECT event_id FROM "${schema}".effect GROUP BY event_id HAVING count(*) > 1`);
    expect(dup).toEqual([]);
  });
});

describe('failures and dead letters', () => {
  it('(4) a handler failing every time → <topic>.dlq after N attempts with dlq_* headers; later messages still processed', async () => {
    const group = `it-poison-${id}`;
    const attempts = new Map<string, number>();
    await runner(group, 3)
      .register(poison, async (v, ctx) => {
        attempts.set(ctx.eventId, ctx.attempt);
        if (v.n === 666) throw new Error(`cannot handle ${v.id}`);
        await recordEffect(v, ctx);
      })
      .start();
    // Same key: the poison message is first in its partition, the good one behind it.
    const bad = await publish(poison, { id: 'bad', key: 'same', n: 666 });
    const good = await publish(poison, { id: 'good', key: 'same', n: 1 });
    await eventually(async () => expect(await effects(good.id)).toBe(1));
    expect(attempts.get(bad.id)).toBe(3);
    expect(await inboxCount(group, bad.id)).toBe(0);

    const dlq = new DeadLetterService({ kafka, logger: silentLogger });
    const letters = await eventually(async () => {
      const l = await dlq.list(poison.topic);
      expect(l).toHaveLength(1);
      return l;
    });
    const letter = letters[0]!;
    expect(letter).toMatchObject({
      dlqTopic: `${poison.topic}.dlq`,
      eventId: bad.id,
      key: 'same',
      originalTopic: poison.topic,
      error: 'cannot handle bad',
      errorCode: 'HANDLER_FAILED',
      attempts: 3,
      consumerGroup: group,
    });
    expect(letter.headers).toMatchObject({
      dlq_original_topic: poison.topic,
      dlq_attempts: '3',
      ce_id: bad.id,
      ce_type: poison.type,
      'content-type': 'application/json',
    });
    expect(letter.headers.dlq_original_partition).toMatch(/^\d+$/);
    expect(letter.headers.dlq_original_offset).toMatch(/^\d+$/);
    expect(Date.parse(letter.headers.dlq_failed_at ?? '')).not.toBeNaN();
    expect(JSON.parse(letter.value ?? '')).toEqual({ id: 'bad', key: 'same', n: 666 });
    const deadLettered = await registry.getSingleMetricAsString('strata_messaging_dead_lettered_total');
    expect(deadLettered).toContain(`topic="${poison.topic}",group="${group}"} 1`);
  });

  it('a record with a broken value or missing header goes straight to the DLQ; the handler is never called', async () => {
    const group = `it-invalid-${id}`;
    const calls: string[] = [];
    const producer = kafka.producer();
    await producer.connect();
    const headers = { ce_id: 'raw-1', ce_source: '/x', ce_type: poison.type, ce_specversion: '1.0', ce_time: new Date().toISOString(), 'content-type': 'application/json' };
    const { ce_source: _dropped, ...withoutSourceBase } = headers;
    const withoutSource = { ...withoutSourceBase, ce_id: 'raw-3' };
    await producer.send({
      topic: poison.topic,
      messages: [
        { key: 'inv', value: JSON.stringify({ id: 'x', key: 'inv', n: 'not a number' }), headers },
        { key: 'inv', value: '{not json', headers: { ...headers, ce_id: 'raw-2' } },
        { key: 'inv', value: JSON.stringify({ id: 'y', key: 'inv', n: 1 }), headers: withoutSource },
      ],
    });
    await producer.disconnect();
    await runner(group)
      .register(poison, (v, ctx) => {
        calls.push(ctx.eventId);
      })
      .start();
    const dlq = new DeadLetterService({ kafka, logger: silentLogger });
    const letters = await eventually(async () => {
      const l = (await dlq.list(poison.topic)).filter((d) => d.consumerGroup === group);
      expect(l).toHaveLength(3);
      return l;
    });
    expect(letters.map((l) => [l.eventId, l.errorCode, l.attempts])).toEqual([
      ['raw-1', 'EVENT_SCHEMA_INVALID', 0],
      ['raw-2', 'EVENT_JSON_INVALID', 0],
      ['raw-3', 'ENVELOPE_MISSING_HEADER', 0],
    ]);
    expect(letters[0]!.error).toMatch(/invalid event for topic '.*': n: /);
    expect(letters[2]!.error).toContain("'ce_source' is missing");
    expect(calls.filter((c) => c.startsWith('raw-'))).toEqual([]);
  });

  it('non-retryable errors go to the DLQ at once; replay re-publishes to the original topic', async () => {
    const group = `it-nonretry-${id}`;
    let fixed = false;
    const tries: number[] = [];
    await runner(group, 5)
      .register(flaky, async (v, ctx) => {
        tries.push(ctx.attempt);
        if (!fixed) throw Object.assign(new Error('model not found'), { retryable: false, code: 'MODEL_NOT_FOUND' });
        await recordEffect(v, ctx);
      })
      .start();
    const ev = await publish(flaky, { id: 'nr', key: 'm', n: 1 });
    const dlq = new DeadLetterService({ kafka, logger: silentLogger });
    const [letter] = await eventually(async () => {
      const l = await dlq.list(flaky.topic);
      expect(l).toHaveLength(1);
      return l;
    });
    expect(tries).toEqual([1]);
    expect(letter).toMatchObject({ errorCode: 'MODEL_NOT_FOUND', attempts: 1, eventId: ev.id });
    // the answer of GET /dead-letters is its contract's; the topic is listed with its one record
    expect(DeadLetterSchema.parse(letter)).toMatchObject({ originalTopic: flaky.topic, consumerGroup: group });
    expect((await dlq.topics()).find((t) => t.topic === flaky.topic)).toEqual({ topic: flaky.topic, dlqTopic: `${flaky.topic}.dlq`, records: 1 });
    fixed = true;
    const result = await dlq.replay(flaky.topic, [letter!.offset]);
    expect(result).toMatchObject({ replayed: 1, missing: [] });
    await eventually(async () => expect(await effects(ev.id)).toBe(1));
    // Replaying again is harmless: the inbox skips the already processed event.
    await dlq.replay(`${flaky.topic}.dlq`);
    const group2Done = await eventually(async () => {
      const l = await dlq.list(flaky.topic);
      return l.length === 1;
    });
    expect(group2Done).toBe(true);
    await expect(dlq.replay('bad topic!')).rejects.toThrow(/invalid topic name/);
    await expect(dlq.replay(flaky.topic, ['x'])).rejects.toThrow(/invalid dead-letter offset/);
  });

  it('(5) the first message of a brand-new group failing once then succeeding is not skipped', async () => {
    const group = `it-first-${id}`;
    const topicContract = testContract('first', id, 1);
    await createTopics(kafka, [topicContract.topic], 1);
    topics.push(topicContract.topic);
    // Published BEFORE the group exists: fromBeginning must pick it up.
    const first = await publish(topicContract, { id: 'first', key: 'f', n: 1 });
    await eventually(async () => {
      const rows: Array<{ sent_at: Date | null }> = await ds.query(`SELECT sent_at FROM "${schema}".outbox_event WHERE id = $1`, [first.id]);
      expect(rows[0]?.sent_at).not.toBeNull();
    });
    const tries: number[] = [];
    await runner(group, 3)
      .register(topicContract, async (v, ctx) => {
        tries.push(ctx.attempt);
        if (ctx.attempt === 1) throw new Error('transient');
        await recordEffect(v, ctx);
      })
      .start();
    await eventually(async () => expect(await effects(first.id)).toBe(1));
    expect(tries).toEqual([1, 2]);
  });
});

describe('binary safety and size limits', () => {
  it('(6a) payload bytes are unchanged through the DLQ', async () => {
    const group = `it-bin-${id}`;
    await runner(group, 1)
      .register(bin, () => {
        throw new Error('always');
      })
      .start();
    const tricky = 'émoji 🚀 \u0000 nul, quotes " \\ and 中文';
    const ev = await publish(bin, { id: 'b', key: 'bk', n: 7, blob: tricky });
    const published: Array<{ payload: Buffer }> = await ds.query(`SELECT payload FROM "${schema}".outbox_event WHERE id = $1`, [ev.id]);
    const dlq = new DeadLetterService({ kafka, logger: silentLogger });
    const [letter] = await eventually(async () => {
      const l = await dlq.list(bin.topic);
      expect(l).toHaveLength(1);
      return l;
    });
    expect(Buffer.from(letter!.value ?? '', 'utf8').equals(published[0]!.payload)).toBe(true);
    expect(JSON.parse(letter!.value ?? '').blob).toBe(tricky);
  });

  it('(6b) over 64 KiB at publish: error names topic and size, nothing written', async () => {
    const err = await publish(big, { id: 'big', key: 'b', n: 1, blob: 'x'.repeat(64 * 1024) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as Error).message).toMatch(new RegExp(`topic '${big.topic.replace(/\./g, '\\.')}' is \\d+ bytes`));
  });

  it('(6c) a row over the broker 1 MiB limit is isolated (failed_at, error naming topic and size); rows around it are delivered', async () => {
    const group = `it-big-${id}`;
    await runner(group).register(big, recordEffect).start();
    relay.wake();
    // Bypass the publisher's 64 KiB check to put a 1.5 MiB record between two normal ones.
    const before = await publish(big, { id: 'before', key: 'b', n: 1 });
    const hugeId = '00000000-0000-4000-8000-' + id.padStart(12, '0').slice(-12).replace(/[^0-9a-f]/g, 'a');
    await ds.transaction(async (m) => {
      await publisher.publish(m, big, { id: 'tmp', key: 'b', n: 2 }, { id: hugeId });
      await m.query(`UPDATE "${schema}".outbox_event SET payload = $2 WHERE id = $1`, [
        hugeId,
        Buffer.from(JSON.stringify({ id: 'huge', key: 'b', n: 2, blob: 'y'.repeat(1_500_000) })),
      ]);
    });
    const after = await publish(big, { id: 'after', key: 'b', n: 3 });
    await eventually(async () => {
      expect(await effects(before.id)).toBe(1);
      expect(await effects(after.id)).toBe(1);
    });
    const [row]: Array<{ failed_at: Date | null; sent_at: Date | null; last_error: string }> = await ds.query(
      `SELECT failed_at, sent_at, last_error FROM "${schema}".outbox_event WHERE id = $1`,
      [hugeId],
    );
    expect(row?.sent_at).toBeNull();
    expect(row?.failed_at).not.toBeNull();
    expect(row?.last_error).toMatch(new RegExp(`topic '${big.topic.replace(/\./g, '\\.')}' is 15000\\d\\d bytes`));
    expect(await effects(hugeId)).toBe(0);
    await eventually(async () => expect(await relay.lagSeconds()).toBe(0));
  });
});

describe('partition isolation', () => {
  it('(7) retries on one partition never make other partitions re-process, and no event runs twice at once', async () => {
    const group = `it-iso-${id}`;
    const r = new EventConsumerRunner({
      kafka,
      dataSource: ds,
      groupId: group,
      retry: { attempts: 5, initialBackoffMs: 50, maxBackoffMs: 200 },
      sessionTimeout: 6000,
      partitionsConsumedConcurrently: 3,
      metrics,
      logger: silentLogger,
    });
    runners.push(r);
    const calls = new Map<string, number>();
    const partitionsSeen = new Set<number>();
    const inFlight = new Set<string>();
    let concurrentDuplicates = 0;
    let failuresLeft = 2;
    let failingId = '';
    await r
      .register(iso, async (v, ctx) => {
        if (inFlight.has(ctx.eventId)) concurrentDuplicates++;
        inFlight.add(ctx.eventId);
        try {
          calls.set(ctx.eventId, (calls.get(ctx.eventId) ?? 0) + 1);
          partitionsSeen.add(ctx.partition);
          if (ctx.eventId === failingId && failuresLeft > 0) {
            failuresLeft--;
            await new Promise((res) => setTimeout(res, 100));
            throw new Error('transient failure on one partition');
          }
          await new Promise((res) => setTimeout(res, 5));
          await recordEffect(v, ctx);
        } finally {
          inFlight.delete(ctx.eventId);
        }
      })
      .start();
    // 12 keys spread over the 3 partitions, 5 events each, published in one transaction; the first
    // event of key k0 fails twice before it succeeds, while the other partitions keep flowing.
    const ids: string[] = await ds.transaction(async (m) => {
      const out: string[] = [];
      for (let n = 0; n < 5; n++) {
        for (let k = 0; k < 12; k++) out.push((await publisher.publish(m, iso, { id: `e${k}-${n}`, key: `k${k}`, n })).id);
      }
      return out;
    });
    failingId = ids[0]!;
    const effectCount = async (): Promise<number> => {
      const rows: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM "${schema}".effect WHERE event_id = ANY($1)`, [ids]);
      return Number(rows[0]?.n);
    };
    await eventually(async () => expect(await effectCount()).toBe(60), 60_000);
    for (const eventId of ids) expect(await effects(eventId)).toBe(1);
    expect(calls.get(failingId)).toBe(3);
    expect([...calls.entries()].filter(([eventId, n]) => eventId !== failingId && n !== 1)).toEqual([]);
    expect(concurrentDuplicates).toBe(0);
    expect(partitionsSeen.size).toBeGreaterThanOrEqual(2);
  });
});

describe('retention', () => {
  it('purges sent outbox rows and inbox rows past retention, never unsent or failed rows', async () => {
    // The relay of this file would send the "unsent" row below (and stamp sent_at) if it polled
    // between the insert and purgeOnce (seen on a loaded machine): this test needs no relay.
    await relay.stop();
    const now = new Date('2030-01-10T00:00:00Z');
    const old = new Date('2030-01-01T00:00:00Z');
    const recent = new Date('2030-01-09T12:00:00Z');
    const row = async (sentAt: Date | null, failedAt: Date | null): Promise<string> => {
      const [r] = (await ds.query(
        `INSERT INTO "${schema}".outbox_event (id, topic, key, headers, payload, created_at, sent_at, failed_at)
         VALUES (gen_random_uuid(), 'retention-test', 'k', '{}'::jsonb, '\\x7b7d'::bytea, $1, $2, $3) RETURNING id`,
        [old, sentAt, failedAt],
      )) as Array<{ id: string }>;
      return r!.id;
    };
    const sentOld = await row(old, null);
    const sentRecent = await row(recent, null);
    const unsent = await row(null, null);
    const failed = await row(null, old);
    for (const [eventId, at] of [['in-old', old], ['in-recent', recent]] as const) {
      await ds.query(
        `INSERT INTO "${schema}".inbox_event (consumer_group, event_id, topic, partition, "offset", processed_at) VALUES ('retention-test', $1, 't', 0, 0, $2)`,
        [eventId, at],
      );
    }
    const sut = new MessagingRetention({ dataSource: ds, logger: silentLogger, outboxRetentionMs: 7 * 86_400_000, inboxRetentionMs: 7 * 86_400_000, batchSize: 1 });
    const purged = await sut.purgeOnce(now);
    expect(purged.outbox).toBeGreaterThanOrEqual(1);
    const left: Array<{ id: string }> = await ds.query(`SELECT id FROM "${schema}".outbox_event WHERE topic = 'retention-test'`);
    expect(left.map((r) => r.id).sort()).toEqual([sentRecent, unsent, failed].sort());
    expect(left.map((r) => r.id)).not.toContain(sentOld);
    const inbox: Array<{ event_id: string }> = await ds.query(`SELECT event_id FROM "${schema}".inbox_event WHERE consumer_group = 'retention-test'`);
    expect(inbox.map((r) => r.event_id)).toEqual(['in-recent']);
  });
});
