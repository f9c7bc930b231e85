import { Kafka, logLevel } from 'kafkajs';

/**
 * Commits, for a consumer group that has no members yet, the current end offset of every
 * partition of `topics`. A test's fresh group then starts after everything already on the shared
 * topics (other tests, demo runs) instead of replaying it all from the beginning, and still sees
 * every event the test publishes afterwards (no race with the group's first join).
 */
export async function startGroupAtEnd(brokers: string[], groupId: string, topics: string[]): Promise<void> {
  const admin = new Kafka({ clientId: `${groupId}-setup`, brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })) });
    }
  } finally {
    await admin.disconnect();
  }
}
