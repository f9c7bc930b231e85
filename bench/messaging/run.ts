/**
 * Messaging benchmark: events/s and end-to-end latency (p50/p99) through
 * outbox → relay → Kafka → consumer-with-inbox, with 1, 10 and 100 concurrent producers,
 * and plain kafkajs produce → consume in the same run for comparison.
 *
 *   set -a; . .stack/env; set +a
 *   node -r @swc-node/register bench/messaging/run.ts [--events N] [--concurrency 1,10,100]
 *
 * Latency = consumer handler start (outbox) or eachMessage (plain) minus the moment the producer
 * started its publish (outbox: before its transaction; plain: before `send`). Throughput = events /
 * (last consumed − first publish started). Uses a fresh schema, topics and groups per run and
 * removes them afterwards.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DataSource } from 'typeorm';
import type { Kafka } from 'kafkajs';
import { defineEvent } from '@strata/contracts';
import {
  createKafka,
  EventConsumerRunner,
  EventPublisher,
  MESSAGING_ENTITIES,
  MESSAGING_MIGRATIONS,
  OutboxRelay,
  silentLogger,
} from '@strata/messaging';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? (args[i + 1] as string) : def;
};
const EVENTS = Number(arg('--events', process.env.BENCH_EVENTS ?? '3000'));
const CONCURRENCY = arg('--concurrency', '1,10,100').split(',').map(Number);
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://strata:strata@127.0.0.1:5432/strata';
const id = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const schema = `bench_msg_${id}`;

/** One contract (topic) per run, so a new group reading from the beginning sees only its run's events. */
const benchContract = (run: string) => defineEvent({
  domain: 'bench',
  event: `tick-${id}-${run}`,
  version: 1,
  description: 'benchmark event',
  schema: z.object({ key: z.string(), seq: z.number().int(), startedAt: z.number(), pad: z.string() }),
  key: (v) => v.key,
  producers: ['bench'],
  consumers: ['bench'],
});
const PAD = 'x'.repeat(256);
const benchTopics: string[] = [];

