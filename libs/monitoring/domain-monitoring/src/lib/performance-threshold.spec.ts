import { rocAucAlertThreshold } from './performance-threshold';

describe('rocAucAlertThreshold', () => {
  it('without a baseline: the floor', () => {
    expect(rocAucAlertThreshold(0.6, null, 0.05)).toBe(0.6);
  });
  it('baseline above the floor: a drop of maxDrop, never below the floor', () => {
    expect(rocAucAlertThreshold(0.6, 0.8, 0.05)).toBeCloseTo(0.75, 12);
    expect(rocAucAlertThreshold(0.6, 0.62, 0.05)).toBe(0.6);
  });
  it('baseline below the floor: judged against itself, so a window as good as the model is not "degraded"', () => {
    // the demo's sampled taxi model: offline 0.577; a February window at 0.585 must not alert
    const t = rocAucAlertThreshold(0.6, 0.5774, 0.05);
    expect(t).toBeCloseTo(0.5274, 12);
    expect(0.585 < t).toBe(false);
    expect(0.52 < t).toBe(true);
  });
});
