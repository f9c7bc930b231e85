#!/usr/bin/env bash
# MLflow REST conformance: runs MLflow 2.17.2's own tests/tracking/test_rest_tracking.py and
# test_model_registry.py (unmodified, from ../shared/conformance/mlflow-2.17.2 or
# $STRATA_MLFLOW_CONFORMANCE_DIR) against a fresh Strata registry per test (pytest plugin
# strata_mlflow_plugin.py; out-of-scope tests in deselected.txt with reasons).
#
#   bash tools/conformance/mlflow/run.sh [extra pytest args]
#
# Needs DATABASE_URL and KAFKA_BROKERS (the stack's env) and python3 >= 3.10. Builds the registry
# (tools/build/build-app.cjs) and the venv tools/python/mlflow-conformance.requirements.txt.
# Bounded: pytest-timeout 120 s per test, the whole run by STRATA_MLFLOW_CONFORMANCE_TIMEOUT_S
# (default 1800). Writes a JUnit report to $STRATA_TEST_RESULTS_DIR/mlflow-conformance.xml when
# that variable is set. Exit code: pytest's (non-zero when a selected test fails), or
# STRATA_MLFLOW_MIN_PASS_RATIO (default 0.95) applies when STRATA_MLFLOW_ALLOW_FAILURES=1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
HERE="$ROOT/tools/conformance/mlflow"
SUITE="${STRATA_MLFLOW_CONFORMANCE_DIR:-$ROOT/../shared/conformance/mlflow-2.17.2}"
[ -f "$SUITE/tests/tracking/test_rest_tracking.py" ] || { echo "mlflow-conformance: no MLflow test suite at $SUITE" >&2; exit 2; }
: "${DATABASE_URL:?mlflow-conformance: DATABASE_URL is not set}"
: "${KAFKA_BROKERS:?mlflow-conformance: KAFKA_BROKERS is not set}"
PY="$(bash "$ROOT/tools/python/ensure-venv.sh" mlflow-conformance)"
if [ -z "${STRATA_REGISTRY_MAIN:-}" ]; then # a given build (e.g. a copy) is used as is
  timeout 300 node "$ROOT/tools/build/build-app.cjs" registry >/dev/null
  export STRATA_REGISTRY_MAIN="$ROOT/dist/registry/apps/registry/src/main.js"
fi
export MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1
junit=()
[ -n "${STRATA_TEST_RESULTS_DIR:-}" ] && mkdir -p "$STRATA_TEST_RESULTS_DIR" && junit=(--junitxml "$STRATA_TEST_RESULTS_DIR/mlflow-conformance.xml")
cd "$SUITE"
# MLflow's conftest turns on --serve-wheel (build and serve an MLflow wheel from a git checkout of
# MLflow) when CI=true; this is not MLflow's CI, so the variable is left out for pytest.
timeout --kill-after=30 "${STRATA_MLFLOW_CONFORMANCE_TIMEOUT_S:-1800}" env -u CI "$PY" -m pytest -p strata_mlflow_plugin -p no:cacheprovider \
  --timeout=120 -o addopts="" --color=no -q -rfE "${junit[@]}" \
  tests/tracking/test_rest_tracking.py tests/tracking/test_model_registry.py "$@"
