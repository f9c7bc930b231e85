import { InvalidArgumentError } from '@strata/shared/util-errors';
import {
  chiSquaredHomogeneity,
  chiSquaredSurvival,
  chiSquaredTest,
  jensenShannonDistance,
  kolmogorovSurvival,
  ksPValue,
  ksStatisticSorted,
  ksTwoSample,
  psi,
  quantileSorted,
  regularizedGammaQ,
  wassersteinSorted,
} from './index';

describe('psi', () => {
  it('matches the hand computation', () => {
    // (0.5-0.25)·ln(0.5/0.25) + (0.25-0.25)·ln 1 + (0.25-0.5)·ln(0.25/0.5) = 0.25·ln2 + 0.25·ln2
    expect(psi([0.25, 0.25, 0.5], [0.5, 0.25, 0.25])).toBeCloseTo(0.5 * Math.log(2), 15);
    expect(psi([0.2, 0.8], [0.2, 0.8])).toBe(0);
  });

  it('replaces empty bins by epsilon without renormalizing', () => {
    // ref bin 3 is empty -> 1e-4
    const expected = 0 + (0.25 - 0.5) * Math.log(0.25 / 0.5) + (0.25 - 1e-4) * Math.log(0.25 / 1e-4);
    expect(psi([0.5, 0.5, 0], [0.5, 0.25, 0.25])).toBeCloseTo(expected, 12);
    // a bin empty on both sides contributes 0
    expect(psi([0.5, 0.5, 0], [0.5, 0.5, 0])).toBe(0);
    // custom epsilon
    expect(psi([1, 0], [0, 1], 0.01)).toBeCloseTo(2 * (1 - 0.01) * Math.log(100), 12);
  });

  it('rejects malformed input', () => {
    expect(() => psi([0.5, 0.5], [1])).toThrow(InvalidArgumentError);
    expect(() => psi([], [])).toThrow(/non-empty/);
    expect(() => psi([0.5, 0.6], [0.5, 0.5])).toThrow(/sum to/);
    expect(() => psi([1, NaN], [0.5, 0.5])).toThrow(/finite/);
    expect(() => psi([1], [1], 0)).toThrow(/epsilon/);
  });
});

describe('quantileSorted (type 7)', () => {
  it('interpolates linearly between order statistics', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantileSorted(x, 0)).toBe(1);
    expect(quantileSorted(x, 1)).toBe(10);
    expect(quantileSorted(x, 0.25)).toBe(3.25); // h = 9·0.25 = 2.25 -> 3 + 0.25·(4-3)
    expect(quantileSorted(x, 0.5)).toBe(5.5);
    expect(quantileSorted([7], 0.3)).toBe(7);
    expect(() => quantileSorted([], 0.5)).toThrow(/empty/);
  });
});

describe('Kolmogorov–Smirnov', () => {
  it('reproduces the textbook critical values of the Kolmogorov distribution', () => {
    // P(K > 1.2238) = 0.10, P(K > 1.3581) = 0.05, P(K > 1.6276) = 0.01 (Smirnov 1948 tables)
    expect(kolmogorovSurvival(1.22385)).toBeCloseTo(0.1, 4);
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.05, 4);
    expect(kolmogorovSurvival(1.62762)).toBeCloseTo(0.01, 4);
    expect(kolmogorovSurvival(0.1)).toBe(1);
    expect(kolmogorovSurvival(0)).toBe(1);
    expect(kolmogorovSurvival(10)).toBeLessThan(1e-80);
  });

  it('computes D and the Stephens-corrected asymptotic p-value on a worked example', () => {
    // a = 1..5, b = 3.5..7.5: at x = 3, F_a = 3/5, F_b = 0 -> D = 0.6 (also at x = 5: 1 - 2/5)
    const a = [1, 2, 3, 4, 5];
    const b = [3.5, 4.5, 5.5, 6.5, 7.5];
    const r = ksTwoSample(b, a);
    expect(r.statistic).toBeCloseTo(0.6, 15);
    const en = Math.sqrt((5 * 5) / 10);
    const lambda = (en + 0.12 + 0.11 / en) * 0.6; // 1.06241...
    let q = 0;
    for (let j = 1; j <= 50; j++) q += 2 * (-1) ** (j - 1) * Math.exp(-2 * j * j * lambda * lambda);
    expect(r.pValue).toBeCloseTo(q, 7);
    expect(r.pValue).toBeCloseTo(0.2091, 3);
  });

  it('steps ties together and handles identical and disjoint samples', () => {
    expect(ksStatisticSorted([1, 2, 2, 3], [1, 2, 2, 3])).toBe(0);
    expect(ksStatisticSorted([1, 1, 1], [2, 2])).toBe(1);
    // ties across samples: at x = 2 both reach their value after the tie
    expect(ksStatisticSorted([1, 2], [2, 2])).toBe(0.5);
    expect(ksStatisticSorted([], [1])).toBe(0);
    expect(ksPValue(0.5, 0, 10)).toBe(1);
    expect(() => ksTwoSample([], [1])).toThrow(/empty/);
  });
});

