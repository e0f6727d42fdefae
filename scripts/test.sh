#!/usr/bin/env bash
# Sets up .venv (if needed) and runs the linters and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need, installed when missing: a CJK font for the monthly chart
# (matplotlib must not draw empty boxes for Chinese) and Chromium for the browser test, which
# Playwright drives (it never downloads a browser of its own here).
need=()
ls /usr/share/fonts/truetype/wqy/wqy-microhei.ttc >/dev/null 2>&1 || need+=(fonts-wqy-microhei fontconfig)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}") >/dev/null 2>&1 \
    || echo "warning: could not install ${need[*]}: chart tests fail, the browser test skips (fails on CI)" >&2
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
.venv/bin/python -m pip install --quiet -e ".[test]"

.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Types: the settings (strict for domain/ and storage/) are in pyproject's [tool.mypy].
.venv/bin/mypy
# One worker per core; "worksteal" lets an idle worker take queued tests from a busy one, so
# the few long e2e tests (CLI subprocesses, the hung-send timeout) do not leave a core idle.
.venv/bin/python -m pytest -q -n auto --dist worksteal "$@"
