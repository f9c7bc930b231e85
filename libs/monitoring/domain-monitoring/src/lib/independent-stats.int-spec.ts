import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { pythonFor, repoRoot, mulberry32 as rng } from '@strata/shared/testing';
import {
  accuracy,
  f1,
  logLoss,
  meanAbsoluteError,
  precision,
  recall,
  rocAuc,
  rootMeanSquaredError,
} from '@strata/shared/util-model-evaluation';
import {
  buildReferenceProfile,
  chiSquaredTest,
  featureDrift,
  rangeBinCounts,
  referenceRangeCounts,
  kolmogorovSurvival,
  ksTwoSample,
  numericPsi,
  psi,
  regularizedGammaQ,
  type CategoricalFeatureProfile,
  type NumericFeatureProfile,
} from '@strata/shared/util-drift';

/** |a − b| ≤ tol·max(1, |b|). */
function close(a: number | null | undefined, b: number, tol = 1e-12): void {
  expect(typeof a).toBe('number');
  if (Math.abs((a as number) - b) > tol * Math.max(1, Math.abs(b))) throw new Error(`${a} != ${b} (tol ${tol})`);
}

interface Independent {
  numpy: {
    psi: number; psiInteriorEdges: number[]; ks: { statistic: number; pValue: number }; wassersteinNormed: number;
    chiSquaredHomogeneity: { statistic: number; pValue: number; df: number }; categories: string[]; jensenShannonBase2: number;
    numericRangeCounts: { reference: number[]; current: number[] }; numericJensenShannonBase2: number; numericJensenShannonBase2Disjoint: number;
    rocAuc: number; logLoss: number; precision: number; recall: number; f1: number; accuracy: number; mae: number; rmse: number;
    kolmogorovSurvival: Record<string, number>; regularizedGammaQ: Record<string, number>;
  };
  evidently: {
    version: string; ksPValue: number; scipyKs2sampPValue: number; wassersteinNormed: number; psi: number;
    psiReferencePercents: number[]; psiCurrentPercents: number[]; chisquarePValue: number; jensenshannonNaturalLog: number;
    rocAuc: number; logLoss: number; precision: number; recall: number; f1: number; accuracy: number; mae: number; rmse: number;
  };
}

/**
 * Every statistic of util-drift / util-model-evaluation recomputed on the same samples by
 * (1) numpy + scipy code written from our definitions and (2) Evidently 0.7's own stattests
 * (and sklearn.metrics, which Evidently's quality metrics call), both from PyPI through
 * tools/python/stats.requirements.txt. Where Evidently's definition differs on purpose, the
 * documented difference is asserted.
 */
