#!/usr/bin/env bash
# Sets up .venv (if needed), creates the database, and runs the bot (needs DUBAN_TOKEN).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet -e .
.venv/bin/duban init
exec .venv/bin/duban run
