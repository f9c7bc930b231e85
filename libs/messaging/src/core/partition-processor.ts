/**
 * Processing of one partition's records by an {@link EventConsumerRunner} group: decoding, the
 * batched transaction, the per-record fallback with retries, dead letters and offset commits.
 */
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { EventContract, EventValue } from '@strata/contracts';
import { decodeRecord, handlerContext, runBatchTransaction, type DecodedRecord } from './consumer-batch';
import type { Registration } from './consumer-group';
import type { DeadLetterWriter } from './dead-letter-writer';
import { errorMessage } from './errors';
import { sleep } from './kafka';
import type { MessagingLogger } from './logger';
import type { MessagingMetrics } from './metrics';
import { backoffDelayMs, isRetryable } from './retry-policy';
import type { OffsetLagTracker } from './offset-lag';

/** What a {@link PartitionProcessor} needs from its runner. */
export interface PartitionProcessorOptions {
  dataSource: DataSource;
  /** Quoted, schema-qualified inbox table. */
  inbox: string;
  deadLetters: DeadLetterWriter;
  logger: MessagingLogger;
  metrics?: MessagingMetrics;
  /** Records per transaction (1 = one transaction per record). */
  maxBatchRecords: number;
  /** Commit offsets at least every this many records. */
  commitEvery: number;
  /** True once the runner is stopping: no new retries start. */
  aborted: () => boolean;
  /** Aborts backoff sleeps when the runner stops. */
  signal: () => AbortSignal;
  /** Receives each batch's offset lag (highWatermark − next offset to process), for health details. */
  lag?: OffsetLagTracker;
}

/**
 * Per batch of one partition, in offset order:
 * 1. decode records (headers, JSON, schema); a record that fails goes to `<topic>.dlq` (attempts 0,
 *    the handler is never called) after the records before it are done;
 * 2. up to `maxBatchRecords` consecutive decoded records are handled in ONE transaction
 *    ({@link runBatchTransaction}); on failure, see {@link handleRun};
 * 3. offsets resolve only after the records' transaction committed or their dead-letter write
 *    was acknowledged; they are committed every `commitEvery` records and at the end of the batch.
 */
export class PartitionProcessor {
  private readonly inbox: string;

  constructor(private readonly options: PartitionProcessorOptions) {
    this.inbox = options.inbox;
  }