describe('independent verification against numpy/scipy and Evidently (PyPI)', () => {
  const r = rng(2024);
  // numeric: reference N-ish(5, 2) 800 rows (≤ sketchSize: the sketch is the full sample), current shifted
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const nref = Array.from({ length: 800 }, () => 5 + 2 * normal());
  const ncur = Array.from({ length: 600 }, () => 5.6 + 2.3 * normal());
  // categorical: 'd' disappears in the current window, shares move
  const cref = Array.from({ length: 800 }, () => { const u = r(); return u < 0.4 ? 'a' : u < 0.7 ? 'b' : u < 0.9 ? 'c' : 'd'; });
  const ccur = Array.from({ length: 600 }, () => { const u = r(); return u < 0.3 ? 'a' : u < 0.7 ? 'b' : 'c'; });
  // classification with ties (probabilities on a 0.01 grid); regression
  const probs = Array.from({ length: 500 }, () => Math.round(r() * 100) / 100);
  const labels = probs.map((p) => (r() < 0.2 + 0.6 * p ? 1 : 0));
  const actual = Array.from({ length: 300 }, () => 10 * r());
  const predicted = actual.map((a) => a + normal());

  const profile = buildReferenceProfile({ x: nref, z: cref }, { bins: 10 });
  const fx = profile.features[0] as NumericFeatureProfile;
  const fz = profile.features[1] as CategoricalFeatureProfile;
  let ind: Independent;

  beforeAll(() => {
    const python = pythonFor('stats');
    const out = execFileSync(python, [path.join(repoRoot, 'libs/monitoring/domain-monitoring/testing/independent_stats.py')], {
      input: JSON.stringify({ numeric: { ref: nref, cur: ncur }, categorical: { ref: cref, cur: ccur }, bins: 10, epsilon: 1e-4, labels, probs, actual, predicted }),
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    ind = JSON.parse(out) as Independent;
  }, 900_000);

  it('runs the pinned Evidently', () => {
    expect(ind.evidently.version).toBe('0.7.23');
  });

  it('PSI: reference-quantile bins (numpy linear quantiles) and ε = 1e-4 without renormalisation', () => {
    ind.numpy.psiInteriorEdges.forEach((e, i) => close(fx.edges[i + 1] as number, e, 1e-14));
    expect(fx.edges).toHaveLength(ind.numpy.psiInteriorEdges.length + 2);
    close(numericPsi(fx, ncur).psi, ind.numpy.psi);
    close(featureDrift(fx, ncur, { method: 'psi' }).score, ind.numpy.psi);
  });

  it("PSI: Evidently's formula on Evidently's bins is ours (its bins differ: Sturges equal-width over reference ∪ current)", () => {
    // Evidently replaces zero shares by 1e-4 (when every non-zero share is > 1e-4) without renormalising, as we do
    const minShare = Math.min(...[...ind.evidently.psiReferencePercents, ...ind.evidently.psiCurrentPercents].filter((v) => v > 0));
    expect(minShare).toBeGreaterThan(1e-4);
    expect(ind.evidently.psiReferencePercents.filter((v) => v === 0).length + ind.evidently.psiCurrentPercents.filter((v) => v === 0).length).toBeGreaterThan(0);
    close(psi(ind.evidently.psiReferencePercents, ind.evidently.psiCurrentPercents, 1e-4), ind.evidently.psi);
    expect(Math.abs(ind.evidently.psi - ind.numpy.psi)).toBeGreaterThan(1e-3); // a different binning, documented
  });

  it('KS: D equals scipy; p is the Stephens-corrected asymptotic formula (Evidently: scipy ks_2samp default, exact for small n)', () => {
    const ks = ksTwoSample(nref, ncur);
    expect(ks.statistic).toBe(ind.numpy.ks.statistic);
    close(ks.pValue, ind.numpy.ks.pValue, 1e-10);
    const viaProfile = featureDrift(fx, ncur, { method: 'ks' });
    expect(viaProfile.statistic).toBe(ind.numpy.ks.statistic);
    close(viaProfile.score, ind.numpy.ks.pValue, 1e-10);
    // Evidently's p is scipy's ks_2samp default, a different (exact / kstwo) distribution: same verdict here
    expect(ind.evidently.ksPValue).toBe(ind.evidently.scipyKs2sampPValue);
    expect(ks.pValue < 0.05).toBe(ind.evidently.ksPValue <= 0.05);
  });

  it('normed Wasserstein equals scipy and Evidently (W₁ / max(std_ref ddof 0, 0.001))', () => {
    const w = featureDrift(fx, ncur, { method: 'wasserstein' }).score;
    close(w, ind.numpy.wassersteinNormed);
    close(w, ind.evidently.wassersteinNormed);
  });

  it('χ²: homogeneity equals scipy chi2_contingency (no Yates); goodness-of-fit equals Evidently', () => {
    const chi = featureDrift(fz, ccur, { method: 'chisquare' });
    close(chi.statistic, ind.numpy.chiSquaredHomogeneity.statistic, 1e-12);
    close(chi.score, ind.numpy.chiSquaredHomogeneity.pValue, 1e-9);
    expect(ind.numpy.chiSquaredHomogeneity.df).toBe(3);
    // Evidently's variant: goodness of fit of current counts to reference shares (our chiSquaredTest)
    const cur = fz.categories.map((c) => ccur.filter((v) => v === c).length);
    const gof = chiSquaredTest(cur, fz.proportions, 1e-4);
    close(gof.pValue, ind.evidently.chisquarePValue, 1e-9);
    // the documented difference: the homogeneity test accounts for the reference being a sample
    expect(gof.statistic).toBeGreaterThan(chi.statistic as number);
  });

  it('Jensen–Shannon distance: base 2 equals scipy base 2; Evidently uses natural log (= ours × √ln 2)', () => {
    const js = featureDrift(fz, ccur, { method: 'jensenshannon' }).score as number;
    close(js, ind.numpy.jensenShannonBase2);
    close(js * Math.sqrt(Math.LN2), ind.evidently.jensenshannonNaturalLog);
    expect(ind.numpy.categories).toEqual(['a', 'b', 'c', 'd']);
  });

  it('range bins and Jensen–Shannon on a numeric feature equal numpy/scipy.spatial.distance.jensenshannon(base=2) on the same bins (issue #19)', () => {
    // the current window reaches past the reference's max: the overflow bin is not empty
    expect(ind.numpy.numericRangeCounts.current[ind.numpy.numericRangeCounts.current.length - 1]).toBeGreaterThan(0);
    expect(referenceRangeCounts(fx)).toEqual(ind.numpy.numericRangeCounts.reference);
    expect(rangeBinCounts(fx, ncur)).toEqual(ind.numpy.numericRangeCounts.current);
    close(featureDrift(fx, ncur, { method: 'jensenshannon' }).score, ind.numpy.numericJensenShannonBase2);
    // disjoint (every current value above the reference): scipy and ours both give exactly 1
    close(ind.numpy.numericJensenShannonBase2Disjoint, 1, 1e-9);
    close(featureDrift(fx, ncur.map((v) => v + 1000), { method: 'jensenshannon' }).score, 1, 1e-9);
  });

  it('ROC AUC, log loss, precision, recall, F1, accuracy equal numpy/scipy and sklearn (what Evidently calls)', () => {
    // log loss: ours and numpy clip p to [1e-15, 1 − 1e-15]; sklearn ≥ 1.5 clips at float64 eps (2.22e-16)
    expect(probs.filter((p) => p === 0 || p === 1).length).toBeGreaterThan(0); // the clip matters on this sample
    close(logLoss(labels, probs), ind.numpy.logLoss);
    close(logLoss(labels, probs, Number.EPSILON), ind.evidently.logLoss);
    expect(Math.abs(logLoss(labels, probs) - ind.evidently.logLoss)).toBeGreaterThan(1e-4);
    for (const src of [ind.numpy, ind.evidently]) {
      close(rocAuc(labels, probs), src.rocAuc);
      close(precision(labels, probs), src.precision);
      close(recall(labels, probs), src.recall);
      close(f1(labels, probs), src.f1);
      close(accuracy(labels, probs), src.accuracy);
    }
  });

  it('MAE and RMSE equal numpy and sklearn', () => {
    for (const src of [ind.numpy, ind.evidently]) {
      close(meanAbsoluteError(actual, predicted), src.mae);
      close(rootMeanSquaredError(actual, predicted), src.rmse);
    }
  });

  it('special functions: Kolmogorov survival = scipy kstwobign.sf, regularized upper gamma = scipy gammaincc', () => {
    for (const [lam, v] of Object.entries(ind.numpy.kolmogorovSurvival)) close(kolmogorovSurvival(Number(lam)), v, 1e-14);
    for (const [k, v] of Object.entries(ind.numpy.regularizedGammaQ)) {
      const [a, z] = k.split(',').map(Number) as [number, number];
      close(regularizedGammaQ(a, z), v, 1e-12);
    }
  });
});
