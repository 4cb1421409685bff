#!/usr/bin/env bash
# Set up a virtualenv in .venv (if needed), install faasguard with its dev extras, and run the
# whole test suite. Integration tests that read ../shared are skipped when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[dev]'
exec .venv/bin/python -m pytest -n 2 "$@"
