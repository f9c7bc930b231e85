import { mulberry32 } from '@strata/shared/testing';
import {
  buildReferenceProfile,
  DEFAULT_ALPHA,
  detectDrift,
  featureDrift,
  jensenShannonDistance,
  numericPsi,
  rangeBinCounts,
  referenceRangeCounts,
} from './index';
import type { NumericFeatureProfile } from './index';

// Issue #19: findings 5 (Jensen–Shannon cannot reach 1 on disjoint numeric windows) and 7
// (distances alarm on small windows of the reference's own distribution).

function normals(n: number, r: () => number, mean = 0, sd = 1): number[] {
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r()));
}

describe('range bins (outer bins bounded by the reference min/max, explicit underflow/overflow)', () => {
  const p = buildReferenceProfile({ x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, { bins: 4 }).features[0] as NumericFeatureProfile;

  it('keeps values outside [min, max] apart and equals binCounts inside', () => {
    // edges 3.25, 5.5, 7.75; min 1, max 10: [<1 | [1,3.25) | [3.25,5.5) | [5.5,7.75) | [7.75,10] | >10]
    expect(rangeBinCounts(p, [0.5, 1, 3, 4, 9, 10, 10.5, 99, null])).toEqual([1, 2, 1, 0, 2, 2]);
    expect(rangeBinCounts(p, [1, 2, 4, 9])).toEqual([0, 2, 1, 0, 1, 0]);
    expect(referenceRangeCounts(p)).toEqual([0, 3, 2, 2, 3, 0]);
    // numericPsi reports the outside shares next to the in-range proportions
    const r = numericPsi(p, [0, 2, 11, 12]);
    expect([r.underflowShare, r.currentProportions, r.overflowShare]).toEqual([0.25, [0.25, 0, 0, 0], 0.5]);
  });

  it('gives Jensen–Shannon distance 1 for disjoint windows (N(100,10) vs N(10000,10): 0.8707 with open outer bins)', () => {
    const r = mulberry32(1);
    const f = buildReferenceProfile({ x: normals(10_000, r, 100, 10) }).features[0] as NumericFeatureProfile;
    const far = normals(1000, r, 10_000, 10);
    const js = featureDrift(f, far, { method: 'jensenshannon' });
    expect(Math.abs(js.score! - 1)).toBeLessThan(1e-9);
    expect(js.drifted).toBe(true);
    const below = featureDrift(f, normals(1000, r, -10_000, 10), { method: 'jensenshannon' });
    expect(Math.abs(below.score! - 1)).toBeLessThan(1e-9);
    // the reference's own values: identical proportions → 0
    const selfValues = buildReferenceProfile({ x: [3, 1, 2, 5, 4, 7, 6, 9, 8, 10] }, { bins: 4 }).features[0] as NumericFeatureProfile;
    expect(featureDrift(selfValues, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], { method: 'jensenshannon' }).score).toBe(0);
    // and directly on the range bins
    const ref = referenceRangeCounts(f).map((c) => c / f.count);
    const cur = rangeBinCounts(f, far).map((c) => c / far.length);
    expect(jensenShannonDistance(ref, cur)).toBe(1);
  });
});

describe('sample-size aware drift verdicts (alpha = 0.01)', () => {
  const N = 20_000;
  const draw = (n: number, r: () => number, shift = 0) => ({
    a: normals(n, r, shift),
    b: normals(n, r).map((v) => Math.exp(v)),
    c: Array.from({ length: n }, () => ['x', 'y', 'z', 'w'][Math.floor(r() * r() * 4)] as string),
    d: Array.from({ length: n }, () => Math.floor(r() * 3)), // 3 distinct values: discrete (χ²)
  });
  const profile = buildReferenceProfile(draw(N, mulberry32(100)));
  const TRIALS = 200;

  it.each([30, 50, 100, 200, 500])('raises no more than the expected false alarms on %i-row windows of the reference distribution', (n) => {
    const r = mulberry32(1000 + n);
    const drifted: Record<string, number> = { psi: 0, jensenshannon: 0, wasserstein: 0 };
    let datasetDrift = 0;
    let psiAbove = 0;
    for (let t = 0; t < TRIALS; t++) {
      const cur = draw(n, r);
      // every distance on the smallest windows, PSI (monitoring's default) on all
      for (const method of n <= 50 ? (['psi', 'jensenshannon', 'wasserstein'] as const) : (['psi'] as const)) {
        const res = detectDrift(profile, cur, { method });
        drifted[method]! += res.driftedCount;
        if (method === 'psi') {
          if (res.datasetDrift) datasetDrift++;
          psiAbove += res.features.filter((f) => f.score! >= f.threshold).length;
        }
      }
    }
    const tests = 4 * TRIALS;
    // per feature at most α = 1% expected; 3% is > 4 binomial standard deviations above it at 800 tests
    for (const method of Object.keys(drifted)) expect({ method, n, rate: drifted[method]! / tests <= 0.03 }).toEqual({ method, n, rate: true });
    expect(datasetDrift).toBeLessThanOrEqual(2);
    // (PSI alone, the old verdict, exceeds 0.1 on most small windows: its (k − 1)/n bias)
    if (n <= 50) expect(psiAbove / tests).toBeGreaterThan(0.4);
  });

  it('still detects a real shift at n = 200 (mean +0.5 sd, a rarer category)', () => {
    const r = mulberry32(7);
    let found = 0;
    for (let t = 0; t < TRIALS; t++) {
      const cur = draw(200, r, 0.5);
      const res = detectDrift(profile, cur, { method: 'psi', features: ['a'] });
      if (res.features[0]!.drifted) found++;
      expect(res.features[0]).toMatchObject({ significanceTest: 'ks', alpha: DEFAULT_ALPHA });
    }
    expect(found / TRIALS).toBeGreaterThanOrEqual(0.95);
    const cat = detectDrift(profile, { c: Array.from({ length: 200 }, (_, i) => (i % 2 ? 'x' : 'w')) }, { method: 'psi', features: ['c'] });
    expect(cat.features[0]).toMatchObject({ drifted: true, significanceTest: 'chisquare' });
    expect(cat.features[0]!.pValue!).toBeLessThan(1e-6);
  });

  it('reports the gate: pValue and test per feature; alpha 1 is distance only; bad alpha is rejected', () => {
    const small = draw(30, mulberry32(3));
    const gated = detectDrift(profile, small, { method: 'psi' });
    const off = detectDrift(profile, small, { method: 'psi', alpha: 1 });
    expect(gated.features.map((f) => f.significanceTest)).toEqual(['ks', 'ks', 'chisquare', 'chisquare']);
    expect(off.features.map((f) => f.drifted)).toEqual(off.features.map((f) => f.score! >= 0.1));
    expect(gated.features.map((f) => f.drifted)).toEqual(gated.features.map((f) => f.score! >= 0.1 && f.pValue! < 0.01));
    const ks = detectDrift(profile, small, { method: 'ks', features: ['a'] }).features[0]!;
    expect(ks.pValue).toBe(ks.score);
    expect(() => detectDrift(profile, small, { alpha: 0 })).toThrow(/alpha/);
  });
});
