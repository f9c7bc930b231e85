import { serviceCredential } from './credentials';
import { fetchFailure } from './service-call';
/**
 * Thrown when a Strata service answers with a non-2xx status. `status` is the HTTP status,
 * `body` the parsed error body (`{error, code, details}`) or text, `url` what was called.
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

/** Thrown when a service cannot be reached at all (connection refused, or no answer within the request's timeout: `no answer within <ms> ms`). */
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

export interface RequestOptions {
  body?: unknown;
  /** Raw body (streamed upload) with its content type. */
  raw?: { body: NonNullable<RequestInit['body']>; contentType: string; duplex?: 'half' };
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/**
 * JSON-over-HTTP for one service base URL, with errors that name the call. Sends
 * `Authorization: Bearer <credential>`: the `credential` given, else this process's
 * `STRATA_API_KEY`/`STRATA_API_KEY_FILE` (see {@link serviceCredential}); none when unset.
 */
export class HttpJsonClient {
  constructor(
    readonly baseUrl: string,
    private readonly defaultTimeoutMs = 60_000,
    private readonly credential: string | undefined = serviceCredential(),
  ) {}

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<{ status: number; body: T }> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json', ...(this.credential ? { authorization: `Bearer ${this.credential}` } : {}), ...(options.headers ?? {}) };
    let body: RequestInit['body'];
    if (options.raw) {
      headers['content-type'] = options.raw.contentType;
      body = options.raw.body;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let res: Response;
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    try {
      res = await fetch(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
        ...(options.raw?.duplex ? { duplex: options.raw.duplex } : {}),
      } as RequestInit);
    } catch (e) {
      throw new StrataUnreachableError(method, url.toString(), e, timeoutMs);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw new StrataUnreachableError(method, url.toString(), e, timeoutMs);
    }
    let parsed: unknown = text;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!res.ok) throw new StrataHttpError(method, url.toString(), res.status, parsed);
    return { status: res.status, body: parsed as T };
  }

  async get<T>(path: string, options?: RequestOptions): Promise<T> {
    return (await this.request<T>('GET', path, options)).body;
  }
  async post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return (await this.request<T>('POST', path, { ...options, body })).body;
  }
  async put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return (await this.request<T>('PUT', path, { ...options, body })).body;
  }
}
