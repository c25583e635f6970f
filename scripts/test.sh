#!/usr/bin/env bash
# The test command: set up, lint, type-check, run the whole suite (with the real offline encoder).
# PostgreSQL tests run when PG_TEST_URL names a server (.ci/run starts one); else they skip.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
ruff check matcher tests tools benchmarks scripts
ruff format --check matcher tests tools benchmarks scripts
mypy  # matcher/ (the HTTP layer in matcher/web/ included), with the pydantic plugin ([tool.mypy] in pyproject.toml)
# Two workers (pytest-xdist), or one on a one-core machine: many tests wait on servers,
# browsers and subprocesses (the whole suite on 2 busy cores: 1,507 s on one, 754 s on two).
# A file's tests stay on one worker (--dist loadfile), so its module fixtures start one server.
workers=$(( $(nproc) < 2 ? $(nproc) : 2 ))
python -m pytest -q -ra -n "$workers" --dist loadfile "$@"
