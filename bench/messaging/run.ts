/**
 * Messaging benchmark: events/s and end-to-end latency (p50/p99) through
 * outbox → relay → Kafka → consumer-with-inbox, with 1, 10 and 100 concurrent producers, in
 * several configurations side by side in the same run, and plain kafkajs produce → consume:
 *   - `per-message` (before): one consumer transaction per record (`maxBatchRecords: 1`), relay
 *     batches of 200 rows (the old defaults);
 *   - `batched`: the defaults (one transaction per run of up to 500 records of a partition with a
 *     bulk inbox insert; relay batches of 1000 rows);
 *   - `batched+gzip`: the same with gzip-compressed relay requests;
 *   - `batched+bulk`: batched, with a batch handler (`registerBatch`) that writes the run's effects
 *     with one multi-row INSERT instead of one INSERT per event;
 *   - `plain`: kafkajs alone, one `send` per event (acks all, idempotent) and `eachMessage`: no
 *     outbox, no inbox, no transaction, no exactly-once effect.
 *
 *   set -a; . .stack/env; set +a
 *   node -r @swc-node/register bench/messaging/run.ts [--events N] [--concurrency 1,10,100]
 *        [--modes per-message,batched,batched+gzip,batched+bulk,plain] [--per-tx 1] [--no-notify] [--out bench/results/<date>-messaging.json]
 *
 * Latency = the commit of the consumer's transaction holding the event's effect (outbox; a batch
 * commits after its last handler) or eachMessage (plain) minus the moment the producer started its
 * publish (outbox: before its transaction; plain: before `send`). Throughput = events /
 * (last consumed − first publish started). Uses a fresh schema, topics and groups per run and
 * removes them afterwards. Writes the rows, the machine and the load average to `--out`.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import type { Kafka } from 'kafkajs';
import { type BenchRow, arg, loadAverage } from '../util/load';
import { defineEvent } from '@strata/contracts';
import {
  createKafka,
  EventConsumerRunner,
  EventPublisher,
  OutboxRelay,
  silentLogger,
} from '@strata/messaging';
import { createTestDataSource, dropSchema } from '../../libs/messaging/src/testing/harness';

let EVENTS = Number(arg('events', process.env.BENCH_EVENTS ?? '3000'));
const CONCURRENCY = arg('concurrency', '1,10,100').split(',').map(Number);
type Mode = 'per-message' | 'batched' | 'batched+gzip' | 'batched+bulk' | 'plain';
/** Events per producer transaction (outbox) or per `send` (plain); 1 = one event per transaction, as a service publishes. */
const PER_TX = Math.max(1, Number(arg('per-tx', '1')));
/** `--no-notify`: publishers skip `pg_notify` (the in-process relay is woken directly). */
const NOTIFY = !process.argv.includes('--no-notify');
const MODES = arg('modes', 'per-message,batched,batched+gzip,batched+bulk,plain').split(',') as Mode[];
/** Consumer and relay settings per outbox mode. */
const SETTINGS: Record<Exclude<Mode, 'plain'>, { tag: string; maxBatchRecords: number; relayBatch: number; compression: 'none' | 'gzip'; bulk: boolean }> = {
  'per-message': { tag: 'm', maxBatchRecords: 1, relayBatch: 200, compression: 'none', bulk: false },
  batched: { tag: 'b', maxBatchRecords: 500, relayBatch: 1000, compression: 'none', bulk: false },
  'batched+gzip': { tag: 'z', maxBatchRecords: 500, relayBatch: 1000, compression: 'gzip', bulk: false },
  'batched+bulk': { tag: 'u', maxBatchRecords: 500, relayBatch: 1000, compression: 'none', bulk: true },
};
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
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
  /** Publish started → handler ran, ms. */
  p50: number;
  p99: number;
  /** Outbox only: row inserted → marked sent by the relay (`sent_at − created_at`), ms. */
  relayP50?: number;
  relayP99?: number;
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

/**
 * `producers` concurrent producers share the events 0 … EVENTS − 1 in chunks of PER_TX: each
 * takes the next chunk and awaits `send(seq, n, startedAt)` (first event number, chunk size,
 * Date.now() ms when the chunk was taken) until none is left. Resolves when every chunk was sent.
 */
