#!/usr/bin/env bash
# Set-up shared by run.sh and test.sh: a virtual environment in .venv with a CPU-only torch
# (installed first, so sentence-transformers does not pull the CUDA build) and the package.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing dependencies into .venv (first run takes a few minutes) …" >&2
  .venv/bin/pip install -q --upgrade pip
  # A CPU build of torch; elsewhere use: pip install torch --index-url https://download.pytorch.org/whl/cpu
  .venv/bin/pip install -q "torch==2.13.0"
  .venv/bin/pip install -q -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
export HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1}
export TOKENIZERS_PARALLELISM=false
# axe-core for the accessibility browser tests (tests/web/pages/axe.py), from the npm registry into
# .bench/axe: test-only, not committed (MPL-2.0); without npm or network the tests skip.
if [ ! -f .bench/axe/node_modules/axe-core/axe.min.js ] && command -v npm >/dev/null; then
  npm install --silent --no-audit --no-fund --prefix .bench/axe axe-core@4 >&2 \
    || echo "axe-core not installed: the accessibility tests will skip" >&2
fi
