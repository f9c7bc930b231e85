import { rateLimitKind } from './auth.guard';

describe('rateLimitKind: which per-principal budget a request counts against', () => {
  it('inference and reads sent as POST (get-online-features) use the high-volume budget, never the write budget', () => {
    expect(rateLimitKind('execute', 'POST')).toBe('infer');
    // serving calls POST /get-online-features for every /predict: 600 writes/min would refuse it (seen in the replica test)
    expect(rateLimitKind('read', 'POST')).toBe('infer');
  });
  it('mutations are writes; GET reads are not limited', () => {
    expect(rateLimitKind('write', 'POST')).toBe('write');
    expect(rateLimitKind('write', 'PUT')).toBe('write');
    expect(rateLimitKind('admin', 'DELETE')).toBe('write');
    expect(rateLimitKind('read', 'GET')).toBeUndefined();
  });
});
