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
 * All topics are positioned in ONE short membership of the group ({@link commitGroupOffsets}):
 * kafkajs' `admin.setOffsets` takes one topic per call and each call lasts a full fetch wait
 * (5 s), so a group of three topics took over 15 s to start (its readiness check down meanwhile).
 *
 * @throws the kafkajs error when the broker does not answer within the client's retries, or an
 *   Error when the positioning does not finish within `timeoutMs` (default 30 s).
 */
export async function positionNewGroupSince(kafka: Kafka, groupId: string, topics: string[], sinceMs: number, timeoutMs = 30_000): Promise<void> {
  const seeks: Array<{ topic: string; partition: number; offset: string }> = [];
  // a connect that fails must not leave the admin's sockets open (see connectOrRelease)
  const admin = await connectOrRelease(kafka.admin());
  try {
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const topic of topics) {
      const known = committed.find((c) => c.topic === topic)?.partitions ?? [];
      if (known.some((p) => Number(p.offset) >= 0)) continue;
      const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, sinceMs);
      for (const o of offsets) seeks.push({ topic, partition: o.partition, offset: o.offset });
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (seeks.length > 0) await commitGroupOffsets(kafka, groupId, seeks, timeoutMs);
}

/**
 * Commits `seeks` as the committed offsets of `groupId`, a group with no members, the way
 * kafkajs' `admin.setOffsets` does (join with a consumer whose partitions are paused, seek, stop
 * at the first fetch: the seeks are committed) but for several topics at once and with a short
 * fetch wait (100 ms), so it lasts one join instead of 5 s per topic.
 * @throws Error naming the group when it has members or the commit does not finish within `timeoutMs`.
 */
async function commitGroupOffsets(kafka: Kafka, groupId: string, seeks: ReadonlyArray<{ topic: string; partition: number; offset: string }>, timeoutMs: number): Promise<void> {
  const topics = [...new Set(seeks.map((s) => s.topic))];
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, retry: { retries: 5, restartOnFailure: async () => false } });
  await connectOrRelease(consumer);
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    const description = await consumer.describeGroup();
    if (!['Empty', 'Dead'].includes(description.state)) {
      throw new Error(`cannot position consumer group '${groupId}': it has running members (state ${description.state})`);
    }
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err === undefined) resolve();
        else reject(err instanceof Error ? err : new Error(String(err)));
      };
      const timer = setTimeout(() => settle(new Error(`positioning consumer group '${groupId}' did not finish within ${timeoutMs} ms`)), timeoutMs);
      consumer.on(consumer.events.FETCH, () => {
        consumer.stop().then(() => settle(), settle);
      });
      consumer.run({ eachBatchAutoResolve: false, eachBatch: async () => undefined }).catch(settle);
      // this consumer reads nothing: its only job is to commit the seeks
      consumer.pause(topics.map((topic) => ({ topic })));
      for (const s of seeks) consumer.seek(s);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
