import type { DisparityReport, FairnessWindow, SegmentValue, SegmentWindow } from '@strata/contracts/api';
import { disparityRows, disparitySeries, segmentRows } from './monitor-segments';

/** A disparity as monitoring sends it; max/min groups and intervals null unless given. */
const disparity = (metric: DisparityReport['metric'], value: number | null, breached = false): DisparityReport => ({
  metric, value, status: value === null ? 'insufficient_groups' : 'ok', max: null, min: null, eligibleGroups: [], excludedGroups: [],
  maxInterval: null, minInterval: null, significant: null, threshold: 0.1, breached,
});
/** The header of a calendar window starting at `start` (counts not read by the CLI). */
const header = (start: string, modelVersion: number) => ({ windowKind: 'week' as const, windowStart: start, windowEnd: new Date(Date.parse(start) + 7 * 86_400_000).toISOString(), sequenceStart: null, sequenceEnd: null, modelVersion, predictionCount: 0, labeledCount: 0 });
const fairnessWindow = (start: string, modelVersion: number, segments: Array<{ segment: string; disparities: DisparityReport[] }>): FairnessWindow => ({
  ...header(start, modelVersion), minCount: 30, segments: segments.map((s) => ({ ...s, groups: [] })),
});
/** A segment value: the rates and performance the CLI shows, the other counts 0. */
const value = (group: string, predictionCount: number, selectionRate: number, labelCoverage: number, perf: { rocAuc: number | null; accuracy: number | null; f1: number | null }): SegmentValue => ({
  group, predictionCount, predictedPositiveCount: 0, labeledCount: 0, tp: 0, fp: 0, tn: 0, fn: 0, selectionRate, truePositiveRate: null, falsePositiveRate: null, positivePredictiveValue: null, labelCoverage,
  performance: { ...perf, rocAucMaxError: null, precision: null, recall: null, logLoss: null, brierScore: null, positives: 0, calibration: [] },
});

describe('strata monitor segments|fairness', () => {
  it('lists one row per window, segment and value with its rates and performance', () => {
    const windows: SegmentWindow[] = [
      {
        ...header('2026-01-05T00:00:00.000Z', 2),
        segments: [{ segment: 'sex', values: [value('Female', 40, 0.25, 0.5, { rocAuc: 0.8, accuracy: 0.9, f1: 0.5 }), value('Male', 60, 0.5, 1, { rocAuc: null, accuracy: null, f1: null })] }],
      },
    ];
    expect(segmentRows(windows)).toEqual([
      { window: '2026-01-05 v2', segment: 'sex', value: 'Female', preds: 40, positiveRate: 0.25, labelCoverage: 0.5, rocAuc: 0.8, accuracy: 0.9, f1: 0.5 },
      { window: '2026-01-05 v2', segment: 'sex', value: 'Male', preds: 60, positiveRate: 0.5, labelCoverage: 1, rocAuc: null, accuracy: null, f1: null },
    ]);
  });

  it('marks a breached disparity, says why a value is missing, names the groups the min-count rule left out', () => {
    const windows: FairnessWindow[] = [
      fairnessWindow('2026-01-05T00:00:00.000Z', 1, [
        { segment: 'sex', disparities: [disparity('demographic_parity_difference', 0.22222, true)] },
        { segment: 'race', disparities: [{ ...disparity('equal_opportunity_difference', null), excludedGroups: [{ group: 'Other', count: 25 }] }] },
      ]),
    ];
    expect(disparityRows(windows)).toEqual([
      { window: '2026-01-05 v1', segment: 'sex', metric: 'demographic_parity_difference', value: '0.2222*', threshold: 0.1, max: '-', min: '-', significant: '-', excluded: '-' },
      { window: '2026-01-05 v1', segment: 'race', metric: 'equal_opportunity_difference', value: 'n/a (insufficient_groups)', threshold: 0.1, max: '-', min: '-', significant: '-', excluded: 'Other (25 < 30)' },
    ]);
  });

  it('shows the max and min groups with their 95% Wilson intervals and whether the disparity is significant', () => {
    // the sex evaluation of a real Adult run (806 men, 155 predicted positive; 394 women, 13): monitoring's intervals as sent
    const sex = {
      ...disparity('demographic_parity_difference', 155 / 806 - 13 / 394, true),
      max: { group: 'Male', rate: 155 / 806 }, min: { group: 'Female', rate: 13 / 394 },
      maxInterval: { low: 0.16658428874432446, high: 0.220950154451157 }, minInterval: { low: 0.019382051538300266, high: 0.05562636741620487 }, significant: true,
    };
    const race = { ...disparity('demographic_parity_difference', 0.16129032258064516 - 0.038461538461538464), max: { group: 'Asian-Pac-Islander', rate: 5 / 31 }, min: { group: 'Black', rate: 4 / 104 }, maxInterval: { low: 0.0709, high: 0.3263 }, minInterval: { low: 0.0151, high: 0.0947 }, significant: false };
    const rows = disparityRows([fairnessWindow('2026-01-05T00:00:00.000Z', 3, [{ segment: 'sex', disparities: [sex] }, { segment: 'race', disparities: [race] }])]);
    expect(rows.map((r) => [r['value'], r['max'], r['min'], r['significant']])).toEqual([
      ['0.1593*', 'Male 0.1923 [0.1666, 0.2210]', 'Female 0.0330 [0.0194, 0.0556]', 'yes'],
      ['0.1228', 'Asian-Pac-Islander 0.1613 [0.0709, 0.3263]', 'Black 0.0385 [0.0151, 0.0947]', 'no'],
    ]);
  });

  it('charts one metric per segment over the window starts, averaging the versions of a window', () => {
    const w = (start: string, version: number, sex: number | null, race: number): FairnessWindow =>
      fairnessWindow(start, version, [
        { segment: 'sex', disparities: [disparity('demographic_parity_difference', sex), disparity('equal_opportunity_difference', 0.9)] },
        { segment: 'race', disparities: [disparity('demographic_parity_difference', race)] },
      ]);
    const got = disparitySeries([w('2026-01-12T00:00:00Z', 1, 0.3, 0.1), w('2026-01-05T00:00:00Z', 1, 0.2, 0.1), w('2026-01-05T00:00:00Z', 2, 0.4, 0.3), w('2026-01-19T00:00:00Z', 1, null, 0.2)], 'demographic_parity_difference');
    expect(got.labels).toEqual(['2026-01-05', '2026-01-12', '2026-01-19']);
    expect(got.series.map((s) => s.name)).toEqual(['sex', 'race']);
    expect(got.series[0]!.values[0]).toBeCloseTo(0.3, 12);
    expect(got.series[0]!.values.slice(1)).toEqual([0.3, null]);
    expect(got.series[1]!.values[0]).toBeCloseTo(0.2, 12);
    expect(got.series[1]!.values.slice(1)).toEqual([0.1, 0.2]);
  });
});
