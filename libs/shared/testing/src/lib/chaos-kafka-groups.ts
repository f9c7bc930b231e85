import { Kafka, logLevel } from 'kafkajs';

/** A consumer group as the broker sees it. */
export interface ConsumerGroupState {
  groupId: string;
  /** kafkajs/Kafka group state: `Stable`, `PreparingRebalance`, `CompletingRebalance`, `Empty`, `Dead` (unknown group), ... */
  state: string;
  members: number;
}

/**
 * Describes consumer groups on `brokers` (one admin round-trip, bounded by `timeoutMs`): what a
 * test reads to tell a consumer that died silently (group `Empty`, no member) from a running one
 * (`Stable`, ≥ 1 member), whatever the service's own health endpoint says.
 * @throws Error when the broker does not answer within `timeoutMs`
 */
export async function describeConsumerGroups(brokers: string[], groupIds: string[], timeoutMs = 10_000): Promise<ConsumerGroupState[]> {
  const admin = new Kafka({ clientId: 'strata-test-groups', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 5000, retry: { retries: 1 } }).admin();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`describeGroups on ${brokers.join(',')} did not answer within ${timeoutMs} ms`)), timeoutMs)));
  try {
    return await Promise.race([
      (async () => {
        await admin.connect();
        const { groups } = await admin.describeGroups(groupIds);
        return groups.map((g) => ({ groupId: g.groupId, state: g.state, members: g.members.length }));
      })(),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}
