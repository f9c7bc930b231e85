import { isValidTraceparent } from '@strata/contracts';
import { createTraceparent, resolveTraceparent } from './trace-context';

describe('trace context', () => {
  it('creates valid, distinct traceparents', () => {
    const a = createTraceparent();
    expect(isValidTraceparent(a)).toBe(true);
    expect(createTraceparent()).not.toBe(a);
  });

  it('keeps a valid given traceparent and replaces an invalid one', () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(resolveTraceparent(tp)).toBe(tp);
    expect(isValidTraceparent(resolveTraceparent('garbage'))).toBe(true);
    expect(isValidTraceparent(resolveTraceparent(undefined))).toBe(true);
  });
});
