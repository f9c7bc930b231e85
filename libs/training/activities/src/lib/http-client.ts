import { serviceAuthHeaders } from '@strata/shared/data-access-strata-client';
import { AppError, ErrorCode, UnavailableError } from '@strata/shared/util-errors';

/** Answer of {@link requestJson}: status and parsed JSON body (undefined when empty). */
export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
}

/**
 * Sends a JSON request to another Strata service and returns status + body for 2xx and for the
 * statuses in `accept`. Authenticates as this worker's service (`Authorization: Bearer` with
 * `STRATA_API_KEY` / `STRATA_API_KEY_FILE`, when set; `options.headers` may override). Errors:
 * - unreachable service, no answer within `timeoutMs` (default 30 s; message `no answer within <ms> ms`),
 *   5xx, 429 → `UnavailableError` (retryable);
 * - other 4xx → `AppError` with the service's `code` when it is one of ours (else
 *   `INVALID_ARGUMENT`), non-retryable, message naming the service and its error.
 */
export async function requestJson<T>(
  service: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number; accept?: number[] } = {},
): Promise<JsonResponse<T>> {
  let res: Response;
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    res = await fetch(url, {
      method,
      headers: { accept: 'application/json', ...serviceAuthHeaders(), ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new UnavailableError(`${service} is unavailable (${method} ${url}): ${failure(e, timeoutMs)}`, { cause: e });
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new UnavailableError(`${service} is unavailable (${method} ${url}, reading the answer): ${failure(e, timeoutMs)}`, { cause: e });
  }
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (res.ok || options.accept?.includes(res.status)) return { status: res.status, body: body as T };
  const err = body && typeof body === 'object' ? (body as { error?: unknown; message?: unknown; code?: unknown }) : {};
  const message = String(err.error ?? err.message ?? text ?? res.statusText).slice(0, 2000);
  if (res.status >= 500 || res.status === 429 || res.status === 408) {
    throw new UnavailableError(`${service} answered ${res.status} to ${method} ${url}: ${message}`);
  }
  const code = typeof err.code === 'string' && err.code in ErrorCode ? (err.code as ErrorCode) : ErrorCode.INVALID_ARGUMENT;
  throw new AppError(code, `${service} rejected ${method} ${url} (${res.status}): ${message}`, { retryable: false, details: { status: res.status, body } });
}

function failure(e: unknown, timeoutMs: number): string {
  // Duck-typed: fetch errors may come from another realm (instanceof Error is not reliable).
  const err = (e ?? {}) as { name?: unknown; message?: unknown; cause?: { message?: unknown } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  if (typeof err.cause?.message === 'string') return err.cause.message;
  return typeof err.message === 'string' ? err.message : String(e);
}
