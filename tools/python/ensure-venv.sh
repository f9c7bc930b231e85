#!/usr/bin/env bash
# Creates (once) and returns a Python virtual environment for one purpose, with the packages
# pinned in tools/python/<name>.requirements.txt installed from the package index that pip is
# configured with. Idempotent and safe under concurrency (flock). Prints the venv's python path.
#
#   bash tools/python/ensure-venv.sh <name>        # e.g. mlflow, tritonclient, sklearn, stats
#
# The venv lives in .stack/python/<name> (git-ignored) and is rebuilt when its requirements file
# changes (sha256 stamp). Needs python3 >= 3.10 with the venv module.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
name="${1:?usage: ensure-venv.sh <name>}"
req="$ROOT/tools/python/$name.requirements.txt"
[ -f "$req" ] || { echo "ensure-venv: no requirements file $req" >&2; exit 2; }
state="${STRATA_STATE_DIR:-$ROOT/.stack}/python"
venv="$state/$name"
mkdir -p "$state"
exec 9>"$state/.$name.lock"
flock 9
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" = "$want" ]; then
  echo "$venv/bin/python"; exit 0
fi
PY="${STRATA_PYTHON:-python3}"
rm -rf "$venv"
t0=$(date +%s)
"$PY" -m venv "$venv" >&2
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet --upgrade pip >&2
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet -r "$req" >&2
echo "$want" > "$venv/.requirements.sha256"
echo "ensure-venv: $name ready in $(( $(date +%s) - t0 ))s" >&2
echo "$venv/bin/python"
