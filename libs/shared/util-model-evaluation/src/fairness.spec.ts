import { checkDisparityGate, disparity, disparityGateVerdict, groupCountsOf, groupRatesOf } from './index';

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
});
