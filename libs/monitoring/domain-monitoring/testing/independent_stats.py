"""Independent computations of Strata's drift and model-quality statistics, for the
cross-check in libs/monitoring/domain-monitoring/src/lib/independent-stats.int-spec.ts.

Reads one JSON object on stdin:
  {"numeric": {"ref": [...], "cur": [...]}, "categorical": {"ref": [...], "cur": [...]},
   "bins": 10, "epsilon": 1e-4, "labels": [...], "probs": [...], "actual": [...], "predicted": [...]}
and prints one JSON object with two sections:
  "numpy":     our definitions written again with numpy + scipy (not sklearn, not Evidently);
  "evidently": Evidently 0.7 legacy stattests (the functions behind its DataDriftPreset) and
               sklearn.metrics (what Evidently's classification/regression metrics call).
"""
import json
import math
import sys

import numpy as np
from scipy import spatial, special, stats


def quantile_edges(ref, bins):
    s = np.sort(np.asarray(ref, dtype=float))
    interior = []
    for i in range(1, bins):
        e = float(np.quantile(s, i / bins, method="linear"))
        if not interior or e > interior[-1]:
            interior.append(e)
    return interior


def range_bin_counts(ref, values, interior):
    """Range bins (issue #19): [x < min | [min, e1) | ... | [e_{k-1}, max] | x > max] of the reference."""
    v = np.asarray(values, dtype=float)
    lo, hi = float(np.min(ref)), float(np.max(ref))
    inside = v[(v >= lo) & (v <= hi)]
    mid = np.bincount(np.searchsorted(interior, inside, side="right"), minlength=len(interior) + 1)
    return np.concatenate([[np.sum(v < lo)], mid, [np.sum(v > hi)]]).astype(float)


def psi_ours(ref, cur, bins, eps):
    interior = np.asarray(quantile_edges(ref, bins))
    r = range_bin_counts(ref, ref, interior) / len(ref)
    c = range_bin_counts(ref, cur, interior) / len(cur)
    r = np.where(r > 0, r, eps)
    c = np.where(c > 0, c, eps)
    return float(np.sum((c - r) * np.log(c / r))), [float(x) for x in interior]


def union_counts(ref, cur):
    keys = sorted(set(ref) | set(cur))
    rc = np.array([ref.count(k) for k in keys], dtype=float)
    cc = np.array([cur.count(k) for k in keys], dtype=float)
    return keys, rc, cc


def rankdata_auc(y, p):
    y = np.asarray(y)
    ranks = stats.rankdata(p)  # average ranks for ties
    npos = int(y.sum())
    nneg = len(y) - npos
    return float((ranks[y == 1].sum() - npos * (npos + 1) / 2) / (npos * nneg))


