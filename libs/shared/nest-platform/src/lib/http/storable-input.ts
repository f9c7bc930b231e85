import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import type { Observable } from 'rxjs';
import { z } from 'zod';
import { BODY_REQUIRED } from './zod-body';

/**
 * What PostgreSQL cannot store, rejected in ONE place for every service (issue 19, finding 8):
 * - a NUL character (U+0000) in text: `text`/`varchar` refuse it (`invalid byte sequence for
 *   encoding "UTF8": 0x00`) and so does `jsonb` (`unsupported Unicode escape sequence`);
 * - an integer past the column's range: `integer` (int4) columns hold [-2^31, 2^31-1]
 *   (`value "2147483648" is out of range for type integer`); see {@link int32}.
 * Either used to reach the database and answer 500.
 */

/** Largest value of a PostgreSQL `integer` (int4) column. */
export const PG_INT4_MAX = 2_147_483_647;
/** Smallest value of a PostgreSQL `integer` (int4) column. */
export const PG_INT4_MIN = -2_147_483_648;

/**
 * zod schema of an integer that fits a PostgreSQL `integer` (int4) column, [-2^31, 2^31-1];
 * every request field stored in (or compared with) an int4 column uses it, so the schema, the
 * OpenAPI document (`maximum: 2147483647`) and the column agree. Chain `.min(1)` etc. as usual;
 * a larger `.max(...)` than 2^31-1 is ignored by zod's check (the tightest bound wins).
 * `coerce: true` also accepts numeric strings (`"2"`: path/query parameters, lenient bodies).
 */
export function int32(options: { coerce?: boolean } = {}): z.ZodNumber {
  const base = options.coerce ? (z.coerce.number() as unknown as z.ZodNumber) : z.number();
  return base.int().min(PG_INT4_MIN).max(PG_INT4_MAX);
}

/** The message of a NUL rejection (after the field path). */
export const NUL_MESSAGE = 'NUL character (\\u0000) cannot be stored';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * The path of the first string (object key or value, at any depth) of `value` that contains a
 * NUL character, e.g. `body.tags[2].value`; undefined when there is none. A key that contains
 * NUL is named by its path with the key itself (escaped), e.g. `body.params["a\u0000"]`.
 * Buffers, streams and dates (a raw upload body) are not inspected. Depth is bounded
 * (JSON bodies are parsed already; 10 000 levels are never reached by a legitimate request).
 */
export function findNulCharacter(value: unknown, path: string, depth = 0): string | undefined {
  const trail = nulTrail(value, depth);
  return trail && trail.reduceRight<string>((p, key) => child(p, key), path);
}

/**
 * The keys leading to the first NUL (innermost first), or undefined. Walks without building any
 * path string: the path is formatted once, by {@link findNulCharacter}, only on a hit.
 */
function nulTrail(value: unknown, depth: number): Array<string | number> | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? [] : undefined;
  if (value === null || typeof value !== 'object' || depth > 10_000) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulTrail(value[i], depth + 1);
      if (found) {
        found.push(i);
        return found;
      }
    }
    return undefined;
  }
  // A raw body (Buffer, stream) or other non-JSON value is not inspected. (Plain objects may
  // have an unusual prototype: Fastify's query object inherits from a null-prototype object.)
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || typeof (value as { pipe?: unknown }).pipe === 'function') return undefined;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key.includes('\u0000')) return [key];
    const found = nulTrail(v, depth + 1);
    if (found) {
      found.push(key);
      return found;
    }
  }
  return undefined;
}

/**
 * Rejects a request whose path parameters, query or JSON body carry a NUL character in any
 * string (key or value).
 * @throws InvalidArgumentError (400) `body.tags[2].value: NUL character (\u0000) cannot be stored`
 */
export function assertNoNulCharacter(request: { params?: unknown; query?: unknown; body?: unknown }): void {
  const where = findNulCharacter(request.params, 'params') ?? findNulCharacter(request.query, 'query') ?? findNulCharacter(request.body, 'body');
  if (where) throw new InvalidArgumentError(`${where}: ${NUL_MESSAGE}`, { details: { field: where } });
}

/** The message of a missing-body rejection. */
export const BODY_REQUIRED_MESSAGE = 'body: a JSON request body is required';

/**
 * Global interceptor (installed by `PlatformModule`, so on every route of every service): runs
 * after authentication and before any handler. Refuses with 400 (`InvalidArgumentError`):
 * - a missing or `null` body on a route whose body is required ({@link ZodApiBody});
 * - a NUL character in any path/query/body string ({@link assertNoNulCharacter}).
 */
@Injectable()
export class StorableInputInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<{ params?: unknown; query?: unknown; body?: unknown }>();
      if ((request.body === undefined || request.body === null) && this.reflector.get<boolean | undefined>(BODY_REQUIRED, context.getHandler()) === true) {
        throw new InvalidArgumentError(BODY_REQUIRED_MESSAGE, { details: { field: 'body' } });
      }
      assertNoNulCharacter(request);
    }
    return next.handle();
  }
}
