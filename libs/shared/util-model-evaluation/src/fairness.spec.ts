import { checkDisparityGate, disparity, disparityGateVerdict, groupCountsOf, groupRatesOf, wilsonInterval } from './index';

// Hand-computed: group A rows (label, score): 4 TP, 1 FN, 2 FP, 3 TN; group B: 2 TP, 3 FN, 1 FP, 4 TN.
function rows(group: string, tp: number, fn: number, fp: number, tn: number): Array<[number, number, string]> {
  return [
    ...Array.from({ length: tp }, (): [number, number, string] => [1, 0.9, group]),
    ...Array.from({ length: fn }, (): [number, number, string] => [1, 0.1, group]),
    ...Array.from({ length: fp }, (): [number, number, string] => [0, 0.5, group]), // 0.5 is positive (p ≥ 0.5)
    ...Array.from({ length: tn }, (): [number, number, string] => [0, 0.4999, group]),
  ];
}

describe('group fairness (shared by monitoring, training and the registry)', () => {
  const data = [...rows('A', 4, 1, 2, 3), ...rows('B', 2, 3, 1, 4)];
  const counts = groupCountsOf(data.map((r) => r[0]), data.map((r) => r[1]), data.map((r) => r[2]));
  const groups = counts.map(groupRatesOf);

  it('counts each group at the 0.5 threshold and derives its rates', () => {
    expect(counts).toEqual([
      { group: 'A', predictionCount: 10, predictedPositiveCount: 6, tp: 4, fp: 2, tn: 3, fn: 1 },
      { group: 'B', predictionCount: 10, predictedPositiveCount: 3, tp: 2, fp: 1, tn: 4, fn: 3 },
    ]);
    expect(groups[0]).toEqual(expect.objectContaining({ selectionRate: 0.6, labeledCount: 10, truePositiveRate: 0.8, falsePositiveRate: 0.4, positivePredictiveValue: 4 / 6 }));
    expect(() => groupCountsOf([1], [0.5, 0.5], ['A'])).toThrow('groupCountsOf: 1 labels, 2 scores, 1 groups');
  });

  it('computes the five disparities (fairlearn between_groups) and nulls them under the min count', () => {
    expect(disparity('demographic_parity_difference', groups, 10).value).toBeCloseTo(0.3, 15);
    expect(disparity('demographic_parity_ratio', groups, 10).value).toBe(0.5);
    expect(disparity('equal_opportunity_difference', groups, 5).value).toBeCloseTo(0.4, 15);
    expect(disparity('equalized_odds_difference', groups, 5).value).toBeCloseTo(0.4, 15); // max(0.8 − 0.4, 0.4 − 0.2)
    expect(disparity('predictive_parity_difference', groups, 3).value).toBeCloseTo(0, 15); // 4/6 vs 2/3
    const small = disparity('demographic_parity_difference', groups, 11);
    expect([small.value, small.status, small.excludedGroups]).toEqual([null, 'insufficient_groups', [{ group: 'A', count: 10 }, { group: 'B', count: 10 }]]);
  });

  it('gates on widening, on a max / min value, and refuses without evidence (insufficient data)', () => {
    const rule = { segment: 'sex', metric: 'demographic_parity_difference' as const, maxWidening: 0.05 };
    expect(checkDisparityGate(rule, 30, 0.1, 0.15)).toEqual({ status: 'passed', widening: 0.04999999999999999, detail: '' });
    expect(checkDisparityGate(rule, 30, 0.1, 0.2).status).toBe('widened');
    expect(checkDisparityGate(rule, 30, null, 0.1)).toEqual({ status: 'insufficient_data', widening: null, detail: 'insufficient data: the champion has fewer than two groups with at least 30 observations' });
    expect(checkDisparityGate({ ...rule, maxWidening: null, maxValue: 0.2 }, 30, null, 0.1).status).toBe('passed'); // the champion is not needed for a plain bound
    expect(checkDisparityGate({ ...rule, maxWidening: null, maxValue: 0.2 }, 30, null, 0.25).status).toBe('limit_exceeded');
    expect(checkDisparityGate({ segment: 'sex', metric: 'demographic_parity_ratio', minValue: 0.8 }, 30, 0.9, 0.79).status).toBe('limit_exceeded');
    // the ratio: lower is wider
    expect(checkDisparityGate({ segment: 'sex', metric: 'demographic_parity_ratio', maxWidening: 0.05 }, 30, 0.9, 0.8)).toEqual(expect.objectContaining({ status: 'widened' }));
    const v = disparityGateVerdict(rule, 30, { version: 1, value: 0.1 }, { version: 2, value: 0.3 });
    expect(v).toEqual(expect.objectContaining({ passed: false, status: 'widened', maxWidening: 0.05, maxValue: null, minValue: null, championVersion: 1, challengerVersion: 2 }));
    expect(v.reason).toBe(`demographic_parity_difference on 'sex': challenger v2 0.3 vs champion v1 0.1, widening ${0.3 - 0.1} > margin 0.05 (min count 30)`);
  });

  it('Wilson score intervals equal statsmodels proportion_confint(method="wilson") to 1e-12, and a disparity is significant only when the extremes do not overlap', () => {
    // statsmodels 0.15.0 (the stats venv): proportion_confint(k, n, alpha=0.05, method='wilson')
    const ref: Array<[number, number, number, number]> = [
      [0, 10, 0.0, 0.27753279986288926],
      [5, 10, 0.23659309051256394, 0.7634069094874361],
      [6, 10, 0.31267376973365824, 0.8318196702937638],
      [3, 10, 0.10779126740630104, 0.6032218525388546],
      [1229, 5421, 0.21576081726193483, 0.23804810554405512],
      [3196, 10860, 0.28579386261683215, 0.30293356709245434],
    ];
    for (const [k, n, lo, hi] of ref) {
      const w = wilsonInterval(k, n)!;
      expect(Math.abs(w.low - lo)).toBeLessThan(1e-12);
      expect(Math.abs(w.high - hi)).toBeLessThan(1e-12);
    }
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(3, 2)).toThrow('wilsonInterval: successes 3 outside [0, 2]');
    // A: SR 6/10, B: 3/10 → the intervals overlap (0.3127 < 0.6032): a 0.3 gap on 10 rows each is not significant
    const dp = disparity('demographic_parity_difference', groups, 10);
    expect([dp.maxInterval, dp.minInterval, dp.significant]).toEqual([wilsonInterval(6, 10), wilsonInterval(3, 10), false]);
    const big = groupCountsOf([...Array(300).fill(0), ...Array(300).fill(0)], [...Array(180).fill(0.9), ...Array(120).fill(0.1), ...Array(90).fill(0.9), ...Array(210).fill(0.1)], [...Array(300).fill('A'), ...Array(300).fill('B')]).map(groupRatesOf);
    expect(disparity('demographic_parity_difference', big, 30).significant).toBe(true); // 0.6 vs 0.3 on 300 rows each
    expect(disparity('demographic_parity_difference', groups, 11).significant).toBeNull();
  });

  it('significantOnly: a widening that is not significant passes as not_significant; a significant one still refuses', () => {
    const rule = { segment: 'sex', metric: 'demographic_parity_difference' as const, maxWidening: 0.05, significantOnly: true };
    const v = disparityGateVerdict(rule, 30, { version: 1, value: 0.1 }, { version: 2, value: 0.3, significant: false });
    expect([v.passed, v.status, v.significantOnly, v.challengerSignificant]).toEqual([true, 'not_significant', true, false]);
    expect(v.reason).toBe(`demographic_parity_difference on 'sex': challenger v2 0.3 vs champion v1 0.1, widening ${0.3 - 0.1} > margin 0.05, but not significant (the challenger's extreme groups' 95% Wilson intervals overlap) (min count 30)`);
    expect(disparityGateVerdict(rule, 30, { version: 1, value: 0.1 }, { version: 2, value: 0.3, significant: true }).status).toBe('widened');
    expect(checkDisparityGate(rule, 30, null, 0.3, false).status).toBe('insufficient_data'); // never a pass without evidence
    expect(disparityGateVerdict({ ...rule, significantOnly: false }, 30, { version: 1, value: 0.1 }, { version: 2, value: 0.3, significant: false }).status).toBe('widened');
  });
});
