import { AppError, NotFoundError, UnavailableError } from '@strata/shared/util-errors';
import { serviceAuthHeaders } from './credentials';

/**
 * Calls another Strata service with JSON in and out, from inside a service: failures become
 * the platform's domain errors, so they map to the right HTTP status, Kafka retry behaviour
 * and Temporal retry policy where they surface.
 * @returns the parsed body, or `undefined` on 404 when `allow404`.
 * @throws NotFoundError on 404 (unless `allow404`), UnavailableError on network errors,
 *   timeouts and 5xx, AppError(INVALID_ARGUMENT) on other 4xx (the remote's message included).
 */
export async function requestJson(
  method: 'GET' | 'POST',
  url: string,
  options: { body?: unknown; timeoutMs: number; allow404?: boolean; what: string },
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      // The calling service's own credential (STRATA_API_KEY / STRATA_API_KEY_FILE), when configured.
      headers: { ...serviceAuthHeaders(), ...(options.body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' }) },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    throw new UnavailableError(`${options.what}: ${method} ${url} failed: ${fetchFailure(err, options.timeoutMs)}`, { cause: err });
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw new UnavailableError(`${options.what}: ${method} ${url} failed while reading the answer: ${fetchFailure(err, options.timeoutMs)}`, { cause: err });
  }
  if (res.status === 404) {
    if (options.allow404) return undefined;
    throw new NotFoundError(`${options.what}: ${remoteMessage(text) ?? `${url} not found`}`);
  }
  if (res.status >= 500) throw new UnavailableError(`${options.what}: ${method} ${url} answered ${res.status}: ${remoteMessage(text) ?? text.slice(0, 200)}`);
  // The peer refused THIS service (its key, its role, its rate limit): not the caller's fault, so
  // never a 4xx for the caller; 503 naming the peer's answer (retry later or fix the service key).
  if (res.status === 401 || res.status === 403 || res.status === 429) {
    throw new UnavailableError(`${options.what}: ${method} ${url} refused this service (${res.status}): ${remoteMessage(text) ?? text.slice(0, 200)}`);
  }
  if (res.status >= 400) throw new AppError('INVALID_ARGUMENT', `${options.what}: ${method} ${url} answered ${res.status}: ${remoteMessage(text) ?? text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UnavailableError(`${options.what}: ${url} returned invalid JSON`, { cause: err });
  }
}

/**
 * Why a `fetch` with `AbortSignal.timeout(timeoutMs)` failed: `no answer within <ms> ms` on the
 * deadline, else the network cause (e.g. `connect ECONNREFUSED 127.0.0.1:3004`).
 */
export function fetchFailure(err: unknown, timeoutMs: number): string {
  // Duck-typed: fetch errors may come from another realm (instanceof Error is not reliable).
  const e = (err ?? {}) as { name?: unknown; message?: unknown; cause?: { message?: unknown } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  if (typeof e.message !== 'string') return String(err);
  return typeof e.cause?.message === 'string' ? `${e.message}: ${e.cause.message}` : e.message;
}

function remoteMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    return typeof body.error === 'string' ? body.error : undefined;
  } catch {
    return undefined;
  }
}