def main():
    x = json.load(sys.stdin)
    bins = int(x.get("bins", 10))
    eps = float(x.get("epsilon", 1e-4))
    nref = [float(v) for v in x["numeric"]["ref"]]
    ncur = [float(v) for v in x["numeric"]["cur"]]
    cref = [str(v) for v in x["categorical"]["ref"]]
    ccur = [str(v) for v in x["categorical"]["cur"]]
    y = np.asarray(x["labels"], dtype=float)
    p = np.asarray(x["probs"], dtype=float)
    actual = np.asarray(x["actual"], dtype=float)
    predicted = np.asarray(x["predicted"], dtype=float)

    out = {"numpy": {}, "evidently": {}}
    o = out["numpy"]
    o["psi"], o["psiInteriorEdges"] = psi_ours(nref, ncur, bins, eps)
    interior = np.asarray(o["psiInteriorEdges"])
    rr, rcur = range_bin_counts(nref, nref, interior), range_bin_counts(nref, ncur, interior)
    o["numericRangeCounts"] = {"reference": [int(v) for v in rr], "current": [int(v) for v in rcur]}
    o["numericJensenShannonBase2"] = float(spatial.distance.jensenshannon(rr / rr.sum(), rcur / rcur.sum(), base=2))
    # disjoint: the same reference against a window far above it
    far = np.asarray(ncur) + 1000.0
    rfar = range_bin_counts(nref, far, interior)
    o["numericJensenShannonBase2Disjoint"] = float(spatial.distance.jensenshannon(rr / rr.sum(), rfar / rfar.sum(), base=2))
    d = float(stats.ks_2samp(nref, ncur, method="asymp").statistic)
    n, m = len(nref), len(ncur)
    ne = n * m / (n + m)
    # Stephens (1970) / Numerical Recipes §14.3: Q_KS((√Ne + 0.12 + 0.11/√Ne)·D), Q_KS = kstwobign.sf
    o["ks"] = {"statistic": d, "pValue": float(stats.kstwobign.sf((math.sqrt(ne) + 0.12 + 0.11 / math.sqrt(ne)) * d))}
    o["wassersteinNormed"] = float(stats.wasserstein_distance(nref, ncur) / max(float(np.std(nref)), 0.001))
    keys, rc, cc = union_counts(cref, ccur)
    keep = (rc + cc) > 0
    chi = stats.chi2_contingency(np.vstack([rc[keep], cc[keep]]), correction=False)
    o["chiSquaredHomogeneity"] = {"statistic": float(chi.statistic), "pValue": float(chi.pvalue), "df": int(chi.dof)}
    o["categories"] = keys
    o["jensenShannonBase2"] = float(spatial.distance.jensenshannon(rc / rc.sum(), cc / cc.sum(), base=2))
    o["rocAuc"] = rankdata_auc(y, p)
    pc = np.clip(p, 1e-15, 1 - 1e-15)
    o["logLoss"] = float(-np.mean(y * np.log(pc) + (1 - y) * np.log(1 - pc)))
    yhat = (p >= 0.5).astype(float)
    tp = float(np.sum((yhat == 1) & (y == 1)))
    fp = float(np.sum((yhat == 1) & (y == 0)))
    fn = float(np.sum((yhat == 0) & (y == 1)))
    o["precision"] = tp / (tp + fp) if tp + fp else 0.0
    o["recall"] = tp / (tp + fn) if tp + fn else 0.0
    o["f1"] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    o["accuracy"] = float(np.mean(yhat == y))
    o["mae"] = float(np.mean(np.abs(actual - predicted)))
    o["rmse"] = float(np.sqrt(np.mean((actual - predicted) ** 2)))
    o["kolmogorovSurvival"] = {str(lam): float(stats.kstwobign.sf(lam)) for lam in (0.3, 0.8, 1.17, 1.2, 2.0, 3.0)}
    o["regularizedGammaQ"] = {f"{a},{z}": float(special.gammaincc(a, z)) for a, z in ((0.5, 0.2), (2.0, 3.0), (4.5, 10.0), (10.0, 4.0))}

    import pandas as pd
    from sklearn import metrics
    from evidently.legacy.calculations.stattests.chisquare_stattest import _chi_stat_test
    from evidently.legacy.calculations.stattests.jensenshannon import _jensenshannon
    from evidently.legacy.calculations.stattests.ks_stattest import _ks_stat_test
    from evidently.legacy.calculations.stattests.psi import _psi
    from evidently.legacy.calculations.stattests.utils import get_binned_data
    from evidently.legacy.calculations.stattests.wasserstein_distance_norm import _wasserstein_distance_norm
    from evidently.legacy.core import ColumnType
    import evidently

    e = out["evidently"]
    e["version"] = evidently.__version__
    rn, cn = pd.Series(nref), pd.Series(ncur)
    rs, cs = pd.Series(cref), pd.Series(ccur)
    e["ksPValue"] = float(_ks_stat_test(rn, cn, ColumnType.Numerical, 0.05)[0])
    e["scipyKs2sampPValue"] = float(stats.ks_2samp(nref, ncur).pvalue)
    e["wassersteinNormed"] = float(_wasserstein_distance_norm(rn, cn, ColumnType.Numerical, 0.1)[0])
    e["psi"] = float(_psi(rn, cn, ColumnType.Numerical, 0.1)[0])
    rp, cp = get_binned_data(rn, cn, ColumnType.Numerical, 30, feel_zeroes=False)  # raw shares; _psi fills zeros itself
    e["psiReferencePercents"] = [float(v) for v in rp]
    e["psiCurrentPercents"] = [float(v) for v in cp]
    e["chisquarePValue"] = float(_chi_stat_test(rs, cs, ColumnType.Categorical, 0.05)[0])
    e["jensenshannonNaturalLog"] = float(_jensenshannon(rs, cs, ColumnType.Categorical, 0.1)[0])
    e["rocAuc"] = float(metrics.roc_auc_score(y, p))
    e["logLoss"] = float(metrics.log_loss(y, p))
    e["precision"] = float(metrics.precision_score(y, yhat, zero_division=0))
    e["recall"] = float(metrics.recall_score(y, yhat, zero_division=0))
    e["f1"] = float(metrics.f1_score(y, yhat, zero_division=0))
    e["accuracy"] = float(metrics.accuracy_score(y, yhat))
    e["mae"] = float(metrics.mean_absolute_error(actual, predicted))
    e["rmse"] = float(math.sqrt(metrics.mean_squared_error(actual, predicted)))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
