#!/usr/bin/env bash
# The main job: set up, build the demo index (SQLite in ./instance unless MATCHER_HOME or
# MATCHER_DB_URL say otherwise) and answer a challenge. Arguments go to `matcher search`;
# `run.sh serve [--port P]` serves the HTTP API instead.
set -euo pipefail
source "$(dirname "$0")/setup.sh"
if [ "${1:-}" = "serve" ]; then
  shift
  exec matcher serve "$@"
fi
matcher build
if [ "$#" -eq 0 ]; then
  set -- "Unsere Laternen brennen die ganze Nacht, obwohl um 2 Uhr niemand mehr unterwegs ist."
fi
echo
echo "Projekte zu: $1"
matcher search "$@" -k 5
