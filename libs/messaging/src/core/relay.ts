import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { messagingTables, type MessagingTables } from './db';
import { errorMessage, MessagingError, MessagingErrorCode, PayloadTooLargeError } from './errors';
import { connectOrRelease, sleep } from './kafka';
import { stderrLogger, type MessagingLogger } from './logger';
import type { MessagingMetrics } from './metrics';
import { backoffDelayMs } from './retry-policy';

/** Configuration of an {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  dataSource: DataSource;
  kafka: Kafka;
  /** Service name, the `service` label of the outbox lag gauge. */
  serviceName: string;
  /** Poll interval in ms when idle and no wake-up arrives (default 500). */
  pollIntervalMs?: number;
  /** Rows per relay transaction (default 1000): selected, sent and marked sent together. */
  batchSize?: number;
  /** Max bytes of values per Kafka request (default 512 KiB; the broker's record batch limit is 1 MiB). */
  maxRequestBytes?: number;
  /**
   * Compression of the record batches sent to Kafka (default `none`). `gzip` (kafkajs' built-in,
   * Node's zlib) shrinks JSON events several times at some CPU cost; consumers decompress
   * transparently.
   */
  compression?: 'none' | 'gzip';
  /** LISTEN for the publisher's commit notifications (default true). */
  listen?: boolean;
  metrics?: MessagingMetrics;
  logger?: MessagingLogger;
}

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  headers: Record<string, string>;
  payload: Buffer;
}

/** Kafka error types that mean "this record will never be accepted" (retrying cannot help). */
const PERMANENT_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TOPIC_EXCEPTION',
]);

function permanentType(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && PERMANENT_TYPES.has(type)) return type;
    if (/larger than the max message size/i.test(errorMessage(e))) return 'MESSAGE_TOO_LARGE';
  }
  return undefined;
}

/**
 * The outbox relay: moves committed `outbox_event` rows to Kafka, in order, and marks them sent.
 *
 * - Wakes on the publisher's `pg_notify` (delivered on commit), on {@link wake} and every
 *   `pollIntervalMs`.
 * - Each cycle, in one PostgreSQL transaction: takes a per-schema advisory lock (one relay at a
 *   time per schema, so per-key order holds even with several service replicas), selects unsent
 *   up to `batchSize` rows `ORDER BY created_at, seq ... FOR UPDATE SKIP LOCKED`, sends them with
 *   an idempotent producer (`idempotent: true, maxInFlightRequests: 1`, acks all), many rows per
 *   request (`sendBatch`, up to `maxRequestBytes` of values each, optionally gzip-compressed), and
 *   sets `sent_at` of all sent rows with one UPDATE.
 * - A send error rolls nothing back on Kafka's side; the rows stay unsent and are retried with
 *   backoff (at-least-once: a crash between the Kafka ack and the commit re-sends, consumers'
 *   inbox makes that harmless). Unsent rows survive restarts.
 * - A row the broker rejects for good (e.g. over `message.max.bytes`) is isolated, marked
 *   `failed_at` with `last_error` naming topic and size, and skipped so it cannot block the
 *   rows behind it.
 */
