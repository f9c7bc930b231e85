import { hasNul, withoutNul } from './postgres-text';

describe('withoutNul', () => {
  it('replaces U+0000 by U+FFFD in strings and keys at any depth, and leaves other values alone', () => {
    const input = { min: 's3://a\u0000b', topValues: [{ value: '\u0000x\u0000', count: 2 }], ['k\u0000']: null, n: 1.5, ok: true };
    expect(withoutNul(input)).toEqual({ min: 's3://a\uFFFDb', topValues: [{ value: '\uFFFDx\uFFFD', count: 2 }], ['k\uFFFD']: null, n: 1.5, ok: true });
    expect(input.min).toBe('s3://a\u0000b'); // a copy: the input is not changed
  });

  it('hasNul finds U+0000 only', () => {
    expect(hasNul('a\u0000')).toBe(true);
    expect(hasNul('a\uFFFD0')).toBe(false);
  });
});
