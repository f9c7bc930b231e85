/**
 * The consumer's batched path (one transaction per run of records of a partition, bulk inbox
 * insert) against the REAL broker and PostgreSQL: duplicates within a batch, a poison record and
 * an undecodable record in a batch, and a process killed in the middle of a batch transaction.
 * Each test publishes everything first and starts its consumer afterwards, so the records reach
 * it in one fetch (one batch).
 */
import type { DataSource } from 'typeorm';
import type { Kafka } from 'kafkajs';
import { EventConsumerRunner } from './consumer';
import { type DeadLetter, DeadLetterService } from './dead-letters';
import { EventPublisher } from './publisher';
import { OutboxRelay } from './relay';
import { createTestDataSource, createTopics, dropSchema, eventually, silentLogger, testContract, testKafka, uniq } from '../testing/harness';
import { spawnTestChild } from '../testing/child-process';
import { startTestRelay, tearDownSpec, testRunner } from '../testing/spec-stack';

jest.setTimeout(180_000);

const id = uniq();
const schema = `msg_batch_${id}`;
const dup = testContract('batch-dup', id, 1);
const poison = testContract('batch-poison', id, 1);
const nonRetry = testContract('batch-nonretry', id, 1);
const crash = testContract('batch-crash', id, 1);
const bulk = testContract('batch-bulk', id, 1);
const quiet = testContract('batch-quiet', id, 1);
const gz = testContract('batch-gzip', id);
const topics = [dup.topic, poison.topic, nonRetry.topic, crash.topic, bulk.topic, quiet.topic];

let ds: DataSource;
let kafka: Kafka;
let relay: OutboxRelay;
const publisher = new EventPublisher({ serviceName: 'it-batch', onPublished: () => relay?.wake() });
const runners: EventConsumerRunner[] = [];

function runner(groupId: string, attempts = 3): EventConsumerRunner {
  const r = testRunner(kafka, ds, groupId, attempts);
  runners.push(r);
  return r;
}

type Value = { id: string; key: string; n: number };

/** Publishes `values` in one transaction and waits until the relay sent them; returns their event ids. */
async function publishAndSend(contract: typeof dup, values: Value[]): Promise<string[]> {
  const ids = await ds.transaction(async (m) => (await publisher.publishMany(m, contract, values)).map((e) => e.id));
  await eventually(async () => {
    const [r]: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM "${schema}".outbox_event WHERE id = ANY($1) AND sent_at IS NULL`, [ids]);
    expect(Number(r?.n)).toBe(0);
  });
  return ids;
}

/** Effect rows per event id. */
async function effectCounts(eventIds: string[]): Promise<Map<string, number>> {
  const rows: Array<{ event_id: string; n: string }> = await ds.query(
    `SELECT event_id, count(*) AS n FROM "${schema}".effect WHERE event_id = ANY($1) GROUP BY event_id`,
    [eventIds],
  );
  return new Map(rows.map((r) => [r.event_id, Number(r.n)]));
}

/** Waits until the group's committed offsets reach the end of the topic (it consumed everything). */
async function consumedToEnd(group: string, topic: string): Promise<void> {
  await eventually(
    async () => {
      const a = kafka.admin();
      await a.connect();
      try {
        const [committed] = await a.fetchOffsets({ groupId: group, topics: [topic] });
        const ends = await a.fetchTopicOffsets(topic);
        return ends.every((e) => e.high === '0' || committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high);
      } finally {
        await a.disconnect();
      }
    },
    90_000,
    250,
  );
}

const count = (list: string[], x: string): number => list.filter((y) => y === x).length;
/** The dead letters of `topic` written by consumer group `group`, once there are exactly `expected` of them (polled). */
function deadLettersOf(topic: string, group: string, expected: number): Promise<DeadLetter[]> {
  return eventually(async () => {
    const l = (await new DeadLetterService({ kafka, logger: silentLogger }).list(topic)).filter((d) => d.consumerGroup === group);
    expect(l).toHaveLength(expected);
    return l;
  });
}

beforeAll(async () => {
  kafka = testKafka(`it-batch-${id}`);
  await createTopics(kafka, topics, 1);
  await createTopics(kafka, [gz.topic], 3);
  ds = await createTestDataSource(schema);
  relay = startTestRelay(ds, kafka, 'it-batch', 200);
});

afterAll(() => tearDownSpec({ runners, relay, dataSource: ds, schema, kafka, topics: [...topics, gz.topic] }));

it('duplicates within one batch (a relay re-send) and events already in the inbox take effect once', async () => {
  const group = `it-batch-dup-${id}`;
  const ids = await publishAndSend(dup, Array.from({ length: 20 }, (_, n) => ({ id: `d${n}`, key: 'dup', n })));
  // Re-send events 5..9 as the relay would after a crash between the broker ack and the commit.
  const rows: Array<{ key: string; headers: Record<string, string>; payload: Buffer }> = await ds.query(
    `SELECT key, headers, payload FROM "${schema}".outbox_event WHERE id = ANY($1) ORDER BY seq`,
    [ids.slice(5, 10)],
  );
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: dup.topic, messages: rows.map((r) => ({ key: r.key, value: r.payload, headers: r.headers })) });
  await producer.disconnect();
  // Event 3 was processed by this group before (its inbox row exists).
  await ds.query(`INSERT INTO "${schema}".inbox_event (consumer_group, event_id, topic, partition, "offset") VALUES ($1, $2, $3, 0, 3)`, [
    group,
    ids[3],
    dup.topic,
  ]);
  const calls: string[] = [];
  await runner(group)
    .register(dup, async (v, ctx) => {
      calls.push(ctx.eventId);
      await ctx.manager.query(`INSERT INTO "${schema}".effect (event_id, value) VALUES ($1, $2)`, [ctx.eventId, String(v.n)]);
    })
    .start();
  await consumedToEnd(group, dup.topic);

  const expected = ids.filter((_, n) => n !== 3);
  expect(calls).toEqual(expected);
  const effects = await effectCounts(ids);
  expect([...effects.keys()].sort()).toEqual([...expected].sort());
  expect([...effects.values()].every((n) => n === 1)).toBe(true);
  const [inbox]: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM "${schema}".inbox_event WHERE consumer_group = $1`, [group]);
  expect(Number(inbox?.n)).toBe(20);
});

