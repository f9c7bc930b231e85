"""
pytest plugin: runs MLflow 2.17.2's own REST tests (../shared/conformance/mlflow-2.17.2, unmodified)
against Strata's registry instead of MLflow's Flask server.

It replaces ``tests.tracking.integration_test_utils._init_server`` (before the test modules import
it) with a context manager that starts a FRESH Strata registry per test: its own PostgreSQL schema
(``REGISTRY_DB_SCHEMA=mlfconf_<pid>_<n>``), its own artifact store (``STRATA_DATA_DIR`` = the
test's ``root_artifact_uri``), auth off, a free port; it yields the server URL and stops the
process afterwards (SIGTERM, then SIGKILL after 10 s). The schemas are dropped at session end.

Environment: DATABASE_URL, KAFKA_BROKERS (the stack's env), STRATA_REGISTRY_MAIN (the built
registry's main.js, default dist/registry/apps/registry/src/main.js under the repo root),
STRATA_REGISTRY_BOOT_TIMEOUT_S (default 60).

Out-of-scope tests are deselected by name from ``deselected.txt`` beside this file (one
``<module>::<test name>  # reason`` per line); the reasons are the documentation.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
_counter = [0]
_schemas = []


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(url, proc, timeout_s):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Strata registry exited with code {proc.returncode} before answering on {url}")
        try:
            with urllib.request.urlopen(f"{url}/api/2.0/mlflow/experiments/get?experiment_id=0", timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"Strata registry did not answer on {url} within {timeout_s} s")


@contextlib.contextmanager
def strata_init_server(backend_uri, root_artifact_uri, extra_env=None, app=None):
    """Drop-in for MLflow's ``_init_server``: a fresh Strata registry; ``backend_uri`` is ignored."""
    import mlflow

    mlflow.set_tracking_uri(None)
    _counter[0] += 1
    schema = f"mlfconf_{os.getpid()}_{_counter[0]}"
    _schemas.append(schema)
    port = _free_port()
    data_dir = urllib.parse.urlparse(root_artifact_uri).path if root_artifact_uri.startswith("file:") else root_artifact_uri
    main = os.environ.get("STRATA_REGISTRY_MAIN", str(REPO / "dist/registry/apps/registry/src/main.js"))
    env = {
        **os.environ,
        **(extra_env or {}),
        "REGISTRY_PORT": str(port),
        "REGISTRY_DB_SCHEMA": schema,
        "STRATA_DATA_DIR": data_dir,
        # MLflow's own test server runs with --default-artifact-root <root_artifact_uri>: the same here.
        "REGISTRY_MLFLOW_DEFAULT_ARTIFACT_ROOT": root_artifact_uri,
        "STRATA_AUTH_MODE": "off",
        "LOG_LEVEL": os.environ.get("STRATA_REGISTRY_LOG_LEVEL", "warn"),
        "HOST": "127.0.0.1",
    }
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    log = open(Path(data_dir).parent / f"strata-registry-{schema}.log", "wb")
    proc = subprocess.Popen(["node", main], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_up(url, proc, float(os.environ.get("STRATA_REGISTRY_BOOT_TIMEOUT_S", "60")))
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


def _load_deselected():
    out = []
    for line in (HERE / "deselected.txt").read_text().splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            out.append(entry)
    return out


def pytest_configure(config):
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
    import tests.tracking.integration_test_utils as utils

    utils._init_server = strata_init_server


def pytest_collection_modifyitems(config, items):
    prefixes = _load_deselected()
    keep, drop = [], []
    for item in items:
        module = Path(str(item.path)).name
        base = f"{module}::{item.originalname}"
        duplicate_backend = item.name.startswith(f"{item.originalname}[file")
        (drop if duplicate_backend or base in prefixes else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_sessionfinish(session, exitstatus):
    if not _schemas:
        return
    script = HERE / "drop-schemas.cjs"
    with contextlib.suppress(Exception):
        subprocess.run(["node", str(script), *_schemas], cwd=str(REPO), timeout=60, check=False)
