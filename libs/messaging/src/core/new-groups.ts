import { ALL_EVENTS } from '@strata/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { positionNewGroupSince } from './broadcast-group';

/**
 * Starts consumer groups that have never committed an offset on the platform's event topics (every
 * topic of `ALL_EVENTS` that exists on the broker) at those topics' current end, so a platform's
 * first start does not consume events that other platforms sharing the broker published before it
 * (test runs, another checkout's demo): such events name data directories and databases that are
 * not this platform's. A topic on which the group has committed anything is left alone (a restart
 * resumes where it stopped), and a topic created later is read from its beginning as usual.
 *
 * Used by `npm run up` (tools/stack/services.sh, before the services start) and by tests that boot
 * services with groups of their own. Call only while the groups have no members.
 *
 * @param brokers Kafka bootstrap servers (`host:port`).
 * @returns the topics considered (those of `ALL_EVENTS` that exist).
 * @throws the kafkajs error when the broker does not answer within the client's retries, or an
 *   Error naming the group when it has running members or positioning exceeds `timeoutMs` per group.
 */
export async function startNewGroupsAtEnd(brokers: string[], groupIds: readonly string[], timeoutMs = 30_000): Promise<string[]> {
  const kafka = new Kafka({ clientId: 'strata-position-new-groups', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 10_000, retry: { retries: 3 } });
  const admin = kafka.admin();
  await admin.connect();
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
  } finally {
    await admin.disconnect();
  }
  const topics = ALL_EVENTS.map((c) => c.topic).filter((t) => existing.has(t));
  const now = Date.now();
  for (const g of groupIds) await positionNewGroupSince(kafka, g, topics, now, timeoutMs);
  return topics;
}
