import { fillPath, type ApiEndpoint, type EndpointInput, type EndpointOutput, type StrataService } from '@strata/contracts/api';
import { UnavailableError } from '@strata/shared/util-errors';
import { Readable } from 'node:stream';
import { Agent, request as undiciRequest } from 'undici';
import { serviceCredential } from '../credentials';
import { peerError, StrataHttpError, StrataUnreachableError, unreachableError } from './errors';

/**
 * fetch's own limits (undici's `headersTimeout` and `bodyTimeout`, 300 s each) would cut a call
 * whose deadline is longer, e.g. a 1 GB upload whose answer comes when ingestion finished. Such
 * calls go through this agent: no undici limit, the call's `AbortSignal.timeout` is the deadline.
 */
const UNDICI_DEFAULT_TIMEOUT_MS = 300_000;
let longCallAgent: Agent | undefined;

/** The parts of an answer {@link ServiceClient.request} reads (a fetch `Response`, or undici's `request` answer). */
interface RawAnswer {
  status: number;
  ok: boolean;
  contentType: string;
  text(): Promise<string>;
}

/**
 * Sends a Node `Readable` body through undici's `request` (not `fetch`): fetch keeps every chunk
 * of a streamed request body in memory until the call ends (nodejs/undici#4058: a 1 GB upload
 * took ~1.2 GB RSS in the CLI), while `request` writes it with the socket's backpressure.
 */
async function sendStream(url: URL, method: string, headers: Record<string, string>, body: Readable, signal: AbortSignal, dispatcher: Agent | undefined): Promise<RawAnswer> {
  const res = await undiciRequest(url, { method: method as 'POST', headers, body, signal, ...(dispatcher ? { dispatcher } : {}) });
  const type = res.headers['content-type'];
  return { status: res.statusCode, ok: res.statusCode >= 200 && res.statusCode < 300, contentType: Array.isArray(type) ? type.join(', ') : (type ?? ''), text: () => res.body.text() };
}

/** How failures surface: `domain` (inside services/workers: `AppError`s, see {@link peerError}) or `http` (CLI, tests: {@link StrataHttpError} / {@link StrataUnreachableError}). */
export type ErrorMode = 'domain' | 'http';

export interface ServiceClientOptions {
  /** Base URL of the service, e.g. `http://127.0.0.1:3004` (a trailing `/` is ignored). */
  baseUrl: string;
  /** Which service (names it in errors; default `service`). */
  service?: StrataService | string;
  /** Deadline of each call, ms (default 30 000); a call may set its own. */
  timeoutMs?: number;
  /** Sent as `Authorization: Bearer`; when absent, this process's `STRATA_API_KEY` / `STRATA_API_KEY_FILE` at each call (none when unset; an explicit `undefined` sends none). */
  credential?: string | undefined;
  errors?: ErrorMode;
}

export interface CallOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Raw body (streamed upload) with its content type. */
  raw?: { body: NonNullable<RequestInit['body']> | Readable; contentType: string; duplex?: 'half' };
  headers?: Record<string, string>;
  /** Deadline of this call, ms (default: the client's). */
  timeoutMs?: number;
  /** What is being fetched, prefixing domain errors (e.g. `Model version 'm@3'`); without it errors name the service (`registry is unavailable (…)`). */
  what?: string;
  /** Non-2xx statuses answered as `{status, body}` instead of an error (e.g. `[404]`, `[409]`). */
  accept?: readonly number[];
  /** Parse the 2xx body with the endpoint's response schema (unexpected body → `UnavailableError`). */
  validate?: boolean;
}

export interface Answer<T> {
  status: number;
  body: T;
}

type AnyEndpoint = ApiEndpoint;

/**
 * THE client for every call to a Strata service: JSON over HTTP with a deadline on every call,
 * this process's credential, and one error mapping (see {@link peerError} / {@link ErrorMode}).
 * Endpoints come from `@strata/contracts/api`; {@link serviceApi} derives one typed method per endpoint.
 */
export class ServiceClient {
  readonly baseUrl: string;
  readonly service: string;
  private readonly timeoutMs: number;
  private readonly credential: () => string | undefined;
  private readonly errors: ErrorMode;

  constructor(options: ServiceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.service = options.service ?? 'service';
    this.timeoutMs = options.timeoutMs ?? 30_000;
    // Without an explicit credential, this process's own, looked up per call (cached; follows a changed STRATA_API_KEY).
    const given = options.credential;
    this.credential = 'credential' in options ? () => given : () => serviceCredential();
    this.errors = options.errors ?? 'domain';
  }

