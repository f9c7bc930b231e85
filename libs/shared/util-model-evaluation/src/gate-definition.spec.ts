import { FairnessGateSchema, LiveFairnessGateSchema, sameBuckets, segmentBucket } from './gate-definition';

describe('the shared fairness gate definition (issue #17)', () => {
  it('buckets a number by ascending edges: <e0, [ei,ei+1), >=ek', () => {
    const edges = [25, 45, 65];
    expect([17, 24.999, 25, 44, 45, 64, 65, 90].map((x) => segmentBucket(edges, x))).toEqual(['<25', '<25', '[25,45)', '[25,45)', '[45,65)', '[45,65)', '>=65', '>=65']);
    expect(segmentBucket([40], 40)).toBe('>=40');
  });

  it('validates the policy gate: defaults, a bound required, the bound that fits the metric, ascending buckets', () => {
    expect(FairnessGateSchema.parse({ segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05 })).toEqual({
      segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05, maxValue: null, minValue: null, minCount: 30, significantOnly: false,
    });
    const issue = (x: unknown) => FairnessGateSchema.safeParse(x).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issue({ segment: 'sex', metric: 'demographic_parity_difference' })).toEqual(['maxWidening: give maxWidening, maxValue or minValue']);
    expect(issue({ segment: 'sex', metric: 'demographic_parity_ratio', maxValue: 0.2 })).toEqual(['maxValue: maxValue bounds a _difference metric; for demographic_parity_ratio give minValue']);
    expect(issue({ segment: 'age', metric: 'demographic_parity_difference', maxValue: 0.2, buckets: [45, 25] })).toEqual(['buckets: bucket edges must be strictly ascending']);
    expect(FairnessGateSchema.parse({ segment: 'age', metric: 'demographic_parity_ratio', minValue: 0.8, buckets: [25, 45, 65] }).buckets).toEqual([25, 45, 65]);
  });

  it('the live (segment config) form leaves minCount to the config', () => {
    expect(LiveFairnessGateSchema.parse({ segment: 'sex', metric: 'demographic_parity_difference', maxWidening: 0.05 }).minCount).toBeUndefined();
  });

  it('compares bucket edges', () => {
    expect([sameBuckets(undefined, undefined), sameBuckets([1, 2], [1, 2]), sameBuckets([1, 2], [1, 3]), sameBuckets([1], undefined)]).toEqual([true, true, false, false]);
  });
});
