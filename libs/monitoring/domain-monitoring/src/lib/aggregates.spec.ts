import {
  buildReferenceProfile,
  chiSquaredHomogeneity,
  detectDrift,
  featureDrift,
  jensenShannonDistance,
  ksPValue,
  ksStatisticSorted,
  wassersteinSorted,
  type CategoricalFeatureProfile,
  type NumericFeatureProfile,
} from '@strata/shared/util-drift';
import { mulberry32 as rng } from '@strata/shared/testing';
import { accuracy, brierScore, calibrationByDecile, f1, logLoss, precision, recall, rocAuc } from '@strata/shared/util-model-evaluation';
import {
  CounterSet,
  driftFromCounters,
  gridPosition,
  healthFromCounters,
  labelCounters,
  latencyKey,
  latencyQuantile,
  performanceFromCounters,
  predictionCounters,
  probabilityBin,
  referenceGrid,
} from './aggregates';
import { featurePsi } from './windows';

const r = rng(11);
const zones = ['a', 'b', 'c', 'd'];
// reference: x ~ U(0,10) (2000 rows → sketch of 1000 order statistics), k ∈ {0,1,2} discrete, z categorical
const train = {
  x: Array.from({ length: 2000 }, () => r() * 10),
  k: Array.from({ length: 2000 }, () => Math.floor(r() * 3)),
  z: Array.from({ length: 2000 }, () => zones[Math.floor(r() * 3)]!),
};
const profile = buildReferenceProfile(train, { bins: 10 });
const [fx, fk, fz] = profile.features as [NumericFeatureProfile, NumericFeatureProfile, CategoricalFeatureProfile];
const sorted = (a: number[]) => Float64Array.from(a).sort();

/** A window: x shifted, k with a new value 7, z with an unseen category, some nulls. */
function windowRows(n: number, seed: number) {
  const q = rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    x: i % 17 === 0 ? null : 2 + q() * 10,
    k: i % 23 === 0 ? 7 : Math.floor(q() * 3),
    z: i % 11 === 0 ? 'e' : i % 13 === 0 ? null : zones[Math.floor(q() * 4)]!,
    p: q(),
    y: q() < 0.4 ? 1 : 0,
    latencyMs: 1 + q() * 50,
  }));
}

function countersOf(rows: ReturnType<typeof windowRows>, labeled = true): CounterSet {
  const c = new CounterSet();
  for (const x of rows) {
    predictionCounters(c, profile, { x: x.x, k: x.k, z: x.z }, x.latencyMs);
    if (labeled) labelCounters(c, x.y, x.p, 1);
  }
  return c;
}

