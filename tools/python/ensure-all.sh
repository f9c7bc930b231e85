#!/usr/bin/env bash
# Builds every project venv (tools/python/*.requirements.txt) one after another; used by
# `npm test` before jest so no test pays for a pip install under its timeout.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for req in "$ROOT"/tools/python/*.requirements.txt; do
  [ -e "$req" ] || continue
  name="$(basename "$req" .requirements.txt)"
  bash "$ROOT/tools/python/ensure-venv.sh" "$name" >/dev/null
  echo "python venv $name: ok"
done
