import { AppError, ErrorCode, NotFoundError, UnavailableError } from '@strata/shared/util-errors';

/**
 * Thrown (in `errors: 'http'` mode: CLI, tests) when a Strata service answers with a non-2xx
 * status. `status` is the HTTP status, `body` the parsed error body (`{error, code, details}`)
 * or text, `url` what was called.
 */
export class StrataHttpError extends Error {
  override readonly name = 'StrataHttpError';
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${url} -> ${status}: ${typeof body === 'string' ? body : ((body as { error?: string })?.error ?? JSON.stringify(body))}`);
  }
}

/** Thrown (in `errors: 'http'` mode) when a service cannot be reached at all (connection refused, or no answer within the request's deadline: `no answer within <ms> ms`). */
export class StrataUnreachableError extends Error {
  override readonly name = 'StrataUnreachableError';
  constructor(
    readonly method: string,
    readonly url: string,
    cause: unknown,
    timeoutMs?: number,
  ) {
    super(`${method} ${url} failed: ${timeoutMs !== undefined ? fetchFailure(cause, timeoutMs) : cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause)}`, { cause });
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

/** The `error` string of a Strata error body (`{error, code, details}`), if any. */
export function remoteMessage(body: unknown): string | undefined {
  const error = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  return typeof error === 'string' ? error : undefined;
}

/**
 * How a domain error names the call: `what` when the caller described it (`Model version 'm@3'`),
 * else the peer service itself (`registry`).
 */
export interface CallDescription {
  service: string;
  what?: string;
  method: string;
  url: string;
}

/** The domain error of a call that got no answer (connection refused, or none within the deadline). */
export function unreachableError(call: CallDescription, cause: unknown, timeoutMs: number, reading: boolean): UnavailableError {
  const why = fetchFailure(cause, timeoutMs);
  if (call.what !== undefined) return new UnavailableError(`${call.what}: ${call.method} ${call.url} failed${reading ? ' while reading the answer' : ''}: ${why}`, { cause });
  return new UnavailableError(`${call.service} is unavailable (${call.method} ${call.url}${reading ? ', reading the answer' : ''}): ${why}`, { cause });
}

/**
 * The platform's domain error for a peer's non-2xx answer (`errors: 'domain'` mode, inside
 * services and workers), so it maps to the right HTTP status, Kafka retry behaviour and
 * Temporal retry policy where it surfaces:
 * - 404 → `NotFoundError`;
 * - 5xx, 408 → `UnavailableError` (retryable);
 * - 401, 403, 429 → `UnavailableError`: the peer refused THIS service (its key, role or rate
 *   budget), which is never the caller's fault, so never a 4xx for the caller;
 * - other 4xx → non-retryable `AppError` with the peer's `code` when it is one of ours (else
 *   `INVALID_ARGUMENT`), `details: {status, body}`.
 * Messages carry the peer's `error` (else the start of its answer) and name the call ({@link CallDescription}).
 */
export function peerError(call: CallDescription, status: number, body: unknown, text: string): AppError {
  const { service, what, method, url } = call;
  const message = remoteMessage(body) ?? text.slice(0, 200);
  const remoteCode = body && typeof body === 'object' ? (body as { code?: unknown }).code : undefined;
  const code = typeof remoteCode === 'string' && remoteCode in ErrorCode && remoteCode !== ErrorCode.UNAVAILABLE ? (remoteCode as ErrorCode) : ErrorCode.INVALID_ARGUMENT;
  const refused = status === 401 || status === 403 || status === 429;
  const unavailable = status >= 500 || status === 408;
  if (what !== undefined) {
    if (status === 404) return new NotFoundError(`${what}: ${remoteMessage(body) ?? `${url} not found`}`);
    if (unavailable) return new UnavailableError(`${what}: ${method} ${url} answered ${status}: ${message}`);
    if (refused) return new UnavailableError(`${what}: ${method} ${url} refused this service (${status}): ${message}`);
    return new AppError(code, `${what}: ${method} ${url} answered ${status}: ${message}`, { retryable: false, details: { status, body } });
  }
  if (status === 404) return new NotFoundError(`${service} rejected ${method} ${url} (404): ${message}`, { details: { status, body } });
  if (unavailable) return new UnavailableError(`${service} answered ${status} to ${method} ${url}: ${message}`);
  if (refused) return new UnavailableError(`${service} refused this service (${status}) on ${method} ${url}: ${message}`);
  return new AppError(code, `${service} rejected ${method} ${url} (${status}): ${message}`, { retryable: false, details: { status, body } });
}
