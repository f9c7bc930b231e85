import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  assertInlinePayloadSize,
  buildEnvelopeHeaders,
  isEnvelopeError,
  MAX_INLINE_PAYLOAD_BYTES,
  type EventContract,
  type EventValue,
} from '@strata/contracts';
import { messagingTables } from './db';
import { EventValidationError, PayloadTooLargeError } from './errors';
import { resolveTraceparent } from './trace-context';

/** Options of one {@link EventPublisher.publish} call. */
export interface PublishOptions {
  /** CloudEvents `ce_subject`; defaults to the partition key. */
  subject?: string;
  /** W3C traceparent to continue; a new one is generated when absent or invalid. */
  traceparent?: string;
  /** W3C tracestate, carried as is. */
  tracestate?: string;
  /** CloudEvents `ce_source`; defaults to the publisher's (`/strata/<service>`). */
  source?: string;
  /** Event id (`ce_id`); defaults to a new UUID. Must be a UUID (it is the outbox primary key). */
  id?: string;
  /** CloudEvents `ce_time` (ISO-8601 UTC); defaults to now. */
  time?: string;
}

/** What {@link EventPublisher.publish} stored. */
export interface PublishedEvent {
  /** `ce_id` and outbox row id. */
  id: string;
  topic: string;
  key: string;
  traceparent: string;
  /** Serialized value size in bytes. */
  size: number;
}

/** One validated event ready for the outbox. */
interface OutboxRow {
  id: string;
  key: string;
  traceparent: string;
  headers: Record<string, string>;
  payload: Buffer;
}

/** Configuration of an {@link EventPublisher}. */
export interface EventPublisherOptions {
  /** The service name; the default `ce_source` is `/strata/<serviceName>`. */
  serviceName: string;
  /** Called after each outbox insert (e.g. `OutboxRelay.wake`); a hint only, never awaited. */
  onPublished?: () => void;
  /** Inline payload limit in bytes (default 64 KiB). */
  maxPayloadBytes?: number;
  /**
   * `pg_notify` the relays on commit (default true). PostgreSQL serializes the commits of all
   * transactions that NOTIFY (a cluster-wide lock held through the commit's WAL flush), which caps
   * concurrent publishers. With `false` only the in-process relay is woken (`onPublished`); a
   * relay in another process finds the rows at its next poll (`pollIntervalMs`).
   */
  notify?: boolean;
}

/**
 * Publishes events through the transactional outbox: `publish` validates the value against its
 * contract and inserts one `outbox_event` row **with the caller's EntityManager**, so the event
 * exists if and only if the caller's transaction commits. Nothing is sent to Kafka here; the
 * {@link OutboxRelay} does that. A `pg_notify` in the same transaction wakes relays on commit.
 */
export class EventPublisher {
  private readonly source: string;
  private readonly maxPayloadBytes: number;

  constructor(private readonly options: EventPublisherOptions) {
    this.source = `/strata/${options.serviceName}`;
    this.maxPayloadBytes = options.maxPayloadBytes ?? MAX_INLINE_PAYLOAD_BYTES;
  }

  /**
   * Validates `value` and writes it to the outbox in `manager`'s transaction.
   *
   * @param manager the caller's transactional EntityManager (`dataSource.transaction(m => …)`).
   *   A non-transactional manager works too, the row is then committed on its own.
   * @param contract the event contract (topic, schema, key).
   * @param value the payload; parsed with the schema (so defaults/transforms apply) before storing.
   * @returns the stored event's id, topic, key, traceparent and size.
   * @throws EventValidationError when the value does not match the schema; its message names the
   *   topic and each issue path.
   * @throws PayloadTooLargeError when the JSON value exceeds 64 KiB; the message names topic and size.
   * @throws whatever the database throws (the caller's transaction should then roll back).
   */
  async publish<C extends EventContract>(
    manager: EntityManager,
    contract: C,
    value: EventValue<C>,
    options: PublishOptions = {},
  ): Promise<PublishedEvent> {
    const row = this.prepare(contract, value, options.id ?? randomUUID(), options);
    const tables = messagingTables(manager.connection);
    // One round trip: insert, then notify listeners (delivered by PostgreSQL only on commit).
    const params = [row.id, contract.topic, row.key, JSON.stringify(row.headers), row.payload];
    if (this.options.notify === false) {
      await manager.query(`INSERT INTO ${tables.outbox} (id, topic, key, headers, payload) VALUES ($1, $2, $3, $4::jsonb, $5)`, params);
    } else {
      await manager.query(
        `WITH ins AS (
           INSERT INTO ${tables.outbox} (id, topic, key, headers, payload) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING id
         ) SELECT pg_notify($6, '') FROM ins`,
        [...params, tables.channel],
      );
    }
    this.options.onPublished?.();
    return { id: row.id, topic: contract.topic, key: row.key, traceparent: row.traceparent, size: row.payload.byteLength };
  }