describe('incremental window counters', () => {
  const rows = windowRows(700, 5);
  const c = countersOf(rows);
  const report = driftFromCounters(profile, c, { method: 'psi', psiThreshold: 0.1, driftShare: 0.5 });
  const xs = rows.map((x) => x.x).filter((v): v is number => v !== null);

  it('PSI per feature equals the exact row-based PSI to the last bit', () => {
    expect(report.drift.map((d) => d.tests.psi)).toEqual([
      featurePsi(fx, rows.map((x) => x.x)),
      featurePsi(fk, rows.map((x) => x.k)),
      featurePsi(fz, rows.map((x) => x.z)),
    ]);
    expect(report.drift[0]).toEqual(expect.objectContaining({ feature: 'x', method: 'psi', currentCount: 700 - 42, nullShare: 42 / 700, status: 'ok' }));
  });

  it('KS D from reference-grid counts equals ksStatisticSorted(sketch, values) exactly; p with n = reference count', () => {
    const D = ksStatisticSorted(fx.sketch, sorted(xs));
    expect(report.drift[0]!.tests.ks).toEqual({ statistic: D, pValue: ksPValue(D, fx.count, xs.length) });
    expect(report.drift[0]!.tests.ks).toEqual({ statistic: featureDrift(fx, rows.map((x) => x.x), { method: 'ks' }).statistic, pValue: featureDrift(fx, rows.map((x) => x.x), { method: 'ks' }).score });
  });

  it('normed Wasserstein is within its reported error bound of the exact value (and exact when no interval changes sign)', () => {
    const exact = wassersteinSorted(fx.sketch, sorted(xs)) / Math.max(fx.std as number, 0.001);
    const w = report.drift[0]!.tests.wasserstein!;
    expect(Math.abs(w.score - exact)).toBeLessThanOrEqual(w.maxError + 1e-12);
    expect(w.maxError).toBeLessThan(0.02);
    // a window fully above the reference range: F_ref − F_cur never changes sign → exact
    const far = [20, 21.5, 30];
    const cf = new CounterSet();
    for (const v of far) predictionCounters(cf, profile, { x: v, k: 0, z: 'a' }, 1);
    const wf = driftFromCounters(profile, cf, { psiThreshold: 0.1, driftShare: 0.5 }).drift[0]!.tests.wasserstein!;
    expect(wf.maxError).toBe(0);
    expect(wf.score).toBeCloseTo(wassersteinSorted(fx.sketch, far) / (fx.std as number), 12);
  });

  it('χ² and Jensen–Shannon equal util-drift featureDrift on categorical buckets and discrete values (+ other)', () => {
    for (const [i, f, col] of [[1, fk, rows.map((x) => x.k)], [2, fz, rows.map((x) => x.z)]] as const) {
      const chi = featureDrift(f, col, { method: 'chisquare' });
      const js = featureDrift(f, col, { method: 'jensenshannon' });
      expect(report.drift[i]!.tests.chisquare).toEqual({ statistic: chi.statistic, pValue: chi.score });
      expect(report.drift[i]!.tests.jensenshannon).toBe(js.score);
    }
    // categories absent from the reference ('d', 'e') land in __other__ (reference count 0); 'a'..'c' keep theirs
    expect([...fz.categories].sort()).toEqual(['__other__', 'a', 'b', 'c']);
    expect(c.n('cat:z', '__other__')).toBe(rows.filter((x) => x.z === 'e' || x.z === 'd').length);
    // the new discrete value 7 is the "other" bucket of k
    const cur = [0, 1, 2].map((v) => rows.filter((x) => x.k === v).length);
    cur.push(rows.filter((x) => x.k === 7).length);
    expect(report.drift[1]!.tests.chisquare!.statistic).toBe(chiSquaredHomogeneity([...fk.distinct!.counts, 0], cur).statistic);
    expect(report.drift[1]!.tests.jensenshannon).toBe(jensenShannonDistance([...fk.distinct!.counts, 0].map((v) => v / fk.count), cur.map((v) => v / 700)));
  });

  it('auto picks Evidently-style tests (reference > 1000 → wasserstein / jensenshannon)', () => {
    const auto = driftFromCounters(profile, c, { method: 'auto', psiThreshold: 0.1, driftShare: 0.5 });
    expect(auto.drift.map((d) => [d.method, d.threshold])).toEqual([['wasserstein', 0.1], ['jensenshannon', 0.1], ['jensenshannon', 0.1]]);
    expect(auto.drift[0]!.score).toBe(report.drift[0]!.tests.wasserstein!.score);
  });

  it('state is mergeable: counters of two halves summed equal the counters of the whole', () => {
    const merged = countersOf(rows.slice(0, 300)).merge(countersOf(rows.slice(300)));
    const a = driftFromCounters(profile, merged, { psiThreshold: 0.1, driftShare: 0.5 });
    expect(a.drift.map((d) => d.tests.psi)).toEqual(report.drift.map((d) => d.tests.psi));
    expect(a.drift[0]!.tests.ks).toEqual(report.drift[0]!.tests.ks);
    expect(performanceFromCounters(merged).performance.accuracy).toBe(performanceFromCounters(c).performance.accuracy);
  });

  it('performance from probability bins: accuracy/precision/recall/F1 exact, ROC AUC within its bound, log loss and Brier to 1e-12', () => {
    const y = rows.map((x) => x.y);
    const p = rows.map((x) => x.p);
    const { labeledCount, performance } = performanceFromCounters(c);
    expect(labeledCount).toBe(700);
    expect(performance.accuracy).toBe(accuracy(y, p));
    expect(performance.precision).toBe(precision(y, p));
    expect(performance.recall).toBe(recall(y, p));
    expect(performance.f1).toBe(f1(y, p));
    expect(Math.abs(performance.rocAuc! - rocAuc(y, p)!)).toBeLessThanOrEqual(performance.rocAucMaxError!);
    expect(performance.logLoss).toBeCloseTo(logLoss(y, p), 12);
    expect(performance.brierScore).toBeCloseTo(brierScore(y, p), 12);
    const cal = calibrationByDecile(y, p);
    expect(performance.calibration.map((b) => b.count)).toEqual(cal.map((b) => b.count));
    performance.calibration.forEach((b, i) => {
      expect(b.observedRate).toBe(cal[i]!.observedRate);
      expect(b.meanPredicted).toBeCloseTo(cal[i]!.meanPredicted as number, 12);
    });
  });

  it('a replaced label is subtracted (latest label wins)', () => {
    const x = new CounterSet();
    labelCounters(x, 1, 0.2, 1);
    labelCounters(x, 1, 0.9, 1); // first label of the 0.9 prediction: 1 …
    labelCounters(x, 1, 0.9, -1); // … replaced by a later label 0
    labelCounters(x, 0, 0.9, 1);
    expect(performanceFromCounters(x)).toEqual(expect.objectContaining({ labeledCount: 2 }));
    expect(performanceFromCounters(x).performance.rocAuc).toBe(rocAuc([1, 0], [0.2, 0.9]));
    expect(performanceFromCounters(x).performance.rocAuc).toBe(0);
    expect(x.n('lbl')).toBe(2);
  });

  it('probability bins never straddle a threshold: k/10⁴ ≤ p < (k+1)/10⁴', () => {
    for (const p of [0, 0.5, 0.49999999999999994, 0.1 + 0.2, 1, 0.30000000000000004, 0.00005]) {
      const k = probabilityBin(p);
      expect(k / 10_000).toBeLessThanOrEqual(p);
      if (p < 1) expect((k + 1) / 10_000).toBeGreaterThan(p);
    }
    expect(probabilityBin(0.49999999999999994)).toBe(4999);
    expect(probabilityBin(0.5)).toBe(5000);
  });

  it('latency quantiles are within 1% of the exact lower order statistic; error rate = failures / requests', () => {
    const lat = rows.map((x) => x.latencyMs / 1000).sort((a, b) => a - b);
    const h = healthFromCounters(c.add('fail', '', 7));
    for (const [q, v] of [[0.5, h.latencySeconds.p50], [0.95, h.latencySeconds.p95], [0.99, h.latencySeconds.p99]] as const) {
      const exact = lat[Math.ceil(q * lat.length) - 1]!;
      expect(Math.abs(v! - exact)).toBeLessThanOrEqual(0.01 * exact);
    }
    expect(h.errorRate).toBe(7 / 707);
    expect(latencyKey(0)).toBe('z');
    expect(latencyQuantile([{ metric: 'lat', bucket: 'z', n: 3, s: 0 }], 0.99)).toBe(0);
    expect(latencyQuantile([], 0.5)).toBeNull();
  });

  it('edge cases: constant column, all-null window, one-row window, no profile', () => {
    const constant = buildReferenceProfile({ c: [3, 3, 3, 3] });
    const fc = constant.features[0] as NumericFeatureProfile;
    expect(Array.from(referenceGrid(fc))).toEqual([3]);
    expect([gridPosition(referenceGrid(fc), 2), gridPosition(referenceGrid(fc), 3), gridPosition(referenceGrid(fc), 4)]).toEqual(['i-1', 'e0', 'i0']);
    const one = new CounterSet();
    predictionCounters(one, constant, { c: 4 }, 2);
    const d = driftFromCounters(constant, one, { psiThreshold: 0.1, driftShare: 0.5 }).drift[0]!;
    const exact = featureDrift(fc, [4], { method: 'psi' });
    expect(d.tests.psi).toBe(exact.score);
    expect(d.tests.ks).toEqual({ statistic: 1, pValue: featureDrift(fc, [4], { method: 'ks' }).score });
    expect(d.tests.wasserstein).toEqual({ score: 1 / 0.001, maxError: 0 });
    const nulls = new CounterSet();
    predictionCounters(nulls, constant, { c: null }, 2);
    predictionCounters(nulls, constant, {}, 2);
    const n = driftFromCounters(constant, nulls, { psiThreshold: 0.1, driftShare: 0.5 });
    expect(n.drift[0]).toEqual(expect.objectContaining({ score: null, drifted: false, status: 'no_current_values', nullShare: 1, currentCount: 0 }));
    expect(n).toEqual(expect.objectContaining({ testedCount: 0, datasetDrift: false }));
    const none = predictionCounters(new CounterSet(), null, { c: 1 }, 2);
    expect(none.n('unprof')).toBe(1);
    expect(driftFromCounters(null, none, { psiThreshold: 0.1, driftShare: 0.5 }).drift).toEqual([]);
    expect(performanceFromCounters(none).performance).toEqual(expect.objectContaining({ rocAuc: null, accuracy: null, logLoss: null }));
  });
});

