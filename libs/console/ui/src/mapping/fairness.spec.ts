import type { DisparityReport, FairnessGroup, FairnessWindow } from '@strata/contracts/api';
import { fairnessVersions, fairnessView, rateChartOption } from './fairness';

/** A group's counts (rates derived here, as monitoring sends them). */
function group(name: string, predictions: number, positives: number, tp: number, fp: number, tn: number, fn: number): FairnessGroup {
  const r = (a: number, b: number) => (b > 0 ? a / b : null);
  return {
    group: name, predictionCount: predictions, predictedPositiveCount: positives, labeledCount: tp + fp + tn + fn, tp, fp, tn, fn,
    selectionRate: r(positives, predictions), truePositiveRate: r(tp, tp + fn), falsePositiveRate: r(fp, fp + tn), positivePredictiveValue: r(tp, tp + fp),
  };
}

function win(start: string, version: number, groups: FairnessGroup[], disparities: FairnessWindow['segments'][number]['disparities'] = []): FairnessWindow {
  const end = new Date(Date.parse(start) + 86_400_000).toISOString();
  return { windowKind: 'day', windowStart: start, windowEnd: end, sequenceStart: null, sequenceEnd: null, modelVersion: version, predictionCount: groups.reduce((n, g) => n + g.predictionCount, 0), labeledCount: 0, minCount: 30, segments: [{ segment: 'sex', groups, disparities }] };
}