async function produceAll(producers: number, send: (seq: number, n: number, startedAt: number) => Promise<void>): Promise<void> {
  let next = 0;
  const take = (): number => {
    const seq = next;
    next += PER_TX;
    return seq;
  };
  await Promise.all(
    Array.from({ length: producers }, async () => {
      for (let seq = take(); seq < EVENTS; seq = take()) await send(seq, Math.min(PER_TX, EVENTS - seq), Date.now());
    }),
  );
}

async function outboxRun(ds: DataSource, kafka: Kafka, producers: number, mode: Exclude<Mode, 'plain'>): Promise<Row> {
  const settings = SETTINGS[mode];
  const run = `${settings.tag}${producers}`;
  const contract = benchContract(run);
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
  const relay = new OutboxRelay({
    dataSource: ds,
    kafka,
    serviceName: 'bench',
    pollIntervalMs: 100,
    batchSize: settings.relayBatch,
    compression: settings.compression,
    logger: silentLogger,
  });
  const publisher = new EventPublisher({ serviceName: 'bench', onPublished: () => relay.wake(), notify: NOTIFY });
  const runner = new EventConsumerRunner({
    kafka,
    dataSource: ds,
    groupId: `bench-outbox-${id}-${run}`,
    sessionTimeout: 10_000,
    maxBatchRecords: settings.maxBatchRecords,
    logger: silentLogger,
  });
  // Latency ends when the effect's transaction COMMITS (a batch commits after its last handler):
  // handlers note their event's start per transaction, a TypeORM subscriber reads them on commit.
  const pending = new Map<QueryRunner, number[]>();
  const note = (manager: EntityManager, startedAt: number[]): void => {
    const qr = manager.queryRunner as QueryRunner;
    pending.set(qr, [...(pending.get(qr) ?? []), ...startedAt]);
  };
  const subscriber: EntitySubscriberInterface = {
    afterTransactionCommit: (e) => {
      const started = pending.get(e.queryRunner);
      if (!started) return;
      pending.delete(e.queryRunner);
      const now = Date.now();
      for (const t of started) latencies.push(now - t);
      tEnd = now;
    },
    afterTransactionRollback: (e) => void pending.delete(e.queryRunner),
  };
  ds.subscribers.push(subscriber);
  if (settings.bulk) {
    // One multi-row INSERT of the run's effects, in the run's transaction.
    runner.registerBatch(contract, async (events, manager) => {
      await manager.query(`INSERT INTO "${schema}".bench_effect (seq) SELECT unnest($1::int[])`, [events.map((e) => e.value.seq)]);
      note(manager, events.map((e) => e.value.startedAt));
    });
  } else {
    runner.register(contract, async (v, ctx) => {
      await ctx.manager.query(`INSERT INTO "${schema}".bench_effect (seq) VALUES ($1)`, [v.seq]);
      note(ctx.manager, [v.startedAt]);
    });
  }
  await runner.start();
  relay.start();
  const t0 = Date.now();
  await produceAll(producers, async (seq, n, startedAt) => {
    const values = Array.from({ length: n }, (_, i) => ({ key: `k${(seq + i) % 64}`, seq: seq + i, startedAt, pad: PAD }));
    await ds.transaction(async (m) => {
      if (values.length === 1) await publisher.publish(m, contract, values[0] as (typeof values)[0]);
      else await publisher.publishMany(m, contract, values);
    });
  });
  await waitFor(() => latencies.length >= EVENTS, 300_000);
  await runner.stop();
  await relay.stop();
  ds.subscribers.splice(ds.subscribers.indexOf(subscriber), 1);
  const [relayLag]: Array<{ p50: number; p99: number }> = await ds.query(
    `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_disc(0.99) WITHIN GROUP (ORDER BY ms) AS p99
       FROM (SELECT EXTRACT(EPOCH FROM sent_at - created_at) * 1000 AS ms FROM "${schema}".outbox_event) lag`,
  );
  await ds.query(`TRUNCATE "${schema}".outbox_event, "${schema}".bench_effect`);
  return { ...summarize(`outbox→kafka→inbox, ${mode}`, producers, latencies, t0, tEnd), relayP50: Math.round(Number(relayLag?.p50)), relayP99: Math.round(Number(relayLag?.p99)) };
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
  await produceAll(producers, async (seq, n, startedAt) => {
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: n }, (_, i) => ({
        key: `k${(seq + i) % 64}`,
        value: JSON.stringify({ key: `k${(seq + i) % 64}`, seq: base + seq + i, startedAt, pad: PAD }),
      })),
    });
  });
  await waitFor(() => latencies.length >= EVENTS, 300_000);
  await producer.disconnect();
  await consumer.disconnect();
  return summarize('plain kafkajs (no outbox/inbox)', producers, latencies, t0, tEnd);
}