  /** One kafkajs batch (one partition of one topic), to the end or until stopping. */
  async eachBatch(reg: Registration, payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    const { topic, partition, messages } = batch;
    const { commitEvery, maxBatchRecords: maxBatch } = this.options;
    let next: string | undefined;
    let sinceCommit = 0;
    const commit = async (): Promise<void> => {
      if (next === undefined || sinceCommit === 0) return;
      await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] });
      sinceCommit = 0;
    };
    const done = async (message: KafkaMessage): Promise<void> => {
      resolveOffset(message.offset);
      next = (BigInt(message.offset) + 1n).toString();
      if (++sinceCommit >= commitEvery) await commit();
    };
    try {
      let i = 0;
      while (i < messages.length && isRunning() && !isStale()) {
        // The next run of up to maxBatch decodable records; a record that cannot be decoded ends it.
        const run: DecodedRecord[] = [];
        let invalid: { message: KafkaMessage; err: unknown } | undefined;
        for (; i < messages.length && run.length < maxBatch; i++) {
          const message = messages[i] as KafkaMessage;
          try {
            run.push(decodeRecord(reg, topic, message));
          } catch (err) {
            invalid = { message, err };
            i++;
            break;
          }
        }
        const last = (invalid?.message ?? run[run.length - 1]?.message) as KafkaMessage;
        const ts = Number(last.timestamp);
        if (Number.isFinite(ts)) this.options.metrics?.consumerLag.set({ topic, group: reg.groupId }, Math.max(0, (Date.now() - ts) / 1000));
        const handled = run.length === 0 ? 0 : maxBatch === 1 ? Number(await this.handleOne(reg, topic, partition, run[0] as DecodedRecord, heartbeat)) : await this.handleRun(reg, topic, partition, run, heartbeat);
        for (const rec of run.slice(0, handled)) await done(rec.message);
        if (handled < run.length) break;
        if (invalid) {
          this.options.metrics?.failed.inc({ topic, group: reg.groupId });
          if (!(await this.options.deadLetters.write(reg.groupId, topic, partition, invalid.message, invalid.err, 0, heartbeat))) break;
          await done(invalid.message);
        }
        await heartbeat().catch(() => undefined);
      }
    } finally {
      await commit();
      // nothing processed: the group will read this batch's first offset next
      this.options.lag?.observe(reg.groupId, topic, partition, batch.highWatermark, next ?? messages[0]?.offset);
    }
  }

  /**
   * Handles consecutive decoded records of one partition, batched ({@link runBatchTransaction}).
   * When the batch fails, nothing of it took effect; then:
   * - a handler threw at record k: the records before k go again as one batch (their effects
   *   commit once; in-process side effects of their handlers may run twice, as on any
   *   redelivery), record k continues alone from attempt 2 (retries, then the dead-letter topic),
   *   and the records after it are batched again;
   * - no record can be blamed (inbox insert or commit failed): each record of the run is handled
   *   alone, from attempt 1.
   * @returns how many records (a prefix of `run`) are done; fewer than all = stop (shutdown).
   */
  private async handleRun(reg: Registration, topic: string, partition: number, run: DecodedRecord[], heartbeat: () => Promise<void>): Promise<number> {
    let start = 0;
    while (start < run.length) {
      const rest = run.slice(start);
      const result = await runBatchTransaction(this.options.dataSource, this.inbox, reg, topic, partition, rest, heartbeat);
      if (result.ok) {
        if (result.handled > 0) this.options.metrics?.consumed.inc({ topic, group: reg.groupId }, result.handled);
        if (result.duplicates > 0) this.options.logger.debug?.(`${result.duplicates} duplicate event(s) skipped (inbox)`, { topic, partition, groupId: reg.groupId });
        return run.length;
      }
      if (result.failedIndex === undefined) {
        for (const rec of rest) {
          if (!(await this.handleOne(reg, topic, partition, rec, heartbeat))) return start;
          start++;
        }
        return start;
      }
      if (result.failedIndex > 0) {
        const prefix = rest.slice(0, result.failedIndex);
        const n = await this.handleRun(reg, topic, partition, prefix, heartbeat);
        start += n;
        if (n < prefix.length) return start;
      }
      if (!(await this.handleOne(reg, topic, partition, run[start] as DecodedRecord, heartbeat, result.error))) return start;
      start++;
    }
    return start;
  }

  /**
   * Handles one decoded record to completion in its own transaction (handled, skipped as a
   * duplicate, or dead-lettered). `firstError`: its attempt 1 already failed (in a batch) with it.
   * @returns false = leave it for redelivery (stopping).
   */
  private async handleOne(reg: Registration, topic: string, partition: number, rec: DecodedRecord, heartbeat: () => Promise<void>, firstError?: unknown): Promise<boolean> {
    const labels = { topic, group: reg.groupId };
    let attempt = 1;
    if (firstError !== undefined) {
      const next = await this.afterFailure(reg, topic, partition, rec, firstError, attempt, heartbeat);
      if (next !== 'retry') return next;
      attempt++;
    }
    for (; ; attempt++) {
      try {
        const outcome = await this.options.dataSource.transaction(async (manager) => {
          const inserted: unknown[] = await manager.query(
            `INSERT INTO ${this.inbox} (consumer_group, event_id, topic, partition, "offset")
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING event_id`,
            [reg.groupId, rec.envelope.id, topic, partition, rec.message.offset],
          );
          if (inserted.length === 0) return 'duplicate' as const;
          await reg.handler(rec.value as EventValue<EventContract>, handlerContext(manager, reg, topic, partition, rec, attempt, heartbeat));
          return 'handled' as const;
        });
        if (outcome === 'handled') this.options.metrics?.consumed.inc(labels);
        else this.options.logger.debug?.('duplicate event skipped (inbox)', { eventId: rec.envelope.id, topic, groupId: reg.groupId });
        return true;
      } catch (err) {
        const next = await this.afterFailure(reg, topic, partition, rec, err, attempt, heartbeat);
        if (next !== 'retry') return next;
      }
    }
  }

  /** Attempt `attempt` failed: dead-letter (true once written), give up for redelivery (false, stopping) or wait and retry. */
  private async afterFailure(
    reg: Registration,
    topic: string,
    partition: number,
    rec: DecodedRecord,
    err: unknown,
    attempt: number,
    heartbeat: () => Promise<void>,
  ): Promise<boolean | 'retry'> {
    this.options.metrics?.failed.inc({ topic, group: reg.groupId });
    const retryable = isRetryable(err);
    this.options.logger.warn(`handler failed (attempt ${attempt}/${reg.retry.attempts}${retryable ? '' : ', not retryable'}): ${errorMessage(err)}`, {
      eventId: rec.envelope.id,
      topic,
      partition,
      offset: rec.message.offset,
      groupId: reg.groupId,
    });
    if (!retryable || attempt >= reg.retry.attempts) return this.options.deadLetters.write(reg.groupId, topic, partition, rec.message, err, attempt, heartbeat);
    if (this.options.aborted()) return false;
    await heartbeat().catch(() => undefined);
    await sleep(backoffDelayMs(reg.retry, attempt + 1), this.options.signal());
    if (this.options.aborted()) return false;
    await heartbeat().catch(() => undefined);
    return 'retry';
  }
}
