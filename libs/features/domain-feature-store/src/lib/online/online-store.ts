import type { EntityManager } from 'typeorm';

/** One online row as written: the latest feature values of an entity of a view. */
export interface OnlineWriteRow {
  /** Canonical JSON of the join-key values (see `entityKey`), e.g. `{"customer_id":132}`. */
  readonly entityKey: string;
  /** Feature name → JSON scalar. */
  readonly features: Readonly<Record<string, unknown>>;
  readonly eventTimestamp: Date;
  /** When the row became known; breaks ties on equal event times. */
  readonly createdTimestamp: Date;
}

/** One online row as read back. */
export interface OnlineRow {
  entityKey: string;
  /** Feature values; `{}` when {@link afterAsOf} (the values of a row newer than `as_of` are never read). */
  features: Record<string, unknown>;
  eventTimestamp: Date;
  createdTimestamp: Date;
  /**
   * Set when a read had an `asOf` and the stored (latest) row's event time is after it: the row
   * is in the future of the request, its values are withheld (`features` is `{}`).
   */
  afterAsOf?: true;
}

/** Options of {@link OnlineStore.read}. */
export interface OnlineReadOptions {
  /**
   * Point in time of the read. A stored row whose `eventTimestamp` is AFTER it (strictly, in ms)
   * comes back with `afterAsOf: true` and no values; a row at exactly `asOf` is read as usual.
   * Absent: no check (the latest row is returned whatever its time).
   */
  readonly asOf?: Date;
}

/** Options of {@link OnlineStore.write} / {@link OnlineStore.deleteView}. */
export interface OnlineWriteOptions {
  /**
   * PostgreSQL transaction to write in (the PostgreSQL store then commits or rolls back with the
   * caller's state change). Stores outside PostgreSQL ignore it: their write is durable when the
   * promise resolves, so callers must write BEFORE committing anything that depends on it.
   */
  readonly manager?: EntityManager;
}

/**
 * The online store: the latest feature row per (feature view, entity key), as Feast's
 * `OnlineStore`. Every implementation passes `describeOnlineStoreContract`.
 *
 * Write rule (all stores): a row replaces the stored one only when its `eventTimestamp` is newer,
 * or equal with a newer `createdTimestamp`; so replays, re-runs of a window and out-of-order
 * writes are harmless.
 */
export interface OnlineStore {
  /** `postgres` or `redis`. */
  readonly kind: string;
  /**
   * Upserts rows of `view` under the write rule (within one call, the last qualifying row of an
   * entity key wins). @returns how many rows were inserted or replaced.
   */
  write(view: string, rows: readonly OnlineWriteRow[], options?: OnlineWriteOptions): Promise<number>;
  /**
   * Rows of `view` for `keys`; absent keys are absent from the map. With `options.asOf`, a row
   * newer than `asOf` is returned marked `afterAsOf` without its values (point-in-time rule).
   */
  read(view: string, keys: readonly string[], options?: OnlineReadOptions): Promise<Map<string, OnlineRow>>;
  /** Removes every row of `view` (view changed or deleted). */
  deleteView(view: string, options?: OnlineWriteOptions): Promise<void>;
  /** Releases connections it owns (no-op for the PostgreSQL store). */
  close(): Promise<void>;
}

/** DI token of the configured {@link OnlineStore}. */
export const ONLINE_STORE = Symbol('ONLINE_STORE');
