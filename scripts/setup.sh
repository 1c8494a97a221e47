#!/usr/bin/env bash
# Sets up gaptrack in .venv (or in the virtual environment already active).
#   - torch: an importable torch (a CUDA build on a GPU box) is left alone; otherwise a GPU
#     box gets PyPI's default (CUDA) build and a CPU-only box gets torch==2.13.0, the CPU
#     build (an unpinned torch would pull several GB of CUDA packages).
#   - gaptrack itself, editable, with its test extras when SETUP_EXTRAS=test.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ -n "${VIRTUAL_ENV:-}" ] || [ -n "${CONDA_PREFIX:-}" ]; then
  PY=$(command -v python)
  echo "setup: using the active environment ($PY)"
else
  if [ ! -x .venv/bin/python ]; then
    if "$PYTHON" -c "import torch" 2>/dev/null; then
      # Let the venv see the system's torch (typically a CUDA build) instead of replacing it.
      echo "setup: creating .venv on top of the system torch"
      "$PYTHON" -m venv --system-site-packages .venv
    else
      echo "setup: creating .venv"
      "$PYTHON" -m venv .venv
    fi
  fi
  PY=.venv/bin/python
fi

pip_install() { "$PY" -m pip install --disable-pip-version-check -q "$@"; }

if "$PY" -c "import torch" 2>/dev/null; then
  echo "setup: keeping torch $("$PY" -c 'import torch; print(torch.__version__)')"
elif command -v nvidia-smi >/dev/null 2>&1; then
  echo "setup: GPU found, installing PyPI's CUDA torch"
  pip_install torch
else
  echo "setup: no GPU, installing the CPU build torch==2.13.0"
  pip_install torch==2.13.0
fi

extras=${SETUP_EXTRAS:-}
pip_install -e ".${extras:+[$extras]}"
echo "setup: done ($("$PY" -c 'import torch, transformers, lm_eval; print("torch", torch.__version__, "| transformers", transformers.__version__, "| lm_eval", lm_eval.__version__ if hasattr(lm_eval, "__version__") else "")'))"
