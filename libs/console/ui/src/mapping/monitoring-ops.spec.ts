import { window } from './fixtures';
import { calibrationCurve, opsSeries, type CalibrationBin, type OpsWindow } from './monitoring-ops';

function opsWindow(day: string, over: Partial<OpsWindow>, calibration: CalibrationBin[] = []): OpsWindow {
  const w = window(day, 1, [['age', 0.02, false]], false, 0.85);
  return { ...w, performance: { ...w.performance!, calibration }, ...over };
}

const bin = (i: number, count: number, meanPredicted: number | null, observedRate: number | null): CalibrationBin => ({ bin: i, lower: i / 10, upper: (i + 1) / 10, count, meanPredicted, observedRate });

describe('monitoring: serving health, label coverage and calibration', () => {
  it('maps latency (s → ms), error rate and label coverage per window, ascending', () => {
    const points = opsSeries([
      opsWindow('2024-03-02', { errorCount: 5, errorRate: 5 / 105, latencySeconds: { p50: 0.004, p95: 0.01, p99: 0.0215 }, labeledCount: 30 }),
      opsWindow('2024-03-01', { errorCount: 0, errorRate: 0, latencySeconds: { p50: 0.003, p95: 0.008, p99: 0.012 } }),
      opsWindow('2024-03-03', { predictionCount: 0, labeledCount: 0, errorCount: 0, errorRate: null, latencySeconds: { p50: null, p95: null, p99: null } }),
      { ...opsWindow('2024-03-04', {}), windowStart: null },
    ]);
    expect(points.map((p) => [new Date(p.t).toISOString().slice(0, 10), p.p50Ms, p.p99Ms, p.errorRate, p.requests, p.labelCoverage])).toEqual([
      ['2024-03-01', 3, 12, 0, 100, 0.9],
      ['2024-03-02', 4, 21.5, 5 / 105, 105, 0.3],
      ['2024-03-03', null, null, null, 0, null],
    ]);
  });

  it('pools the calibration bins of all windows weighted by their counts, leaving empty bins out', () => {
    const curve = calibrationCurve([
      opsWindow('2024-03-01', {}, [bin(1, 10, 0.15, 0.1), bin(8, 30, 0.85, 0.9), bin(5, 0, null, null)]),
      opsWindow('2024-03-02', {}, [bin(1, 30, 0.17, 0.2), bin(8, 10, 0.81, 0.7)]),
      opsWindow('2024-03-03', { performance: null }),
    ]);
    expect(curve.map((c) => [c.bin, Number(c.meanPredicted.toFixed(4)), Number(c.observedRate.toFixed(4)), c.count])).toEqual([
      [1, 0.165, 0.175, 40],
      [8, 0.84, 0.85, 40],
    ]);
    expect(calibrationCurve([])).toEqual([]);
  });
});
