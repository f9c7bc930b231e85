/**
 * The CloudEvents 1.0 envelope in the Kafka protocol binding, binary content mode: the event's
 * attributes travel as `ce_*` record headers, the record value is the event `data` as UTF-8
 * JSON, and `content-type` says so. W3C trace context (`traceparent`, `tracestate`) rides along
 * as headers too.
 *
 * Pure functions only (no Node built-ins, no classes), so workflow code can import this module.
 */

/** CloudEvents spec version carried in `ce_specversion`. */
export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** Value of the `content-type` header of every Strata event (the record value is JSON). */
export const JSON_CONTENT_TYPE = 'application/json';

/** Header names of the envelope (Kafka binding: `ce_` prefix; `content-type` unprefixed). */
export const ENVELOPE_HEADERS = {
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  specversion: 'ce_specversion',
  time: 'ce_time',
  subject: 'ce_subject',
  contentType: 'content-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

/** Headers that must be present on every incoming Strata event. */
export const REQUIRED_ENVELOPE_HEADERS = [
  ENVELOPE_HEADERS.id,
  ENVELOPE_HEADERS.source,
  ENVELOPE_HEADERS.type,
  ENVELOPE_HEADERS.specversion,
  ENVELOPE_HEADERS.time,
  ENVELOPE_HEADERS.contentType,
] as const;

/**
 * Largest record value (JSON bytes, UTF-8) a Strata event may carry inline: 64 KiB = 65 536
 * bytes. Anything larger travels by reference (URI + sha256). Kept well under the broker's
 * 1 MiB `message.max.bytes` so headers and batching never push a record over it.
 */
export const MAX_INLINE_PAYLOAD_BYTES = 64 * 1024;

/** W3C `traceparent`: `version-traceid(32 hex)-parentid(16 hex)-flags(2 hex)`, lowercase. */
export const TRACEPARENT_PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The CloudEvents attributes of one Strata event, as carried in headers. */
export interface EventEnvelope {
  /** `ce_id`: unique id of the event (a UUID in Strata); consumers de-duplicate on it. */
  readonly id: string;
  /** `ce_source`: URI-reference of the producer, e.g. `/strata/registry`. */
  readonly source: string;
  /** `ce_type`: `dev.strata.<domain>.<event>.v<N>` (see `EventContract.type`). */
  readonly type: string;
  /** `ce_specversion`: always `1.0`. */
  readonly specversion: typeof CLOUDEVENTS_SPEC_VERSION;
  /** `ce_time`: when the event happened (ISO-8601 UTC). */
  readonly time: string;
  /** `ce_subject`: the aggregate the event is about (usually the partition key), if any. */
  readonly subject?: string;
  /** `content-type`: always `application/json`. */
  readonly datacontenttype: typeof JSON_CONTENT_TYPE;
  /** W3C `traceparent`, if present. */
  readonly traceparent?: string;
  /** W3C `tracestate`, if present. */
  readonly tracestate?: string;
}

/** Input of {@link buildEnvelopeHeaders}: the envelope minus its constant attributes. */
export interface EnvelopeInput {
  id: string;
  source: string;
  type: string;
  /** ISO-8601 UTC; defaults to now. */
  time?: string;
  subject?: string;
  traceparent?: string;
  tracestate?: string;
}

/** Machine codes of envelope errors. */
export const EnvelopeErrorCode = {
  MISSING_HEADER: 'ENVELOPE_MISSING_HEADER',
  INVALID_HEADER: 'ENVELOPE_INVALID_HEADER',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
} as const;
/** Union of {@link EnvelopeErrorCode} values. */
export type EnvelopeErrorCode = (typeof EnvelopeErrorCode)[keyof typeof EnvelopeErrorCode];

/**
 * An `Error` raised by this module, with a machine `code` and `retryable: false` (a malformed
 * envelope or an oversized payload never gets better by retrying). Created by a factory (no
 * classes in contracts); recognise it with {@link isEnvelopeError}.
 */
export interface EnvelopeError extends Error {
  readonly code: EnvelopeErrorCode;
  readonly retryable: false;
  readonly details: Readonly<Record<string, unknown>>;
}

function envelopeError(code: EnvelopeErrorCode, message: string, details: Record<string, unknown>): EnvelopeError {
  const err = new Error(message) as Error & { code: EnvelopeErrorCode; retryable: false; details: Record<string, unknown> };
  err.name = 'EnvelopeError';
  err.code = code;
  err.retryable = false;
  err.details = details;
  return err;
}

/** True when `err` was raised by this module (missing/invalid header, payload too large). */
export function isEnvelopeError(err: unknown): err is EnvelopeError {
  return (
    err instanceof Error &&
    err.name === 'EnvelopeError' &&
    Object.values(EnvelopeErrorCode).includes((err as { code?: unknown }).code as EnvelopeErrorCode)
  );
}

/** True when `value` is a syntactically valid W3C traceparent (version `ff` and all-zero ids rejected). */
export function isValidTraceparent(value: string): boolean {
  const m = TRACEPARENT_PATTERN.exec(value);
  if (!m) return false;
  const [, version, traceId, parentId] = m;
  return version !== 'ff' && !/^0+$/.test(traceId ?? '') && !/^0+$/.test(parentId ?? '');
}

/**
 * Builds the Kafka record headers of an event (binary mode).
 *
 * @returns header name → string value; `ce_subject`, `traceparent`, `tracestate` only when given.
 * @throws EnvelopeError (`ENVELOPE_INVALID_HEADER`) when id/source/type is empty or `traceparent`
 *   is malformed.
 */
export function buildEnvelopeHeaders(input: EnvelopeInput): Record<string, string> {
  for (const [name, value] of [
    [ENVELOPE_HEADERS.id, input.id],
    [ENVELOPE_HEADERS.source, input.source],
    [ENVELOPE_HEADERS.type, input.type],
  ] as const) {
    if (!value) {
      throw envelopeError(EnvelopeErrorCode.INVALID_HEADER, `CloudEvents header '${name}' must be a non-empty string`, {
        header: name,
      });
    }
  }
  if (input.traceparent !== undefined && !isValidTraceparent(input.traceparent)) {
    throw envelopeError(
      EnvelopeErrorCode.INVALID_HEADER,
      `header 'traceparent' is not a valid W3C traceparent: '${input.traceparent}'`,
      { header: ENVELOPE_HEADERS.traceparent, value: input.traceparent },
    );
  }
  const headers: Record<string, string> = {
    [ENVELOPE_HEADERS.id]: input.id,
    [ENVELOPE_HEADERS.source]: input.source,
    [ENVELOPE_HEADERS.type]: input.type,
    [ENVELOPE_HEADERS.specversion]: CLOUDEVENTS_SPEC_VERSION,
    [ENVELOPE_HEADERS.time]: input.time ?? new Date().toISOString(),
    [ENVELOPE_HEADERS.contentType]: JSON_CONTENT_TYPE,
  };
  if (input.subject) headers[ENVELOPE_HEADERS.subject] = input.subject;
  if (input.traceparent) headers[ENVELOPE_HEADERS.traceparent] = input.traceparent;
  if (input.tracestate) headers[ENVELOPE_HEADERS.tracestate] = input.tracestate;
  return headers;
}

/**
 * A header value as Kafka clients deliver it: a string, bytes (any `Uint8Array`, e.g. a Node
 * `Buffer`), an array of those (repeated header; the first one wins here), or undefined.
 */
export type RawHeaderValue = string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined | null;

/** Decodes one raw header value to a string (UTF-8), or undefined when absent. */
export function headerToString(value: RawHeaderValue): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  const first = (value as ReadonlyArray<string | Uint8Array>)[0];
  return first === undefined ? undefined : headerToString(first);
}

