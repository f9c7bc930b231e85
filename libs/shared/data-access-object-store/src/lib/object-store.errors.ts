/**
 * Error classes of the object store. Each carries a stable machine `code` and a
 * `retryable` flag so transports (HTTP filter, Kafka consumer, Temporal activity) can map
 * them once; messages name the key or URI involved.
 */

import { CodedError } from '@strata/shared/util-errors';

/** Machine codes of {@link ObjectStoreError} subclasses (`as const` enum). */
export const ObjectStoreErrorCode = {
  OBJECT_NOT_FOUND: 'OBJECT_NOT_FOUND',
  OBJECT_INTEGRITY: 'OBJECT_INTEGRITY',
  INVALID_OBJECT_KEY: 'INVALID_OBJECT_KEY',
  FOREIGN_URI: 'FOREIGN_URI',
  OBJECT_STORE_IO: 'OBJECT_STORE_IO',
} as const;
/** Union of the {@link ObjectStoreErrorCode} values. */
export type ObjectStoreErrorCode = (typeof ObjectStoreErrorCode)[keyof typeof ObjectStoreErrorCode];

/** Base class of every error thrown by an {@link ObjectStore} implementation; `details` names the key, URI, expected/actual digests. */
export class ObjectStoreError extends CodedError<ObjectStoreErrorCode> {}

/** Thrown when a key (or the key a URI resolves to) does not exist in the store. */
export class ObjectNotFoundError extends ObjectStoreError {
  constructor(readonly key: string, uri: string) {
    super(ObjectStoreErrorCode.OBJECT_NOT_FOUND, `Object '${key}' not found (${uri})`, { details: { key, uri } });
  }
}

/**
 * Thrown when the bytes read or written do not match what was expected: a sha256 mismatch,
 * or a size mismatch (short or truncated read). A read that throws this never yields a
 * "successful" result.
 */
export class ObjectIntegrityError extends ObjectStoreError {
  constructor(key: string, what: 'sha256' | 'size', expected: string | number, actual: string | number) {
    super(
      ObjectStoreErrorCode.OBJECT_INTEGRITY,
      `Object '${key}': ${what} mismatch (expected ${expected}, got ${actual})`,
      { details: { key, what, expected, actual } },
    );
  }
}

/** Thrown when a key is not a valid relative, '/'-separated object key. */
export class InvalidObjectKeyError extends ObjectStoreError {
  constructor(key: string, reason: string) {
    super(ObjectStoreErrorCode.INVALID_OBJECT_KEY, `Invalid object key '${key}': ${reason}`, { details: { key, reason } });
  }
}

/** Thrown by `resolve(uri)` when the URI does not belong to this store (other scheme or root). */
export class ForeignUriError extends ObjectStoreError {
  constructor(uri: string, storeRoot: string) {
    super(ObjectStoreErrorCode.FOREIGN_URI, `URI '${uri}' does not belong to object store '${storeRoot}'`, {
      details: { uri, storeRoot },
    });
  }
}
