import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';

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

/**
 * {@link startGroupAtEnd} for services' groups over every platform event topic that exists (all of
 * `ALL_EVENTS`), one short membership per group instead of one `setOffsets` call per topic: for
 * a test that boots whole services with groups of its own, so they neither replay every earlier
 * run's events nor consume a backlog that earlier runs left in the default groups.
 */
export async function positionGroupsAtEnd(brokers: string[], groupIds: string[]): Promise<void> {
  // loaded here, not with the harness: most tests never need the messaging lib
  const { startNewGroupsAtEnd } = await import('@strata/messaging');
  await startNewGroupsAtEnd(brokers, groupIds);
}

/** One member of a consumer group and the partitions it holds, per topic. */
export interface GroupMemberAssignment {
  memberId: string;
  clientId: string;
  clientHost: string;
  /** topic → assigned partitions (sorted). */
  assignment: Record<string, number[]>;
}

/** State of a consumer group as the broker's coordinator reports it (`DescribeGroups`). */
export interface GroupDescription {
  groupId: string;
  /** `Stable`, `PreparingRebalance`, `CompletingRebalance`, `Empty`, `Dead`. */
  state: string;
  members: GroupMemberAssignment[];
}

/**
 * Describes consumer groups through the Kafka admin API: state, members and each member's
 * partitions (the assignment decoded from the group's sync data). Bounded by kafkajs'
 * request timeout (connection 3 s, request 5 s, 2 retries).
 */
export async function describeGroups(brokers: string[], groupIds: string[]): Promise<GroupDescription[]> {
  const admin = new Kafka({ clientId: 'strata-test-describe', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 5000, retry: { retries: 2 } }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups(groupIds);
    return groups.map((g) => ({
      groupId: g.groupId,
      state: g.state,
      members: g.members.map((m) => {
        const decoded = m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
        const assignment: Record<string, number[]> = {};
        for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {})) assignment[topic] = [...partitions].sort((a, b) => a - b);
        return { memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, assignment };
      }),
    }));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Deletes every consumer group whose id starts with `prefix` (test cleanup). A group that still
 * has members (e.g. a SIGKILLed one before its session timeout) is left alone. Never throws.
 * @returns the ids deleted
 */
export async function deleteGroupsWithPrefix(brokers: string[], prefix: string): Promise<string[]> {
  const admin = new Kafka({ clientId: 'strata-test-cleanup', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 5000, retry: { retries: 2 } }).admin();
  const deleted: string[] = [];
  try {
    await admin.connect();
    const ids = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    for (const id of ids) {
      try {
        await admin.deleteGroups([id]);
        deleted.push(id);
      } catch {
        // not empty yet: Kafka expires its offsets later (offsets.retention.minutes)
      }
    }
    return deleted;
  } catch {
    return deleted;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Partition count of each topic (metadata request); a missing topic is an error. */
export async function topicPartitionCounts(brokers: string[], topics: string[]): Promise<Record<string, number>> {
  const admin = new Kafka({ clientId: 'strata-test-metadata', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 5000, retry: { retries: 2 } }).admin();
  await admin.connect();
  try {
    const { topics: meta } = await admin.fetchTopicMetadata({ topics });
    return Object.fromEntries(meta.map((t) => [t.name, t.partitions.length]));
  } finally {
    await admin.disconnect();
  }
}
