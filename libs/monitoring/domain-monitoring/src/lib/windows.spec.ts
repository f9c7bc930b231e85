import type { NumericFeatureProfile, ReferenceProfile } from '@strata/shared/util-drift';
import { checkCountWindowSize, computeWindowReports, featurePsi, reportWindowOfKey, windowOf, type WindowPrediction } from './windows';

const x: NumericFeatureProfile = {
  name: 'x', kind: 'numeric', count: 4, nullCount: 0, nullShare: 0, mean: 1.5, std: 1, min: 0, max: 3,
  edges: [null, 1, 2, null], counts: [1, 2, 1], proportions: [0.25, 0.5, 0.25], sketch: [0, 1, 2, 3], distinct: null,
};
const y: NumericFeatureProfile = { ...x, name: 'y' };
const zone = {
  name: 'zone', kind: 'categorical' as const, count: 4, nullCount: 0, nullShare: 0,
  categories: ['a', 'b', '__other__'], counts: [2, 2, 0], proportions: [0.5, 0.5, 0], distinctCount: 2,
};
const profile: ReferenceProfile = { formatVersion: 1, rowCount: 4, bins: 3, categoricalTopK: 2, sketchSize: 1000, features: [x, y, zone], label: null };

function p(id: string, t: string, xv: number | null, yv: number | null, prob: number | null, label?: number, version = 1, z: string | null = 'a'): WindowPrediction {
  return { predictionId: id, modelVersion: version, features: { x: xv, y: yv, zone: z }, probability: prob, eventTime: new Date(t), label };
}

describe('windowOf', () => {
  it('cuts UTC calendar windows (month, ISO week from Monday, day)', () => {
    const t = new Date('2020-01-08T23:59:59.999Z'); // a Wednesday
    expect(windowOf('month', t)).toEqual({ start: new Date('2020-01-01T00:00:00Z'), end: new Date('2020-02-01T00:00:00Z') });
    expect(windowOf('week', t)).toEqual({ start: new Date('2020-01-06T00:00:00Z'), end: new Date('2020-01-13T00:00:00Z') });
    expect(windowOf('week', new Date('2020-01-12T12:00:00Z'))).toEqual({ start: new Date('2020-01-06T00:00:00Z'), end: new Date('2020-01-13T00:00:00Z') }); // Sunday
    expect(windowOf('day', t)).toEqual({ start: new Date('2020-01-08T00:00:00Z'), end: new Date('2020-01-09T00:00:00Z') });
    expect(windowOf('month', new Date('2020-12-31T23:00:00Z')).end).toEqual(new Date('2021-01-01T00:00:00Z'));
  });
});

describe('featurePsi', () => {
  it('bins with the profile edges (left-closed) and applies epsilon to empty bins without renormalising', () => {
    // [0.5 | 1.5 | 2.5, 2.7] → current [0.25, 0.25, 0.5]: PSI = 0.25·ln 2 + 0.25·ln 2
    expect(featurePsi(x, [0.5, 1.5, 2.5, 2.7, null])).toBeCloseTo(0.5 * Math.log(2), 15);
    // exactly on an edge goes right: [1, 1, 2, 2] → [0, 0.5, 0.5]; empty bin → ε = 1e-4
    const eps = 1e-4;
    expect(featurePsi(x, [1, 1, 2, 2])).toBeCloseTo((eps - 0.25) * Math.log(eps / 0.25) + 0 + 0.25 * Math.log(0.5 / 0.25), 15);
    expect(featurePsi(x, [null, null])).toBeNull();
    // categorical: unseen 'c' → __other__ (reference 0 → ε)
    expect(featurePsi(zone, ['a', 'a', 'a', 'c'])).toBeCloseTo((0.75 - 0.5) * Math.log(0.75 / 0.5) + (eps - 0.5) * Math.log(eps / 0.5) + (0.25 - eps) * Math.log(0.25 / eps), 12);
  });
});

