import { mulberry32 } from '@strata/shared/testing';
import { isInferenceRequest, parseInferenceRequest } from './oip-request-check';
import { InferRequestSchema } from '@strata/contracts/api';

describe('parseInferenceRequest: the hand-written OIP request check accepts exactly what the zod schema accepts', () => {
  const valid = (): Record<string, unknown> => ({
    id: 'r1',
    parameters: { prediction_id: 'p1', flag: true, n: 3 },
    inputs: [{ name: 'input', datatype: 'FP32', shape: [2, 3], data: [1, 2.5, -3, 4, 5, 6], parameters: { a: 'b' } }],
    outputs: [{ name: 'probability', parameters: { x: 1 } }],
  });

  it('returns a valid body as is and refuses an invalid one with the zod schema’s 400 naming the field', () => {
    const body = valid();
    expect(parseInferenceRequest(body)).toBe(body);
    const bad = valid();
    (bad['inputs'] as Array<Record<string, unknown>>)[0]!['shape'] = [1, -1];
    expect(() => parseInferenceRequest(bad)).toThrow(/Invalid inference request: inputs\.0\.shape\.1/);
    try {
      parseInferenceRequest(bad);
    } catch (e) {
      expect((e as { code?: string }).code).toBe('INVALID_ARGUMENT');
    }
  });

  it('agrees with InferRequestSchema.safeParse on 3000 random mutations of a valid body', () => {
    const rnd = mulberry32(15);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const junk = [null, undefined, '', 'x', 0, -1, 1.5, 2 ** 53, true, [], {}, [1], ['a'], [[1, 2]], [null], { a: 1 }, NaN, Infinity];
    const mutations: Array<(b: Record<string, unknown>) => void> = [
      (b) => (b['id'] = pick(junk)),
      (b) => (b['parameters'] = pick([...junk, { a: null }, { a: [1] }, { a: { b: 1 } }, { a: 'x', b: 2, c: false }])),
      (b) => (b['inputs'] = pick([...junk, [{}], [valid()['inputs'] as unknown[]][0]])),
      (b) => (input0(b)['name'] = pick(junk)),
      (b) => (input0(b)['datatype'] = pick(junk)),
      (b) => (input0(b)['shape'] = pick([...junk, [1, 3], [0], [1.5], [-1], ['1'], [2 ** 53]])),
      (b) => (input0(b)['data'] = pick([...junk, [1, 'a', true], [[1, [2, [3]]]], [1, null], [1, {}], [[1], 2]])),
      (b) => (input0(b)['parameters'] = pick(junk)),
      (b) => (b['outputs'] = pick([...junk, [{ name: 'p' }], [{ name: '' }], [{ name: 'p', parameters: { a: [] } }], [null]])),
      (b) => delete input0(b)[pick(['name', 'datatype', 'shape', 'data', 'parameters'])],
      (b) => delete b[pick(['id', 'parameters', 'inputs', 'outputs'])],
    ];
    // The first input when it is an object (mutations compose), else a throwaway object.
    function input0(b: Record<string, unknown>): Record<string, unknown> {
      const first: unknown = Array.isArray(b['inputs']) ? (b['inputs'] as unknown[])[0] : undefined;
      return typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
    }
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const b = valid();
      const n = 1 + Math.floor(rnd() * 2);
      for (let k = 0; k < n; k++) pick(mutations)(b);
      const body: unknown = rnd() < 0.03 ? pick(junk) : b;
      const zod = InferRequestSchema.safeParse(body).success;
      expect({ i, body, fast: isInferenceRequest(body) }).toEqual({ i, body, fast: zod });
      if (zod) accepted++;
    }
    expect(accepted).toBeGreaterThan(300);
  });
});