it('a poison record and an undecodable record in a batch go to the DLQ; every other record takes effect once', async () => {
  const group = `it-batch-poison-${id}`;
  const a = await publishAndSend(poison, Array.from({ length: 5 }, (_, n) => ({ id: `a${n}`, key: 'p', n })));
  const [bad] = await publishAndSend(poison, [{ id: 'bad', key: 'p', n: 666 }]);
  const b = await publishAndSend(poison, Array.from({ length: 5 }, (_, n) => ({ id: `b${n}`, key: 'p', n: 100 + n })));
  const [headers]: Array<{ headers: Record<string, string> }> = await ds.query(`SELECT headers FROM "${schema}".outbox_event WHERE id = $1`, [b[0]]);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: poison.topic, messages: [{ key: 'p', value: '{not json', headers: { ...headers?.headers, ce_id: `raw-${id}` } }] });
  await producer.disconnect();
  const c = await publishAndSend(poison, [{ id: 'c0', key: 'p', n: 200 }]);

  const calls: string[] = [];
  const badAttempts: number[] = [];
  await runner(group, 3)
    .register(poison, async (v, ctx) => {
      calls.push(ctx.eventId);
      if (v.n === 666) {
        badAttempts.push(ctx.attempt);
        throw new Error('cannot handle bad');
      }
      await ctx.manager.query(`INSERT INTO "${schema}".effect (event_id, value) VALUES ($1, $2)`, [ctx.eventId, String(v.n)]);
    })
    .start();
  await consumedToEnd(group, poison.topic);

  const good = [...a, ...b, ...c];
  const effects = await effectCounts([...good, bad as string]);
  expect(good.map((e) => effects.get(e))).toEqual(good.map(() => 1));
  expect(effects.has(bad as string)).toBe(false);
  expect(badAttempts).toEqual([1, 2, 3]);
  // The records before the poison ran in the batch that rolled back, then once more in the batch
  // that committed; the ones after it ran once.
  expect(a.map((e) => count(calls, e))).toEqual([2, 2, 2, 2, 2]);
  expect([...b, ...c].map((e) => count(calls, e))).toEqual([1, 1, 1, 1, 1, 1]);
  const [inbox]: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM "${schema}".inbox_event WHERE consumer_group = $1`, [group]);
  expect(Number(inbox?.n)).toBe(11);

  const letters = await deadLettersOf(poison.topic, group, 2);
  expect(letters.map((l) => [l.eventId, l.errorCode, l.attempts])).toEqual([
    [bad, 'HANDLER_FAILED', 3],
    [`raw-${id}`, 'EVENT_JSON_INVALID', 0],
  ]);
});

it('a non-retryable failure in a batch is dead-lettered after its single attempt', async () => {
  const group = `it-batch-nonretry-${id}`;
  const ids = await publishAndSend(nonRetry, Array.from({ length: 6 }, (_, n) => ({ id: `n${n}`, key: 'n', n })));
  const tries: number[] = [];
  await runner(group, 5)
    .register(nonRetry, async (v, ctx) => {
      if (v.n === 2) {
        tries.push(ctx.attempt);
        throw Object.assign(new Error('model not found'), { retryable: false, code: 'MODEL_NOT_FOUND' });
      }
      await ctx.manager.query(`INSERT INTO "${schema}".effect (event_id, value) VALUES ($1, $2)`, [ctx.eventId, String(v.n)]);
    })
    .start();
  await consumedToEnd(group, nonRetry.topic);
  expect(tries).toEqual([1]);
  const effects = await effectCounts(ids);
  expect(ids.map((e) => effects.get(e) ?? 0)).toEqual([1, 1, 0, 1, 1, 1]);
  const [letter] = await deadLettersOf(nonRetry.topic, group, 1);
  expect(letter).toMatchObject({ eventId: ids[2], errorCode: 'MODEL_NOT_FOUND', attempts: 1 });
});

it('a batch handler (registerBatch) writes a run in bulk; when it fails, each event is retried alone and only the poison is dead-lettered', async () => {
  const group = `it-batch-bulk-${id}`;
  const ids = await publishAndSend(bulk, Array.from({ length: 12 }, (_, n) => ({ id: `u${n}`, key: 'u', n: n === 7 ? 666 : n })));
  // Event 0 was processed by this group before.
  await ds.query(`INSERT INTO "${schema}".inbox_event (consumer_group, event_id, topic, partition, "offset") VALUES ($1, $2, $3, 0, 0)`, [
    group,
    ids[0],
    bulk.topic,
  ]);
  const calls: string[][] = [];
  await runner(group, 2)
    .registerBatch(bulk, async (events, manager) => {
      calls.push(events.map((e) => e.context.eventId));
      if (events.some((e) => e.value.n === 666)) throw new Error('cannot handle 666');
      expect(events.every((e) => e.context.manager === manager)).toBe(true);
      await manager.query(`INSERT INTO "${schema}".effect (event_id, value) SELECT unnest($1::text[]), 'bulk'`, [events.map((e) => e.context.eventId)]);
    })
    .start();
  await consumedToEnd(group, bulk.topic);
  // One call with the 11 new events (rolled back), then each alone: the poison twice (2 attempts).
  expect(calls[0]).toEqual(ids.slice(1));
  expect(calls.slice(1)).toEqual([...ids.slice(1, 7).map((e) => [e]), [ids[7]], [ids[7]], ...ids.slice(8).map((e) => [e])]);
  const effects = await effectCounts(ids);
  expect(ids.map((e) => effects.get(e) ?? 0)).toEqual([0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1]);
  const [letter] = await deadLettersOf(bulk.topic, group, 1);
  expect(letter).toMatchObject({ eventId: ids[7], errorCode: 'HANDLER_FAILED', attempts: 2 });
});

it('a publisher without pg_notify (notify: false): publish and publishMany rows are relayed and consumed once', async () => {
  const group = `it-batch-quiet-${id}`;
  const quietPublisher = new EventPublisher({ serviceName: 'it-batch', notify: false, onPublished: () => relay.wake() });
  const ids = await ds.transaction(async (m) => [
    (await quietPublisher.publish(m, quiet, { id: 'q0', key: 'q', n: 0 })).id,
    ...(await quietPublisher.publishMany(m, quiet, [1, 2, 3].map((n) => ({ id: `q${n}`, key: 'q', n })))).map((e) => e.id),
  ]);
  await runner(group)
    .register(quiet, async (v, ctx) => {
      await ctx.manager.query(`INSERT INTO "${schema}".effect (event_id, value) VALUES ($1, $2)`, [ctx.eventId, String(v.n)]);
    })
    .start();
  await eventually(async () => {
    const effects = await effectCounts(ids);
    expect(ids.map((e) => effects.get(e) ?? 0)).toEqual([1, 1, 1, 1]);
  }, 60_000);
});

it('a gzip relay sends 1,000 rows in one cycle (64 KiB requests); all 1,200 events are consumed once, in order per key', async () => {
  // Its own schema, so this relay (1000 rows per cycle, 64 KiB requests, gzip) is the only one.
  const gzSchema = `${schema}_gz`;
  const gzDs = await createTestDataSource(gzSchema);
  const gzRelay = new OutboxRelay({ dataSource: gzDs, kafka, serviceName: 'it-gz', pollIntervalMs: 100, maxRequestBytes: 64 * 1024, compression: 'gzip', logger: silentLogger });
  const gzRunner = new EventConsumerRunner({ kafka, dataSource: gzDs, groupId: `it-batch-gz-${id}`, sessionTimeout: 6000, logger: silentLogger });
  try {
    const seen = new Map<string, number[]>();
    await gzRunner
      .register(gz, async (v, ctx) => {
        seen.set(v.key, [...(seen.get(v.key) ?? []), v.n]);
        await ctx.manager.query(`INSERT INTO "${gzSchema}".effect (event_id, value) VALUES ($1, $2)`, [ctx.eventId, String(v.n)]);
      })
      .start();
    const gzPublisher = new EventPublisher({ serviceName: 'it-gz' });
    await gzDs.transaction((m) => gzPublisher.publishMany(m, gz, Array.from({ length: 1200 }, (_, n) => ({ id: `g${n}`, key: `k${n % 7}`, n }))));
    const sent = await gzRelay.relayOnce();
    expect(sent).toBe(1000);
    gzRelay.start();
    await eventually(async () => {
      const [r]: Array<{ n: string; d: string }> = await gzDs.query(`SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM "${gzSchema}".effect`);
      expect([Number(r?.n), Number(r?.d)]).toEqual([1200, 1200]);
    }, 90_000);
    for (let k = 0; k < 7; k++) {
      const ns = seen.get(`k${k}`) ?? [];
      expect(ns).toEqual(Array.from({ length: 1200 }, (_, n) => n).filter((n) => n % 7 === k));
    }
    const [unsent]: Array<{ n: string }> = await gzDs.query(`SELECT count(*) AS n FROM "${gzSchema}".outbox_event WHERE sent_at IS NULL`);
    expect(Number(unsent?.n)).toBe(0);
  } finally {
    await gzRunner.stop();
    await gzRelay.stop();
    await gzDs.destroy();
    await dropSchema(gzSchema);
  }
});

it('a consumer killed in the middle of a batch transaction: its batch leaves no effect, the group then applies every event exactly once', async () => {
  const group = `it-batch-crash-${id}`;
  const ids = await publishAndSend(crash, Array.from({ length: 100 }, (_, n) => ({ id: `c${n}`, key: 'c', n })));
  // Batches of 10: 0-9, 10-19, 20-29 commit, the handler of n=35 kills the process.
  const handledInCrashedTx = await new Promise<number>((resolve, reject) => {
    const child = spawnTestChild('batch-consumer-child.ts', [schema, id, group, '10', '35']);
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const m = /crash (\d+)/.exec(out);
      if (signal === 'SIGKILL' && m) resolve(Number(m[1]));
      else reject(new Error(`child exited (${code ?? signal}) without crashing mid-batch: ${out} ${err}`));
    });
  });
  expect(handledInCrashedTx).toBeGreaterThan(0);
  const committedBefore = await effectCounts(ids);
  // Only whole committed batches: the records handled in the killed transaction left nothing.
  expect(committedBefore.size).toBe(35 - handledInCrashedTx);
  expect([...committedBefore.values()].every((n) => n === 1)).toBe(true);

  await runner(group)
    .register(crash, async (v, ctx) => {
      await ctx.manager.query(`INSERT INTO "${schema}".effect (event_id, value) VALUES ($1, $2)`, [ctx.eventId, String(v.n)]);
    })
    .start();
  await consumedToEnd(group, crash.topic);
  const effects = await effectCounts(ids);
  expect(ids.map((e) => effects.get(e))).toEqual(ids.map(() => 1));
  const [inbox]: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM "${schema}".inbox_event WHERE consumer_group = $1`, [group]);
  expect(Number(inbox?.n)).toBe(100);
});
