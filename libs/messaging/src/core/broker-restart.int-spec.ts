/**
 * Broker stop/restart mid-stream, on a PRIVATE broker (testing/private-kafka.ts: its own ports
 * and state dir, so the shared broker other tests use is never killed): the Kafka process is
 * stopped (SIGTERM), events keep being published into the outbox meanwhile, then it is started
 * again. Nothing is lost, nothing applied twice, consumption resumes. afterAll always stops the
 * private broker, even when the test fails. The consumer-group crash path (an outage longer
 * than the consumer's retry budget) is consumer-recovery.int-spec.ts.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { DataSource } from 'typeorm';
import type { Kafka } from 'kafkajs';
import { type EventConsumerRunner } from './consumer';
import { EventPublisher } from './publisher';
import { type OutboxRelay } from './relay';
import { createTestDataSource, createTopics, eventually, testContract, uniq } from '../testing/harness';
import { countRows, expectAllRelayedAndApplied, registerEffectWriter, startTestRelay, tearDownSpec, testRunner } from '../testing/spec-stack';
import { createKafka } from './kafka';
import { privateKafka } from '../testing/private-kafka';

jest.setTimeout(600_000);

const id = uniq();
const schema = `msg_restart_${id}`;
const contract = testContract('restart', id);
const broker = privateKafka();
const pidFile = path.join(broker.stateDir, 'kafka/pid');
let ds: DataSource;
let kafka: Kafka;
let relay: OutboxRelay | undefined;
let runner: EventConsumerRunner | undefined;

function portOpen(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':') as [string, string];
  return new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port) });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  await broker.start(150_000);
  kafka = createKafka({ brokers: broker.brokers, clientId: `restart-${id}`, logger: undefined });
  await createTopics(kafka, [contract.topic]);
  ds = await createTestDataSource(schema);
  await ds.query(`CREATE TABLE "${schema}".state (event_id text PRIMARY KEY)`);
  relay = startTestRelay(ds, kafka, 'restart', 100);
  runner = registerEffectWriter(testRunner(kafka, ds, `restart-${id}`), contract, schema);
  await runner.start();
});

afterAll(async () => {
  try {
    await tearDownSpec({ runners: [runner], relay, dataSource: ds, schema, kafka, topics: [contract.topic] });
  } finally {
    await broker.destroy();
  }
}, 180_000);

const count = (sql: string): Promise<number> => countRows(ds, sql);

it('kills the Kafka broker mid-stream and restarts it: nothing lost, nothing twice, consumption resumes', async () => {
  const publisher = new EventPublisher({ serviceName: 'restart', onPublished: () => relay?.wake() });
  let n = 0;
  let publishing = true;
  const publishLoop = (async () => {
    while (publishing) {
      await ds.transaction(async (m) => {
        const ev = await publisher.publish(m, contract, { id: `e${n}`, key: `k${n % 7}`, n });
        await m.query(`INSERT INTO "${schema}".state (event_id) VALUES ($1)`, [ev.id]);
      });
      n++;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();

  // Stream is flowing.
  await eventually(async () => expect(await count(`SELECT count(*) AS n FROM "${schema}".effect`)).toBeGreaterThan(20), 60_000);

  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  expect(pid).toBeGreaterThan(0);
  process.kill(pid, 'SIGTERM');
  await eventually(async () => expect(await portOpen(broker.brokers)).toBe(false), 120_000, 200);
  // The JVM closes the client port before it exits (its controller port is still held): wait for the process.
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  await eventually(() => expect(alive()).toBe(false), 120_000, 200);
  const publishedBeforeDown = n;
  // Events keep being committed into the outbox while the broker is down.
  await eventually(() => expect(n).toBeGreaterThan(publishedBeforeDown + 30), 60_000);

  await broker.start(150_000);
  await eventually(async () => expect(await count(`SELECT count(*) AS n FROM "${schema}".effect`)).toBeGreaterThan(publishedBeforeDown + 30), 180_000, 500);
  publishing = false;
  await publishLoop;

  await expectAllRelayedAndApplied(ds, schema, n, 180_000, 500);
  expect(await count(`SELECT count(*) AS n FROM "${schema}".effect`)).toBe(n);
  expect(await count(`SELECT count(*) AS n FROM "${schema}".state`)).toBe(n);
  const missing = await count(
    `SELECT count(*) AS n FROM "${schema}".state s LEFT JOIN "${schema}".effect e ON e.event_id = s.event_id WHERE e.event_id IS NULL`,
  );
  expect(missing).toBe(0);
});
