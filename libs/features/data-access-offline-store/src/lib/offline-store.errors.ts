import { CodedError } from '@strata/shared/util-errors';

/** Machine codes of {@link OfflineStoreError} (`as const` enum). */
export const OfflineStoreErrorCode = {
  FEATURE_REFERENCE_INVALID: 'FEATURE_REFERENCE_INVALID',
  FEATURE_VIEW_INVALID: 'FEATURE_VIEW_INVALID',
  ENTITY_FRAME_INVALID: 'ENTITY_FRAME_INVALID',
  OFFLINE_QUERY_FAILED: 'OFFLINE_QUERY_FAILED',
  FEATURE_REPO_INVALID: 'FEATURE_REPO_INVALID',
} as const;
/** Union of {@link OfflineStoreErrorCode} values. */
export type OfflineStoreErrorCode = (typeof OfflineStoreErrorCode)[keyof typeof OfflineStoreErrorCode];

/** Base class of offline-store errors; `retryable` is false unless stated. */
export class OfflineStoreError extends CodedError<OfflineStoreErrorCode> {}

/** Thrown when a feature reference is malformed or names an unknown view or feature, or two refs map to one output column. */
export class FeatureReferenceError extends OfflineStoreError {
  constructor(readonly ref: string, reason: string) {
    super(OfflineStoreErrorCode.FEATURE_REFERENCE_INVALID, `Feature reference '${ref}': ${reason}`, { details: { ref } });
  }
}

/** Thrown when a view's transformation does not produce a declared column, or its SQL fails. */
export class FeatureViewError extends OfflineStoreError {
  constructor(readonly view: string, reason: string, cause?: unknown) {
    super(OfflineStoreErrorCode.FEATURE_VIEW_INVALID, `Feature view '${view}': ${reason}`, { details: { view }, cause });
  }
}

/** Thrown when the entity frame lacks a join key / timestamp / request column, or has an unparseable timestamp. */
export class EntityFrameError extends OfflineStoreError {
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super(OfflineStoreErrorCode.ENTITY_FRAME_INVALID, `Entity frame: ${reason}`, { details });
  }
}

/** Thrown when a DuckDB query fails for another reason (I/O, corrupt Parquet). */
export class OfflineQueryError extends OfflineStoreError {
  constructor(what: string, cause: unknown) {
    super(OfflineStoreErrorCode.OFFLINE_QUERY_FAILED, `${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, retryable: false });
  }
}

/** Thrown by `loadFeatureRepo` on unreadable/invalid YAML; the message names the file and the field path. */
export class FeatureRepoError extends OfflineStoreError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(OfflineStoreErrorCode.FEATURE_REPO_INVALID, message, { details });
  }
}
