#!/usr/bin/env python3
"""Strata external-trainer example: scikit-learn -> ONNX (skl2onnx).

File contract (see libs/training/activities/README.md, "External command trainer"):
  in  <work_dir>/train.parquet  the training slice: one float column per feature (NaN/null = missing) + `label` (0/1)
  in  <work_dir>/params.json    {"params": {...}, "features": [...], "label": "label", "modelName", "runId", "splitTime"}
  out <work_dir>/model.onnx     float32 input `input` [N, F] (columns in `features` order) -> float32 `probability` [N, 1]
  out <work_dir>/metrics.json   {"<name>": <finite number>, ...}
stdout/stderr are captured into the run's log; a non-zero exit fails the run with the tail of stderr.
The work dir is the last argument (and $STRATA_WORK_DIR).

params:
  estimator      "logistic" (default: SimpleImputer(mean) -> StandardScaler -> LogisticRegression)
                 | "gradient_boosting" (SimpleImputer(mean) -> GradientBoostingClassifier, a tree ensemble
                   exported as ai.onnx.ml.TreeEnsembleClassifier)
                 | "mlp" (SimpleImputer(mean) -> StandardScaler -> MLPClassifier, exported as MatMul/Add/Relu: the kind of
                   model INT8 quantization shrinks, see the model optimization step)
  C              inverse L2 strength of the logistic regression (default 1.0)
  max_iter       logistic regression iterations (default 200)
  n_estimators   trees of the gradient boosting (default 100), max_depth (3), learning_rate (0.1)
  hidden         hidden layer sizes of the MLP, comma-separated (default "256,128"); max_iter (default 200) its epochs;
                 scale (default true): false feeds the raw features to the MLP (no StandardScaler)
  fail           if true, exit 3 after writing to stderr (used by tests of the failure path)
  sleep_seconds  sleep before training, printing a line per second (used by cancellation tests)
"""
import json
import math
import os
import sys
import time

import numpy as np
import onnx
import pyarrow.parquet as pq
from onnx import TensorProto, helper
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler


def main() -> int:
    work_dir = sys.argv[-1] if len(sys.argv) > 1 else os.environ["STRATA_WORK_DIR"]
    with open(os.path.join(work_dir, "params.json"), encoding="utf-8") as f:
        spec = json.load(f)
    params = spec.get("params", {})
    features = spec["features"]
    label = spec.get("label", "label")

    if params.get("fail"):
        print("about to fail on purpose", flush=True)
        print("ValueError: the example trainer was asked to fail (params.fail=true)", file=sys.stderr, flush=True)
        return 3
    for i in range(int(params.get("sleep_seconds", 0))):
        print(f"sleeping {i + 1}/{int(params['sleep_seconds'])}", flush=True)
        time.sleep(1)

    table = pq.read_table(os.path.join(work_dir, "train.parquet"), columns=features + [label])
    x = np.column_stack([table.column(c).to_numpy(zero_copy_only=False).astype(np.float64) for c in features]).astype(np.float32)
    y = table.column(label).to_numpy(zero_copy_only=False).astype(np.int64)
    print(f"loaded {x.shape[0]} rows x {x.shape[1]} features", flush=True)

    estimator = params.get("estimator", "logistic")
    if estimator == "logistic":
        clf = LogisticRegression(C=float(params.get("C", 1.0)), max_iter=int(params.get("max_iter", 200)))
        pipe = Pipeline([("impute", SimpleImputer(strategy="mean", keep_empty_features=True)), ("scale", StandardScaler()), ("clf", clf)])
    elif estimator == "gradient_boosting":
        clf = GradientBoostingClassifier(
            n_estimators=int(params.get("n_estimators", 100)),
            max_depth=int(params.get("max_depth", 3)),
            learning_rate=float(params.get("learning_rate", 0.1)),
            random_state=0,
        )
        pipe = Pipeline([("impute", SimpleImputer(strategy="mean", keep_empty_features=True)), ("clf", clf)])
    elif estimator == "mlp":
        hidden = tuple(int(h) for h in str(params.get("hidden", "256,128")).split(",") if h.strip())
        clf = MLPClassifier(hidden_layer_sizes=hidden, max_iter=int(params.get("max_iter", 200)), random_state=0)
        scaler = [("scale", StandardScaler())] if params.get("scale", True) not in (False, "false", 0) else []
        pipe = Pipeline([("impute", SimpleImputer(strategy="mean", keep_empty_features=True)), *scaler, ("clf", clf)])
    else:
        print(f"unknown estimator '{estimator}' (expected logistic, gradient_boosting or mlp)", file=sys.stderr)
        return 2
    pipe.fit(x, y)
    proba = pipe.predict_proba(x)[:, 1]
    metrics = {
        "sklearn_train_accuracy": float(accuracy_score(y, proba >= 0.5)),
        "sklearn_train_log_loss": float(log_loss(y, proba, labels=[0, 1])),
        "sklearn_train_rows": float(x.shape[0]),
    }
    if len(set(y.tolist())) == 2:
        metrics["sklearn_train_roc_auc"] = float(roc_auc_score(y, proba))
    print(f"fitted {estimator}: {json.dumps(metrics)}", flush=True)

    model = to_onnx(
        pipe,
        initial_types=[("input", FloatTensorType([None, len(features)]))],
        options={id(clf): {"zipmap": False}},
        target_opset={"": 17, "ai.onnx.ml": 3},
    )
    # Keep Strata's serving signature: `probability` = P(y=1) as float32 [N, 1].
    graph = model.graph
    probs = next(o.name for o in graph.output if o.name == "probabilities")
    graph.initializer.extend([
        helper.make_tensor("strata_slice_starts", TensorProto.INT64, [1], [1]),
        helper.make_tensor("strata_slice_ends", TensorProto.INT64, [1], [2]),
        helper.make_tensor("strata_slice_axes", TensorProto.INT64, [1], [1]),
    ])
    graph.node.append(helper.make_node("Slice", [probs, "strata_slice_starts", "strata_slice_ends", "strata_slice_axes"], ["probability"], name="strata_positive_class"))
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["N", 1]))
    for key, value in {
        "strata.feature_names": json.dumps(features),
        "strata.model_type": f"sklearn_{estimator}",
        "strata.input_name": "input",
        "strata.output_names": json.dumps(["probability"]),
        "strata.missing_value": "NaN",
    }.items():
        model.metadata_props.append(onnx.StringStringEntryProto(key=key, value=value))
    onnx.checker.check_model(model)
    with open(os.path.join(work_dir, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    assert all(math.isfinite(v) for v in metrics.values())
    with open(os.path.join(work_dir, "metrics.json"), "w", encoding="utf-8") as f:
        json.dump(metrics, f)
    print("wrote model.onnx and metrics.json", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
