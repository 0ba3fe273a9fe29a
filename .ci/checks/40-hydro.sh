#!/usr/bin/env bash
# Rivers (issue 4): the committed river layer is a deterministic rebuild of WDBII
# (pinned wheel; the build fails loudly when a gazetteer point is too far from any
# line), and an independent reader + shapely agree with it. Uses the dev profile
# that `cargo test` has already built.
set -euo pipefail
echo "== 40-hydro: river build determinism (tools/build-rivers.sh --check)"
command -v unzip >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends unzip >/dev/null; }
tools/build-rivers.sh --check
echo "== 40-hydro: independent check (own numpy reader of the .dat files + shapely)"
VENV=${LIUYU_CACHE:-target/liuyu-cache}/check-venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet numpy==2.2.6 shapely==2.1.1
"$VENV/bin/python" tools/check-rivers.py "${LIUYU_CACHE:-target/liuyu-cache}/wdbii" data/rivers
# The hydro tests (graph validation, must-shows, HTTP) run in .ci/run's `cargo test`.
echo "40-hydro OK"