/**
 * Runs every mode at every producer count (modes interleaved per producer count, so a change of
 * machine load hits all of them alike).
 * @returns the rows (also as BenchRow for `npm run bench`: target = mode and producers, req/s =
 *   events/s, p50/p99 = publish-to-handled lag in ms) and the load average before and after.
 */
export async function runMessagingBench(events?: number): Promise<{ table: Row[]; rows: BenchRow[]; load: { before: number[]; after: number[] } }> {
  if (events !== undefined) EVENTS = events;
  const load = { before: loadAverage(), after: [] as number[] };
  const kafka = createKafka({ brokers: BROKERS, clientId: `bench-${id}` });
  const plainTopic = `bench.plain.${id}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: plainTopic, numPartitions: 3, replicationFactor: 1 }],
  });
  // The messaging tables migrated in a fresh schema (as the lib's own int specs get them).
  const ds = await createTestDataSource(schema, 40);
  await ds.query(`CREATE TABLE "${schema}".bench_effect (seq int NOT NULL)`);

  const rows: Row[] = [];
  const groups: string[] = [];
  try {
    for (const c of CONCURRENCY) {
      for (const mode of MODES) {
        process.stderr.write(`${mode}, ${c} producer(s), ${EVENTS} events…\n`);
        if (mode === 'plain') {
          groups.push(`bench-plain-${id}-${c}`);
          rows.push(await plainRun(kafka, plainTopic, c));
        } else {
          groups.push(`bench-outbox-${id}-${SETTINGS[mode].tag}${c}`);
          rows.push(await outboxRun(ds, kafka, c, mode));
        }
      }
    }
  } finally {
    await ds.destroy();
    await dropSchema(schema);
    await admin.deleteTopics({ topics: [...benchTopics, plainTopic] }).catch(() => undefined);
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
  }
  load.after = loadAverage();
  const benchRows: BenchRow[] = rows.map((r) => ({
    target: `${r.mode}, ${r.producers} producer(s)`,
    mode: 'closed',
    reqPerSec: r.perSecond,
    p50: r.p50,
    p99: r.p99,
    non2xx: 0,
    errors: EVENTS - r.events,
  }));
  return { table: rows, rows: benchRows, load };
}

async function main(): Promise<void> {
  const { table: rows, load } = await runMessagingBench();
  const header = ['mode', 'producers', 'events', 'seconds', 'events/s', 'p50 ms', 'p99 ms', 'relay p50/p99 ms'];
  const table = rows.map((r) => [
    r.mode,
    String(r.producers),
    String(r.events),
    r.seconds.toFixed(2),
    r.perSecond.toFixed(0),
    String(r.p50),
    String(r.p99),
    r.relayP50 === undefined ? '' : `${r.relayP50}/${r.relayP99}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => (t[i] as string).length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  process.stdout.write(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${table.map(line).join('\n')}\n`);
  const cpu = os.cpus();
  const machine = { cores: cpu.length, model: cpu[0]?.model ?? '?', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  process.stdout.write(
    `\n(${EVENTS} events of ~300 B per row, ${PER_TX} per producer transaction${NOTIFY ? '' : ', no pg_notify'}; 3 partitions; ${machine.cores} x ${machine.model}, Node ${machine.node}; one broker and PostgreSQL on loopback; load average before ${load.before.join(' ')}, after ${load.after.join(' ')})\n`,
  );
  const date = new Date().toISOString();
  const out = path.resolve(arg('out', path.join(__dirname, `../results/${date.slice(0, 10)}-messaging.json`)));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify({ date, machine, load, events: EVENTS, perTransaction: PER_TX, notify: NOTIFY, partitions: 3, rows }, null, 2)}\n`);
  process.stdout.write(`results: ${out}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
    process.exit(1);
  });
}
