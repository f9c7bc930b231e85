#!/usr/bin/env bash
# Builds every project venv (tools/python/*.requirements.txt); used by `npm test` before jest so
# no test pays for a pip install under its timeout. Files named bench-*.requirements.txt are for
# benchmarks only and are built on first use, not here.
# Up to STRATA_PYTHON_JOBS (default 3) venvs are built at once: a cold build is mostly downloading
# and unpacking wheels (about 10 minutes one after another for the ten venvs on a 2-core machine).
# Each venv has its own lock (ensure-venv.sh); pip's cache tolerates concurrent installs.
# Exits non-zero when any venv failed, after all were tried.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
names=()
for req in "$ROOT"/tools/python/*.requirements.txt; do
  [ -e "$req" ] || continue
  name="$(basename "$req" .requirements.txt)"
  case "$name" in bench-*) continue ;; esac
  names+=("$name")
done
[ "${#names[@]}" -gt 0 ] || exit 0
printf '%s\n' "${names[@]}" | xargs -P "${STRATA_PYTHON_JOBS:-3}" -I{} bash -c \
  'if bash "$1/tools/python/ensure-venv.sh" "$2" >/dev/null; then echo "python venv $2: ok"; else echo "python venv $2: FAILED" >&2; exit 1; fi' _ "$ROOT" {}
