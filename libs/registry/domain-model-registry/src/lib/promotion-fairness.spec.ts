import type { ModelVersion, PolicyFairness } from '@strata/registry/data-access';
import { decidePromotion, evaluationDigestOf } from './promotion';
import { PolicyFairnessBody } from './promotion-fairness';
import { LineageInput } from './registry.schemas';

const D = evaluationDigestOf([{ datasetName: 'adult', versionId: 'v1', contentSha256: 'a'.repeat(64) }], '2024-02-01T00:00:00.000Z');
type Counts = [group: string, n: number, ppos: number, tp: number, fp: number, tn: number, fn: number];
const seg = (...gs: Counts[]) => ({ sex: { column: 'person__sex', groups: gs.map(([group, predictionCount, predictedPositiveCount, tp, fp, tn, fn]) => ({ group, predictionCount, predictedPositiveCount, tp, fp, tn, fn })) } });
const mv = (version: number, accuracy: number, segments?: ReturnType<typeof seg>): ModelVersion =>
  ({ name: 'adult', version, metrics: { accuracy }, lineage: { evaluation: { digest: D, ...(segments ? { segments } : {}) } } }) as unknown as ModelVersion;

// champion: SR Male 30/100, Female 20/100 → DP difference 0.1; challenger: 45/100 vs 15/100 → 0.3
const champion = mv(1, 0.8, seg(['Male', 100, 30, 20, 10, 50, 20], ['Female', 100, 20, 10, 10, 70, 10]));
const widened = mv(2, 0.9, seg(['Male', 100, 45, 30, 15, 45, 10], ['Female', 100, 15, 10, 5, 75, 10]));
const fairness: PolicyFairness = { segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05, maxValue: null, minValue: null, minCount: 30 };
const policy = { metric: 'accuracy', direction: 'maximize' as const, minMargin: 0, fairness };

