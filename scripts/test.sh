#!/usr/bin/env bash
# The test command: set up, lint, type-check, run the whole suite (with the real offline encoder).
# PostgreSQL tests run when PG_TEST_URL names a server (.ci/run starts one); else they skip.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
ruff check matcher tests tools benchmarks scripts
ruff format --check matcher tests tools benchmarks scripts
mypy  # matcher/ (the HTTP layer in matcher/web/ included), with the pydantic plugin ([tool.mypy] in pyproject.toml)
python -m pytest -q -ra "$@"
