import { z } from 'zod';

/** The six Strata services, by the name their base URL is configured under (`<NAME>_URL`). */
export type StrataService = 'ingestion' | 'features' | 'training' | 'registry' | 'serving' | 'monitoring';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One HTTP endpoint of a Strata service: method, path template (`{name}` segments are filled
 * from `params`, URI-encoded), the zod schemas of its query, JSON request body and JSON 2xx
 * response. Controllers validate with `body` / document `response`; the typed client
 * (`@strata/shared/data-access-strata-client`) derives one method per endpoint from it.
 */
export interface ApiEndpoint<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  R extends z.ZodType = z.ZodType,
> {
  readonly service: StrataService;
  readonly method: HttpMethod;
  /** Path template, e.g. `/registered-models/{name}/versions/{version}`. */
  readonly path: string;
  readonly summary: string;
  /** Path parameters (object schema whose keys are the `{…}` names of `path`). */
  readonly params: P;
  readonly query?: Q;
  readonly body?: B;
  /** The 2xx JSON answer. */
  readonly response: R;
}

/** No path parameters. */
export const NoParams = z.object({});

/** Declares an endpoint (identity function that keeps the literal types of its schemas). */
export function defineEndpoint<const E extends ApiEndpoint>(endpoint: E): E {
  return endpoint;
}

type AnyEndpoint = ApiEndpoint;

type ParamsInput<E> = E extends { params: z.ZodObject<infer Shape> } ? (keyof Shape extends never ? { params?: Record<string, never> } : { params: z.input<E['params']> }) : { params?: undefined };
type QueryInput<E> = E extends { query: infer Q extends z.ZodType } ? { query?: z.input<Q> } : { query?: undefined };
type BodyInput<E> = E extends { body: infer B extends z.ZodType } ? { body: z.input<B> } : { body?: undefined };

/** What a caller passes for endpoint `E`: `params` (unless it has none), `query` (optional), `body` when declared. */
export type EndpointInput<E extends AnyEndpoint> = ParamsInput<E> & QueryInput<E> & BodyInput<E>;

/** The parsed 2xx answer of endpoint `E`. */
export type EndpointOutput<E extends AnyEndpoint> = z.output<E['response']>;

/** Fills a path template: `/a/{name}` + `{name: 'x y'}` → `/a/x%20y`. @throws Error when a parameter is missing. */
export function fillPath(template: string, params: Record<string, unknown> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const v = params[key];
    if (v === undefined || v === null || v === '') throw new Error(`path parameter '${key}' of ${template} is missing`);
    return encodeURIComponent(String(v));
  });
}
