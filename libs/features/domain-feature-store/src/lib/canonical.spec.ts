import { canonicalJson, contentHash, entityKey } from './canonical';

describe('canonicalJson', () => {
  it('sorts keys recursively and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('gives the same hash whatever the key order', () => {
    expect(contentHash({ a: 1, b: [1, 2] })).toBe(contentHash({ b: [1, 2], a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
    expect(contentHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('builds entity keys from join-key values', () => {
    expect(entityKey({ pickup_location_id: 132 })).toBe('{"pickup_location_id":132}');
    expect(entityKey({ b: 'x', a: 1 })).toBe('{"a":1,"b":"x"}');
  });
});
