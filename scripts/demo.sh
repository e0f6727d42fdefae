#!/usr/bin/env bash
# Sets up .venv (if needed) and plays a month of the office against the built-in emulator.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# with Playwright, so the demo can photograph the web ledger in Debian's Chromium if installed
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 .venv/bin/python -m pip install --quiet -e ".[browser]"
exec .venv/bin/duban demo "${1:-demo-out}"
