/**
 * Broadcast handlers across replicas, against the REAL broker and PostgreSQL: two runners of one
 * service (same group, different instance ids) each handle EVERY broadcast event, while work
 * events are handled once in total; a new instance does not replay the topic from its
 * beginning; a restarted instance (same id) resumes where it stopped.
 */
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EventConsumerRunner } from './consumer';
import { EventPublisher } from './publisher';
import { type OutboxRelay } from './relay';
import { createTestDataSource, createTopics, eventually, silentLogger, testContract, testKafka, uniq } from '../testing/harness';
import { startTestRelay, tearDownSpec } from '../testing/spec-stack';

jest.setTimeout(120_000);

const id = uniq();
const schema = `msg_bc_${id}`;
const model = testContract('bc-model', id);
const work = testContract('bc-work', id);
const group = `it-bc-${id}`;

let ds: DataSource;
let kafka: Kafka;
let relay: OutboxRelay;
const publisher = new EventPublisher({ serviceName: 'it', onPublished: () => relay?.wake() });
const runners: EventConsumerRunner[] = [];
/** What each instance handled: instance → event ids (broadcast) and the work ids handled by anyone. */
const seen = new Map<string, string[]>();
const worked: string[] = [];

function replica(instanceId: string): EventConsumerRunner {
  const r = new EventConsumerRunner({ kafka, dataSource: ds, groupId: group, instanceId, broadcastLookbackMs: 0, sessionTimeout: 6000, logger: silentLogger });
  r.register(model, (v) => void seen.set(instanceId, [...(seen.get(instanceId) ?? []), v.id]), { broadcast: true });
  r.register(work, (v) => void worked.push(v.id));
  runners.push(r);
  return r;
}

async function publish(contract: typeof model, value: { id: string; key: string; n: number }): Promise<void> {
  await ds.transaction((m) => publisher.publish(m, contract, value));
}

async function allSent(): Promise<void> {
  await eventually(async () => {
    const [row] = (await ds.query(`SELECT count(*)::int AS n FROM "${schema}".outbox_event WHERE sent_at IS NULL`)) as Array<{ n: number }>;
    if (row!.n !== 0) throw new Error(`${row!.n} unsent`);
  }, 30_000);
}

beforeAll(async () => {
  kafka = testKafka(`it-bc-${id}`);
  await createTopics(kafka, [model.topic, work.topic]);
  ds = await createTestDataSource(schema);
  relay = startTestRelay(ds, kafka, 'it', 100);
});

afterAll(() => tearDownSpec({ runners, relay, dataSource: ds, schema, kafka, topics: [model.topic, work.topic] }));

it('every replica handles every broadcast event (from its start on), work events once in total; a restarted instance resumes', async () => {
  // published before any replica exists: a new instance does not replay it
  await publish(model, { id: 'before-start', key: 'm0', n: 0 });
  await allSent();
  await new Promise((r) => setTimeout(r, 50));

  const a = replica('a');
  const b = replica('b');
  await Promise.all([a.start(), b.start()]);
  const keys = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']; // spread over the 3 partitions
  for (const [n, key] of keys.entries()) {
    await publish(model, { id: `change-${n}`, key, n });
    await publish(work, { id: `work-${n}`, key, n });
  }
  const expected = keys.map((_, n) => `change-${n}`).sort();
  await eventually(() => {
    expect([...(seen.get('a') ?? [])].sort()).toEqual(expected);
    expect([...(seen.get('b') ?? [])].sort()).toEqual(expected);
    expect([...worked].sort()).toEqual(keys.map((_, n) => `work-${n}`).sort());
  }, 60_000, 200);
  // per instance: its own group and inbox rows; the work group's inbox has each event once
  const inbox = (await ds.query(`SELECT consumer_group, count(*)::int AS n FROM "${schema}".inbox_event GROUP BY 1 ORDER BY 1`)) as Array<{ consumer_group: string; n: number }>;
  expect(inbox).toEqual([
    { consumer_group: group, n: 6 },
    { consumer_group: `${group}.a`, n: 6 },
    { consumer_group: `${group}.b`, n: 6 },
  ]);

  // instance a stops; a change arrives meanwhile; a restarted with the same id gets exactly that one
  await a.stop();
  await publish(model, { id: 'while-a-down', key: 'm1', n: 7 });
  await eventually(() => expect(seen.get('b')).toContain('while-a-down'), 30_000, 200);
  seen.set('a', []);
  await replica('a').start();
  await eventually(() => expect(seen.get('a')).toEqual(['while-a-down']), 60_000, 200);
  await new Promise((r) => setTimeout(r, 1000));
  expect(seen.get('a')).toEqual(['while-a-down']);
  expect(seen.get('b')).not.toContain('before-start');
});
