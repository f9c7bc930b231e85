import { fillPath, type ApiEndpoint, type EndpointInput, type EndpointOutput } from '@strata/contracts/api';

/**
 * An error of a console call: `service` names the Strata service that failed (from the proxy's
 * `details.service` or the endpoint), `status` is the HTTP status (0 when the console itself did
 * not answer), `message` the service's `error` text.
 */
export class ConsoleApiError extends Error {
  override readonly name = 'ConsoleApiError';
  constructor(
    readonly service: string,
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
  /** The service could not be reached (proxy 502/504, or no answer from the console). */
  get unreachable(): boolean {
    return this.status === 0 || this.status === 502 || this.status === 504;
  }
}

/** What the console's client needs: the user's own credential, the console's origin, a deadline. */
export interface ConsoleClientOptions {
  /** Sent as `Authorization: Bearer <credential>` (an API key or an OIDC token). */
  credential: string | undefined;
  /** Origin of the console (`''` in the browser: same origin). */
  baseUrl?: string;
  /** Deadline of one call, ms (default 65 000: longer than the proxy's own deadline, so the proxy's answer names the service). */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/**
 * The console's typed client: calls a contract endpoint of `@strata/contracts/api` (the same
 * tables the services' `serviceApi` and the CLI use) through the console's proxy
 * `/api/{service}{path}`, with the user's credential and a deadline. Returns the parsed JSON
 * body of a 2xx answer. @throws ConsoleApiError naming the service otherwise.
 */
export class ConsoleClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  constructor(private readonly options: ConsoleClientOptions) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 65_000;
    this.fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
  }

  /** Calls `endpoint` with `input` (`params` fill the path, `query` the query string, `body` as JSON). */
  async call<E extends ApiEndpoint>(endpoint: E, input: EndpointInput<E>): Promise<EndpointOutput<E>> {
    const { params, query, body } = input as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) search.set(k, String(v));
    const qs = search.toString();
    const path = fillPath(endpoint.path, params) + (qs ? `?${qs}` : '');
    return (await this.raw(endpoint.service, endpoint.method, path, body)) as EndpointOutput<E>;
  }

  /** `GET /api/{service}{path}` returning status and body whatever the status (readiness answers 503 with a body). */
  async probe(service: string, path: string): Promise<{ status: number; body: unknown }> {
    const res = await this.send(service, 'GET', path, undefined);
    return { status: res.status, body: await readBody(res) };
  }

  /**
   * Downloads a file through the console (`GET {path}`, path starting with `/api/{service}/`) with
   * the user's credential: the bytes, the file name of `content-disposition` and ingestion's
   * `x-quarantine-row-count`. @throws ConsoleApiError naming the service when not 2xx.
   */
  async download(path: string): Promise<{ blob: Blob; fileName: string | null; rowCount: number | null }> {
    const service = /^\/api\/([^/]+)\//.exec(path)?.[1] ?? 'console';
    const headers: Record<string, string> = { accept: 'text/csv, application/octet-stream, application/json' };
    if (this.options.credential) headers['authorization'] = `Bearer ${this.options.credential}`;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, { method: 'GET', headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new ConsoleApiError(service, 0, `the console is unreachable: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const parsed = await readBody(res);
      const e = (parsed && typeof parsed === 'object' ? parsed : {}) as { error?: unknown; code?: unknown };
      throw new ConsoleApiError(service, res.status, typeof e.error === 'string' ? e.error : `HTTP ${res.status}`, typeof e.code === 'string' ? e.code : undefined);
    }
    const disposition = res.headers.get('content-disposition') ?? '';
    const count = res.headers.get('x-quarantine-row-count');
    return { blob: await res.blob(), fileName: /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? null, rowCount: count === null ? null : Number(count) };
  }

  private async raw(service: string, method: string, path: string, body: unknown): Promise<unknown> {
    const res = await this.send(service, method, path, body);
    const parsed = await readBody(res);
    if (res.ok) return parsed;
    const e = (parsed && typeof parsed === 'object' ? parsed : {}) as { error?: unknown; code?: unknown; details?: { service?: unknown } };
    const named = typeof e.details?.service === 'string' ? e.details.service : service;
    const message = typeof e.error === 'string' ? e.error : typeof parsed === 'string' && parsed ? parsed : `HTTP ${res.status}`;
    throw new ConsoleApiError(named, res.status, message, typeof e.code === 'string' ? e.code : undefined);
  }

  private async send(service: string, method: string, path: string, body: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.credential) headers['authorization'] = `Bearer ${this.options.credential}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await this.fetchImpl(`${this.baseUrl}/api/${service}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const timedOut = (err as { name?: string }).name === 'TimeoutError';
      throw new ConsoleApiError(service, 0, timedOut ? `no answer from the console for ${service} within ${this.timeoutMs} ms` : `the console is unreachable: ${(err as Error).message}`);
    }
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
