import { hostname } from 'node:os';
import type { Kafka } from 'kafkajs';
import { connectOrRelease } from './kafka';

/**
 * Broadcast consumption: events that EVERY instance of a service must see, because each
 * instance keeps its own state built from them (serving's loaded models and routes), as opposed
 * to work events that exactly one instance of the service must handle (monitoring storing a
 * prediction). Kafka delivers a partition to one member of a group, so a broadcast handler runs
 * in a consumer group of its own per process: `<service group>.<instance id>`.
 *
 * Such a group is new for every new process; it does not start at the beginning of the topic
 * (a replay of every model ever promoted) nor at its end (which would miss an event published
 * while the group joins) but at the first event published since `startedAt - lookbackMs`:
 * the instance loads the current state itself at start (serving reads the champions from the
 * registry), and every change committed after its start is then delivered, at least once (handlers
 * of broadcast events must be idempotent: applying the latest state twice is harmless). A process
 * that restarts with the same instance id resumes from its committed offsets instead.
 */

/** The default instance id: `<hostname>-<pid>` (unique per process on a host and per container), made safe for a group id. */
export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
}

/** The consumer group of a broadcast handler: `<group>.<instanceId>`. */
export function broadcastGroupId(group: string, instanceId: string): string {
  return `${group}.${instanceId}`;
}

/**
 * For a group that has no committed offset on a topic yet, commits, per partition, the offset of
 * the first record with a timestamp ≥ `sinceMs` (the partition's end when there is none).
 * Partitions with committed offsets are left alone (a restarted instance resumes). Call while the
 * group has no members (before its consumer connects).
 *
 * @throws the kafkajs error when the broker does not answer within the client's retries.
 */
export async function positionNewGroupSince(kafka: Kafka, groupId: string, topics: string[], sinceMs: number): Promise<void> {
  // a connect that fails must not leave the admin's sockets open (see connectOrRelease)
  const admin = await connectOrRelease(kafka.admin());
  try {
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const topic of topics) {
      const known = committed.find((c) => c.topic === topic)?.partitions ?? [];
      if (known.some((p) => Number(p.offset) >= 0)) continue;
      const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, sinceMs);
      await admin.setOffsets({ groupId, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.offset })) });
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
