/**
 * startNewGroupsAtEnd against the REAL broker: a group that never committed on a platform topic
 * starts at the topic's end (after records published before it), a group with a committed offset
 * keeps it, and a group with running members is refused by name.
 */
import { ALL_EVENTS } from '@strata/contracts';
import type { Kafka } from 'kafkajs';
import { startNewGroupsAtEnd } from './new-groups';
import { createTopics, infra, testKafka, uniq } from '../testing/harness';

jest.setTimeout(120_000);

describe('startNewGroupsAtEnd (real Kafka)', () => {
  const brokers = infra().brokers.split(',');
  // a real platform topic (the function only positions ALL_EVENTS topics), written here with raw records
  const contract = ALL_EVENTS[0];
  if (!contract) throw new Error('no event contracts');
  const topic = contract.topic;
  const id = uniq();
  let kafka: Kafka;

  beforeAll(async () => {
    kafka = testKafka(`it-new-groups-${id}`);
    await createTopics(kafka, [topic], contract.partitions).catch(() => undefined);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: `k-${id}`, value: 'not an event: never consumed by this test' }] });
    await producer.disconnect();
  });

  async function committed(groupId: string): Promise<Map<number, string>> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      return new Map(offsets.flatMap((t) => t.partitions).map((p) => [p.partition, p.offset]));
    } finally {
      await admin.disconnect();
    }
  }

  it("commits the topic's current end for a new group and leaves a group with commits where it is", async () => {
    const fresh = `it-new-group-${id}`;
    const resumed = `it-resumed-group-${id}`;
    const admin = kafka.admin();
    await admin.connect();
    let ends: Map<number, string>;
    try {
      ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o.high]));
      await admin.setOffsets({ groupId: resumed, topic, partitions: [...ends.keys()].map((partition) => ({ partition, offset: '0' })) });
    } finally {
      await admin.disconnect();
    }
    expect([...ends.values()].some((high) => Number(high) > 0)).toBe(true);
    expect([...(await committed(fresh)).values()].every((o) => o === '-1')).toBe(true);

    const topics = await startNewGroupsAtEnd(brokers, [fresh, resumed]);
    expect(topics).toContain(topic);
    expect(await committed(fresh)).toEqual(ends);
    expect([...(await committed(resumed)).values()]).toEqual([...ends.keys()].map(() => '0'));
  });

  it('refuses a new group that has running members, naming it', async () => {
    const busy = `it-busy-group-${id}`;
    const consumer = kafka.consumer({ groupId: busy, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      let joined = false;
      consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
      await consumer.run({ eachMessage: async () => undefined });
      const deadline = Date.now() + 30_000;
      while (!joined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(joined).toBe(true);
      await expect(startNewGroupsAtEnd(brokers, [busy], 10_000)).rejects.toThrow(`cannot position consumer group '${busy}': it has running members`);
    } finally {
      await consumer.disconnect();
    }
  });
});
