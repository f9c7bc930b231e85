import { mulberry32 } from './mulberry32';

describe('mulberry32', () => {
  it('gives the reference value for seed 1 and the same sequence for the same seed', () => {
    expect(mulberry32(1)()).toBe(0.6270739405881613);
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
