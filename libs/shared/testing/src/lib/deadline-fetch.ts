/** One answer of {@link jsonWithDeadline}: HTTP status, the parsed JSON body, and how long it took (ms). */
export interface TimedJsonAnswer<T> {
  status: number;
  body: T;
  ms: number;
}

/**
 * One HTTP call with its own deadline (`deadlineMs`, default 15 000 ms), so a hang fails the test
 * instead of hanging it: sends `body` as JSON when given, and resolves with the status, the JSON
 * body (cast to `T`, not validated) and the elapsed milliseconds. Throws
 * `<METHOD> <url> got no answer within <deadlineMs> ms (<cause>)` when no answer came in time.
 */
export async function jsonWithDeadline<T = Record<string, unknown>>(method: string, url: string, body?: unknown, deadlineMs = 15_000): Promise<TimedJsonAnswer<T>> {
  const t0 = Date.now();
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      signal: AbortSignal.timeout(deadlineMs),
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
  } catch (e) {
    throw new Error(`${method} ${url} got no answer within ${deadlineMs} ms (${(e as Error).message})`);
  }
  return { status: res.status, body: (await res.json()) as T, ms: Date.now() - t0 };
}
