#!/usr/bin/env bash
# Builds every project venv (tools/python/*.requirements.txt) one after another; used by
# `npm test` before jest so no test pays for a pip install under its timeout. Files named
# bench-*.requirements.txt are for benchmarks only and are built on first use, not here.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for req in "$ROOT"/tools/python/*.requirements.txt; do
  [ -e "$req" ] || continue
  name="$(basename "$req" .requirements.txt)"
  case "$name" in bench-*) continue ;; esac
  bash "$ROOT/tools/python/ensure-venv.sh" "$name" >/dev/null
  echo "python venv $name: ok"
done
