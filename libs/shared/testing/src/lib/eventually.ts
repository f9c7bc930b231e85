/**
 * Polls `fn` until it returns without throwing (and, if it returns a value, that value), or
 * `timeoutMs` passes; then rethrows the last error. Use instead of fixed sleeps (C11).
 */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`eventually: condition not met within ${timeoutMs} ms: ${reason}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
