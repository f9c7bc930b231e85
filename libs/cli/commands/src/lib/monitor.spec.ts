import type { MonitoringWindow } from '@strata/shared/data-access-strata-client';
import { fillGaps, flatRange, lineChart } from './chart';
import { driftSeries, driftTable, seriesByVersion } from './monitor';

const w = (start: string, version: number, rocAuc: number | null, drift: Array<[string, number, boolean]>): MonitoringWindow => ({
  windowStart: start,
  windowEnd: start,
  modelVersion: version,
  predictionCount: 100,
  labeledCount: 100,
  datasetDrift: drift.some((d) => d[2]),
  performance: { rocAuc, accuracy: null, logLoss: null },
  drift: drift.map(([feature, score, drifted]) => ({ feature, method: 'psi', score, threshold: 0.2, drifted })),
});

const windows = [
  w('2024-02-01T00:00:00Z', 1, 0.9, [['age', 0.01, false], ['hours', 0.05, false]]),
  w('2024-02-02T00:00:00Z', 1, 0.8, [['age', 0.3, true], ['hours', 0.02, false]]),
  w('2024-02-02T00:00:00Z', 2, 0.7, [['age', 0.1, false]]),
  w('2024-02-03T00:00:00Z', 2, null, [['age', 0.5, true], ['hours', 0.04, false]]),
];

describe('monitor tables and charts', () => {
  it('one series per version over the window days (null where a version has no value)', () => {
    expect(seriesByVersion(windows, (x) => x.performance?.rocAuc)).toEqual({
      labels: ['2024-02-01', '2024-02-02', '2024-02-03'],
      series: [
        { name: 'v1', values: [0.9, 0.8, null] },
        { name: 'v2', values: [null, 0.7, null] },
      ],
    });
  });

  it('drift series: mean over versions per day, the features with the highest peak first', () => {
    const { series } = driftSeries(windows, 1);
    expect(series).toHaveLength(1);
    expect(series[0]!.name).toBe('age');
    expect(series[0]!.values[0]).toBeCloseTo(0.01, 12);
    expect(series[0]!.values[1]).toBeCloseTo(0.2, 12);
    expect(series[0]!.values[2]).toBeCloseTo(0.5, 12);
  });

  it('drift table marks drifted scores with *', () => {
    const lines = driftTable(windows).split('\n');
    expect(lines[0]).toMatch(/window\s+preds\s+drift\s+age\s+hours/);
    expect(lines[2]).toMatch(/2024-02-02 v1\s+100\s+YES\s+0\.3\*\s+0\.02$/);
    expect(lines[3]).toMatch(/2024-02-02 v2\s+100\s+no\s+0\.1\s+-$/);
  });

  it('gaps are carried forward (then backward); an all-missing series is dropped', () => {
    expect(fillGaps([null, 0.5, null, 0.7])).toEqual([0.5, 0.5, 0.5, 0.7]);
    expect(fillGaps([null, null])).toBeNull();
    expect(lineChart('t', ['a'], [{ name: 'x', values: [null] }])).toBeNull();
  });

  it('draws an asciichart with a legend and the window range, without colours off a terminal', () => {
    const chart = lineChart('ROC AUC per day', ['2024-02-01', '2024-02-02', '2024-02-03'], [{ name: 'v1', values: [0.9, 0.8, null] }], { width: 30, height: 4, color: false })!;
    const lines = chart.split('\n');
    expect(lines[0]).toBe('ROC AUC per day');
    expect(chart).toContain('0.900');
    expect(chart).toContain('0.800');
    expect(lines.some((l) => /[┤┼]/.test(l))).toBe(true);
    expect(lines[lines.length - 2]).toContain('2024-02-01 … 2024-02-03 (3 windows)');
    expect(lines[lines.length - 1]).toBe('[blue] v1 (missing windows drawn flat)');
    expect(chart).not.toContain('\u001b[');
  });

  it('a flat series is drawn at its own value (asciichart alone labels one window at 0.519 as 1.000)', () => {
    const chart = lineChart('ROC AUC per day', ['2024-05-09', '2026-12-07'], [{ name: 'v1', values: [null, 0.5193] }], { width: 20, height: 8, color: false })!;
    const line = chart.split('\n').find((l) => l.includes('┼'))!;
    expect(line.trim().startsWith('0.519 ┼')).toBe(true);
    expect(chart).not.toContain('1.000');
    expect(flatRange([[0, 0]])).toEqual({ min: -1, max: 1 });
    expect(flatRange([[0.4, 0.6]])).toEqual({});
  });
});
