import type { Logger } from '@nestjs/common';
import { AppError } from '@strata/shared/util-errors';

/** Backoff of {@link LatestChangeApplier}: first retry after `initialDelayMs`, doubling up to `maxDelayMs`. */
export interface ReapplyPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
}

/** Serving's one retry policy for registry changes: 1 s doubling to 30 s, until applied or superseded. */
export const SERVING_REAPPLY_POLICY: Readonly<ReapplyPolicy> = Object.freeze({ initialDelayMs: 1000, maxDelayMs: 30_000 });

/** Applies one change; `isCurrent()` turns false once a newer change with the same key was submitted. */
export type ApplyChange<E> = (event: E, isCurrent: () => boolean) => Promise<void>;

interface Pending<E> {
  event: E;
  delayMs: number;
  timer?: NodeJS.Timeout;
}

/**
 * The retry policy both serving consumers of registry changes follow (alias changes keyed by
 * `model + alias`, rollout changes keyed by model): only the LATEST change per key matters, so
 *
 * - a change is applied at once ({@link submit} resolves after that first attempt);
 * - a change that can never be applied (an `AppError` with `retryable: false`: sha256 mismatch,
 *   not an ONNX model, unknown version) is logged and dropped: the previous state stays;
 * - a transient failure (object store or registry unreachable) does not fail the event (it is
 *   acknowledged, never dead-lettered): the change is re-applied in the background after 1 s,
 *   doubling to 30 s, until it succeeds or a newer change with the same key supersedes it;
 * - a newer change cancels the pending retry of an older one, and an attempt already running
 *   for the older one sees `isCurrent()` turn false, so it does not apply over the newer one.
 *
 * Every serving replica holds its own state (broadcast consumers), so each replica retries on
 * its own; {@link stop} (at shutdown) cancels every pending retry.
 */
export class LatestChangeApplier<E> {
  private readonly current = new Map<string, Pending<E>>();
  private stopped = false;

  /**
   * @param what  what a change is, for logs (`alias change`, `rollout change`)
   * @param describe the log context of a change (model, alias, versions, ...)
   */
  constructor(
    private readonly what: string,
    private readonly logger: Logger,
    private readonly apply: ApplyChange<E>,
    private readonly describe: (event: E) => Record<string, unknown>,
    private readonly policy: ReapplyPolicy = SERVING_REAPPLY_POLICY,
  ) {}

  /** Makes `event` the latest change of `key` and applies it once now (never throws). */
  async submit(key: string, event: E): Promise<void> {
    const previous = this.current.get(key);
    if (previous?.timer) clearTimeout(previous.timer);
    const entry: Pending<E> = { event, delayMs: 0 };
    this.current.set(key, entry);
    await this.attempt(key, entry);
  }

  /** Keys with a change still to apply (retry pending or attempt running). */
  pendingKeys(): string[] {
    return [...this.current.keys()].sort();
  }

  /** Cancels every pending retry; later failures are not retried. */
  stop(): void {
    this.stopped = true;
    for (const p of this.current.values()) if (p.timer) clearTimeout(p.timer);
    this.current.clear();
  }

  private async attempt(key: string, entry: Pending<E>): Promise<void> {
    const isCurrent = (): boolean => this.current.get(key) === entry;
    try {
      await this.apply(entry.event, isCurrent);
      if (isCurrent()) this.current.delete(key);
    } catch (err) {
      if (err instanceof AppError && !err.retryable) {
        this.logger.error({ ...this.describe(entry.event), err: err.message, code: err.code }, `${this.what} not applied: it cannot be served`);
        if (isCurrent()) this.current.delete(key);
        return;
      }
      if (!isCurrent() || this.stopped) return;
      entry.delayMs = entry.delayMs === 0 ? this.policy.initialDelayMs : Math.min(this.policy.maxDelayMs, entry.delayMs * 2);
      entry.timer = setTimeout(() => {
        entry.timer = undefined;
        if (isCurrent() && !this.stopped) void this.attempt(key, entry);
      }, entry.delayMs);
      entry.timer.unref();
      this.logger.warn({ ...this.describe(entry.event), retryInMs: entry.delayMs, err: (err as Error).message }, `${this.what} not applied yet, will retry`);
    }
  }
}
