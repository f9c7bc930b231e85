import type { DataSource } from 'typeorm';
import { messagingTables } from './db';
import type { MessagingLogger } from './logger';

/** Options of {@link MessagingRetention}. */
export interface MessagingRetentionOptions {
  dataSource: DataSource;
  logger: MessagingLogger;
  /**
   * How long sent outbox rows are kept (ms, default 7 days). Unsent and failed rows are never
   * deleted: they are work to do or evidence to inspect.
   */
  outboxRetentionMs?: number;
  /**
   * How long inbox rows (processed event ids) are kept (ms, default 7 days). It bounds how late a
   * redelivery can be and still be recognised as a duplicate, so keep it longer than any offset
   * reset or replay you would do (Kafka's own retention is 7 days by default).
   */
  inboxRetentionMs?: number;
  /** Rows deleted per statement, to keep locks short (default 5000). */
  batchSize?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes outbox rows that were sent and inbox rows that were processed longer ago than their
 * retention, in bounded batches, so the two tables do not grow forever.
 */
export class MessagingRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly options: MessagingRetentionOptions) {}

  /**
   * One pass over both tables.
   * @returns how many rows were deleted from each
   */
  async purgeOnce(now = new Date()): Promise<{ outbox: number; inbox: number }> {
    const { outbox, inbox } = messagingTables(this.options.dataSource);
    const batch = this.options.batchSize ?? 5000;
    const outboxBefore = new Date(now.getTime() - (this.options.outboxRetentionMs ?? 7 * DAY_MS));
    const inboxBefore = new Date(now.getTime() - (this.options.inboxRetentionMs ?? 7 * DAY_MS));
    const purge = async (sql: string, before: Date): Promise<number> => {
      let total = 0;
      for (;;) {
        const rows: unknown[] = await this.options.dataSource.query(sql, [before, batch]);
        const n = Array.isArray(rows) && Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
        total += n;
        if (n < batch) return total;
      }
    };
    const outboxDeleted = await purge(
      `DELETE FROM ${outbox} WHERE id IN (SELECT id FROM ${outbox} WHERE sent_at IS NOT NULL AND sent_at < $1 LIMIT $2) RETURNING id`,
      outboxBefore,
    );
    const inboxDeleted = await purge(
      `DELETE FROM ${inbox} WHERE (consumer_group, event_id) IN (SELECT consumer_group, event_id FROM ${inbox} WHERE processed_at < $1 LIMIT $2) RETURNING event_id`,
      inboxBefore,
    );
    if (outboxDeleted + inboxDeleted > 0) {
      this.options.logger.log('purged messaging rows past retention', { outbox: outboxDeleted, inbox: inboxDeleted });
    }
    return { outbox: outboxDeleted, inbox: inboxDeleted };
  }

  /** Runs {@link purgeOnce} every `intervalMs` (default 1 h); errors are logged, never thrown. */
  start(intervalMs = 60 * 60 * 1000): void {
    if (this.timer) return;
    const tick = (): void => {
      this.running = this.purgeOnce().catch((e: unknown) =>
        this.options.logger.warn('messaging retention pass failed', { error: e instanceof Error ? e.message : String(e) }),
      );
    };
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