describe('range bins and the significance gate from counters (issue #19 findings 5 and 7)', () => {
  const rows = windowRows(700, 5); // x = 2 + U(0, 10): ~20% above the reference max 10
  const c = countersOf(rows);
  const xcol = rows.map((x) => x.x);

  it('χ² and Jensen–Shannon of a numeric feature equal util-drift on the range bins (overflow kept apart)', () => {
    const report = driftFromCounters(profile, c, { method: 'psi', psiThreshold: 0.1, driftShare: 0.5 });
    const chi = featureDrift(fx, xcol, { method: 'chisquare' });
    expect(report.drift[0]!.tests.chisquare).toEqual({ statistic: chi.statistic, pValue: chi.score });
    expect(report.drift[0]!.tests.jensenshannon).toBe(featureDrift(fx, xcol, { method: 'jensenshannon' }).score);
    expect(report.drift[0]!.tests.psi).toBe(featureDrift(fx, xcol, { method: 'psi' }).score);
  });

  it('a window disjoint from the reference has Jensen–Shannon distance 1 from counters too', () => {
    const cf = new CounterSet();
    for (const v of [20, 21.5, 30, -4]) predictionCounters(cf, profile, { x: v, k: 0, z: 'a' }, 1);
    const js = driftFromCounters(profile, cf, { method: 'jensenshannon', psiThreshold: 0.1, driftShare: 0.5 }).drift[0]!;
    expect(Math.abs(js.score! - 1)).toBeLessThan(1e-9);
  });

  it('verdicts, p-values and significance tests equal util-drift detectDrift for every method', () => {
    for (const method of ['psi', 'ks', 'chisquare', 'jensenshannon', 'wasserstein'] as const) {
      const fromCounters = driftFromCounters(profile, c, { method, psiThreshold: 0.1, driftShare: 0.5 }).drift;
      const fromRows = detectDrift(profile, { x: xcol, k: rows.map((x) => x.k), z: rows.map((x) => x.z) }, { method }).features;
      const pick = (d: { drifted: boolean; significanceTest: string | null }) => [d.drifted, d.significanceTest];
      expect({ method, v: fromCounters.map(pick) }).toEqual({ method, v: fromRows.map(pick) });
      // p-values: KS / χ² exactly (the Wasserstein score is the counters' bounded approximation, its p is KS)
      expect(fromCounters.map((d) => d.pValue)).toEqual(fromRows.map((d) => d.pValue));
    }
  });

  it('small windows of the reference distribution do not alarm; a shifted one does', () => {
    let alarms = 0;
    let above = 0;
    for (let t = 0; t < 100; t++) {
      const q = rng(500 + t);
      const w = new CounterSet();
      for (let i = 0; i < 30; i++) predictionCounters(w, profile, { x: q() * 10, k: Math.floor(q() * 3), z: zones[Math.floor(q() * 3)]! }, 1);
      const rep = driftFromCounters(profile, w, { method: 'psi', psiThreshold: 0.1, driftShare: 0.5 });
      if (rep.datasetDrift) alarms++;
      above += rep.drift.filter((d) => d.score! >= 0.1).length;
    }
    expect(alarms).toBeLessThanOrEqual(1);
    expect(above).toBeGreaterThan(100); // PSI alone: most features of most 30-row windows are ≥ 0.1
    const shifted = new CounterSet();
    const q = rng(9);
    for (let i = 0; i < 200; i++) predictionCounters(shifted, profile, { x: 4 + q() * 10, k: q() < 0.7 ? 0 : 1, z: 'a' }, 1);
    expect(driftFromCounters(profile, shifted, { method: 'psi', psiThreshold: 0.1, driftShare: 0.5 }).datasetDrift).toBe(true);
  });
});
