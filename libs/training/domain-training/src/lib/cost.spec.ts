import { estimateCost } from './training-runs.service';

describe('estimateCost', () => {
  it('CPU-hours × rate + peak GiB × wall hours × rate', () => {
    // 1800 CPU s = 0.5 CPU-h; 2 GiB held for 30 min = 1 GB-h
    expect(estimateCost({ wallTimeMs: 1_800_000, cpuSeconds: 1800, peakRssBytes: 2 * 2 ** 30, gpuUtilizationPct: null }, { perCpuHour: 0.04, perGbHour: 0.005, currency: 'USD' })).toEqual({
      estimated: 0.5 * 0.04 + 1 * 0.005,
      currency: 'USD',
      cpuHours: 0.5,
      gbHours: 1,
      ratePerCpuHour: 0.04,
      ratePerGbHour: 0.005,
    });
  });

  it('null while resources are unknown; zero rates without configuration', () => {
    expect(estimateCost({ wallTimeMs: null, cpuSeconds: 1, peakRssBytes: 1, gpuUtilizationPct: null }, { perCpuHour: 1, perGbHour: 1, currency: 'USD' })).toBeNull();
    expect(estimateCost({ wallTimeMs: 3_600_000, cpuSeconds: 3600, peakRssBytes: 2 ** 30, gpuUtilizationPct: null }, undefined)).toMatchObject({ estimated: 0, cpuHours: 1, gbHours: 1 });
  });
});
