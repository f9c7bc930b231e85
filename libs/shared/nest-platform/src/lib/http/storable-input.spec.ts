import { InvalidArgumentError } from '@strata/shared/util-errors';
import { parse as parseQuery } from 'fast-querystring';
import { z } from 'zod';
import { PG_INT4_MAX, assertNoNulCharacter, findNulCharacter, int32 } from './storable-input';
import { ZodApiBody } from './zod-body';

describe('findNulCharacter', () => {
  it.each([
    ['a value deep in a body', { tags: [{ key: 'a', value: 'b' }, { key: 'c', value: 'd' }, { key: 'e', value: 'x\u0000y' }] }, 'body.tags[2].value'],
    ['a key', { params: { 'a\u0000': 1 } }, 'body.params["a\\u0000"]'],
    ['a key that is not an identifier', { 'a-b': { c: '\u0000' } }, 'body["a-b"].c'],
    ['a top-level string', '\u0000', 'body'],
    ['an array of strings', ['ok', 'ok', '\u0000'], 'body[2]'],
  ])('names %s', (_what, value, path) => {
    expect(findNulCharacter(value, 'body')).toBe(path);
  });

  it('finds nothing in clean values, numbers, booleans, null, Buffers', () => {
    expect(findNulCharacter({ a: 'x', b: [1, true, null, { c: 'y' }] }, 'body')).toBeUndefined();
    expect(findNulCharacter(Buffer.from([0, 0, 0]), 'body')).toBeUndefined();
    expect(findNulCharacter(undefined, 'body')).toBeUndefined();
  });

  it('inspects the query object Fastify builds (prototype without Object.prototype)', () => {
    const query = parseQuery('featureView=a%00e&x=1');
    expect(Object.getPrototypeOf(query)).not.toBe(Object.prototype);
    expect(findNulCharacter(query, 'query')).toBe('query.featureView');
  });
});

describe('assertNoNulCharacter', () => {
  it('throws 400 naming params, then query, then body', () => {
    const error = (r: { params?: unknown; query?: unknown; body?: unknown }): InvalidArgumentError | undefined => {
      try {
        assertNoNulCharacter(r);
        return undefined;
      } catch (e) {
        return e as InvalidArgumentError;
      }
    };
    expect(error({ params: { name: 'a\u0000' } })?.message).toBe('params.name: NUL character (\\u0000) cannot be stored');
    expect(error({ query: { q: '\u0000' } })?.message).toBe('query.q: NUL character (\\u0000) cannot be stored');
    const e = error({ body: { tags: [0, 1, { value: '\u0000' }] } });
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e?.message).toBe('body.tags[2].value: NUL character (\\u0000) cannot be stored');
    expect(error({ params: { a: 'b' }, query: {}, body: { c: 'd' } })).toBeUndefined();
  });
});

describe('int32', () => {
  it('accepts [-2^31, 2^31-1] and refuses 2^31 (int4 column), coerced or not', () => {
    const v = int32().min(1);
    expect(v.safeParse(PG_INT4_MAX).success).toBe(true);
    expect(v.safeParse(2 ** 31).success).toBe(false);
    expect(v.safeParse(0).success).toBe(false);
    expect(int32({ coerce: true }).safeParse('2147483648').success).toBe(false);
    expect(int32({ coerce: true }).parse('7')).toBe(7);
    expect(int32().safeParse(-(2 ** 31)).success).toBe(true);
    expect(int32().safeParse(-(2 ** 31) - 1).success).toBe(false);
  });

  it('documents the bound in the JSON schema (OpenAPI) and keeps a tighter max', () => {
    expect(z.toJSONSchema(int32().min(1))).toMatchObject({ type: 'integer', minimum: 1, maximum: PG_INT4_MAX });
    expect(z.toJSONSchema(int32().max(10))).toMatchObject({ maximum: 10 });
  });
});

describe('ZodApiBody', () => {
  it('marks the body required unless optional', () => {
    class C {
      required(): string {
        return 'r';
      }
      optional(): string {
        return 'o';
      }
    }
    const d1 = Object.getOwnPropertyDescriptor(C.prototype, 'required') as PropertyDescriptor;
    const d2 = Object.getOwnPropertyDescriptor(C.prototype, 'optional') as PropertyDescriptor;
    ZodApiBody(z.object({ a: z.string() }))(C.prototype, 'required', d1);
    ZodApiBody(z.object({ a: z.string().optional() }), undefined, { optional: true })(C.prototype, 'optional', d2);
    expect(Reflect.getMetadata('strata:body-required', C.prototype.required)).toBe(true);
    expect(Reflect.getMetadata('strata:body-required', C.prototype.optional)).toBe(false);
  });
});
