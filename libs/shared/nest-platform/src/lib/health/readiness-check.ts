/**
 * One dependency whose reachability decides `/health/ready`.
 *
 * `check()` resolves when the dependency answered a real request (e.g. `select 1`, a Kafka
 * metadata round-trip, describing the Temporal namespace) and rejects with a reason otherwise.
 * It must time out on its own (a few seconds at most).
 */
export interface ReadinessCheck {
  /** Short stable name shown in the response, e.g. `postgres`, `kafka`, `temporal`. */
  readonly name: string;
  check(): Promise<void>;
  /**
   * Optional state shown with the result as `details` (cheap, no I/O), e.g. a consumer group's
   * `{ state: 'restarting', lastError, restarts, since, topics }`.
   */
  details?(): Record<string, unknown>;
}

/** Rejects after `ms` milliseconds with a message naming `what`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
