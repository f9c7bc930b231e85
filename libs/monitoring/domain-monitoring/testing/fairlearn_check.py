"""Independent per-group and disparity metrics with fairlearn (issue #17).

Reads JSON on stdin: {"y": [0|1...], "p": [prob...], "segments": {"sex": [...], "race": [...]}}.
y_pred = (p >= 0.5). Writes JSON on stdout: per segment, fairlearn MetricFrame.by_group values
(count, selection rate, TPR, FPR, precision, recall, accuracy, F1, ROC AUC) and fairlearn's
disparity functions (between_groups), plus per-group calibration bins computed with numpy.
Used by libs/monitoring/domain-monitoring/src/lib/fairness-fairlearn.int-spec.ts (venv `fairness`).
"""
import json
import sys

import fairlearn
import numpy as np
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score


def main() -> None:
    data = json.load(sys.stdin)
    y = np.asarray(data["y"], dtype=int)
    p = np.asarray(data["p"], dtype=float)
    y_pred = (p >= 0.5).astype(int)
    out = {"fairlearn": fairlearn.__version__, "segments": {}}
    for name, values in data["segments"].items():
        sf = np.asarray(values, dtype=object)
        mf = MetricFrame(
            metrics={
                "count": count,
                "selection_rate": selection_rate,
                "tpr": true_positive_rate,
                "fpr": false_positive_rate,
                "precision": lambda t, q: precision_score(t, q, zero_division=0),
                "recall": lambda t, q: recall_score(t, q, zero_division=0),
                "accuracy": accuracy_score,
                "f1": lambda t, q: f1_score(t, q, zero_division=0),
            },
            y_true=y,
            y_pred=y_pred,
            sensitive_features=sf,
        )
        auc = MetricFrame(metrics=roc_auc_score, y_true=y, y_pred=p, sensitive_features=sf)
        ppv = MetricFrame(metrics=lambda t, q: precision_score(t, q, zero_division=0), y_true=y, y_pred=y_pred, sensitive_features=sf)
        groups = {}
        for g, row in mf.by_group.iterrows():
            mask = sf == g
            calib = []
            for b in range(10):
                lo, hi = b / 10, (b + 1) / 10
                m = mask & (p >= lo) & ((p < hi) if b < 9 else (p <= 1))
                n = int(m.sum())
                calib.append({"count": n, "meanPredicted": float(p[m].mean()) if n else None, "observedRate": float(y[m].mean()) if n else None})
            groups[str(g)] = {**{k: float(v) for k, v in row.items()}, "rocAuc": float(auc.by_group[g]), "calibration": calib}
        out["segments"][name] = {
            "groups": groups,
            "demographic_parity_difference": float(demographic_parity_difference(y, y_pred, sensitive_features=sf)),
            "demographic_parity_ratio": float(demographic_parity_ratio(y, y_pred, sensitive_features=sf)),
            "equal_opportunity_difference": float(equal_opportunity_difference(y, y_pred, sensitive_features=sf)),
            "equalized_odds_difference": float(equalized_odds_difference(y, y_pred, sensitive_features=sf)),
            "predictive_parity_difference": float(ppv.difference(method="between_groups")),
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
