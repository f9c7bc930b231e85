"""Smoke test of the current MLflow 3.x client (full `mlflow`, not mlflow-skinny) against Strata's registry.

Default client configuration: the tracking URI is the registry URL and nothing else is set, so
run artifacts and logged models travel through Strata's artifact proxy (`mlflow-artifacts:/`
default experiment locations, /api/2.0/mlflow-artifacts/artifacts/...) and MLflow 3's logged
models (/api/2.0/mlflow/logged-models...).

Run by apps/strata-e2e/src/mlflow3-client.e2e-spec.ts with STRATA_REGISTRY_URL set to a registry
on a fresh schema and artifact directory (auth off).
"""
import json
import os
import urllib.request
import uuid

import mlflow
import numpy as np
import pytest
from mlflow import MlflowClient
from mlflow.models import infer_signature
from sklearn.linear_model import LogisticRegression

URL = os.environ["STRATA_REGISTRY_URL"].rstrip("/")
TAG = uuid.uuid4().hex[:8]

# A small, fixed binary problem (two informative features).
X = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1], [0.4, 0.7], [0.7, 0.2], [0.1, 0.6], [0.8, 0.4]], dtype=np.float32)
Y = np.array([0, 1, 0, 1, 0, 1, 0, 1])


def strata(path: str):
    with urllib.request.urlopen(f"{URL}{path}", timeout=30) as res:
        return json.loads(res.read())


@pytest.fixture(scope="module", autouse=True)
def tracking():
    mlflow.set_tracking_uri(URL)
    yield
    mlflow.set_tracking_uri(None)


@pytest.fixture(scope="module")
def experiment():
    exp = mlflow.set_experiment(f"smoke3-{TAG}")
    return exp


def test_default_experiment_location_goes_through_the_artifact_proxy(experiment):
    assert experiment.artifact_location == f"mlflow-artifacts:/{experiment.experiment_id}"


def test_run_params_metrics_tags_and_artifacts(experiment, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("strata smoke\n")
    folder = tmp_path / "plots"
    folder.mkdir()
    (folder / "a.json").write_text('{"x": 1}')
    (folder / "b.csv").write_text("k,v\n1,2\n")
    with mlflow.start_run(run_name="smoke-run") as run:
        mlflow.log_params({"C": "1.0", "solver": "lbfgs"})
        for step, v in enumerate([0.5, 0.625, 0.75]):
            mlflow.log_metric("auc", v, step=step)
        mlflow.set_tag("suite", "mlflow3-smoke")
        mlflow.log_artifact(str(note))
        mlflow.log_artifacts(str(folder), artifact_path="plots")
    c = MlflowClient()
    got = c.get_run(run.info.run_id)
    assert got.info.status == "FINISHED"
    assert got.info.artifact_uri == f"mlflow-artifacts:/{experiment.experiment_id}/{run.info.run_id}/artifacts"
    assert got.data.params == {"C": "1.0", "solver": "lbfgs"}
    assert got.data.metrics == {"auc": 0.75}
    assert got.data.tags["suite"] == "mlflow3-smoke"
    assert [(m.step, m.value) for m in c.get_metric_history(run.info.run_id, "auc")] == [(0, 0.5), (1, 0.625), (2, 0.75)]
    assert [(a.path, a.is_dir, a.file_size) for a in c.list_artifacts(run.info.run_id)] == [("note.txt", False, 13), ("plots", True, None)]
    assert [(a.path, a.file_size) for a in c.list_artifacts(run.info.run_id, "plots")] == [("plots/a.json", 8), ("plots/b.csv", 8)]
    local = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, dst_path=str(tmp_path / "dl"))
    assert open(os.path.join(local, "note.txt")).read() == "strata smoke\n"
    assert open(os.path.join(local, "plots", "a.json")).read() == '{"x": 1}'
    # Strata's own API lists the files the client uploaded through the proxy
    listed = strata(f"/runs/{run.info.run_id}/artifacts")
    assert [(a["path"], a["sizeBytes"]) for a in listed] == [("note.txt", 13), ("plots/a.json", 8), ("plots/b.csv", 8)]


def test_sklearn_log_model_then_load_by_model_id_and_by_run(experiment):
    model = LogisticRegression().fit(X, Y)
    expected = model.predict(X)
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(model, name="model", signature=infer_signature(X, expected))
    assert info.model_uri == f"models:/{info.model_id}"
    c = MlflowClient()
    lm = c.get_logged_model(info.model_id)
    assert lm.status.to_proto() == 2  # LOGGED_MODEL_READY: finalized after the upload
    assert lm.source_run_id == run.info.run_id
    assert lm.artifact_location == f"mlflow-artifacts:/{experiment.experiment_id}/models/{info.model_id}/artifacts"
    assert [m.model_id for m in c.search_logged_models(experiment_ids=[experiment.experiment_id], filter_string="name = 'model'")] == [info.model_id]
    np.testing.assert_array_equal(mlflow.pyfunc.load_model(info.model_uri).predict(X), expected)
    np.testing.assert_array_equal(mlflow.sklearn.load_model(f"runs:/{run.info.run_id}/model").predict(X), expected)


def test_register_set_alias_and_load_by_alias(experiment):
    """An ONNX model (servable by Strata: model.onnx with a tensor signature) is registered from its logged-model URI."""
    import onnxruntime  # noqa: F401  (pyfunc loading of the onnx flavor needs it)
    from skl2onnx import to_onnx

    model = LogisticRegression().fit(X, Y)
    onx = to_onnx(model, X[:1], options={id(model): {"zipmap": False}}, target_opset=17)
    name = f"smoke3-{TAG}"
    with mlflow.start_run():
        info = mlflow.onnx.log_model(onx, name="onnx-model", signature=infer_signature(X, model.predict_proba(X).astype(np.float32)))
    mv = mlflow.register_model(info.model_uri, name)
    assert mv.version == "1"
    c = MlflowClient()
    c.set_registered_model_alias(name, "champion", mv.version)
    by_alias = c.get_model_version_by_alias(name, "champion")
    assert (by_alias.version, list(by_alias.aliases)) == ("1", ["champion"])
    loaded = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    out = loaded.predict(X)
    first = out[list(out.keys())[0]] if isinstance(out, dict) else np.asarray(out)
    np.testing.assert_array_equal(np.asarray(first).reshape(-1), model.predict(X))
