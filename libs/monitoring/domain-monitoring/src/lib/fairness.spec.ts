import { CounterSet } from './aggregates';
import { FairnessGateSchema } from '@strata/shared/util-model-evaluation';
import { disparity, disparityGate, groupRates, liveGateRule, liveSegmentMismatch, segmentDisparities, segmentValueReport } from './fairness';
import { MISSING_SEGMENT, OTHER_SEGMENT, SegmentConfigSchema, segmentLabelCounters, segmentPredictionCounters, segmentValue, splitSegments, topSegments } from './segments';

type Row = { sex: string | null; age: number | null; p: number; y: number | null };

/** tp/fn/fp/tn rows of one group: positives predicted at 0.8, negatives at 0.2. */
function group(sex: string, tp: number, fn: number, fp: number, tn: number, age = 30): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < tp; i++) rows.push({ sex, age, p: 0.8, y: 1 });
  for (let i = 0; i < fn; i++) rows.push({ sex, age, p: 0.2, y: 1 });
  for (let i = 0; i < fp; i++) rows.push({ sex, age, p: 0.8, y: 0 });
  for (let i = 0; i < tn; i++) rows.push({ sex, age, p: 0.2, y: 0 });
  return rows;
}

const config = SegmentConfigSchema.parse({ segments: [{ name: 'sex' }, { name: 'age', buckets: [18, 40, 65] }], minCount: 5, thresholds: { demographic_parity_difference: 0.25, demographic_parity_ratio: 0.8, predictive_parity_difference: 0.01 } });

function counters(rows: Row[]): CounterSet {
  const c = new CounterSet();
  for (const r of rows) {
    const f = { sex: r.sex, age: r.age };
    segmentPredictionCounters(c, config, f, r.p);
    if (r.y !== null) segmentLabelCounters(c, config, f, r.y, r.p, 1);
  }
  return c;
}

// A: TP 4, FN 1, FP 2, TN 3 → SR 6/10, TPR 4/5, FPR 2/5, PPV 4/6
// B: TP 2, FN 3, FP 1, TN 4 → SR 3/10, TPR 2/5, FPR 1/5, PPV 2/3
// C (tiny): TP 1, TN 1    → SR 1/2, TPR 1, FPR 0, PPV 1
const rows = [...group('A', 4, 1, 2, 3), ...group('B', 2, 3, 1, 4), ...group('C', 1, 0, 0, 1, 70)];

