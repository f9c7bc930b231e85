import { PassThrough, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fetchFailure } from '@strata/shared/data-access-strata-client';
import { CONSOLE_SERVICES } from './console-options';

/**
 * Request headers the console passes on to a service: the user's OWN credential
 * (`Authorization: Bearer …` or `X-API-Key`; the console has none of its own, so a call through it
 * has exactly the rights of the user who makes it), content negotiation, request id and
 * idempotency key. Everything else (cookies, hop-by-hop headers, `X-Strata-Actor`) stays behind.
 */
export const FORWARDED_REQUEST_HEADERS = ['authorization', 'x-api-key', 'accept', 'content-type', 'x-request-id', 'idempotency-key', 'traceparent'] as const;

/**
 * Response headers passed back to the browser (the body is re-sent whole, so no length/encoding
 * headers); `content-disposition` and `x-quarantine-row-count` let the browser save ingestion's
 * quarantine download (CSV) under its file name.
 */
export const FORWARDED_RESPONSE_HEADERS = ['content-type', 'x-request-id', 'x-strata-artifact-sha256', 'retry-after', 'www-authenticate', 'content-disposition', 'x-quarantine-row-count'] as const;

/** One call to proxy: `path` starts after `/api/<service>` and includes the query string. */
export interface ProxyCall {
  service: string;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Raw request body (JSON text re-serialised by the caller), absent for GET/HEAD. */
  body?: string | Buffer;
}

/**
 * What goes back to the browser. `body` is the service's bytes, a stream of them (file downloads,
 * see {@link isStreamedContentType}), or a Strata error body `{error, code, details}`.
 */
export interface ProxyAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | Readable | { error: string; code: string; details: Record<string, unknown> };
}

/**
 * File downloads (CSV, Parquet, raw bytes, e.g. ingestion's quarantine) are streamed to the browser
 * instead of buffered: the deadline then covers the service's headers and each pause between two
 * chunks (no chunk within it → the stream is cut), not the whole transfer. JSON is buffered whole.
 */
export function isStreamedContentType(contentType: string | null): boolean {
  return contentType !== null && /^(text\/csv|application\/(octet-stream|vnd\.apache\.parquet))\b/i.test(contentType);
}

/**
 * Forwards one call to a Strata service with a deadline (`timeoutMs`) and maps the outcome:
 * - the service's answer (any status) is passed through with its content type;
 * - unknown service → 404 `NOT_FOUND` listing the six;
 * - no connection → 502 `UNAVAILABLE`, `error` names the service and its URL (e.g.
 *   `registry is unreachable at http://127.0.0.1:3004: fetch failed: connect ECONNREFUSED …`);
 * - no answer within the deadline → 504 `DEADLINE_EXCEEDED` naming the service.
 * `details.service` always names the service, so the front end can say which one is down.
 */
export async function proxyCall(call: ProxyCall, serviceUrls: Readonly<Record<string, string>>, timeoutMs: number): Promise<ProxyAnswer> {
  const base = (CONSOLE_SERVICES as readonly string[]).includes(call.service) ? serviceUrls[call.service] : undefined;
  if (!base) {
    return errorAnswer(404, 'NOT_FOUND', `unknown service '${call.service}' in /api/${call.service}: one of ${CONSOLE_SERVICES.join(', ')}`, { service: call.service });
  }
  const url = base.replace(/\/+$/, '') + (call.path.startsWith('/') ? call.path : `/${call.path}`);
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const v = call.headers[name];
    if (typeof v === 'string') headers[name] = v;
    else if (Array.isArray(v) && v.length) headers[name] = v.join(', ');
  }
  const method = call.method.toUpperCase();
  let res: Response;
  let body: Buffer | Readable;
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(), timeoutMs);
  try {
    res = await fetch(url, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : call.body, signal: abort.signal, redirect: 'manual' });
    if (res.body && isStreamedContentType(res.headers.get('content-type'))) {
      clearTimeout(deadline);
      body = withIdleDeadline(Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>), timeoutMs, call.service, () => abort.abort());
    } else {
      body = Buffer.from(await res.arrayBuffer());
    }
  } catch (err) {
    const why = fetchFailure(err, timeoutMs);
    const timedOut = why.startsWith('no answer within');
    return errorAnswer(timedOut ? 504 : 502, timedOut ? 'DEADLINE_EXCEEDED' : 'UNAVAILABLE', `${call.service} is unreachable at ${base}: ${why}`, { service: call.service, url: base });
  } finally {
    clearTimeout(deadline);
  }
  const out: Record<string, string> = {};
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const v = res.headers.get(name);
    if (v !== null) out[name] = v;
  }
  return { status: res.status, headers: out, body };
}

function errorAnswer(status: number, code: string, error: string, details: Record<string, unknown>): ProxyAnswer {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: { error, code, details } };
}

/**
 * Passes `source` through, cutting it (error naming the service) when no chunk arrives within
 * `idleMs`; `onIdle` aborts the request to the service.
 */
function withIdleDeadline(source: Readable, idleMs: number, service: string, onIdle: () => void): Readable {
  const out = new PassThrough();
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      onIdle();
      const err = new Error(`${service} sent nothing for ${idleMs} ms: download cut`);
      source.destroy(err);
      out.destroy(err);
    }, idleMs);
  };
  arm();
  source.on('data', arm);
  source.on('error', (err) => out.destroy(err));
  source.on('close', () => clearTimeout(timer));
  out.on('close', () => {
    clearTimeout(timer);
    source.destroy();
  });
  source.pipe(out);
  return out;
}
