/**
 * Errors raised by @strata/messaging. Each carries a machine `code`, a `retryable` flag (used by
 * the consumer's retry policy and by callers) and `details`.
 */

import { CodedError, describeIssues } from '@strata/shared/util-errors';

/** Machine codes of messaging errors. */
export const MessagingErrorCode = {
  /** A value did not match its contract's schema (publish or consume). */
  EVENT_SCHEMA_INVALID: 'EVENT_SCHEMA_INVALID',
  /** A record value was not valid JSON. */
  EVENT_JSON_INVALID: 'EVENT_JSON_INVALID',
  /** A serialized payload exceeds the 64 KiB inline limit (publish) or the broker's limit (relay). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The broker rejected an outbox event for good (relay). */
  OUTBOX_DELIVERY_FAILED: 'OUTBOX_DELIVERY_FAILED',
  /** A handler failed (unknown error, retried). */
  HANDLER_FAILED: 'HANDLER_FAILED',
  /** Kafka did not answer a health check in time. */
  KAFKA_UNAVAILABLE: 'KAFKA_UNAVAILABLE',
  /** A dead-letter request named an unknown topic or malformed offsets. */
  DEAD_LETTER_REQUEST_INVALID: 'DEAD_LETTER_REQUEST_INVALID',
  /** Misconfiguration (e.g. a DataSource that is not PostgreSQL). */
  CONFIGURATION_INVALID: 'CONFIGURATION_INVALID',
} as const;
/** Union of {@link MessagingErrorCode} values. */
export type MessagingErrorCode = (typeof MessagingErrorCode)[keyof typeof MessagingErrorCode];

/** Base class of every error this lib throws on purpose. */
export class MessagingError extends CodedError<MessagingErrorCode> {
  /** Structured context (topic, size, issues, …). */
  declare readonly details: Readonly<Record<string, unknown>>;
}

/**
 * Thrown when a value does not match its contract's schema. The message names the topic and
 * each issue as `path: message` (e.g. `version: Too small: expected number to be >=1`).
 * Not retryable.
 */
export class EventValidationError extends MessagingError {
  constructor(topic: string, issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, cause?: unknown) {
    const list = describeIssues(issues);
    super(MessagingErrorCode.EVENT_SCHEMA_INVALID, `invalid event for topic '${topic}': ${list.join('; ')}`, {
      details: { topic, issues: list },
      cause,
    });
  }
}

/**
 * Thrown when a serialized event is larger than the allowed size: at publish, the 64 KiB inline
 * limit; at relay, the broker's `message.max.bytes`. The message names the topic and the size.
 * Not retryable.
 */
export class PayloadTooLargeError extends MessagingError {
  constructor(topic: string, size: number, limit: number | undefined, cause?: unknown) {
    super(
      MessagingErrorCode.PAYLOAD_TOO_LARGE,
      `event payload for topic '${topic}' is ${size} bytes, over the ${limit === undefined ? "broker's" : `${limit}-byte`} limit; ` +
        'send large content by reference (URI + sha256)',
      { details: { topic, size, limit }, cause },
    );
  }
}

/**
 * Convenience for handler authors: throw it to send the event to the dead-letter topic at once
 * (no retries), e.g. when the event refers to something that can never exist.
 */
export class NonRetryableEventError extends MessagingError {
  constructor(message: string, options: { code?: MessagingErrorCode; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(options.code ?? MessagingErrorCode.HANDLER_FAILED, message, { ...options, retryable: false });
  }
}

/** Thrown by health checks when Kafka does not answer a metadata request within the timeout. */
export class KafkaUnavailableError extends MessagingError {
  constructor(message: string, cause?: unknown) {
    super(MessagingErrorCode.KAFKA_UNAVAILABLE, message, { retryable: true, cause });
  }
}

/** Error message of an unknown thrown value (never throws itself). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  try {
    return String(err);
  } catch {
    return 'unknown error';
  }
}

/** The machine code of an unknown thrown value: its string `code`, else `HANDLER_FAILED`. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length > 0 ? code : MessagingErrorCode.HANDLER_FAILED;
}