/**
 * Parses and validates the envelope of an incoming record.
 *
 * @param headers the record's headers as delivered by the Kafka client.
 * @param expectedType if given, `ce_type` must equal it (a record of another type on this topic
 *   is a producer bug).
 * @returns the envelope attributes.
 * @throws EnvelopeError `ENVELOPE_MISSING_HEADER` naming the first missing required header
 *   (`ce_id`, `ce_source`, `ce_type`, `ce_specversion`, `ce_time`, `content-type`), or
 *   `ENVELOPE_INVALID_HEADER` when `ce_specversion` is not `1.0`, `content-type` is not JSON,
 *   `ce_time` is not a timestamp, `ce_type` differs from `expectedType`, or `traceparent` is
 *   malformed.
 */
export function parseEnvelopeHeaders(
  headers: Readonly<Record<string, RawHeaderValue>> | undefined,
  expectedType?: string,
): EventEnvelope {
  const get = (name: string): string | undefined => headerToString(headers?.[name]);
  for (const name of REQUIRED_ENVELOPE_HEADERS) {
    if (!get(name)) {
      throw envelopeError(EnvelopeErrorCode.MISSING_HEADER, `CloudEvents header '${name}' is missing`, { header: name });
    }
  }
  const invalid = (header: string, why: string, value: string | undefined): never => {
    throw envelopeError(EnvelopeErrorCode.INVALID_HEADER, `header '${header}' ${why}: '${value}'`, { header, value });
  };
  const specversion = get(ENVELOPE_HEADERS.specversion);
  if (specversion !== CLOUDEVENTS_SPEC_VERSION) invalid(ENVELOPE_HEADERS.specversion, 'must be 1.0', specversion);
  const contentType = get(ENVELOPE_HEADERS.contentType) ?? '';
  // Accept parameters such as `; charset=utf-8`.
  if (contentType.split(';')[0]?.trim().toLowerCase() !== JSON_CONTENT_TYPE) {
    invalid(ENVELOPE_HEADERS.contentType, `must be ${JSON_CONTENT_TYPE}`, contentType);
  }
  const time = get(ENVELOPE_HEADERS.time) as string;
  if (Number.isNaN(Date.parse(time))) invalid(ENVELOPE_HEADERS.time, 'is not an ISO-8601 timestamp', time);
  const type = get(ENVELOPE_HEADERS.type) as string;
  if (expectedType !== undefined && type !== expectedType) {
    invalid(ENVELOPE_HEADERS.type, `must be '${expectedType}' on this topic`, type);
  }
  const traceparent = get(ENVELOPE_HEADERS.traceparent);
  if (traceparent !== undefined && !isValidTraceparent(traceparent)) {
    invalid(ENVELOPE_HEADERS.traceparent, 'is not a valid W3C traceparent', traceparent);
  }
  const subject = get(ENVELOPE_HEADERS.subject);
  const tracestate = get(ENVELOPE_HEADERS.tracestate);
  return {
    id: get(ENVELOPE_HEADERS.id) as string,
    source: get(ENVELOPE_HEADERS.source) as string,
    type,
    specversion: CLOUDEVENTS_SPEC_VERSION,
    time,
    datacontenttype: JSON_CONTENT_TYPE,
    ...(subject ? { subject } : {}),
    ...(traceparent ? { traceparent } : {}),
    ...(tracestate ? { tracestate } : {}),
  };
}

