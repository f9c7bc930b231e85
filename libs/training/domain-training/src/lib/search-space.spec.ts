import { generateTrials, seededRandom } from './search-space';

describe('generateTrials', () => {
  it('grid: Cartesian product, last key fastest', () => {
    expect(generateTrials({ l2: { values: [0.1, 0.01] }, classWeight: { values: ['balanced', 'none'] } }, 'grid')).toEqual([
      { l2: 0.1, classWeight: 'balanced' },
      { l2: 0.1, classWeight: 'none' },
      { l2: 0.01, classWeight: 'balanced' },
      { l2: 0.01, classWeight: 'none' },
    ]);
  });

  it('grid: rejects ranges and oversize grids', () => {
    expect(() => generateTrials({ l2: { min: 0, max: 1, scale: 'linear', type: 'float' } }, 'grid')).toThrow('search.space.l2: grid search needs { values: [...] }, not a range');
    expect(() => generateTrials({ a: { values: [1, 2, 3] }, b: { values: [1, 2] } }, 'grid', 5)).toThrow('the grid has 6 combinations, more than search.maxTrials 5');
  });

  it('random: seeded, in range, log and int scales', () => {
    const space = { l2: { min: 1e-4, max: 1, scale: 'log' as const, type: 'float' as const }, maxIterations: { min: 10, max: 20, scale: 'linear' as const, type: 'int' as const }, cw: { values: ['balanced'] } };
    const a = generateTrials(space, 'random', 50, 7);
    expect(a).toHaveLength(50);
    expect(generateTrials(space, 'random', 50, 7)).toEqual(a);
    expect(generateTrials(space, 'random', 50, 8)).not.toEqual(a);
    for (const t of a) {
      expect(t['l2']).toBeGreaterThanOrEqual(1e-4);
      expect(t['l2']).toBeLessThanOrEqual(1);
      expect(Number.isInteger(t['maxIterations'])).toBe(true);
      expect(t['maxIterations']).toBeGreaterThanOrEqual(10);
      expect(t['maxIterations']).toBeLessThanOrEqual(20);
      expect(t['cw']).toBe('balanced');
    }
    // log-uniform: about half the draws below the geometric midpoint 1e-2
    expect(a.filter((t) => (t['l2'] as number) < 1e-2).length).toBeGreaterThan(15);
    expect(a.filter((t) => (t['l2'] as number) < 1e-2).length).toBeLessThan(35);
  });

  it('seededRandom is mulberry32 (reference value 0.6270739405881613 for seed 1)', () => {
    const r = seededRandom(1);
    expect([r(), r()].map((x) => x.toFixed(8))).toEqual(['0.62707394', '0.00273572']);
  });
});
