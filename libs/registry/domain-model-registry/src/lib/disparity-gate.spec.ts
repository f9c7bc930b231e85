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

  describe('with the promotion policy `fairness` as the rule (one gate definition for both decisions)', () => {
    const policy = { segment: 'sex', metric: 'demographic_parity_difference' as const, maxWidening: null, maxValue: 0.2, minValue: null, minCount: 50, significantOnly: false };

    it("applies the policy's bounds and min count, not the evidence's", () => {
      // the evidence says margin 0.05 (a legacy config); the policy bounds the value at 0.2 instead
      const within = applyDisparityGate(promoted, ev(0.1, 0.19), policy);
      expect(within.outcome).toBe('promoted');
      expect(within.reason).toBe("live accuracy 0.9 (v2) vs 0.8 (v1); disparity gate passed: demographic_parity_difference on 'sex' 0.19 (v2) vs 0.1 (v1), max value 0.2");
      const beyond = applyDisparityGate(promoted, ev(0.1, 0.25), policy);
      expect(beyond.outcome).toBe('rejected');
      expect(beyond.reason).toBe("live accuracy 0.9 (v2) vs 0.8 (v1); refused by the disparity gate: demographic_parity_difference on 'sex' 0.25 (v2) vs 0.1 (v1), max value 0.2 exceeded (0.25 > 0.2) (min count 50)");
      expect(disparityGatePasses({ ...ev(0.1, 0.25), maxWidening: null }, policy)).toEqual({ passed: false, widening: 0.25 - 0.1, insufficient: false });
    });

    it('refuses when monitoring sent no evidence, or evidence of another segment / metric', () => {
      const none = applyDisparityGate(promoted, undefined, policy);
      expect([none.outcome, none.reason]).toEqual([
        'rejected',
        "live accuracy 0.9 (v2) vs 0.8 (v1); refused by the disparity gate: the policy's demographic_parity_difference on 'sex' is not measured on the rollout: monitoring sent no evidence (is the segment in the model's segment config?)",
      ]);
      expect(applyDisparityGate(promoted, ev(0.1, 0.1, 'equal_opportunity_difference'), policy).outcome).toBe('rejected');
    });

    it('significantOnly: a bound exceeded without significance passes, noted', () => {
      const v = applyDisparityGate(promoted, { ...ev(0.1, 0.25), challengerSignificant: false }, { ...policy, significantOnly: true });
      expect(v.outcome).toBe('promoted');
      expect(v.reason).toContain('(beyond a bound but not significant: 95% Wilson intervals overlap)');
      expect(applyDisparityGate(promoted, { ...ev(0.1, 0.25), challengerSignificant: true }, { ...policy, significantOnly: true }).outcome).toBe('rejected');
    });
  });
});