describe('offline promotion: the policy disparity gate (issue #17)', () => {
  it('refuses a challenger that wins on the metric but widens the gap, recording both sides', () => {
    const v = decidePromotion(policy, widened, champion);
    expect(v.outcome).toBe('rejected');
    expect(v.improvement).toBeCloseTo(0.1, 15);
    const w = 0.3 - 0.1;
    expect(v.reason).toBe(
      `accuracy 0.9 (v2) vs 0.8 (v1), maximize: improvement ${0.9 - 0.8} >= margin 0; refused by the disparity gate: demographic_parity_difference on 'sex': challenger v2 ${0.45 - 0.15} vs champion v1 ${0.3 - 0.2}, widening ${0.45 - 0.15 - (0.3 - 0.2)} > margin 0.05 (min count 30)`,
    );
    const d = v.evidence!.disparity;
    expect(d).toEqual(expect.objectContaining({ status: 'widened', passed: false, championVersion: 1, challengerVersion: 2, maxWidening: 0.05, minCount: 30 }));
    expect(d.widening).toBeCloseTo(w, 15);
    expect([d.challenger.max, d.challenger.min]).toEqual([{ group: 'Male', rate: 0.45 }, { group: 'Female', rate: 0.15 }]);
    expect(d.champion.groups.map((g) => [g.group, g.selectionRate, g.truePositiveRate])).toEqual([['Male', 0.3, 0.5], ['Female', 0.2, 0.5]]);
  });

  it('promotes within the margin and notes the numbers', () => {
    const v = decidePromotion({ ...policy, fairness: { ...fairness, maxWidening: 0.25 } }, widened, champion);
    expect(v.outcome).toBe('promoted');
    expect(v.evidence!.disparity.status).toBe('passed');
    expect(v.reason).toBe(
      `accuracy 0.9 (v2) vs 0.8 (v1), maximize: improvement ${0.9 - 0.8} >= margin 0; disparity gate passed: demographic_parity_difference on 'sex': challenger v2 ${0.45 - 0.15} vs champion v1 ${0.3 - 0.2}, widening ${0.45 - 0.15 - (0.3 - 0.2)} <= margin 0.25 (min count 30)`,
    );
  });

  it('refuses as insufficient data when a side has fewer than two groups over the min count, or no per-group evaluation', () => {
    const tiny = mv(2, 0.9, seg(['Male', 100, 45, 30, 15, 45, 10], ['Female', 20, 3, 2, 1, 15, 2]));
    const v = decidePromotion(policy, tiny, champion);
    expect([v.outcome, v.evidence!.disparity.status, v.evidence!.disparity.challenger.excludedGroups]).toEqual(['rejected', 'insufficient_data', [{ group: 'Female', count: 20 }]]);
    expect(v.reason).toContain(`refused by the disparity gate: demographic_parity_difference on 'sex': challenger v2 null vs champion v1 ${0.3 - 0.2}, insufficient data: the challenger has fewer than two groups with at least 30 observations (min count 30)`);
    const none = decidePromotion(policy, widened, mv(1, 0.8));
    expect(none.outcome).toBe('rejected');
    expect(none.reason).toMatch(/insufficient data: the champion has fewer than two groups with at least 30 observations \(min count 30\) \(no per-group evaluation of 'sex' recorded for v1\)$/);
  });

  it('bounds the challenger by maxValue without needing the champion; the metric decides first', () => {
    const bound = { ...fairness, maxWidening: null, maxValue: 0.25 };
    expect(decidePromotion({ ...policy, fairness: bound }, widened, mv(1, 0.8)).evidence!.disparity.status).toBe('limit_exceeded');
    const lower = decidePromotion({ ...policy, fairness: bound }, mv(2, 0.7), champion);
    expect([lower.outcome, lower.evidence]).toEqual(['rejected', expect.objectContaining({ disparity: expect.objectContaining({ status: 'insufficient_data' }) })]);
    expect(decidePromotion(policy, widened, null).evidence).toBeUndefined();
  });

  it('validates the policy gate: a bound is required, maxValue for differences, minValue for the ratio', () => {
    expect(PolicyFairnessBody.parse({ segment: 'sex', metric: 'demographic_parity_ratio', minValue: 0.8 })).toEqual({ segment: 'sex', metric: 'demographic_parity_ratio', maxWidening: null, maxValue: null, minValue: 0.8, minCount: 30, significantOnly: false });
    expect(PolicyFairnessBody.safeParse({ segment: 'sex', metric: 'demographic_parity_difference' }).error?.issues[0]?.message).toBe('give maxWidening, maxValue or minValue');
    expect(PolicyFairnessBody.safeParse({ segment: 'sex', metric: 'demographic_parity_ratio', maxValue: 0.2 }).error?.issues[0]?.message).toBe('maxValue bounds a _difference metric; for demographic_parity_ratio give minValue');
  });

  it('significantOnly: a widening on small groups whose 95% Wilson intervals overlap passes (not_significant); a significant one is refused', () => {
    const sig = { ...policy, fairness: { ...fairness, significantOnly: true } };
    // challenger SR 12/30 vs 6/30 (Wilson [0.246, 0.577] and [0.095, 0.373] overlap), widening 0.2 − 0.1 > 0.05
    const small = mv(2, 0.9, seg(['Male', 30, 12, 8, 4, 14, 4], ['Female', 30, 6, 4, 2, 20, 4]));
    const v = decidePromotion(sig, small, champion);
    expect([v.outcome, v.evidence!.disparity.status, v.evidence!.disparity.challenger.significant, v.evidence!.disparity.challengerSignificant]).toEqual(['promoted', 'not_significant', false, false]);
    expect(v.evidence!.disparity.challenger.maxInterval!.low).toBeCloseTo(0.2459, 4);
    expect(v.reason).toContain(`; disparity gate passed: demographic_parity_difference on 'sex': challenger v2 ${0.4 - 0.2} vs champion v1 ${0.3 - 0.2}, widening ${0.4 - 0.2 - (0.3 - 0.2)} > margin 0.05, but not significant`);
    // 45/100 vs 15/100: [0.355, 0.548] and [0.093, 0.233] do not overlap → still refused
    const w = decidePromotion(sig, widened, champion);
    expect([w.outcome, w.evidence!.disparity.status, w.evidence!.disparity.challenger.significant]).toEqual(['rejected', 'widened', true]);
  });
});

describe('lineage.evaluation as training registers it (issue #17)', () => {
  const dv = [{ datasetName: 'adult_people', versionId: 'v-1', contentSha256: 'a'.repeat(64) }];
  const groups = [{ group: 'Male', predictionCount: 77, predictedPositiveCount: 20, tp: 15, fp: 5, tn: 50, fn: 7 }];

  it('digests the dataset versions + split and keeps the per-group counts', () => {
    const l = LineageInput.parse({ evaluation: { datasetVersions: dv, splitTime: '2024-01-21T00:00:00.000Z', segments: { sex: { column: 'sex', groups }, workclass: { column: 'person__workclass', groups: [] } } } });
    expect(l.evaluation).toEqual({
      datasetVersions: dv, splitTime: '2024-01-21T00:00:00.000Z', digest: evaluationDigestOf(dv, '2024-01-21T00:00:00.000Z'),
      segments: { sex: { column: 'sex', groups }, workclass: { column: 'person__workclass', groups: [] } },
    });
  });

  it('refuses malformed counts, naming the field', () => {
    const bad = LineageInput.safeParse({ evaluation: { datasetVersions: dv, segments: { sex: { groups: [{ ...groups[0], tp: -1 }] } } } });
    expect(bad.error?.issues[0]?.path).toEqual(['evaluation', 'segments', 'sex', 'groups', 0, 'tp']);
    expect(LineageInput.safeParse({ evaluation: { segments: { 'bad key!': { groups } } } }).success).toBe(false);
  });
});