export class OutboxRelay {
  private readonly tables: MessagingTables;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxRequestBytes: number;
  private readonly compression: CompressionTypes;
  private readonly logger: MessagingLogger;
  private producer: Producer | undefined;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private listener: { release: () => Promise<void> } | undefined;
  private lastLagAt = 0;
  private running = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.tables = messagingTables(options.dataSource);
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.batchSize = options.batchSize ?? 1000;
    this.maxRequestBytes = options.maxRequestBytes ?? 512 * 1024;
    this.compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    this.logger = options.logger ?? stderrLogger;
  }

  /** True between {@link start} and {@link stop}. */
  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Starts the background loop. Returns at once: Kafka or PostgreSQL being down at start is not
   * an error, the loop retries with backoff.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.loop = this.run();
  }

  /** Stops the loop after the current cycle (its rows are committed or rolled back), disconnects. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    this.wake();
    await this.loop;
    this.loop = undefined;
    await this.unlisten();
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }

  /** Hint that rows may be waiting (cheap; safe to call any time). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Age in seconds of the oldest unsent (and not failed) outbox row, 0 when drained. Also updates
   * the `strata_messaging_outbox_lag_seconds` gauge.
   */
  async lagSeconds(): Promise<number> {
    const rows: Array<{ lag: string | number | null }> = await this.options.dataSource.query(
      `SELECT EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)) AS lag FROM ${this.tables.outbox}
        WHERE sent_at IS NULL AND failed_at IS NULL`,
    );
    const lag = Math.max(0, Number(rows[0]?.lag ?? 0));
    this.options.metrics?.outboxLag.set({ service: this.options.serviceName }, lag);
    return lag;
  }

  /**
   * Runs one relay cycle now (also used by tests and the CLI).
   *
   * @returns the number of rows handled (sent or marked failed); 0 when nothing was waiting or
   *   another relay holds the schema's lock.
   * @throws the Kafka or PostgreSQL error that stopped the cycle (rows stay unsent).
   */
  async relayOnce(): Promise<number> {
    const producer = await this.ensureProducer();
    const qr = this.options.dataSource.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const [lock] = await qr.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [`strata.outbox:${this.tables.outbox}`]);
      if (!lock?.locked) {
        await qr.rollbackTransaction();
        return 0;
      }
      const rows: OutboxRow[] = await qr.query(
        `SELECT id, topic, key, headers, payload FROM ${this.tables.outbox}
          WHERE sent_at IS NULL AND failed_at IS NULL
          ORDER BY created_at, seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length === 0) {
        await qr.commitTransaction();
        return 0;
      }
      const sent: OutboxRow[] = [];
      const failed: Array<{ row: OutboxRow; error: MessagingError }> = [];
      let fatal: unknown;
      const sendOne = async (row: OutboxRow): Promise<boolean> => {
        try {
          await this.send(producer, [row]);
          sent.push(row);
          return true;
        } catch (err) {
          const type = permanentType(err);
          if (!type) {
            fatal = err;
            return false;
          }
          const error =
            type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE'
              ? new PayloadTooLargeError(row.topic, row.payload.byteLength, undefined, err)
              : new MessagingError(
                  MessagingErrorCode.OUTBOX_DELIVERY_FAILED,
                  `outbox event ${row.id} for topic '${row.topic}' (${row.payload.byteLength} bytes) rejected by the broker: ${type}`,
                  { details: { topic: row.topic, size: row.payload.byteLength, type }, cause: err },
                );
          failed.push({ row, error });
          return true;
        }
      };
      for (const chunk of this.chunks(rows)) {
        try {
          await this.send(producer, chunk);
          sent.push(...chunk);
        } catch (err) {
          if (!permanentType(err)) {
            fatal = err;
            break;
          }
          // Isolate the record(s) the broker refuses, in order; the others go through.
          let ok = true;
          for (const row of chunk) if (!(ok = await sendOne(row))) break;
          if (!ok) break;
        }
      }
      if (sent.length > 0) {
        await qr.query(`UPDATE ${this.tables.outbox} SET sent_at = clock_timestamp(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])`, [
          sent.map((r) => r.id),
        ]);
      }
      for (const { row, error } of failed) {
        await qr.query(`UPDATE ${this.tables.outbox} SET failed_at = clock_timestamp(), attempts = attempts + 1, last_error = $2 WHERE id = $1`, [
          row.id,
          error.message,
        ]);
        this.logger.error(`outbox event dropped: ${error.message}`, { eventId: row.id, topic: row.topic, size: row.payload.byteLength });
      }
      const next = rows.find((r) => !sent.includes(r) && !failed.some((f) => f.row === r));
      if (fatal !== undefined && next) {
        await qr.query(`UPDATE ${this.tables.outbox} SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [next.id, errorMessage(fatal)]);
      }
      await qr.commitTransaction();
      for (const r of sent) this.options.metrics?.published.inc({ topic: r.topic });
      if (fatal !== undefined) throw fatal;
      return sent.length + failed.length;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }

  private *chunks(rows: OutboxRow[]): Generator<OutboxRow[]> {
    let chunk: OutboxRow[] = [];
    let bytes = 0;
    for (const row of rows) {
      const size = row.payload.byteLength + 512;
      if (chunk.length > 0 && bytes + size > this.maxRequestBytes) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push(row);
      bytes += size;
    }
    if (chunk.length > 0) yield chunk;
  }

  private async send(producer: Producer, rows: OutboxRow[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const r of rows) {
      const list = byTopic.get(r.topic) ?? [];
      list.push({ key: r.key, value: r.payload, headers: r.headers });
      byTopic.set(r.topic, list);
    }
    await producer.sendBatch({ acks: -1, compression: this.compression, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }

  private async ensureProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = await connectOrRelease(
      this.options.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
      }),
    );
    this.producer = producer;
    return producer;
  }

  private async resetProducer(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    // A new producer gets a new producer id: no stale sequence numbers after a broker restart.
    await p?.disconnect().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    if (this.listener || this.options.listen === false) return;
    const pool = (this.options.dataSource.driver as unknown as { master: { connect(): Promise<PgClient> } }).master;
    const client = await pool.connect();
    const onNotification = (): void => this.wake();
    const onError = (err: Error): void => {
      this.logger.warn(`outbox LISTEN connection lost: ${err.message}`);
      this.listener = undefined;
      client.removeListener('notification', onNotification);
      client.release(err);
    };
    client.on('notification', onNotification);
    client.on('error', onError);
    try {
      await client.query(`LISTEN "${this.tables.channel}"`);
    } catch (err) {
      onError(err as Error);
      throw err;
    }
    this.listener = {
      release: async () => {
        client.removeListener('notification', onNotification);
        try {
          await client.query(`UNLISTEN "${this.tables.channel}"`);
          client.release();
        } catch (e) {
          client.release(e as Error);
        } finally {
          client.removeListener('error', onError);
        }
      },
    };
  }

  private async unlisten(): Promise<void> {
    const l = this.listener;
    this.listener = undefined;
    await l?.release();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        await this.listen().catch((err) => this.logger.warn(`outbox LISTEN failed, polling only: ${errorMessage(err)}`));
        this.woken = false;
        const n = await this.relayOnce();
        if (failures > 0) this.logger.log('outbox relay recovered', { failures });
        failures = 0;
        if (Date.now() - this.lastLagAt > 1000) {
          this.lastLagAt = Date.now();
          await this.lagSeconds();
        }
        if (n > 0) continue;
      } catch (err) {
        failures++;
        this.logger.warn(`outbox relay cycle failed (attempt ${failures}): ${errorMessage(err)}`);
        await this.resetProducer();
        await this.lagSeconds().catch(() => undefined);
        await sleep(backoffDelayMs({ attempts: Infinity, initialBackoffMs: 200, maxBackoffMs: 5000 }, failures + 1), this.abort.signal);
        continue;
      }
      await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.woken || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      this.wakeUp = done;
    });
  }
}

interface PgClient {
  query(sql: string): Promise<unknown>;
  on(event: 'notification', fn: () => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  removeListener(event: string, fn: (...args: never[]) => void): void;
  release(err?: Error): void;
}
