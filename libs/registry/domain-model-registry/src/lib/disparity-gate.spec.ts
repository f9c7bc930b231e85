import { applyDisparityGate, disparityGatePasses, type DisparityEvidence } from './disparity-gate';
import type { PromotionVerdict } from './promotion';

const promoted: PromotionVerdict = {
  outcome: 'promoted', reason: 'live accuracy 0.9 (v2) vs 0.8 (v1)', challengerValue: 0.9, championValue: 0.8, improvement: 0.1,
  challengerEvaluationDigest: 'live-rollout:r1', championEvaluationDigest: 'live-rollout:r1',
};
const ev = (championValue: number | null, challengerValue: number | null, metric: DisparityEvidence['metric'] = 'demographic_parity_difference'): DisparityEvidence => ({
  segment: 'sex', metric, championVersion: 1, challengerVersion: 2, championValue, challengerValue, widening: null, maxWidening: 0.05, minCount: 30, passed: true, reason: '',
});

describe('disparity gate of the live decision (issue #17)', () => {
  it('refuses a challenger that widens the gap beyond the margin, whatever monitoring said, with the numbers', () => {
    const v = applyDisparityGate(promoted, ev(0.1, 0.25));
    expect(v.outcome).toBe('rejected');
    expect(v.reason).toBe(`live accuracy 0.9 (v2) vs 0.8 (v1); refused by the disparity gate: demographic_parity_difference on 'sex' 0.25 (v2) vs 0.1 (v1), widening ${0.25 - 0.1} > margin 0.05 (min count 30)`);
    expect([v.challengerValue, v.improvement]).toEqual([0.9, 0.1]);
  });

  it('passes within the margin (inclusive, 1e-12 tolerance)', () => {
    expect(disparityGatePasses(ev(0.1, 0.15))).toEqual({ passed: true, widening: 0.15 - 0.1, insufficient: false });
    expect(applyDisparityGate(promoted, ev(0.1, 0.15)).outcome).toBe('promoted');
    expect(applyDisparityGate(promoted, undefined)).toBe(promoted);
  });

  // Changed deliberately (issue #17 follow-up): a side that is not measurable used to pass ("not measurable"); it now refuses.
  it('refuses when either side is not measurable (fewer than two groups over the min count): insufficient data', () => {
    expect(disparityGatePasses(ev(null, 0.9))).toEqual({ passed: false, widening: null, insufficient: true });
    const v = applyDisparityGate(promoted, ev(null, 0.9));
    expect(v.outcome).toBe('rejected');
    expect(v.reason).toBe(
      "live accuracy 0.9 (v2) vs 0.8 (v1); refused by the disparity gate: demographic_parity_difference on 'sex' 0.9 (v2) vs null (v1), not measurable: insufficient data (fewer than two groups with at least 30 observations on a side)",
    );
    expect(applyDisparityGate(promoted, ev(0.1, null)).outcome).toBe('rejected');
  });

  it('reads the ratio (disparate impact) the other way: a lower ratio is a wider gap', () => {
    expect(disparityGatePasses(ev(0.9, 0.8, 'demographic_parity_ratio')).passed).toBe(false);
    expect(disparityGatePasses(ev(0.8, 0.9, 'demographic_parity_ratio')).passed).toBe(true);
  });
});
