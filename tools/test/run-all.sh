#!/usr/bin/env bash
# `npm test`: everything, in order — lint, typecheck, unit tests, integration tests, end-to-end
# tests — through Nx, against REAL Kafka, Temporal and PostgreSQL.
#
# Infrastructure: if KAFKA_BROKERS, DATABASE_URL and TEMPORAL_ADDRESS are all set they are used
# as given; otherwise tools/stack is started (idempotent) and its endpoints are used, so this
# command works alone on a fresh machine. Every step runs even when an earlier one failed;
# the exit code is non-zero if any failed. The last line is the test summary.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE=${NX_SKIP_NX_CACHE:-true} KAFKAJS_NO_PARTITIONER_WARNING=1
if [ ! -d node_modules/@nestjs/core ]; then
  # A fresh clone: `npm test` is the first and only command, so it installs what it needs (as `npm run demo` does).
  echo "test: installing dependencies (npm ci)" >&2
  ONNXRUNTIME_NODE_INSTALL=skip timeout 1200 npm ci --no-audit --no-fund || { echo "test: npm ci failed" >&2; exit 1; }
fi
RESULTS="${STRATA_TEST_RESULTS_DIR:-$ROOT/.run/test-results}"
export STRATA_TEST_RESULTS_DIR="$RESULTS"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
failed_steps=()
step() { # name command...
  local name="$1"; shift
  local t0; t0=$(date +%s)
  printf '\n==> %s\n' "$name"
  if "$@"; then printf '<== %s ok (%ss)\n' "$name" "$(( $(date +%s) - t0 ))"
  else printf '<== %s FAILED (%ss)\n' "$name" "$(( $(date +%s) - t0 ))"; failed_steps+=("$name"); fi
}

start_testcontainers() {
  # A Docker engine answers: real infrastructure in containers (tools/test/testcontainers.cjs).
  local envfile="$ROOT/.run/testcontainers.env"
  rm -f "$envfile"; mkdir -p "$ROOT/.run"
  node tools/test/testcontainers.cjs "$envfile" &
  TC_PID=$!
  trap 'kill -TERM $TC_PID 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do
    [ -f "$envfile" ] && { set -a; . "$envfile"; set +a; node tools/stack/kafka-ready.cjs "$KAFKA_BROKERS" --create-topics; return; }
    kill -0 "$TC_PID" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${DATABASE_URL:-}" ] || [ -z "${TEMPORAL_ADDRESS:-}" ]; then
  # Endpoints not given: testcontainers when a Docker engine answers (and STRATA_TEST_INFRA is
  # not 'stack'), otherwise tools/stack as local processes.
  if [ "${STRATA_TEST_INFRA:-auto}" != "stack" ] && docker info >/dev/null 2>&1 && step "infrastructure (testcontainers)" start_testcontainers; then
    :
  else
    step "infrastructure (tools/stack up)" bash tools/stack/stack.sh up --with redis,s3
    if [ -f "${STRATA_STATE_DIR:-$ROOT/.stack}/env" ]; then set -a; . "${STRATA_STATE_DIR:-$ROOT/.stack}/env"; set +a; fi
  fi
elif [ -z "${REDIS_URL:-}" ] || [ -z "${S3_ENDPOINT:-}" ]; then
  # Endpoints given (CI, testcontainers): the optional parts come from tools/stack's env file
  # when it has them; otherwise the Redis / S3 tests fail naming the missing variable.
  if [ -f "${STRATA_STATE_DIR:-$ROOT/.stack}/env" ]; then
    eval "$(grep -E '^(REDIS_URL|S3_ENDPOINT|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_REGION)=' "${STRATA_STATE_DIR:-$ROOT/.stack}/env" | sed 's/^/export /')"
  fi
fi

step "python tool environments" bash tools/python/ensure-all.sh
npx nx show projects >/dev/null 2>&1 # builds the project graph the module-boundary lint rule reads
step "lint" npx eslint --max-warnings=-1 .
step "typecheck" npx tsc -p tsconfig.json --noEmit
step "unit tests" npx nx run-many -t test --parallel=2 --outputStyle=static
step "integration tests" npx nx run-many -t test-int --parallel=1 --outputStyle=static
step "end-to-end tests" npx nx run-many -t e2e --parallel=1 --outputStyle=static

printf '\n==> summary\n'
[ "${#failed_steps[@]}" -gt 0 ] && printf 'failed steps: %s\n' "${failed_steps[*]}"
node tools/test/summarize.cjs "$RESULTS"; summary_rc=$?
[ "${#failed_steps[@]}" -eq 0 ] && [ "$summary_rc" -eq 0 ]
