import { bucketValues, evaluationSegments, MAX_EVALUATION_GROUPS, segmentColumnOf, segmentGroups, segmentKeyOf } from './evaluation-segments';

describe('per-group evaluation of the held-out slice (issue #17)', () => {
  it('keys a segment by its name without the feature view prefix and finds its column', () => {
    expect([segmentKeyOf('person__sex'), segmentKeyOf('sex'), segmentKeyOf('a__b__race'), segmentKeyOf('x__')]).toEqual(['sex', 'sex', 'race', 'x__']);
    const cols = ['person_id', 'person__sex', 'sex_raw', 'a__race', 'b__race'];
    expect([segmentColumnOf(cols, 'sex'), segmentColumnOf(cols, 'sex_raw'), segmentColumnOf(cols, 'race'), segmentColumnOf(cols, 'age')]).toEqual(['person__sex', 'sex_raw', null, null]);
  });

  it('counts per group at 0.5, nulls as __missing__, most rows first', () => {
    const g = segmentGroups(['F', 'M', null, 'M', 'M'], [1, 0, 1, 1, 0], [0.7, 0.5, 0.2, 0.1, 0.4]);
    expect(g).toEqual([
      { group: 'M', predictionCount: 3, predictedPositiveCount: 1, tp: 0, fp: 1, tn: 1, fn: 1 },
      { group: 'F', predictionCount: 1, predictedPositiveCount: 1, tp: 1, fp: 0, tn: 0, fn: 0 },
      { group: '__missing__', predictionCount: 1, predictedPositiveCount: 0, tp: 0, fp: 0, tn: 0, fn: 1 },
    ]);
  });

  it(`keeps the ${MAX_EVALUATION_GROUPS} largest groups and merges the rest into __other__ (counts add up)`, () => {
    const values = Array.from({ length: 60 }, (_, i) => Array.from({ length: 60 - i }, () => `v${String(i).padStart(2, '0')}`)).flat();
    const g = segmentGroups(values, values.map(() => 1), values.map(() => 0.9));
    expect(g).toHaveLength(51);
    expect(g[0]).toEqual({ group: 'v00', predictionCount: 60, predictedPositiveCount: 60, tp: 60, fp: 0, tn: 0, fn: 0 });
    expect(g[50]).toEqual({ group: '__other__', predictionCount: 55, predictedPositiveCount: 55, tp: 55, fp: 0, tn: 0, fn: 0 }); // 10 + 9 + … + 1
    expect(g.reduce((s, x) => s + x.predictionCount, 0)).toBe(values.length);
  });

  it('records each segment once under its key, in the given order', () => {
    const out = evaluationSegments(new Map([['sex', ['a', 'b']], ['person__sex', ['a', 'a']], ['bad key!', ['x', 'y']]]), [0, 1], [0.1, 0.9]);
    expect(Object.keys(out)).toEqual(['sex']);
    expect(out['sex']!.column).toBe('sex');
  });

  it('buckets a numeric segment with the policy edges (monitoring\'s segmentBucket) and records the edges', () => {
    expect(bucketValues(['17', '25', '44.5', '45', '64', '65', null, '90'], [25, 45, 65])).toEqual(['<25', '[25,45)', '[25,45)', '[45,65)', '[45,65)', '>=65', null, '>=65']);
    const out = evaluationSegments(new Map([['person__age', ['20', '30', '50', '70', '30']], ['sex', ['F', 'M', 'M', 'F', 'F']]]), [0, 1, 1, 0, 0], [0.1, 0.9, 0.6, 0.2, 0.7], new Map([['person__age', [25, 45, 65]]]));
    expect(out['age']).toEqual({
      column: 'person__age',
      buckets: [25, 45, 65],
      groups: [
        { group: '[25,45)', predictionCount: 2, predictedPositiveCount: 2, tp: 1, fp: 1, tn: 0, fn: 0 },
        { group: '<25', predictionCount: 1, predictedPositiveCount: 0, tp: 0, fp: 0, tn: 1, fn: 0 },
        { group: '>=65', predictionCount: 1, predictedPositiveCount: 0, tp: 0, fp: 0, tn: 1, fn: 0 },
        { group: '[45,65)', predictionCount: 1, predictedPositiveCount: 1, tp: 1, fp: 0, tn: 0, fn: 0 },
      ],
    });
    expect(out['sex']!.buckets).toBeUndefined();
  });
});
