import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One event waiting in (or sent from) the transactional outbox: table `outbox_event` in the
 * DataSource's schema (no schema in the decorator on purpose: each service's DataSource sets its
 * own `schema`). Written by `EventPublisher.publish` in the caller's transaction, sent by
 * `OutboxRelay`.
 */
@Entity('outbox_event')
@Index('outbox_event_unsent_idx', ['createdAt', 'seq'], { where: 'sent_at IS NULL AND failed_at IS NULL' })
export class OutboxEventEntity {
  /** Event id, equal to the `ce_id` header (UUID). */
  @PrimaryColumn('uuid')
  id!: string;

  /** Insertion order (identity), the tie-breaker of `created_at` for events of one transaction. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  /** Kafka topic. */
  @Column({ type: 'varchar', length: 249 })
  topic!: string;

  /** Kafka record key (the aggregate id). */
  @Column({ type: 'text' })
  key!: string;

  /** Record headers (CloudEvents `ce_*`, `content-type`, `traceparent`) as a JSON object of strings. */
  @Column({ type: 'jsonb' })
  headers!: Record<string, string>;

  /** Record value: the UTF-8 JSON bytes exactly as they will be sent. */
  @Column({ type: 'bytea' })
  payload!: Buffer;

  /** `clock_timestamp()` at insert. */
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  createdAt!: Date;

  /** When the broker acknowledged it; null while unsent. */
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  /** When the broker rejected it for good (e.g. too large); the relay skips such rows. */
  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt!: Date | null;

  /** Send attempts so far. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Last send error, if any. */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;
}

/**
 * One event a consumer group has processed: table `inbox_event`, primary key
 * `(consumer_group, event_id)`. Inserted in the same transaction as the handler's effects, so a
 * redelivered event is recognised and skipped.
 */
@Entity('inbox_event')
export class InboxEventEntity {
  @PrimaryColumn({ name: 'consumer_group', type: 'varchar', length: 255 })
  consumerGroup!: string;

  /** The event's `ce_id`. */
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 255 })
  eventId!: string;

  @Column({ type: 'varchar', length: 249 })
  topic!: string;

  @Column({ type: 'integer' })
  partition!: number;

  /** Kafka offset (int64 as string). */
  @Column({ type: 'bigint' })
  offset!: string;

  @Column({ name: 'processed_at', type: 'timestamptz', default: () => 'now()' })
  processedAt!: Date;
}
