import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { deadLetterTopicOf, headerToString, type RawHeaderValue } from '@strata/contracts';
import { DLQ_HEADERS } from './consumer';
import { MessagingError, MessagingErrorCode } from './errors';
import { connectOrRelease } from './kafka';
import { stderrLogger, type MessagingLogger } from './logger';
import type { DeadLetterRecord as DeadLetter, DeadLetterReplayResult as ReplayResult, DeadLetterTopic as DeadLetterTopicSummary } from '@strata/contracts/api';

/**
 * One record of a dead-letter topic decoded for humans and tools (offsets int64 strings; `dlq_*`
 * headers as `error`, `errorCode`, `attempts`, `failedAt`; the value as UTF-8, the original bytes
 * are what replay re-publishes), the result of {@link DeadLetterService.replay}, and a dead-letter
 * topic holding records ({@link DeadLetterService.topics}; `records` = sum over partitions of
 * high − low watermark, replayed ones stay): declared once, in the API contracts.
 */
export type { DeadLetter, DeadLetterTopicSummary, ReplayResult };

/** Configuration of a {@link DeadLetterService}. */
export interface DeadLetterServiceOptions {
  kafka: Kafka;
  logger?: MessagingLogger;
  /** Max wait in ms for reading a dead-letter topic to its end (default 30 000). */
  readTimeoutMs?: number;
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

interface RawDeadLetter {
  partition: number;
  message: KafkaMessage;
}

/**
 * Lists and replays dead-letter records. Reading uses a throwaway consumer group (deleted
 * afterwards) that reads each partition of `<topic>.dlq` from the beginning to its current end.
 * Replaying re-publishes the original key, value bytes and headers (without the `dlq_*` ones,
 * plus `dlq_replayed_from`) to the original topic. Kafka cannot delete single records, so a
 * replayed record stays in the DLQ; replaying twice is harmless because consumers de-duplicate
 * on `ce_id` (an event that finally succeeded is skipped).
 */
export class DeadLetterService {
  private readonly logger: MessagingLogger;

  constructor(private readonly options: DeadLetterServiceOptions) {
    this.logger = options.logger ?? stderrLogger;
  }

  /**
   * Lists the records of `<topic>.dlq`, oldest first.
   *
   * @param topic the original topic, or the dead-letter topic itself (`….dlq`).
   * @param limit at most this many records (default 1000), the oldest ones.
   * @throws MessagingError `DEAD_LETTER_REQUEST_INVALID` when `topic` is not a valid topic name.
   */
  async list(topic: string, limit = 1000): Promise<DeadLetter[]> {
    const dlq = this.dlqTopic(topic);
    const raw = await this.read(dlq, limit);
    return raw.map((r) => decode(dlq, r));
  }

