import { InvalidArgumentError } from '@strata/shared/util-errors';
import { predictProba, trainLogisticRegression } from './index';
import type { LogisticRegressionModel } from './index';
import { syntheticTaxi } from './test-data';

describe('trainLogisticRegression', () => {
  const data = syntheticTaxi(20_000, 7);

  it('converges quickly and satisfies the optimality conditions (λ = 0)', () => {
    const progress: number[] = [];
    const m = trainLogisticRegression(data, { l2: 0 }, (p) => progress.push(p.loss));
    expect(m.converged).toBe(true);
    expect(m.iterations).toBeLessThan(15);
    expect(progress).toHaveLength(m.iterations);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeLessThanOrEqual(progress[i - 1]!);
    // Score equations of the MLE: Σ (pᵢ − yᵢ) = 0 and Σ (pᵢ − yᵢ)·zᵢⱼ = 0 on imputed standardized features.
    const p = predictProba(m, data.rows);
    let r0 = 0;
    const rj = new Array<number>(data.features.length).fill(0);
    for (let i = 0; i < p.length; i++) {
      const r = p[i]! - data.labels[i]!;
      r0 += r;
      data.rows[i]!.forEach((v, j) => {
        const x = v ?? m.imputeValues[j]!;
        rj[j]! += r * ((x - m.means[j]!) / m.scales[j]!);
      });
    }
    expect(Math.abs(r0) / p.length).toBeLessThan(1e-8);
    for (const v of rj) expect(Math.abs(v) / p.length).toBeLessThan(1e-8);
    // trainLoss is the mean log loss of predictProba
    let ll = 0;
    for (let i = 0; i < p.length; i++) ll -= data.labels[i] === 1 ? Math.log(p[i]!) : Math.log(1 - p[i]!);
    expect(m.trainLoss).toBeCloseTo(ll / p.length, 10);
  });

  it('recovers the generating effect directions', () => {
    const m = trainLogisticRegression(data);
    const coef = Object.fromEntries(m.featureNames.map((f, j) => [f, m.coefficients[j]!]));
    expect(coef['zone_mean_tip_rate_7d']).toBeGreaterThan(0.3);
    expect(coef['zone_card_share_7d']).toBeGreaterThan(0.1);
    expect(coef['passenger_count']).toBeLessThan(0);
    expect(Math.abs(coef['zone_night_share_7d']!)).toBeLessThan(0.05);
  });

  it('standardizes with training mean / population std and imputes the mean', () => {
    const m = trainLogisticRegression({
      features: ['a', 'b', 'const'],
      rows: [
        [1, null, 5],
        [2, 4, 5],
        [3, 6, 5],
        [4, NaN, 5],
      ],
      labels: [0, 1, 0, 1],
    });
    expect(m.means).toEqual([2.5, 5, 5]);
    // std of 1..4 (ddof 0) = sqrt(1.25); b: {4, 6} -> 1; const -> scale 1
    expect(m.scales[0]).toBeCloseTo(Math.sqrt(1.25), 15);
    expect(m.scales[1]).toBe(1);
    expect(m.scales[2]).toBe(1);
    expect(m.imputeValues).toEqual(m.means);
    expect(m.coefficients[2]).toBe(0); // a constant column gets no weight (z = 0 everywhere)
    const [pNull, pMean] = predictProba(m, [
      [1, null, 5],
      [1, 5, 5],
    ]);
    expect(pNull).toBe(pMean);
  });

  it('is deterministic', () => {
    const a = trainLogisticRegression(data, { l2: 1e-3 });
    const b = trainLogisticRegression(data, { l2: 1e-3 });
    expect(b).toEqual(a);
  });

  it('shrinks coefficients with a larger l2 and shifts the intercept with balanced class weights', () => {
    const small = trainLogisticRegression(data, { l2: 1e-4 });
    const big = trainLogisticRegression(data, { l2: 1 });
    const norm = (m: LogisticRegressionModel): number => Math.hypot(...m.coefficients);
    expect(norm(big)).toBeLessThan(norm(small));
    const balanced = trainLogisticRegression(data, { classWeight: 'balanced' });
    // positives are the minority here, so balancing raises the intercept
    expect(small.trainPositiveRate).toBeLessThan(0.5);
    expect(balanced.intercept).toBeGreaterThan(small.intercept);
    expect(balanced.params.classWeight).toBe('balanced');
  });

  it('accepts Float64Array rows with NaN as missing', () => {
    const rows = data.rows.slice(0, 500).map((r) => Float64Array.from(r, (v) => (v === null ? NaN : v)));
    const m1 = trainLogisticRegression({ features: data.features, rows, labels: data.labels.slice(0, 500) });
    const m2 = trainLogisticRegression({ features: data.features, rows: data.rows.slice(0, 500), labels: data.labels.slice(0, 500) });
    expect(m1).toEqual(m2);
  });

  it('handles perfectly separable data without blowing up', () => {
    const m = trainLogisticRegression({ features: ['x'], rows: [[0], [1], [2], [3]], labels: [0, 0, 1, 1] }, { l2: 0, maxIterations: 30 });
    const p = predictProba(m, [[0], [3]]);
    expect(Number.isFinite(m.coefficients[0]!)).toBe(true);
    expect(p[0]!).toBeLessThan(0.01);
    expect(p[1]!).toBeGreaterThan(0.99);
  });

  it('rejects bad input with clear errors', () => {
    const ok = { features: ['a'], rows: [[1], [2]], labels: [0, 1] };
    expect(() => trainLogisticRegression({ ...ok, rows: [], labels: [] })).toThrow(/no rows/);
    expect(() => trainLogisticRegression({ ...ok, features: [] })).toThrow(/no features/);
    expect(() => trainLogisticRegression({ ...ok, labels: [0] })).toThrow(/2 rows but 1 labels/);
    expect(() => trainLogisticRegression({ ...ok, labels: [0, 2] })).toThrow(/expected 0 or 1/);
    expect(() => trainLogisticRegression({ ...ok, labels: [1, 1] })).toThrow(/one class/);
    expect(() => trainLogisticRegression({ ...ok, rows: [[1], [1, 2]] })).toThrow(/Row 1 has 2 values, expected 1/);
    expect(() => trainLogisticRegression({ ...ok, rows: [[1], [Infinity]] })).toThrow(/Infinity/);
    expect(() => trainLogisticRegression({ ...ok, rows: [[null], [NaN]] })).toThrow(/no non-missing value/);
    expect(() => trainLogisticRegression({ ...ok, features: ['a', 'a'], rows: [[1, 1], [2, 2]] })).toThrow(/repeated/);
    expect(() => trainLogisticRegression(ok, { l2: -1 })).toThrow(InvalidArgumentError);
    expect(() => trainLogisticRegression(ok, { learningRate: 2 })).toThrow(/learningRate/);
    expect(() => trainLogisticRegression(ok, { classWeight: { 0: 1, 1: 0 } })).toThrow(/classWeight/);
  });
});

describe('predictProba', () => {
  it('rejects rows of the wrong width or with Infinity', () => {
    const m = trainLogisticRegression({ features: ['a'], rows: [[1], [2]], labels: [0, 1] });
    expect(() => predictProba(m, [[1, 2]])).toThrow(/expected 1/);
    expect(() => predictProba(m, [[-Infinity]])).toThrow(InvalidArgumentError);
  });
});
