"""Drives Strata's registry with the OFFICIAL mlflow client (MlflowClient, REST stores).

usage: python mlflow_client_flow.py <tracking_uri> <model_name> <experiment_name> <workdir>
Prints one JSON document with what the client read back.
"""
import json
import os
import sys
from urllib.parse import urlparse
from urllib.request import url2pathname

from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag
from mlflow.exceptions import MlflowException

uri, model, exp_name, workdir = sys.argv[1:5]
c = MlflowClient(tracking_uri=uri, registry_uri=uri)

exp_id = c.create_experiment(exp_name, tags={"team": "strata"})
exp = c.get_experiment_by_name(exp_name)
run = c.create_run(exp_id, tags={"suite": "mlflow-client"}, run_name="py-run")
rid = run.info.run_id
c.log_param(rid, "l2", "0.001")
for step, v in enumerate([0.5, 0.625, 0.75]):
    c.log_metric(rid, "auc", v, timestamp=1700000000000 + step, step=step)
c.log_batch(rid, metrics=[Metric("loss", 0.25, 1700000000100, 0), Metric("odd", float("nan"), 1700000000100, 0)], params=[Param("trainer", "logreg")], tags=[RunTag("stage", "test")])
c.set_tag(rid, "owner", "alice")

# the model directory as mlflow.onnx.log_model lays it out: model.onnx + MLmodel with a tensor signature
local = os.path.join(workdir, "model")
os.makedirs(local, exist_ok=True)
with open(os.path.join(local, "model.onnx"), "wb") as f:
    f.write(b"not-really-onnx-but-bytes-0123456789")
with open(os.path.join(local, "MLmodel"), "w") as f:
    f.write(
        "flavors:\n  onnx:\n    data: model.onnx\n"
        "signature:\n"
        "  inputs: '[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float32\", \"shape\": [-1, 4]}, \"name\": \"input\"}]'\n"
        "  outputs: '[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float32\", \"shape\": [-1, 1]}, \"name\": \"probability\"}]'\n"
    )
c.log_artifacts(rid, local, artifact_path="model")
c.set_terminated(rid, "FINISHED", end_time=1700000009000)

got = c.get_run(rid)
hist = c.get_metric_history(rid, "auc")
found_runs = c.search_runs([exp_id], filter_string="metrics.auc > 0.7 and params.l2 = '0.001' and tags.owner = 'alice'")
none_runs = c.search_runs([exp_id], filter_string="metrics.auc > 0.8")

c.create_registered_model(model, tags={"domain": "taxi"}, description="from mlflow")
mv = c.create_model_version(model, f"runs:/{rid}/model", rid, tags={"k": "v"}, description="v1 desc")
c.set_registered_model_alias(model, "champion", mv.version)
c.set_model_version_tag(model, mv.version, "validated", "yes")
by_alias = c.get_model_version_by_alias(model, "champion")
versions = c.search_model_versions(f"name = '{model}'")
models = c.search_registered_models(filter_string=f"name = '{model}'")

errors = {}
for label, fn in {
    "experiment_exists": lambda: c.create_experiment(exp_name),
    "model_exists": lambda: c.create_registered_model(model),
    "no_such_version": lambda: c.get_model_version(model, "99"),
    "changed_param": lambda: c.log_param(rid, "l2", "0.5"),
}.items():
    try:
        fn()
        errors[label] = None
    except MlflowException as e:
        errors[label] = e.error_code

print(json.dumps({
    "experiment": {"id": exp_id, "name": exp.name, "tags": exp.tags, "artifact_location": exp.artifact_location},
    "run": {
        "id": rid,
        "name": got.info.run_name,
        "status": got.info.status,
        "end_time": got.info.end_time,
        "artifact_uri": got.info.artifact_uri,
        "params": got.data.params,
        "metrics": {k: (None if v != v else v) for k, v in got.data.metrics.items()},
        "tags": {k: v for k, v in got.data.tags.items() if not k.startswith("mlflow.")},
    },
    "history": [[m.step, m.value, m.timestamp] for m in hist],
    "found_runs": [r.info.run_id for r in found_runs],
    "none_runs": len(none_runs),
    "version": {"version": mv.version, "run_id": mv.run_id, "source": mv.source, "description": mv.description, "status": mv.status},
    "by_alias": {"version": by_alias.version, "aliases": list(by_alias.aliases), "tags": by_alias.tags},
    "versions": [v.version for v in versions],
    "models": [{"name": m.name, "description": m.description, "tags": m.tags, "aliases": m.aliases} for m in models],
    "errors": errors,
}))