/** UTF-8 byte length of a string without Node built-ins. */
function utf8Length(s: string): number {
  return new TextEncoder().encode(s).byteLength;
}

/**
 * Checks a record value against {@link MAX_INLINE_PAYLOAD_BYTES}.
 *
 * @param topic the topic, named in the error.
 * @param payload the serialized value (string → UTF-8 length, bytes → length) or its size in bytes.
 * @param limit the limit in bytes (default 64 KiB).
 * @returns the size in bytes.
 * @throws EnvelopeError `PAYLOAD_TOO_LARGE` naming the topic, the size and the limit.
 */
export function assertInlinePayloadSize(
  topic: string,
  payload: string | Uint8Array | number,
  limit: number = MAX_INLINE_PAYLOAD_BYTES,
): number {
  const size = typeof payload === 'number' ? payload : typeof payload === 'string' ? utf8Length(payload) : payload.byteLength;
  if (size > limit) {
    throw envelopeError(
      EnvelopeErrorCode.PAYLOAD_TOO_LARGE,
      `event payload for topic '${topic}' is ${size} bytes, over the ${limit}-byte inline limit; ` +
        'send large content by reference (URI + sha256)',
      { topic, size, limit },
    );
  }
  return size;
}

/** Name of the dead-letter topic of `topic` (`<topic>.dlq`). */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}