describe('chi-squared', () => {
  it('has the right survival function', () => {
    // df = 2: P(X ≥ x) = e^(-x/2) exactly
    for (const x of [0.1, 1, 5, 20, 60]) expect(chiSquaredSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 14);
    // textbook 5% critical values
    expect(chiSquaredSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 10);
    expect(chiSquaredSurvival(18.307038053275146, 10)).toBeCloseTo(0.05, 10);
    expect(chiSquaredSurvival(0, 3)).toBe(1);
    // Q(1, x) = e^-x
    expect(regularizedGammaQ(1, 3)).toBeCloseTo(Math.exp(-3), 14);
  });

  it('tests goodness of fit against reference proportions', () => {
    // n = 60, E = 20 each: χ² = (10² + 0 + 10²)/20 = 10, df = 2, p = e^-5
    const r = chiSquaredTest([10, 20, 30], [1 / 3, 1 / 3, 1 / 3]);
    expect(r.statistic).toBeCloseTo(10, 12);
    expect(r.df).toBe(2);
    expect(r.pValue).toBeCloseTo(Math.exp(-5), 12);
  });

  it('uses epsilon (renormalized) for a category unseen in the reference, and drops buckets empty on both sides', () => {
    const rs = [0.5, 0.5, 1e-4].map((v) => v / 1.0001);
    const e = rs.map((v) => 20 * v);
    const expected = (5 - e[0]!) ** 2 / e[0]! + (5 - e[1]!) ** 2 / e[1]! + (10 - e[2]!) ** 2 / e[2]!;
    const r = chiSquaredTest([5, 5, 10], [0.5, 0.5, 0]);
    expect(r.statistic).toBeCloseTo(expected, 6);
    expect(r.df).toBe(2);
    expect(r.pValue).toBeLessThan(1e-10);
    expect(chiSquaredTest([10, 10, 0], [0.5, 0.5, 0])).toEqual({ statistic: 0, df: 1, pValue: 1 });
    expect(chiSquaredTest([0, 0], [0.5, 0.5])).toEqual({ statistic: 0, df: 1, pValue: 1 });
    expect(chiSquaredTest([7, 0], [1, 0])).toEqual({ statistic: 0, df: 0, pValue: 1 });
  });
});

describe('chiSquaredHomogeneity', () => {
  it('matches the 2 × k contingency hand computation', () => {
    // ref [10, 20], cur [20, 10]: R = C = 30, column totals 30, 30 -> every E = 15
    // χ² = 4 · (5² / 15) = 100/15, df = 1
    const r = chiSquaredHomogeneity([10, 20], [20, 10]);
    expect(r.statistic).toBeCloseTo(100 / 15, 12);
    expect(r.df).toBe(1);
    expect(r.pValue).toBeCloseTo(chiSquaredSurvival(100 / 15, 1), 15);
    expect(r.pValue).toBeCloseTo(0.009823, 5);
  });

  it('needs no epsilon for new categories and drops empty buckets', () => {
    const r = chiSquaredHomogeneity([10, 10, 0, 0], [5, 5, 10, 0]);
    expect(r.df).toBe(2);
    expect(Number.isFinite(r.statistic)).toBe(true);
    expect(chiSquaredHomogeneity([3, 1], [0, 0])).toEqual({ statistic: 0, df: 1, pValue: 1 });
    expect(chiSquaredHomogeneity([3, 1], [6, 2]).statistic).toBeCloseTo(0, 12);
  });
});

describe('jensenShannonDistance (base 2)', () => {
  it('matches hand computations', () => {
    expect(jensenShannonDistance([1, 0], [0, 1])).toBe(1);
    expect(jensenShannonDistance([0.3, 0.7], [0.3, 0.7])).toBe(0);
    // P = [.5,.5], Q = [1,0], M = [.75,.25]
    const kpm = 0.5 * Math.log2(0.5 / 0.75) + 0.5 * Math.log2(0.5 / 0.25);
    const kqm = Math.log2(1 / 0.75);
    expect(jensenShannonDistance([0.5, 0.5], [1, 0])).toBeCloseTo(Math.sqrt(0.5 * kpm + 0.5 * kqm), 15);
  });
});

describe('wassersteinSorted', () => {
  it('integrates |F_a − F_b|', () => {
    expect(wassersteinSorted([0, 1], [1, 2])).toBe(1);
    expect(wassersteinSorted([0], [0, 2])).toBe(1); // |1 − 0.5| over [0, 2)
    expect(wassersteinSorted([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(wassersteinSorted([], [1])).toBe(0);
  });
});
