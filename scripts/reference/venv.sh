#!/usr/bin/env bash
# Makes the gitignored virtualenv .venv with CPU-only PyTorch for the reference scripts (idempotent).
set -euo pipefail
cd "$(dirname "$0")/../.."
if .venv/bin/python -c "import torch, numpy" 2>/dev/null; then exit 0; fi
python3 -m venv .venv
# The +cpu build only: the default torch wheel drags in ~2.5 GB of CUDA packages this project never uses.
.venv/bin/pip install --quiet torch==2.13.0+cpu numpy