  /**
   * The dead-letter topics (`*.dlq`) that hold records, by topic name, with their record counts
   * (from the partitions' watermarks: no record is read). Kafka cannot delete single records,
   * so a replayed record is still counted.
   */
  async topics(): Promise<DeadLetterTopicSummary[]> {
    const admin = await connectOrRelease(this.options.kafka.admin());
    try {
      const dlqs = (await admin.listTopics()).filter((t) => t.endsWith('.dlq')).sort();
      const out: DeadLetterTopicSummary[] = [];
      for (let i = 0; i < dlqs.length; i += 10) {
        const batch = dlqs.slice(i, i + 10);
        const counts = await Promise.all(batch.map(async (dlq) => (await admin.fetchTopicOffsets(dlq)).reduce((n, p) => n + Number(BigInt(p.high) - BigInt(p.low)), 0)));
        batch.forEach((dlq, j) => {
          if ((counts[j] ?? 0) > 0) out.push({ topic: dlq.replace(/\.dlq$/, ''), dlqTopic: dlq, records: counts[j] ?? 0 });
        });
      }
      return out;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /**
   * Re-publishes dead-letter records to their original topic.
   *
   * @param topic the original topic or its `.dlq`.
   * @param offsets dead-letter offsets to replay, as `"offset"` (any partition) or
   *   `"partition:offset"`; all records when omitted.
   * @throws MessagingError `DEAD_LETTER_REQUEST_INVALID` for an invalid topic or offset.
   */
  async replay(topic: string, offsets?: ReadonlyArray<string | number>): Promise<ReplayResult> {
    const dlq = this.dlqTopic(topic);
    const wanted = offsets?.map((o) => {
      const s = String(o).trim();
      if (!/^(\d+:)?\d+$/.test(s)) {
        throw new MessagingError(MessagingErrorCode.DEAD_LETTER_REQUEST_INVALID, `invalid dead-letter offset '${s}': use "offset" or "partition:offset"`);
      }
      return s;
    });
    const raw = await this.read(dlq, Number.MAX_SAFE_INTEGER);
    const selected = wanted
      ? raw.filter((r) => wanted.includes(r.message.offset) || wanted.includes(`${r.partition}:${r.message.offset}`))
      : raw;
    const found = new Set(selected.flatMap((r) => [r.message.offset, `${r.partition}:${r.message.offset}`]));
    const missing = (wanted ?? []).filter((w) => !found.has(w));
    if (selected.length === 0) return { replayed: 0, offsets: [], missing };
    const producer = await connectOrRelease(this.options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
    try {
      for (const r of selected) {
        const original = headerToString(r.message.headers?.[DLQ_HEADERS.originalTopic] as RawHeaderValue) ?? dlq.replace(/\.dlq$/, '');
        const headers: IHeaders = {};
        for (const [k, v] of Object.entries(r.message.headers ?? {})) if (!k.startsWith('dlq_')) headers[k] = v;
        headers.dlq_replayed_from = `${dlq}:${r.partition}:${r.message.offset}`;
        await producer.send({ topic: original, acks: -1, messages: [{ key: r.message.key, value: r.message.value, headers }] });
      }
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
    this.logger.log(`replayed ${selected.length} dead-letter record(s) from '${dlq}'`);
    return { replayed: selected.length, offsets: selected.map((r) => `${r.partition}:${r.message.offset}`), missing };
  }

  private dlqTopic(topic: string): string {
    if (!TOPIC_NAME.test(topic)) {
      throw new MessagingError(MessagingErrorCode.DEAD_LETTER_REQUEST_INVALID, `invalid topic name '${topic}'`);
    }
    return topic.endsWith('.dlq') ? topic : deadLetterTopicOf(topic);
  }

  private async read(dlq: string, limit: number): Promise<RawDeadLetter[]> {
    const admin = await connectOrRelease(this.options.kafka.admin());
    const groupId = `strata-dlq-reader-${randomUUID()}`;
    try {
      const existing = await admin.fetchTopicMetadata({ topics: [] }).then((m) => new Set(m.topics.map((t) => t.name)));
      if (!existing.has(dlq)) return [];
      const ends = await admin.fetchTopicOffsets(dlq);
      // Partitions with records: read each up to its high watermark as of now.
      const pending = new Map(ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]));
      if (pending.size === 0) return [];
      const out: RawDeadLetter[] = [];
      let joining: Promise<void> | undefined;
      const consumer = await connectOrRelease(
        this.options.kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 200 }),
      );
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new MessagingError(MessagingErrorCode.DEAD_LETTER_REQUEST_INVALID, `reading '${dlq}' timed out`, { retryable: true })),
            this.options.readTimeoutMs ?? 30_000,
          );
          const finish = (): void => {
            clearTimeout(timer);
            resolve();
          };
          joining = consumer
            .subscribe({ topic: dlq, fromBeginning: true })
            .then(() =>
              consumer.run({
                autoCommit: false,
                eachMessage: async ({ partition, message }) => {
                  const high = pending.get(partition);
                  if (high === undefined) return;
                  if (BigInt(message.offset) < high) out.push({ partition, message });
                  if (BigInt(message.offset) >= high - 1n) pending.delete(partition);
                  if (pending.size === 0) finish();
                },
              }),
            );
          joining.catch(reject);
        });
      } finally {
        await consumer.disconnect().catch(() => undefined);
        // A timeout can come while run() is still joining: kafkajs' disconnect cannot stop a
        // runner that has not started, so disconnect again once it has (no consumer left behind).
        void joining?.then(
          () => consumer.disconnect().catch(() => undefined),
          () => undefined,
        );
      }
      out.sort((a, b) => (a.partition - b.partition) || (BigInt(a.message.offset) < BigInt(b.message.offset) ? -1 : 1));
      return out.slice(0, limit);
    } finally {
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  }
}

function decode(dlqTopic: string, { partition, message }: RawDeadLetter): DeadLetter {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers ?? {})) {
    const s = headerToString(v as RawHeaderValue);
    if (s !== undefined) headers[k] = s;
  }
  const num = (s: string | undefined): number | null => (s === undefined || Number.isNaN(Number(s)) ? null : Number(s));
  return {
    dlqTopic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    eventId: headers.ce_id ?? null,
    originalTopic: headers[DLQ_HEADERS.originalTopic] ?? dlqTopic.replace(/\.dlq$/, ''),
    originalPartition: num(headers[DLQ_HEADERS.originalPartition]),
    originalOffset: headers[DLQ_HEADERS.originalOffset] ?? null,
    error: headers[DLQ_HEADERS.error] ?? null,
    errorCode: headers[DLQ_HEADERS.errorCode] ?? null,
    attempts: num(headers[DLQ_HEADERS.attempts]),
    failedAt: headers[DLQ_HEADERS.failedAt] ?? null,
    consumerGroup: headers[DLQ_HEADERS.consumerGroup] ?? null,
    headers,
    value: message.value ? message.value.toString('utf8') : null,
    size: message.value?.byteLength ?? 0,
  };
}
