import { decideOptimization, percentile } from './optimization-decision';

describe('decideOptimization', () => {
  const parent = { accuracy: 0.85, rocAuc: 0.9 };
  const margins = { maxAccuracyDrop: 0.01, maxRocAucDrop: 0.01 };

  it('accepts a child within both margins and reports the drops', () => {
    const d = decideOptimization(parent, { accuracy: 0.845, rocAuc: 0.899 }, margins);
    expect(d.accepted).toBe(true);
    expect(d.accuracyDrop).toBeCloseTo(0.005, 12);
    expect(d.rocAucDrop).toBeCloseTo(0.001, 12);
    expect(d.reason).toBe('accepted: accuracy drop 0.005000 ≤ 0.01, ROC AUC drop 0.001000 ≤ 0.01');
  });

  it('accepts a drop exactly at the margin (floating-point noise included)', () => {
    expect(decideOptimization({ accuracy: 0.3, rocAuc: null }, { accuracy: 0.2, rocAuc: null }, { maxAccuracyDrop: 0.1, maxRocAucDrop: 0 }).accepted).toBe(true);
  });

  it('accepts a child that is better (negative drops)', () => {
    const d = decideOptimization(parent, { accuracy: 0.86, rocAuc: 0.91 }, { maxAccuracyDrop: 0, maxRocAucDrop: 0 });
    expect(d.accepted).toBe(true);
    expect(d.accuracyDrop).toBeCloseTo(-0.01, 12);
  });

  it('refuses when accuracy drops past its margin, naming the numbers', () => {
    const d = decideOptimization(parent, { accuracy: 0.83, rocAuc: 0.9 }, margins);
    expect(d.accepted).toBe(false);
    expect(d.reason).toBe('refused: accuracy dropped by 0.020000 (0.850000 → 0.830000), more than maxAccuracyDrop 0.01');
  });

  it('refuses when ROC AUC drops past its own margin even if accuracy holds', () => {
    const d = decideOptimization(parent, { accuracy: 0.85, rocAuc: 0.85 }, { maxAccuracyDrop: 0.01, maxRocAucDrop: 0.02 });
    expect(d.accepted).toBe(false);
    expect(d.rocAucDrop).toBeCloseTo(0.05, 12);
    expect(d.reason).toBe('refused: ROC AUC dropped by 0.050000 (0.900000 → 0.850000), more than maxRocAucDrop 0.02');
  });

  it('names both failures when both drop', () => {
    const d = decideOptimization(parent, { accuracy: 0.5, rocAuc: 0.5 }, margins);
    expect(d.reason).toContain('accuracy dropped by 0.350000');
    expect(d.reason).toContain('ROC AUC dropped by 0.400000');
  });

  it('does not gate on ROC AUC when it cannot be measured', () => {
    const d = decideOptimization({ accuracy: 0.9, rocAuc: null }, { accuracy: 0.9, rocAuc: null }, margins);
    expect(d).toEqual({ accepted: true, accuracyDrop: 0, rocAucDrop: null, reason: 'accepted: accuracy drop 0.000000 ≤ 0.01, ROC AUC not measurable (one class)' });
  });

  it('rejects a negative or non-finite margin', () => {
    expect(() => decideOptimization(parent, parent, { maxAccuracyDrop: -0.1, maxRocAucDrop: 0 })).toThrow('maxAccuracyDrop must be a finite number ≥ 0, got -0.1');
    expect(() => decideOptimization(parent, parent, { maxAccuracyDrop: 0, maxRocAucDrop: Number.NaN })).toThrow('maxRocAucDrop');
  });
});

describe('percentile (nearest rank)', () => {
  it('picks the nearest-rank value', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 90)).toBe(4);
    expect(percentile([7], 0)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});