  /**
   * {@link publish} for many values of one contract, in `manager`'s transaction, with one
   * multi-row outbox insert per 500 events (a 10 000-item request is 20 round trips, not
   * 10 000). Each value is validated first: nothing is written when any is invalid.
   * @throws EventValidationError / PayloadTooLargeError naming the first bad value (as `publish`)
   */
  async publishMany<C extends EventContract>(manager: EntityManager, contract: C, values: ReadonlyArray<EventValue<C>>, options: Omit<PublishOptions, 'id'> = {}): Promise<PublishedEvent[]> {
    const rows = values.map((value) => this.prepare(contract, value, randomUUID(), options));
    const tables = messagingTables(manager.connection);
    for (let start = 0; start < rows.length; start += 500) {
      const chunk = rows.slice(start, start + 500);
      const params: unknown[] = [tables.channel, contract.topic];
      const tuples = chunk.map((r) => {
        params.push(r.id, r.key, JSON.stringify(r.headers), r.payload);
        const n = params.length;
        return `($${n - 3}, $2, $${n - 2}, $${n - 1}::jsonb, $${n})`;
      });
      await manager.query(
        `WITH ins AS (
           INSERT INTO ${tables.outbox} (id, topic, key, headers, payload) VALUES ${tuples.join(', ')} RETURNING id
         ) SELECT ${this.options.notify === false ? '$1::text' : "pg_notify($1, '')"} FROM (SELECT 1 FROM ins LIMIT 1) AS one`,
        params,
      );
    }
    if (rows.length > 0) this.options.onPublished?.();
    return rows.map((r) => ({ id: r.id, topic: contract.topic, key: r.key, traceparent: r.traceparent, size: r.payload.byteLength }));
  }

  /**
   * What {@link publish} and {@link publishMany} do to each value before the insert: validates it
   * (parsed with the schema, so defaults/transforms apply), checks its size and builds its
   * envelope headers.
   * @throws EventValidationError, PayloadTooLargeError (see {@link publish})
   */
  private prepare<C extends EventContract>(contract: C, value: EventValue<C>, id: string, options: Omit<PublishOptions, 'id'>): OutboxRow {
    const parsed = contract.schema.safeParse(value);
    if (!parsed.success) throw new EventValidationError(contract.topic, parsed.error.issues, parsed.error);
    const data = parsed.data as EventValue<C>;
    const payload = Buffer.from(JSON.stringify(data), 'utf8');
    try {
      assertInlinePayloadSize(contract.topic, payload, this.maxPayloadBytes);
    } catch (err) {
      if (isEnvelopeError(err)) throw new PayloadTooLargeError(contract.topic, payload.byteLength, this.maxPayloadBytes, err);
      throw err;
    }
    const key = contract.key(data);
    const traceparent = resolveTraceparent(options.traceparent);
    const headers = buildEnvelopeHeaders({
      id,
      source: options.source ?? this.source,
      type: contract.type,
      time: options.time,
      subject: options.subject ?? key,
      traceparent,
      tracestate: options.tracestate,
    });
    return { id, key, traceparent, headers, payload };
  }
}