  /**
   * Sends one request; returns status + parsed body (JSON, else text, `undefined` when empty)
   * for 2xx and the `accept`ed statuses. @throws per the client's {@link ErrorMode}.
   */
  async request<T = unknown>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const href = url.toString();
    const call = { service: this.service, what: options.what, method, url: href };
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const credential = this.credential();
    const headers: Record<string, string> = { accept: 'application/json', ...(credential ? { authorization: `Bearer ${credential}` } : {}) };
    let body: RequestInit['body'] | Readable;
    if (options.raw) {
      headers['content-type'] = options.raw.contentType;
      body = options.raw.body;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    Object.assign(headers, options.headers);
    const unreachable = (err: unknown, reading: boolean): Error =>
      this.errors === 'http'
        ? new StrataUnreachableError(method, href, err, timeoutMs)
        : unreachableError(call, err, timeoutMs, reading);
    let res: RawAnswer;
    try {
      const dispatcher = timeoutMs > UNDICI_DEFAULT_TIMEOUT_MS ? (longCallAgent ??= new Agent({ headersTimeout: 0, bodyTimeout: 0 })) : undefined;
      const signal = AbortSignal.timeout(timeoutMs);
      if (body instanceof Readable) res = await sendStream(url, method, headers, body, signal, dispatcher);
      else {
        const answer = await fetch(url, {
          method,
          headers,
          body,
          signal,
          ...(options.raw?.duplex ? { duplex: options.raw.duplex } : {}),
          ...(dispatcher ? { dispatcher } : {}),
        } as RequestInit);
        res = { status: answer.status, ok: answer.ok, contentType: answer.headers.get('content-type') ?? '', text: () => answer.text() };
      }
    } catch (err) {
      throw unreachable(err, false);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw unreachable(err, true);
    }
    const json = res.contentType.includes('json');
    // Domain mode reads any JSON text (an empty answer is `undefined`); http mode, as the CLI always did, only a JSON content type.
    let parsed: unknown = text === '' && this.errors === 'domain' ? undefined : text;
    if (text !== '' && (json || this.errors === 'domain')) {
      try {
        parsed = JSON.parse(text) as unknown;
      } catch (err) {
        if (json && res.ok && this.errors === 'domain') throw new UnavailableError(`${options.what ?? this.service}: ${href} returned invalid JSON`, { cause: err });
      }
    }
    if (res.ok || options.accept?.includes(res.status)) return { status: res.status, body: parsed as T };
    if (this.errors === 'http') throw new StrataHttpError(method, href, res.status, json ? parsed : text);
    throw peerError(call, res.status, parsed, text);
  }

  get<T = unknown>(path: string, options?: CallOptions): Promise<T> {
    return this.request<T>('GET', path, options).then((a) => a.body);
  }
  post<T = unknown>(path: string, body?: unknown, options?: CallOptions): Promise<T> {
    return this.request<T>('POST', path, { ...options, body }).then((a) => a.body);
  }
  put<T = unknown>(path: string, body?: unknown, options?: CallOptions): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body }).then((a) => a.body);
  }
  patch<T = unknown>(path: string, body?: unknown, options?: CallOptions): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body }).then((a) => a.body);
  }

  /**
   * Calls a contract endpoint: fills its path from `input.params`, sends `input.query` /
   * `input.body`, returns status + body (typed by the endpoint's response schema; parsed with it
   * when `validate`). Statuses in `options.accept` come back with their (error) body.
   */
  async exchange<E extends AnyEndpoint>(endpoint: E, input: EndpointInput<E>, options: Omit<CallOptions, 'body' | 'query'> = {}): Promise<Answer<EndpointOutput<E>>> {
    const { params, query, body } = input as { params?: Record<string, unknown>; query?: Record<string, string | number | boolean | undefined>; body?: unknown };
    const answer = await this.request<unknown>(endpoint.method, fillPath(endpoint.path, params), { ...options, query, body });
    if (!options.validate || answer.status < 200 || answer.status >= 300) return answer as Answer<EndpointOutput<E>>;
    const result = endpoint.response.safeParse(answer.body);
    if (!result.success) {
      const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new UnavailableError(`${options.what ?? this.service}: unexpected response from ${this.service} to ${endpoint.method} ${endpoint.path}: ${issues}`);
    }
    return { status: answer.status, body: result.data as EndpointOutput<E> };
  }

  /** {@link exchange} returning the body only. */
  async call<E extends AnyEndpoint>(endpoint: E, input: EndpointInput<E>, options?: Omit<CallOptions, 'body' | 'query' | 'accept'>): Promise<EndpointOutput<E>> {
    return (await this.exchange(endpoint, input, options)).body;
  }
}

/** One typed method per endpoint of a contract table (e.g. `RegistryApi`). */
export type ServiceApi<T extends Record<string, AnyEndpoint>> = {
  [K in keyof T]: (input: EndpointInput<T[K]>, options?: Omit<CallOptions, 'body' | 'query' | 'accept'>) => Promise<EndpointOutput<T[K]>>;
};

/**
 * Derives the typed client of one service from its contract table:
 * `serviceApi(client, RegistryApi).getModelVersion({ params: { name, version } })`.
 */
export function serviceApi<T extends Record<string, AnyEndpoint>>(client: ServiceClient, endpoints: T): ServiceApi<T> {
  const api = {} as Record<string, unknown>;
  for (const [key, endpoint] of Object.entries(endpoints)) api[key] = (input: EndpointInput<AnyEndpoint>, options?: CallOptions) => client.call(endpoint, input, options);
  return api as ServiceApi<T>;
}