describe('fairness view mapping (issue #17)', () => {
  // census rows scored by a model: day 2 holds the counts of a real Adult evaluation (806 men, 394 women)
  const dp: DisparityReport = {
    metric: 'demographic_parity_difference', value: 141 / 806 - 9 / 394, status: 'ok', max: { group: 'Male', rate: 141 / 806 }, min: { group: 'Female', rate: 9 / 394 },
    eligibleGroups: ['Male', 'Female'], excludedGroups: [], maxInterval: { low: 0.1502687304427763, high: 0.2026910442234178 }, minInterval: { low: 0.012063206156066876, high: 0.042836700167014456 },
    significant: true, threshold: 0.1, breached: true,
  };
  const ppd: DisparityReport = { metric: 'predictive_parity_difference', value: null, status: 'insufficient_groups', max: null, min: null, eligibleGroups: ['Male'], excludedGroups: [{ group: 'Female', count: 9 }], maxInterval: null, minInterval: null, significant: null, threshold: null, breached: false };
  const windows = [
    win('2024-05-02T00:00:00.000Z', 1, [group('Male', 806, 141, 92, 49, 511, 154), group('Female', 394, 9, 5, 4, 342, 43)], [dp, ppd]),
    win('2024-05-01T00:00:00.000Z', 1, [group('Female', 40, 4, 2, 2, 30, 6), group('Male', 60, 0, 0, 0, 50, 10)]),
    win('2024-05-01T00:00:00.000Z', 2, [group('Male', 5, 1, 1, 0, 4, 0)]),
  ];

  it('lists the versions newest first', () => {
    expect(fairnessVersions(windows)).toEqual([2, 1]);
  });

  it('one chart per rate, one series per group (most predictions first), windows in time, with 95% Wilson intervals', () => {
    const [sex] = fairnessView(windows.filter((w) => w.modelVersion === 1));
    expect(sex!.segment).toBe('sex');
    expect(sex!.charts.map((c) => c.rate)).toEqual(['selectionRate', 'truePositiveRate', 'falsePositiveRate']);
    const sr = sex!.charts[0]!;
    expect(sr.windows).toEqual(['2024-05-01', '2024-05-02']);
    expect(sr.groups.map((g) => g.group)).toEqual(['Male', 'Female']); // 866 vs 434 predictions
    const male = sr.groups[0]!.points;
    // day 1: 0 of 60 → Wilson [0, z²/(n+z²)] = [0, 3.8415/63.8415]
    expect(male[0]!.value).toBe(0);
    expect(male[0]!.low).toBe(0);
    expect(male[0]!.high).toBeCloseTo(1.959963984540054 ** 2 / (60 + 1.959963984540054 ** 2), 12);
    // day 2: 141 of 806 → statsmodels proportion_confint(141, 806, method='wilson') = (0.15026873044, 0.20269104422)
    expect(male[1]).toEqual({ value: 141 / 806, low: expect.closeTo(0.1502687304427763, 12), high: expect.closeTo(0.2026910442234178, 12), n: 806 });
    const tprFemale = sex!.charts[1]!.groups[1]!.points;
    expect(tprFemale.map((p) => [p.value, p.n])).toEqual([[2 / 8, 8], [5 / 48, 48]]);
    const fprMaleDay1 = sex!.charts[2]!.groups[0]!.points[0]!;
    expect([fprMaleDay1.value, fprMaleDay1.n]).toEqual([0, 50]);
  });

  it('a group absent from a window is a gap, not a zero', () => {
    const [sex] = fairnessView([windows[2]!, win('2024-05-02T00:00:00.000Z', 2, [group('Female', 3, 0, 0, 0, 3, 0)])]);
    expect(sex!.charts[0]!.groups.map((g) => [g.group, g.points.map((p) => p.value)])).toEqual([
      ['Male', [0.2, null]],
      ['Female', [null, 0]],
    ]);
    expect(sex!.charts[1]!.groups[1]!.points[1]).toEqual({ value: null, low: null, high: null, n: 0 }); // no labeled positives: no TPR
  });

  it('the latest window\'s disparities with threshold, breach, significance and the extremes\' intervals', () => {
    const [sex] = fairnessView(windows.filter((w) => w.modelVersion === 1));
    expect(sex!.latest).toEqual({
      window: '2024-05-02 00:00 – 2024-05-03 00:00 UTC', minCount: 30,
      disparities: [
        { metric: 'demographic_parity_difference', value: 141 / 806 - 9 / 394, threshold: 0.1, breached: true, significant: true, max: 'Male 0.175 [0.150, 0.203]', min: 'Female 0.023 [0.012, 0.043]', excluded: '' },
        { metric: 'predictive_parity_difference', value: null, threshold: null, breached: false, significant: null, max: '—', min: '—', excluded: 'Female (9)' },
      ],
    });
  });

  it('count windows (window=count): labelled and ordered by prediction sequence numbers', () => {
    const count = (start: number, groups: FairnessGroup[]): FairnessWindow => ({ ...win('2024-05-01T00:00:00.000Z', 1, groups), windowKind: 'count', windowStart: null, windowEnd: null, sequenceStart: start, sequenceEnd: start + 1000 });
    const [sex] = fairnessView([count(1000, [group('Male', 600, 60, 0, 0, 0, 0)]), count(0, [group('Male', 700, 140, 0, 0, 0, 0)])]);
    expect(sex!.charts[0]!.windows).toEqual(['#0–1000', '#1000–2000']);
    expect(sex!.charts[0]!.groups[0]!.points.map((p) => p.value)).toEqual([0.2, 0.1]);
    expect(sex!.latest!.window).toBe('predictions 1000–2000');
  });

  it('charts a line per group over its interval band; the legend names the groups only', () => {
    const [sex] = fairnessView(windows.filter((w) => w.modelVersion === 1));
    const option = rateChartOption(sex!.charts[0]!) as { legend: { data: string[] }; xAxis: { data: string[] }; series: Array<{ name: string; stack?: string; data: Array<number | null> }> };
    expect(option.legend.data).toEqual(['Male', 'Female']);
    expect(option.xAxis.data).toEqual(['2024-05-01', '2024-05-02']);
    expect(option.series.map((s) => s.name)).toEqual(['Male 95% low', 'Male 95% CI', 'Male', 'Female 95% low', 'Female 95% CI', 'Female']);
    const [low, width, line] = option.series;
    expect(low!.stack).toBe(width!.stack);
    expect(line!.data).toEqual([0, 141 / 806]);
    expect(low!.data[1]! + width!.data[1]!).toBeCloseTo(0.2026910442234178, 12); // band top = the interval's high bound
  });
});
