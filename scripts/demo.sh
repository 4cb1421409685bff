#!/usr/bin/env bash
# Set up a virtualenv in .venv (if needed), install faasguard, and scan the bundled vulnerable
# example app. If ../shared (the advisory data) is beside the repo, a local vulnerability database
# is built from it first, offline; otherwise dependencies are reported as unaudited.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e .
export FAASGUARD_VULNDB="$PWD/.faasguard/vulndb"
if [ -d ../shared/data/pypa-advisory-db ] && .venv/bin/faasguard db --help >/dev/null 2>&1; then
  .venv/bin/faasguard db import ../shared/data/pypa-advisory-db >/dev/null
fi
# Exit status 1 means "findings at or above --fail-on": expected for this example.
.venv/bin/faasguard scan examples/orders-api "$@" || [ $? -eq 1 ]