describe('segment values', () => {
  it('buckets numbers by the configured edges, keeps strings, and names missing values', () => {
    const age = config.segments[1]!;
    expect([10, 18, 39.9, 40, 64, 65, 99].map((x) => segmentValue(age, { age: x }))).toEqual(['<18', '[18,40)', '[18,40)', '[40,65)', '[40,65)', '>=65', '>=65']);
    expect(segmentValue(age, { age: null })).toBe(MISSING_SEGMENT);
    expect(segmentValue(age, {})).toBe(MISSING_SEGMENT);
    expect(segmentValue({ name: 'sex' }, { sex: 'x'.repeat(100) })).toBe('x'.repeat(64));
    expect(segmentValue({ name: 'g', field: 'sex' }, { sex: 3 })).toBe('3');
    // write-time bound: values outside the list are stored as __other__
    const region = { name: 'region', values: ['north', 'south'] };
    expect(['north', 'east', null].map((x) => segmentValue(region, { region: x }))).toEqual(['north', OTHER_SEGMENT, MISSING_SEGMENT]);
  });

  it('rejects a bad config naming the field', () => {
    const r = SegmentConfigSchema.safeParse({ segments: [{ name: 'a', buckets: [2, 1] }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['segments', 0, 'buckets']);
  });
});

describe('per-segment counters and rates (hand-computed)', () => {
  const split = splitSegments(counters(rows).all());

  it('splits the counters per column and value, mergeable like the overall window', () => {
    expect([...split.keys()].sort()).toEqual(['age', 'sex']);
    expect([...split.get('sex')!.keys()].sort()).toEqual(['A', 'B', 'C']);
    expect([...split.get('age')!.keys()].sort()).toEqual(['>=65', '[18,40)']);
    // two halves merged = the whole
    const merged = new CounterSet().merge(counters(rows.slice(0, 7))).merge(counters(rows.slice(7)));
    const a = splitSegments(merged.all()).get('sex')!.get('A')!;
    expect(groupRates('A', a)).toEqual(groupRates('A', split.get('sex')!.get('A')!));
  });

  it('computes counts, rates, coverage and performance per value exactly', () => {
    const a = groupRates('A', split.get('sex')!.get('A')!);
    expect(a).toEqual({ group: 'A', predictionCount: 10, predictedPositiveCount: 6, selectionRate: 0.6, labeledCount: 10, tp: 4, fp: 2, tn: 3, fn: 1, truePositiveRate: 0.8, falsePositiveRate: 0.4, positivePredictiveValue: 4 / 6 });
    const r = segmentValueReport('B', split.get('sex')!.get('B')!);
    expect([r.selectionRate, r.truePositiveRate, r.falsePositiveRate, r.positivePredictiveValue, r.labelCoverage]).toEqual([0.3, 0.4, 0.2, 2 / 3, 1]);
    expect([r.performance.accuracy, r.performance.precision, r.performance.recall, r.performance.f1]).toEqual([0.6, 2 / 3, 0.4, 0.5]);
    // ROC AUC: 2 pos at 0.8, 3 pos at 0.2; 1 neg at 0.8, 4 neg at 0.2 → (2·4 + ½·2·1 + ½·3·4)/(5·5) = 15/25
    expect(r.performance.rocAuc).toBe(0.6);
    expect(r.performance.calibration[2]).toEqual(expect.objectContaining({ count: 7, meanPredicted: 0.2, observedRate: 3 / 7 }));
  });

  it('counts label coverage on delayed labels, and a replaced label only once', () => {
    const c = new CounterSet();
    const f = { sex: 'A', age: 20 };
    for (let i = 0; i < 4; i++) segmentPredictionCounters(c, config, f, 0.9);
    segmentLabelCounters(c, config, f, 0, 0.9, 1);
    segmentLabelCounters(c, config, f, 0, 0.9, -1); // a later label replaced it
    segmentLabelCounters(c, config, f, 1, 0.9, 1);
    const r = segmentValueReport('A', splitSegments(c.all()).get('sex')!.get('A')!);
    expect([r.predictionCount, r.labeledCount, r.labelCoverage, r.tp, r.fp]).toEqual([4, 1, 0.25, 1, 0]);
  });

  it('keeps the top N values and merges the rest into __other__ exactly', () => {
    const top = topSegments(split.get('sex')!, 1);
    expect([...top.keys()]).toEqual(['A', OTHER_SEGMENT]);
    expect(groupRates(OTHER_SEGMENT, top.get(OTHER_SEGMENT)!)).toEqual(expect.objectContaining({ predictionCount: 12, predictedPositiveCount: 4, tp: 3, fn: 3, fp: 1, tn: 5 }));
  });
});

describe('disparity metrics (hand-computed) and the minimum-count rule', () => {
  const split = splitSegments(counters(rows).all()).get('sex')!;
  const groups = [...split.entries()].map(([g, c]) => groupRates(g, c));

  it('leaves the tiny group out (min count 5): no false alarm from C', () => {
    const d = Object.fromEntries(segmentDisparities(groups, config).map((x) => [x.metric, x]));
    expect(d['demographic_parity_difference']).toEqual(expect.objectContaining({ status: 'ok', max: { group: 'A', rate: 0.6 }, min: { group: 'B', rate: 0.3 }, eligibleGroups: ['A', 'B'], excludedGroups: [{ group: 'C', count: 2 }], threshold: 0.25, breached: true }));
    expect(d['demographic_parity_difference']!.value).toBeCloseTo(0.3, 15);
    expect(d['demographic_parity_ratio']).toEqual(expect.objectContaining({ value: 0.5, breached: true }));
    expect(d['equal_opportunity_difference']!.value).toBeCloseTo(0.4, 15); // 0.8 − 0.4 (C has 1 positive)
    expect(d['equalized_odds_difference']!.value).toBeCloseTo(0.4, 15); // max(0.4, 0.4 − 0.2)
    // PPV: A has 6 predicted positives, B 3 < 5 → one eligible group → null, never breaches
    expect(d['predictive_parity_difference']).toEqual(expect.objectContaining({ value: null, status: 'insufficient_groups', breached: false, excludedGroups: [{ group: 'B', count: 3 }, { group: 'C', count: 1 }] }));
  });

  it('with min count 1 the tiny group enters and sets the extremes', () => {
    expect(disparity('equal_opportunity_difference', groups, 1).value).toBeCloseTo(1 - 0.4, 15);
    const eo = disparity('equalized_odds_difference', groups, 1);
    expect(eo.value).toBeCloseTo(0.6, 15); // max(TPR 1 − 0.4, FPR 0.4 − 0)
    expect([eo.max, eo.min]).toEqual([{ group: 'C', rate: 1 }, { group: 'B', rate: 0.4 }]);
    expect(disparity('predictive_parity_difference', groups, 1).value).toBeCloseTo(1 / 3, 15);
    expect(disparity('demographic_parity_ratio', groups, 1).value).toBe(0.5);
  });

  it('the live gate refuses a challenger that widens the gap beyond the margin, with the numbers', () => {
    const fair = [...group('A', 3, 2, 2, 3), ...group('B', 3, 2, 2, 3)]; // SR 0.5 and 0.5
    const g = (r: Row[]) => [...splitSegments(counters(r).all()).get('sex')!.entries()].map(([k, c]) => groupRates(k, c));
    const gate = { segment: 'sex', metric: 'demographic_parity_difference' as const, maxWidening: 0.1 };
    const v = disparityGate(gate, 5, { version: 1, groups: g(fair) }, { version: 2, groups: groups });
    expect(v).toEqual(expect.objectContaining({ passed: false, championValue: 0, maxWidening: 0.1 }));
    expect(v.widening).toBeCloseTo(0.3, 15);
    expect(v.reason).toBe(`demographic_parity_difference on 'sex': challenger v2 ${v.challengerValue} vs champion v1 0, widening ${v.widening} > margin 0.1 (min count 5)`);
    expect(disparityGate(gate, 5, { version: 1, groups }, { version: 2, groups: g(fair) }).passed).toBe(true);
    // Changed deliberately (issue #17 follow-up): fewer than two eligible groups no longer passes, it refuses as insufficient data.
    const tiny = disparityGate(gate, 50, { version: 1, groups: g(fair) }, { version: 2, groups });
    expect([tiny.passed, tiny.status, tiny.widening]).toEqual([false, 'insufficient_data', null]);
    expect(tiny.reason).toBe("demographic_parity_difference on 'sex': challenger v2 null vs champion v1 null, insufficient data: the challenger and the champion have fewer than two groups with at least 50 observations (min count 50)");
  });

  describe('one gate definition: the promotion policy is the source, the segment config gate a legacy fallback', () => {
    const policyGate = FairnessGateSchema.parse({ segment: 'age', metric: 'demographic_parity_difference', maxValue: 0.2, buckets: [18, 40, 65] });

    it('a stored legacy gate {segment, metric, maxWidening} still parses (minCount: the config\'s)', () => {
      const legacy = SegmentConfigSchema.parse({ segments: [{ name: 'sex' }], minCount: 12, gate: { segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05 } });
      expect(legacy.gate).toEqual({ segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05, maxValue: null, minValue: null, significantOnly: false });
      expect(liveGateRule(null, legacy)).toEqual({ rule: legacy.gate, minCount: 12, source: 'segment-config' });
      // the shared validation: a bound is required, minValue only for the ratio
      expect(SegmentConfigSchema.safeParse({ segments: [{ name: 'sex' }], gate: { segment: 'sex', metric: 'demographic_parity_difference' } }).error?.issues[0]?.message).toBe('give maxWidening, maxValue or minValue');
      expect(SegmentConfigSchema.safeParse({ segments: [{ name: 'sex' }], gate: { segment: 'sex', metric: 'demographic_parity_difference', minValue: 0.8 } }).success).toBe(false);
    });

    it("the policy's gate wins over the config's, with its own min count", () => {
      expect(liveGateRule(policyGate, config)).toEqual({ rule: policyGate, minCount: 30, source: 'promotion-policy' });
      expect(liveGateRule(null, config)).toBeNull();
    });

    it('the live counters must count the segment with the same buckets, else the gate is not measurable', () => {
      expect(liveSegmentMismatch(policyGate, config)).toBeNull();
      expect(liveSegmentMismatch({ ...policyGate, buckets: [25, 45, 65] }, config)).toBe("segment 'age' is counted live in buckets 18/40/65, the gate's are 25/45/65");
      expect(liveSegmentMismatch({ segment: 'race' }, config)).toBe("segment 'race' is not counted live: add it to the model's segment config (PUT /models/{m}/segments/config)");
      const v = disparityGate(policyGate, 30, { version: 1, groups: [] }, { version: 2, groups: [] });
      expect([v.status, v.passed]).toEqual(['insufficient_data', false]);
    });
  });
});
