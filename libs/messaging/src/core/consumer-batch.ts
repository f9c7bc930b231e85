/**
 * The consumer's per-record decoding and its batched transaction: many records of ONE partition
 * handled in ONE PostgreSQL transaction, their inbox rows inserted with one statement.
 */
import type { KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { parseEnvelopeHeaders, type EventContract, type EventEnvelope, type EventValue, type RawHeaderValue } from '@strata/contracts';
import type { Registration } from './consumer-group';
import type { EventContext } from './consumer.types';
import { errorMessage, EventValidationError, MessagingError, MessagingErrorCode } from './errors';

/** A record whose CloudEvents headers, JSON value and schema were checked: ready for its handler. */
export interface DecodedRecord {
  message: KafkaMessage;
  envelope: EventEnvelope;
  /** The value as parsed by the contract's schema. */
  value: unknown;
  headers: Readonly<Record<string, RawHeaderValue>>;
}

/**
 * Parses a record's CloudEvents headers and JSON value and validates the value with the contract.
 *
 * @throws the envelope error (`ENVELOPE_*`), MessagingError `EVENT_JSON_INVALID` or
 *   EventValidationError (`EVENT_SCHEMA_INVALID`): the record belongs in the dead-letter topic.
 */
export function decodeRecord(reg: Registration, topic: string, message: KafkaMessage): DecodedRecord {
  const headers = (message.headers ?? {}) as Readonly<Record<string, RawHeaderValue>>;
  const envelope = parseEnvelopeHeaders(headers, reg.contract.type);
  let json: unknown;
  try {
    json = JSON.parse(message.value ? message.value.toString('utf8') : '');
  } catch (err) {
    throw new MessagingError(MessagingErrorCode.EVENT_JSON_INVALID, `record value on topic '${topic}' is not valid JSON: ${errorMessage(err)}`);
  }
  const parsed = reg.contract.schema.safeParse(json);
  if (!parsed.success) throw new EventValidationError(topic, parsed.error.issues, parsed.error);
  return { message, envelope, value: parsed.data, headers };
}

/** The handler context of a record (the transaction's manager, record metadata, attempt number). */
export function handlerContext(
  manager: EventContext['manager'],
  reg: Registration,
  topic: string,
  partition: number,
  rec: DecodedRecord,
  attempt: number,
  heartbeat: () => Promise<void>,
): EventContext {
  return {
    manager,
    eventId: rec.envelope.id,
    topic,
    partition,
    offset: rec.message.offset,
    key: rec.message.key ? rec.message.key.toString('utf8') : null,
    headers: rec.headers,
    envelope: rec.envelope,
    traceparent: rec.envelope.traceparent,
    groupId: reg.groupId,
    attempt,
    heartbeat,
  };
}

/** Outcome of {@link runBatchTransaction}. */
export type BatchResult =
  | { ok: true; handled: number; duplicates: number }
  /**
   * Rolled back, nothing of the batch took effect. `failedIndex`: the record whose handler threw;
   * undefined when the failure was not a handler's (inbox insert, commit, a transaction a handler
   * left aborted), so no record can be blamed.
   */
  | { ok: false; failedIndex: number | undefined; error: unknown };

/**
 * Handles `records` (consecutive records of one partition, in offset order) in ONE transaction:
 * 1. one `INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING RETURNING event_id` of their inbox
 *    rows: an id that comes back is new to the group; one that does not was processed before, or
 *    is a second copy within this batch (a relay re-send), and its handler is skipped;
 * 2. the handlers of the new records, sequentially in offset order, with attempt 1 and the
 *    transaction's EntityManager (a batch handler: once, with all of them; its failure blames no
 *    single record);
 * 3. `SELECT 1` before COMMIT: a handler that caught a database error leaves the transaction
 *    aborted, and PostgreSQL would turn the COMMIT into a silent rollback of the whole batch;
 *    the check fails it loudly instead;
 * 4. commit. Any error rolls the whole batch back (nothing took effect).
 */
export async function runBatchTransaction(
  dataSource: DataSource,
  inboxTable: string,
  reg: Registration,
  topic: string,
  partition: number,
  records: readonly DecodedRecord[],
  heartbeat: () => Promise<void>,
): Promise<BatchResult> {
  let current = -1;
  try {
    const handled = await dataSource.transaction(async (manager) => {
      const inserted: Array<{ event_id: string }> = await manager.query(
        `INSERT INTO ${inboxTable} (consumer_group, event_id, topic, partition, "offset")
         SELECT $1, t.event_id, $2, $3, t.off FROM unnest($4::varchar[], $5::bigint[]) AS t(event_id, off)
         ON CONFLICT DO NOTHING RETURNING event_id`,
        [reg.groupId, topic, partition, records.map((r) => r.envelope.id), records.map((r) => r.message.offset)],
      );
      const fresh = new Set(inserted.map((r) => r.event_id));
      let n = 0;
      if (reg.batchHandler) {
        const events = records
          .filter((rec) => fresh.delete(rec.envelope.id))
          .map((rec) => ({ value: rec.value as EventValue<EventContract>, context: handlerContext(manager, reg, topic, partition, rec, 1, heartbeat) }));
        if (events.length > 0) await reg.batchHandler(events, manager);
        n = events.length;
      }
      for (let i = 0; i < records.length && !reg.batchHandler; i++) {
        const rec = records[i] as DecodedRecord;
        // delete: only the first copy of an id in this batch runs
        if (!fresh.delete(rec.envelope.id)) continue;
        current = i;
        await reg.handler(rec.value as EventValue<EventContract>, handlerContext(manager, reg, topic, partition, rec, 1, heartbeat));
        current = -1;
        n++;
        if (n % 100 === 0) await heartbeat().catch(() => undefined);
      }
      await manager.query('SELECT 1');
      return n;
    });
    return { ok: true, handled, duplicates: records.length - handled };
  } catch (error) {
    return { ok: false, failedIndex: current >= 0 ? current : undefined, error };
  }
}
