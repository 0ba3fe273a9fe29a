#!/usr/bin/env bash
# Issue 15 (downwind estimates): `liuyu downwind` checked against an
# independent computation — PROJ's geodesics and azimuthal-equidistant
# projection (PyPI pyproj) and GEOS (PyPI shapely): the steady plume against
# a geodesic sector, a veering series against a brute-force step-by-step
# advection, county shares, arrival hours and distances (.ci/checks/air_check.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
T0=$(date +%s)
step() { echo; echo "== 80-air [$(( $(date +%s) - T0 ))s]: $*"; }

step "python venv (pinned: pyproj, shapely)"
VENV="$PWD/target/ci-venv-air"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check "pyproj==3.7.2" "shapely==2.2.0"

step "build liuyu (debug, reused from cargo test)"
cargo build --quiet --bin liuyu

step "independent check (pyproj + shapely)"
"$VENV/bin/python" .ci/checks/air_check.py target/debug/liuyu

echo
echo "80-air: all checks passed in $(( $(date +%s) - T0 )) s"
