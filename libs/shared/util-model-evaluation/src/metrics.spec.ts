import { mulberry32 } from '@strata/shared/testing';
import { InvalidArgumentError } from '@strata/shared/util-errors';
import {
  accuracy,
  brierScore,
  calibrationByDecile,
  confusionCounts,
  evaluateBinaryClassifier,
  expectedCalibrationError,
  f1,
  logLoss,
  mae,
  precision,
  recall,
  rmse,
  rocAuc,
} from './index';

function bruteForceAuc(labels: number[], scores: number[]): number {
  let num = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      const si = scores[i]!;
      const sj = scores[j]!;
      num += si > sj ? 1 : si === sj ? 0.5 : 0;
    }
  }
  return num / pairs;
}

describe('rocAuc', () => {
  it('matches the hand-computed Mann–Whitney value', () => {
    // ascending: 0.1(neg, rank 1) 0.35(pos, 2) 0.4(neg, 3) 0.8(pos, 4)
    // R+ = 2 + 4 = 6; U = 6 - 2·3/2 = 3; AUC = 3 / (2·2) = 0.75
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
  });

  it('gives tied scores the average rank', () => {
    // ascending: 0.2(neg, 1) {0.5 neg, 0.5 pos} ranks 2,3 -> 2.5 each, 0.9(pos, 4)
    // R+ = 2.5 + 4 = 6.5; U = 6.5 - 3 = 3.5; AUC = 3.5 / 4 = 0.875
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
    // all scores equal -> 0.5
    expect(rocAuc([0, 1, 1, 0, 1], [3, 3, 3, 3, 3])).toBe(0.5);
  });

  it('is 1 for a perfect ranking and 0 for an inverted one', () => {
    expect(rocAuc([0, 0, 1, 1], [1, 2, 3, 4])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [1, 2, 3, 4])).toBe(0);
  });

  it('returns null with one class only', () => {
    expect(rocAuc([1, 1, 1], [0.1, 0.2, 0.3])).toBeNull();
    expect(rocAuc([0], [0.4])).toBeNull();
  });

  it('agrees with brute-force pairwise AUC on random data with ties', () => {
    const rnd = mulberry32(42);
    for (let trial = 0; trial < 20; trial++) {
      const n = 50 + Math.floor(rnd() * 300);
      const labels: number[] = [];
      const scores: number[] = [];
      for (let i = 0; i < n; i++) {
        const y = rnd() < 0.3 ? 1 : 0;
        labels.push(y);
        // rounded to 2 decimals so ties are frequent
        scores.push(Math.round((rnd() + 0.3 * y) * 20) / 20);
      }
      expect(rocAuc(labels, Float64Array.from(scores))).toBeCloseTo(bruteForceAuc(labels, scores), 12);
    }
  });

  it('rejects bad input', () => {
    expect(() => rocAuc([], [])).toThrow(InvalidArgumentError);
    expect(() => rocAuc([0, 1], [0.1])).toThrow(/2 labels but 1 scores/);
    expect(() => rocAuc([0, 2], [0.1, 0.2])).toThrow(/expected 0 or 1/);
    expect(() => rocAuc([0, 1], [0.1, NaN])).toThrow(/finite/);
  });
});

describe('thresholded metrics', () => {
  // probs [0.1, 0.4, 0.35, 0.8] at 0.5 -> predictions [0, 0, 0, 1]
  // labels [0, 0, 1, 1]: TN, TN, FN, TP -> tp 1 fp 0 tn 2 fn 1
  const y = [0, 0, 1, 1];
  const p = [0.1, 0.4, 0.35, 0.8];

  it('computes the confusion matrix, accuracy, precision, recall and F1', () => {
    expect(confusionCounts(y, p)).toEqual({ tp: 1, fp: 0, tn: 2, fn: 1 });
    expect(accuracy(y, p)).toBe(0.75); // (1 + 2) / 4
    expect(precision(y, p)).toBe(1); // 1 / (1 + 0)
    expect(recall(y, p)).toBe(0.5); // 1 / (1 + 1)
    expect(f1(y, p)).toBeCloseTo(2 / 3, 15); // 2·1 / (2·1 + 0 + 1)
    // threshold 0.3: predictions [0,1,1,1] -> tp 2 fp 1 tn 1 fn 0
    expect(accuracy(y, p, 0.3)).toBe(0.75);
    expect(precision(y, p, 0.3)).toBeCloseTo(2 / 3, 15);
  });

  it('counts a score equal to the threshold as positive', () => {
    expect(confusionCounts([1, 0], [0.5, 0.5])).toEqual({ tp: 1, fp: 1, tn: 0, fn: 0 });
  });

  it('returns 0 instead of NaN on zero divisions', () => {
    // nothing predicted positive
    expect(precision([1, 0], [0.1, 0.2])).toBe(0);
    // no positive label
    expect(recall([0, 0], [0.9, 0.2])).toBe(0);
    // no positive label, no positive prediction
    expect(f1([0, 0], [0.1, 0.2])).toBe(0);
    expect(accuracy([0, 0], [0.1, 0.2])).toBe(1);
  });
});

