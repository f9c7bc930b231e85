#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the console's browser tests (apps/strata-e2e,
# console-browser.e2e-spec.ts, driven by playwright-core). Prints the binary's path on stdout.
# Installs the `chromium` package with apt-get when no browser is found and this runs as root (CI);
# otherwise exits 1 naming what is missing. Bounded: every apt step has a timeout.
# STRATA_CHROMIUM=/path/to/chrome skips the lookup.
set -euo pipefail
find_browser() {
  if [ -n "${STRATA_CHROMIUM:-}" ] && [ -x "${STRATA_CHROMIUM}" ]; then echo "$STRATA_CHROMIUM"; return 0; fi
  for b in chromium chromium-browser; do
    if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return 0; fi
  done
  return 1
}
if find_browser; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: chromium is not installed and this is not root: run 'apt-get install -y chromium' (or set STRATA_CHROMIUM)" >&2
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
timeout 300 apt-get update -qq >&2 || { echo "ensure-chromium: apt-get update failed" >&2; exit 1; }
timeout 900 apt-get install -y -qq --no-install-recommends chromium >&2 || { echo "ensure-chromium: apt-get install chromium failed" >&2; exit 1; }
find_browser || { echo "ensure-chromium: chromium installed but not found on PATH" >&2; exit 1; }
