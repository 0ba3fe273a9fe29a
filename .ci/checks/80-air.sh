#!/usr/bin/env bash
# Issue 15 (downwind estimates): `liuyu downwind` checked against an
# independent computation — PROJ's geodesics and azimuthal-equidistant
# projection (PyPI pyproj) and GEOS (PyPI shapely): the steady plume against
# a geodesic sector, a veering series against a brute-force step-by-step
# advection, county shares, arrival hours and distances (.ci/checks/air_check.py);
# then the map page's wind control in Debian's headless Chromium driven by
# playwright-core from npm (tools/ci/air_browser.mjs): the plume drawn and the
# lists shown are the API's, the dial turns the wind, a drawn footprint works.
# Screenshot: ci-artifacts/air/air-map-1400x900.png.
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
# target/debug/liuyu as `cargo test` builds it (a plain `cargo build` would rebuild the
# library with other dependency features, minutes on two cores).
cargo test --quiet --no-run --test cli

step "independent check (pyproj + shapely)"
"$VENV/bin/python" .ci/checks/air_check.py target/debug/liuyu

step "map page: the wind control in headless Chromium (playwright-core from npm)"
if ! command -v chromium >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
[ -d web/node_modules/playwright-core ] || (cd web && npm ci --no-audit --no-fund --loglevel=error)
ART="$PWD/ci-artifacts/air"
mkdir -p "$ART"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
target/debug/liuyu serve --addr "127.0.0.1:$PORT" >"$ART/serve.log" 2>&1 & SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
curl -fs "http://127.0.0.1:$PORT/health" >/dev/null || { echo "FAIL: server did not start"; cat "$ART/serve.log"; exit 1; }
node tools/ci/air_browser.mjs "http://127.0.0.1:$PORT" "$ART"

echo
echo "80-air: all checks passed in $(( $(date +%s) - T0 )) s"