interface Row {
  mode: string;
  producers: number;
  events: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function summarize(mode: string, producers: number, latencies: number[], t0: number, tEnd: number): Row {
  const sorted = [...latencies].sort((a, b) => a - b);
  const seconds = (tEnd - t0) / 1000;
  return { mode, producers, events: latencies.length, seconds, perSecond: latencies.length / seconds, p50: pct(sorted, 50), p99: pct(sorted, 99) };
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out waiting for consumers');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function outboxRun(ds: DataSource, kafka: Kafka, producers: number): Promise<Row> {
  const contract = benchContract(`c${producers}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [contract.topic, `${contract.topic}.dlq`].map((t) => ({ topic: t, numPartitions: t.endsWith('.dlq') ? 1 : 3, replicationFactor: 1 })),
  });
  await admin.disconnect();
  benchTopics.push(contract.topic, `${contract.topic}.dlq`);
  const latencies: number[] = [];
  let tEnd = 0;
  const relay = new OutboxRelay({ dataSource: ds, kafka, serviceName: 'bench', pollIntervalMs: 100, logger: silentLogger });
  const publisher = new EventPublisher({ serviceName: 'bench', onPublished: () => relay.wake() });
  const runner = new EventConsumerRunner({
    kafka,
    dataSource: ds,
    groupId: `bench-outbox-${id}-${producers}`,
    sessionTimeout: 10_000,
    logger: silentLogger,
  });
  runner.register(contract, async (v, ctx) => {
    await ctx.manager.query(`INSERT INTO "${schema}".effect (seq) VALUES ($1)`, [v.seq]);
    latencies.push(Date.now() - v.startedAt);
    tEnd = Date.now();
  });
  await runner.start();
  relay.start();
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: producers }, async () => {
      for (let seq = next++; seq < EVENTS; seq = next++) {
        const startedAt = Date.now();
        await ds.transaction((m) => publisher.publish(m, contract, { key: `k${seq % 64}`, seq, startedAt, pad: PAD }));
      }
    }),
  );
  await waitFor(() => latencies.length >= EVENTS, 300_000);
  await runner.stop();
  await relay.stop();
  await ds.query(`TRUNCATE "${schema}".outbox_event, "${schema}".effect`);
  return summarize('outbox→kafka→inbox', producers, latencies, t0, tEnd);
}

async function plainRun(kafka: Kafka, topic: string, producers: number): Promise<Row> {
  const latencies: number[] = [];
  let tEnd = 0;
  const consumer = kafka.consumer({ groupId: `bench-plain-${id}-${producers}`, sessionTimeout: 10_000, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  const base = producers * 1_000_000;
  await consumer.run({
    eachMessage: async ({ message }) => {
      const v = JSON.parse(message.value?.toString() ?? '{}') as { seq: number; startedAt: number };
      if (v.seq < base) return;
      latencies.push(Date.now() - v.startedAt);
      tEnd = Date.now();
    },
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: producers }, async () => {
      for (let seq = next++; seq < EVENTS; seq = next++) {
        const startedAt = Date.now();
        await producer.send({
          topic,
          acks: -1,
          messages: [{ key: `k${seq % 64}`, value: JSON.stringify({ key: `k${seq % 64}`, seq: base + seq, startedAt, pad: PAD }) }],
        });
      }
    }),
  );
  await waitFor(() => latencies.length >= EVENTS, 300_000);
  await producer.disconnect();
  await consumer.disconnect();
  return summarize('plain kafkajs', producers, latencies, t0, tEnd);
}

async function main(): Promise<void> {
  const kafka = createKafka({ brokers: BROKERS, clientId: `bench-${id}` });
  const plainTopic = `bench.plain.${id}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: plainTopic, numPartitions: 3, replicationFactor: 1 }],
  });
  const setup = new DataSource({ type: 'postgres', url: DATABASE_URL });
  await setup.initialize();
  await setup.query(`CREATE SCHEMA "${schema}"`);
  await setup.destroy();
  const ds = new DataSource({
    type: 'postgres',
    url: DATABASE_URL,
    schema,
    entities: [...MESSAGING_ENTITIES],
    migrations: [...MESSAGING_MIGRATIONS],
    extra: { max: 40 },
  });
  await ds.initialize();
  await ds.runMigrations();
  await ds.query(`CREATE TABLE "${schema}".effect (seq int NOT NULL)`);

  const rows: Row[] = [];
  try {
    for (const c of CONCURRENCY) {
      process.stderr.write(`outbox, ${c} producer(s), ${EVENTS} events…\n`);
      rows.push(await outboxRun(ds, kafka, c));
      process.stderr.write(`plain kafkajs, ${c} producer(s), ${EVENTS} events…\n`);
      rows.push(await plainRun(kafka, plainTopic, c));
    }
  } finally {
    await ds.destroy();
    const drop = new DataSource({ type: 'postgres', url: DATABASE_URL });
    await drop.initialize();
    await drop.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await drop.destroy();
    await admin.deleteTopics({ topics: [...benchTopics, plainTopic] }).catch(() => undefined);
    const groups = CONCURRENCY.flatMap((c) => [`bench-outbox-${id}-${c}`, `bench-plain-${id}-${c}`]);
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
  }

  const header = ['mode', 'producers', 'events', 'seconds', 'events/s', 'p50 ms', 'p99 ms'];
  const table = rows.map((r) => [r.mode, String(r.producers), String(r.events), r.seconds.toFixed(2), r.perSecond.toFixed(0), String(r.p50), String(r.p99)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => (t[i] as string).length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  process.stdout.write(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${table.map(line).join('\n')}\n`);
  process.stdout.write(`\n(${EVENTS} events of ~300 B per row; 3 partitions; Node ${process.version}; one broker and PostgreSQL on loopback)\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
