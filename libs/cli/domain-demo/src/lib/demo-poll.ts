/** Demo step failures and the bounded polling the demo waits with. */

/** Thrown when a demo step fails; names the step and the cause. */
export class DemoStepError extends Error {
  override readonly name = 'DemoStepError';
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`step '${step}' failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A terminal state seen while polling (a FAILED run or build): waiting longer cannot help. */
export class TerminalStateError extends Error {
  override readonly name = 'TerminalStateError';
}

/**
 * Calls `fn` until it returns a value, for at most `timeoutMs`. Transient errors (a service
 * briefly unreachable) are retried; a {@link TerminalStateError} is rethrown at once.
 */
export async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof TerminalStateError) throw e;
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