describe('computeWindowReports', () => {
  const predictions = [
    p('p1', '2020-01-06T10:00:00Z', 0.5, 0.5, 0.9, 1),
    p('p2', '2020-01-07T10:00:00Z', 1.5, 1.5, 0.2, 0),
    p('p3', '2020-01-20T10:00:00Z', 2.5, 1.2, 0.4, 1),
    p('p4', '2020-01-31T23:59:59Z', 2.7, 1.7, 0.6, 0),
    p('p5', '2020-02-01T00:00:00Z', 0.1, null, 0.3), // next month, unlabeled, y missing
    p('p6', '2020-01-15T00:00:00Z', 1.0, 1.0, 0.5, undefined, 2), // another version
  ];
  const profiles = new Map([[1, { profile, sha256: 'f'.repeat(64) }], [2, null]]);

  it('counts, drifts and scores each (version, month) exactly', () => {
    const reports = computeWindowReports('month', predictions, profiles, { psiThreshold: 0.1, driftShare: 0.5 });
    expect(reports.map((r) => [r.windowStart, r.modelVersion, r.predictionCount, r.labeledCount])).toEqual([
      ['2020-01-01T00:00:00.000Z', 1, 4, 4],
      ['2020-01-01T00:00:00.000Z', 2, 1, 0],
      ['2020-02-01T00:00:00.000Z', 1, 1, 0],
    ]);
    const jan = reports[0]!;
    expect(jan.windowEnd).toBe('2020-02-01T00:00:00.000Z');
    // x: [0.5, 1.5, 2.5, 2.7] → [0.25, 0.25, 0.5]; y: [0.5, 1.5, 1.2, 1.7] → [0.25, 0.75, 0]; zone: all 'a' → [1, 0, 0]
    const eps = 1e-4;
    const psiX = 0.5 * Math.log(2);
    const psiY = (0.75 - 0.5) * Math.log(0.75 / 0.5) + (eps - 0.25) * Math.log(eps / 0.25);
    const psiZone = 0.5 * Math.log(1 / 0.5) + (eps - 0.5) * Math.log(eps / 0.5);
    expect(jan.drift).toEqual([
      { feature: 'x', method: 'psi', score: expect.closeTo(psiX, 14), threshold: 0.1, drifted: true },
      { feature: 'y', method: 'psi', score: expect.closeTo(psiY, 14), threshold: 0.1, drifted: true },
      { feature: 'zone', method: 'psi', score: expect.closeTo(psiZone, 14), threshold: 0.1, drifted: true },
    ]);
    expect([jan.testedCount, jan.driftedCount, jan.driftShare, jan.datasetDrift]).toEqual([3, 3, 1, true]);
    // labels [1,0,1,0], probs [0.9,0.2,0.4,0.6]: AUC 3/4, accuracy 2/4
    expect(jan.performance.rocAuc).toBe(0.75);
    expect(jan.performance.accuracy).toBe(0.5);
    expect(jan.performance.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.4)) / 4, 14);
    expect(jan.referenceProfileSha256).toBe('f'.repeat(64));

    const v2 = reports[1]!;
    expect([v2.drift, v2.datasetDrift, v2.referenceProfileSha256]).toEqual([[], false, null]);
    expect(v2.performance).toEqual({ rocAuc: null, accuracy: null, logLoss: null });

    const feb = reports[2]!;
    // y has no value in February: not tested; x = [0.1] → [1, 0, 0]
    expect(feb.drift[1]).toEqual({ feature: 'y', method: 'psi', score: null, threshold: 0.1, drifted: false });
    expect(feb.drift[0]!.score).toBeCloseTo(0.75 * Math.log(1 / 0.25) + (eps - 0.5) * Math.log(eps / 0.5) + (eps - 0.25) * Math.log(eps / 0.25), 14);
    expect(feb.testedCount).toBe(2);
  });

  it('splits by ISO week and by day, and respects the drift-share threshold', () => {
    const weeks = computeWindowReports('week', predictions.filter((q) => q.modelVersion === 1), profiles, { psiThreshold: 0.1, driftShare: 0.5 });
    expect(weeks.map((r) => [r.windowStart, r.predictionCount])).toEqual([
      ['2020-01-06T00:00:00.000Z', 2],
      ['2020-01-20T00:00:00.000Z', 1],
      ['2020-01-27T00:00:00.000Z', 2],
    ]);
    const days = computeWindowReports('day', predictions.slice(0, 2), profiles, { psiThreshold: 10, driftShare: 0.5 });
    expect(days.map((r) => [r.windowStart, r.windowEnd, r.datasetDrift])).toEqual([
      ['2020-01-06T00:00:00.000Z', '2020-01-07T00:00:00.000Z', false],
      ['2020-01-07T00:00:00.000Z', '2020-01-08T00:00:00.000Z', false],
    ]);
  });
});

describe('reportWindowOfKey / checkCountWindowSize', () => {
  it('maps a count block to the count window holding it (blocks of 100, windows of 1000 predictions)', () => {
    expect(reportWindowOfKey('count', 'b:0', 100, 1000)).toEqual({ start: 0, end: 1000 });
    expect(reportWindowOfKey('count', 'b:9', 100, 1000)).toEqual({ start: 0, end: 1000 });
    expect(reportWindowOfKey('count', 'b:10', 100, 1000)).toEqual({ start: 1000, end: 2000 });
    expect(reportWindowOfKey('count', 'b:25', 100, 500)).toEqual({ start: 2500, end: 3000 });
  });
  it('maps a UTC day to its calendar window (ISO week from Monday, month from the 1st)', () => {
    expect(reportWindowOfKey('day', 'd:2020-04-15', 100, 1000)).toEqual({ start: Date.parse('2020-04-15T00:00:00Z'), end: Date.parse('2020-04-16T00:00:00Z') });
    expect(reportWindowOfKey('week', 'd:2020-04-15', 100, 1000)).toEqual({ start: Date.parse('2020-04-13T00:00:00Z'), end: Date.parse('2020-04-20T00:00:00Z') });
    expect(reportWindowOfKey('month', 'd:2020-04-15', 100, 1000)).toEqual({ start: Date.parse('2020-04-01T00:00:00Z'), end: Date.parse('2020-05-01T00:00:00Z') });
  });
  it('accepts only positive multiples of the block size, naming the parameter', () => {
    expect(() => checkCountWindowSize(1000, 100)).not.toThrow();
    for (const bad of [0, -100, 150, 99.5]) {
      expect(() => checkCountWindowSize(bad, 100)).toThrow(`Query parameter 'size' must be a positive multiple of the count block size 100, got ${bad}`);
    }
  });
});
