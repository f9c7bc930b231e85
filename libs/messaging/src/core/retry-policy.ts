/** Bounded in-process retries of a failing handler, with exponential backoff. */
export interface RetryPolicy {
  /** Total attempts including the first (≥ 1). After the last failure the event is dead-lettered. */
  attempts: number;
  /** Delay before the 2nd attempt, in ms. Doubles per attempt. */
  initialBackoffMs: number;
  /** Upper bound of the delay, in ms. */
  maxBackoffMs: number;
  /** Random jitter as a fraction of the delay (0–1, default 0.2) so retries of many consumers spread out. */
  jitter?: number;
}

/** Default policy: 5 attempts, 200 ms → 400 → 800 → 1600 ms (capped at 10 s). */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 5,
  initialBackoffMs: 200,
  maxBackoffMs: 10_000,
  jitter: 0.2,
});

/**
 * Delay in ms before attempt number `nextAttempt` (2 = first retry):
 * `min(maxBackoffMs, initialBackoffMs · 2^(nextAttempt-2))`, then ± `jitter` (never above max,
 * never below 0).
 *
 * @param random injectable for tests; returns [0, 1).
 */
export function backoffDelayMs(policy: RetryPolicy, nextAttempt: number, random: () => number = Math.random): number {
  const exp = Math.max(0, nextAttempt - 2);
  const base = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.min(exp, 30));
  const jitter = policy.jitter ?? DEFAULT_RETRY_POLICY.jitter ?? 0;
  const spread = base * jitter * (random() * 2 - 1);
  return Math.max(0, Math.min(policy.maxBackoffMs, Math.round(base + spread)));
}

/**
 * Whether a handler error should be retried. Rule (documented in the README):
 * - `err.retryable === false` → not retried (straight to the dead-letter topic);
 * - `err.retryable === true` → retried;
 * - anything else (unknown errors) → retried: most unknown failures in a handler are transient
 *   (deadlocks, serialization failures, timeouts), and retries are bounded, so a real bug only
 *   costs `attempts` tries before the dead-letter topic.
 */
export function isRetryable(err: unknown): boolean {
  return (err as { retryable?: unknown } | null)?.retryable !== false;
}

/**
 * Validates a policy.
 *
 * @throws RangeError when attempts < 1, a delay is negative, or maxBackoffMs < initialBackoffMs.
 */
export function validateRetryPolicy(policy: RetryPolicy): RetryPolicy {
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) throw new RangeError('retry.attempts must be an integer >= 1');
  if (!(policy.initialBackoffMs >= 0)) throw new RangeError('retry.initialBackoffMs must be >= 0');
  if (!(policy.maxBackoffMs >= policy.initialBackoffMs)) throw new RangeError('retry.maxBackoffMs must be >= initialBackoffMs');
  return policy;
}
