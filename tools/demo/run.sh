#!/usr/bin/env bash
# `npm run demo`: starts the stack and the six services if they are not running, then runs the
# whole flow on the NYC taxi trips (`strata demo`). Extra arguments go to `strata demo`
# (e.g. `npm run demo -- --out demo-summary.json`). Services keep running afterwards
# (`npm run down` stops everything).
# Credentials: the services enforce authentication; `services.sh up` creates (once) an operator key
# stored in $STRATA_RUN_DIR/credentials.env (default .run/credentials.env, mode 600), which
# `strata demo` uses unless STRATA_API_KEY or STRATA_API_KEY_FILE is set.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export KAFKAJS_NO_PARTITIONER_WARNING=1
if [ ! -d node_modules/@nestjs/core ]; then
  echo "demo: installing dependencies (npm ci)" >&2
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi
echo "demo: starting the stack and the services (if not running)" >&2
bash tools/stack/services.sh up || { echo "demo: step 'start services' failed (see the lines above and .run/*.log)" >&2; exit 1; }
export STRATA_CREDENTIALS_FILE="${STRATA_CREDENTIALS_FILE:-${STRATA_RUN_DIR:-$ROOT/.run}/credentials.env}"
exec node --enable-source-maps -r @swc-node/register apps/cli/src/main.ts demo "$@"
