import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InferenceFailedV1, PredictionLoggedV1 } from '@strata/contracts';
import { EventPublisher } from '@strata/messaging';
import { DatabaseService } from '@strata/shared/nest-platform';
import { UnavailableError } from '@strata/shared/util-errors';
import { DataSource } from 'typeorm';
import { SERVING_OPTIONS, type ServingOptions } from './serving.constants';
import { servingMetrics } from './serving.metrics';

/** Settles the promise of {@link PredictionLogger.logDurably} once the event's outbox transaction committed. */
interface Confirmation {
  resolve(): void;
  reject(err: Error): void;
}

/** One buffered outbox event: a prediction log or an inference failure (with its confirmation in durable mode). */
type BufferedEvent = ({ contract: typeof PredictionLoggedV1; value: PredictionLoggedV1 } | { contract: typeof InferenceFailedV1; value: InferenceFailedV1 }) & {
  confirm?: Confirmation;
};

/**
 * Logs predictions (and `InferenceFailedV1` events, see {@link PredictionLogger.logFailure}) without ever blocking or failing a request.
 *
 * `log()` is synchronous and O(1): it validates the event against the contract and appends it
 * to a bounded in-memory buffer (`SERVING_PREDICTION_LOG_BUFFER`, default 10 000). When the
 * buffer is full the event is dropped and `strata_serving_prediction_log_dropped_total{reason}`
 * counts it (reasons: `buffer_full`, `invalid`, `shutdown`). A background flusher, off the
 * request path, writes up to `SERVING_PREDICTION_LOG_BATCH` events per small PostgreSQL
 * transaction into the messaging outbox (`EventPublisher.publish`), from which the relay sends
 * them to `strata.serving.prediction-logged.v1`. If PostgreSQL is down the batch goes back to
 * the head of the buffer and the flusher retries with backoff (up to 5 s); new events keep
 * being accepted until the buffer is full. On shutdown the buffer is flushed once (bounded by
 * 5 s); what is left is counted as dropped (`shutdown`).
 *
 * Durability: `log()` acknowledges before the event is durable, so a process killed with
 * SIGKILL loses what is still buffered (at most the last flush interval's predictions).
 * {@link PredictionLogger.logDurably} (used by serving when `SERVING_PREDICTION_LOG_DURABILITY=durable`)
 * resolves only once the outbox transaction holding the event has committed, so an answered
 * prediction is never lost; concurrent requests share one transaction (group commit), so the
 * cost is one PostgreSQL commit per flush, not per request.
 */
