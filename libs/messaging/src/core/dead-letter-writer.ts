/** Dead-lettering of one consumed record: writes it, unchanged, to `<topic>.dlq` with `dlq_*` headers. */
import type { IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { deadLetterTopicOf } from '@strata/contracts';
import { DLQ_HEADERS } from './consumer.types';
import { errorCode, errorMessage } from './errors';
import { connectOrRelease, sleep } from './kafka';
import type { MessagingLogger } from './logger';
import type { MessagingMetrics } from './metrics';
import { backoffDelayMs } from './retry-policy';

/**
 * Writes dead letters for an {@link EventConsumerRunner} over one lazily connected idempotent
 * producer. `signal` returns the runner's current abort signal (checked between tries).
 */
export class DeadLetterWriter {
  private producer: Producer | undefined;

  constructor(
    private readonly options: { kafka: Kafka; metrics?: MessagingMetrics },
    private readonly logger: MessagingLogger,
    private readonly signal: () => AbortSignal,
  ) {}

  /**
   * Writes the record, unchanged, to `<topic>.dlq` with `dlq_*` headers. Retries the write until
   * it succeeds; returns false (leave the record uncommitted) only when stopping.
   */
  async write(
    groupId: string,
    topic: string,
    partition: number,
    message: KafkaMessage,
    err: unknown,
    attempts: number,
    heartbeat: () => Promise<void>,
  ): Promise<boolean> {
    const headers: IHeaders = {
      ...(message.headers ?? {}),
      [DLQ_HEADERS.error]: errorMessage(err).slice(0, 4000),
      [DLQ_HEADERS.errorCode]: errorCode(err),
      [DLQ_HEADERS.attempts]: String(attempts),
      [DLQ_HEADERS.originalTopic]: topic,
      [DLQ_HEADERS.originalPartition]: String(partition),
      [DLQ_HEADERS.originalOffset]: message.offset,
      [DLQ_HEADERS.failedAt]: new Date().toISOString(),
      [DLQ_HEADERS.consumerGroup]: groupId,
    };
    const dlq = deadLetterTopicOf(topic);
    for (let i = 1; ; i++) {
      try {
        const producer = await this.ensureProducer();
        await producer.send({ topic: dlq, acks: -1, messages: [{ key: message.key, value: message.value, headers }] });
        this.options.metrics?.deadLettered.inc({ topic, group: groupId });
        this.logger.error(`event dead-lettered to '${dlq}' after ${attempts} attempt(s): ${errorMessage(err)}`, {
          topic,
          partition,
          offset: message.offset,
          groupId,
          errorCode: errorCode(err),
        });
        return true;
      } catch (sendErr) {
        this.logger.warn(`writing to dead-letter topic '${dlq}' failed (try ${i}): ${errorMessage(sendErr)}`);
        const p = this.producer;
        this.producer = undefined;
        await p?.disconnect().catch(() => undefined);
        if (this.signal().aborted) return false;
        await heartbeat().catch(() => undefined);
        await sleep(backoffDelayMs({ attempts: Infinity, initialBackoffMs: 200, maxBackoffMs: 5000 }, i + 1), this.signal());
      }
    }
  }

  private async ensureProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = await connectOrRelease(this.options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
    this.producer = producer;
    return producer;
  }

  /** Disconnects the producer (if connected); the next write connects a new one. */
  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }
}