describe('logLoss and brierScore', () => {
  it('computes the mean cross-entropy', () => {
    expect(logLoss([1, 0], [0.8, 0.3])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 15);
  });

  it('clips probabilities at eps', () => {
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-15), 10); // 34.538776...
    expect(logLoss([0], [1])).toBeCloseTo(-Math.log(1 - (1 - 1e-15)), 6);
    expect(logLoss([1, 0], [1, 0])).toBeLessThan(1e-14);
    expect(logLoss([1], [0], 1e-3)).toBeCloseTo(-Math.log(1e-3), 12);
  });

  it('computes the Brier score', () => {
    // (0.2² + 0.3² + 0.5²) / 3 = (0.04 + 0.09 + 0.25) / 3 = 0.38 / 3
    expect(brierScore([1, 0, 1], [0.8, 0.3, 0.5])).toBeCloseTo(0.38 / 3, 15);
  });

  it('rejects probabilities outside [0, 1] and bad eps', () => {
    expect(() => logLoss([1], [1.2])).toThrow(/probability in \[0, 1\]/);
    expect(() => brierScore([1], [-0.1])).toThrow(InvalidArgumentError);
    expect(() => logLoss([1], [0.5], 0)).toThrow(/eps/);
  });
});

describe('calibrationByDecile', () => {
  // bin = min(floor(p·10), 9): 0.05->0, 0.15->1, 0.12->1, 1.0->9, 0.95->9
  const y = [0, 1, 0, 1, 1];
  const p = [0.05, 0.15, 0.12, 1.0, 0.95];

  it('fills equal-width bins, the last one closed at 1', () => {
    const t = calibrationByDecile(y, p);
    expect(t).toHaveLength(10);
    expect(t[0]).toEqual({ bin: 0, lower: 0, upper: 0.1, count: 1, meanPredicted: 0.05, observedRate: 0 });
    expect(t[1]!.count).toBe(2);
    expect(t[1]!.meanPredicted).toBeCloseTo(0.135, 15); // (0.15 + 0.12) / 2
    expect(t[1]!.observedRate).toBe(0.5);
    expect(t[9]!.count).toBe(2);
    expect(t[9]!.meanPredicted).toBeCloseTo(0.975, 15);
    expect(t[9]!.observedRate).toBe(1);
    expect(t[5]).toEqual({ bin: 5, lower: 0.5, upper: 0.6, count: 0, meanPredicted: null, observedRate: null });
    // ECE = (1·|0.05-0| + 2·|0.135-0.5| + 2·|0.975-1|) / 5 = (0.05 + 0.73 + 0.05) / 5 = 0.166
    expect(expectedCalibrationError(t)).toBeCloseTo(0.166, 14);
  });

  it('supports other bin counts and rejects bad ones', () => {
    const t = calibrationByDecile(y, p, 2);
    expect(t.map((b) => b.count)).toEqual([3, 2]);
    expect(() => calibrationByDecile(y, p, 0)).toThrow(/bins/);
    expect(() => calibrationByDecile(y, p, 2.5)).toThrow(/bins/);
  });
});

describe('evaluateBinaryClassifier', () => {
  it('returns every metric, JSON-safe', () => {
    const r = evaluateBinaryClassifier([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(r.count).toBe(4);
    expect(r.positives).toBe(2);
    expect(r.positiveRate).toBe(0.5);
    expect(r.rocAuc).toBe(0.75);
    expect(r.accuracy).toBe(0.75);
    expect(r.precision).toBe(1);
    expect(r.recall).toBe(0.5);
    expect(r.f1).toBeCloseTo(2 / 3, 15);
    expect(r.logLoss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4, 15);
    expect(r.brierScore).toBeCloseTo((0.01 + 0.16 + 0.4225 + 0.04) / 4, 15);
    expect(r.calibration).toHaveLength(10);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('reports rocAuc null for one class', () => {
    const r = evaluateBinaryClassifier([0, 0], [0.2, 0.7]);
    expect(r.rocAuc).toBeNull();
    expect(r.recall).toBe(0);
    expect(r.precision).toBe(0);
  });
});

describe('regression metrics', () => {
  it('computes MAE and RMSE', () => {
    // errors 1, 0, 2: MAE = 3/3 = 1; RMSE = sqrt((1 + 0 + 4)/3) = sqrt(5/3)
    expect(mae([1, 2, 3], [2, 2, 5])).toBe(1);
    expect(rmse([1, 2, 3], [2, 2, 5])).toBeCloseTo(Math.sqrt(5 / 3), 15);
  });

  it('rejects bad input', () => {
    expect(() => mae([], [])).toThrow(InvalidArgumentError);
    expect(() => rmse([1], [1, 2])).toThrow(/1 actual values but 2 predictions/);
    expect(() => rmse([1], [Infinity])).toThrow(/non-finite/);
  });
});