@Injectable()
export class PredictionLogger implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('PredictionLogger');
  private buffer: BufferedEvent[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs = 0;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly database: DatabaseService,
    private readonly publisher: EventPublisher,
    @Inject(SERVING_OPTIONS) private readonly options: Pick<ServingOptions, 'predictionLogCapacity' | 'predictionLogBatchSize'>,
  ) {}

  onModuleInit(): void {
    servingMetrics.predictionLogDropped.inc({ reason: 'buffer_full' }, 0);
  }

  /** Events waiting to be written to the outbox. */
  get pending(): number {
    return this.buffer.length;
  }

  /**
   * Enqueues one prediction event. Never throws, never waits.
   * @returns false when the event was dropped (invalid, buffer full or shutting down).
   */
  log(event: PredictionLoggedV1): boolean {
    return this.enqueue({ contract: PredictionLoggedV1, value: event });
  }

  /** Validates and appends one prediction event; false (and counted) when dropped. */
  private enqueue(entry: { contract: typeof PredictionLoggedV1; value: PredictionLoggedV1; confirm?: Confirmation }): boolean {
    const event = entry.value;
    if (this.stopped) {
      servingMetrics.predictionLogDropped.inc({ reason: 'shutdown' });
      return false;
    }
    const parsed = PredictionLoggedV1.schema.safeParse(event);
    if (!parsed.success) {
      servingMetrics.predictionLogDropped.inc({ reason: 'invalid' });
      this.logger.warn({ predictionId: event.predictionId, model: event.modelName, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'prediction log event invalid, dropped');
      return false;
    }
    if (this.buffer.length >= this.options.predictionLogCapacity) {
      servingMetrics.predictionLogDropped.inc({ reason: 'buffer_full' });
      return false;
    }
    this.buffer.push({ contract: PredictionLoggedV1, value: parsed.data, ...(entry.confirm ? { confirm: entry.confirm } : {}) });
    this.schedule(0);
    return true;
  }

  /**
   * Enqueues one prediction event and resolves once it is durable (its outbox transaction
   * committed; the relay then publishes it to Kafka at least once and monitoring stores it once).
   * Group-committed with every other buffered event.
   * @throws UnavailableError when the event is dropped (invalid, buffer full, shutting down) or is
   *   not committed within `timeoutMs` (PostgreSQL down or slow). After a timeout the event may
   *   still be committed later: a client that retries with the same `prediction_id` is safe
   *   (monitoring stores a prediction id once).
   */
  logDurably(event: PredictionLoggedV1, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new UnavailableError(`prediction ${event.predictionId} was not logged durably within ${timeoutMs} ms (SERVING_PREDICTION_LOG_TIMEOUT_MS): PostgreSQL is down or slow`)),
        timeoutMs,
      );
      timer.unref();
      const confirm: Confirmation = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      if (!this.enqueue({ contract: PredictionLoggedV1, value: event, confirm })) {
        confirm.reject(new UnavailableError(`prediction ${event.predictionId} could not be logged (${this.stopped ? 'shutting down' : 'log buffer full or event invalid'})`));
      }
    });
  }

  /**
   * Enqueues one `strata.serving.inference-failed.v1` event in the same bounded buffer (same
   * guarantees: never throws, never waits; drops counted).
   * @returns false when dropped.
   */
  logFailure(event: InferenceFailedV1): boolean {
    if (this.stopped) {
      servingMetrics.predictionLogDropped.inc({ reason: 'shutdown' });
      return false;
    }
    const parsed = InferenceFailedV1.schema.safeParse(event);
    if (!parsed.success) {
      servingMetrics.predictionLogDropped.inc({ reason: 'invalid' });
      this.logger.warn({ model: event.modelName, issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) }, 'inference-failed event invalid, dropped');
      return false;
    }
    if (this.buffer.length >= this.options.predictionLogCapacity) {
      servingMetrics.predictionLogDropped.inc({ reason: 'buffer_full' });
      return false;
    }
    this.buffer.push({ contract: InferenceFailedV1, value: parsed.data });
    this.schedule(0);
    return true;
  }

  /** Flushes until the buffer is empty or a write fails (then a retry is scheduled). Resolves when this round ends. */
  flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.flushLoop().finally(() => {
        this.flushing = undefined;
      });
    }
    return this.flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const deadline = Date.now() + 5000;
    while (this.buffer.length > 0 && Date.now() < deadline && this.dataSource.isInitialized) {
      const before = this.buffer.length;
      await this.flush();
      if (this.buffer.length >= before) break;
    }
    if (this.buffer.length > 0) {
      servingMetrics.predictionLogDropped.inc({ reason: 'shutdown' }, this.buffer.length);
      this.logger.warn({ dropped: this.buffer.length }, 'prediction log events not written at shutdown');
      for (const e of this.buffer) e.confirm?.reject(new UnavailableError('serving is shutting down: the prediction was not logged'));
      this.buffer = [];
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }

  private async flushLoop(): Promise<void> {
    await this.database.whenReady();
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.options.predictionLogBatchSize);
      try {
        await this.dataSource.transaction(async (manager) => {
          for (const e of batch) await this.publisher.publish(manager, e.contract as typeof PredictionLoggedV1, e.value as PredictionLoggedV1);
        });
        this.backoffMs = 0;
        for (const e of batch) e.confirm?.resolve();
      } catch (err) {
        // Put the batch back at the head (keeping the bound) and retry later.
        const room = Math.max(0, this.options.predictionLogCapacity - this.buffer.length);
        const kept = batch.slice(0, room);
        if (kept.length < batch.length) {
          servingMetrics.predictionLogDropped.inc({ reason: 'buffer_full' }, batch.length - kept.length);
          for (const e of batch.slice(room)) e.confirm?.reject(new UnavailableError('the prediction log buffer is full: the prediction was not logged'));
        }
        this.buffer.unshift(...kept);
        this.backoffMs = Math.min(5000, Math.max(100, this.backoffMs * 2));
        this.logger.warn({ pending: this.buffer.length, retryInMs: this.backoffMs, err: (err as Error).message }, 'prediction log write failed, will retry');
        if (!this.stopped) this.schedule(this.backoffMs);
        return;
      }
    }
  }
}
