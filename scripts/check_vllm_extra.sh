#!/usr/bin/env bash
# Resolver check of the `vllm` extra (CI, with PyPI): gaptrack's own requirements and the
# pinned vLLM must resolve together, and to the pinned version. pip's dry run reads
# package metadata only; nothing is installed. Exit 1 with the reason where they conflict
# (a new gaptrack transformers floor, or a pin that pip had to replace).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || PY=${PYTHON:-python3}  # CI runs this before setup makes .venv
[ -n "${VIRTUAL_ENV:-}${CONDA_PREFIX:-}" ] && PY=python
report=$(mktemp)
trap 'rm -f "$report"' EXIT
if ! "$PY" -m pip install --dry-run --ignore-installed --quiet --report "$report" ".[vllm]" 2>/dev/null; then
  echo "check_vllm_extra: pip cannot resolve gaptrack[vllm] (see: pip install --dry-run '.[vllm]')" >&2
  exit 1
fi
"$PY" - "$report" <<'PYEOF'
import json
import sys
import tomllib

report = json.load(open(sys.argv[1]))
found = {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in report["install"]}
extras = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]
pin = next(r for r in extras["vllm"] if r.startswith("vllm=="))
wanted = pin.split("==", 1)[1]
if found.get("vllm") != wanted:
    sys.exit(f"check_vllm_extra: resolved vllm {found.get('vllm')}, pinned {wanted}")
print(f"check_vllm_extra: vllm {found['vllm']} resolves with transformers {found['transformers']}")
PYEOF
