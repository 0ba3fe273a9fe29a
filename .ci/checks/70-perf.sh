#!/usr/bin/env bash
# Issue 13 (performance): the Python package and a smoke of the side-by-side
# benchmark, so neither can rot. Run from the repo root; prints step times.
#  1. apt: none here; the side-by-side smoke (6.) installs PostgreSQL, PostGIS and wrk.
#  2. venv from PyPI: maturin, pytest, shapely, pyproj, numpy, pyarrow, pandas.
#  3. clippy -D warnings on the Python crate (python/, not a default member).
#  4. The wheel, built once (abi3), installed with pip from the file. Built in
#     the dev profile so it reuses the dependencies `cargo test` compiled
#     (a release build from a clean clone alone takes longer than this whole
#     check); the measured wheel is the release one (bench/side-by-side/run.sh).
#  5. pytest python/tests: against shapely (GEOS) and pyproj (PROJ).
#  6. bench/side-by-side/run.sh --smoke (20,000 + 5,000 points, 1 s of wrk)
#     with the debug binary `cargo test` built: every engine runs and agrees
#     outside the 1 cm border band; analyze.sh serves with that binary too
#     (a release build there took 313 of this check's 673 s). Not a
#     measurement (the full run is in docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
T0=$(date +%s)
LAST=$T0
step() {
  local now; now=$(date +%s)
  echo; echo "== 70-perf [$((now - T0))s, previous step $((now - LAST))s]: $*"
  LAST=$now
}

step "python venv (maturin, pytest, shapely, pyproj, numpy, pyarrow, pandas)"
export VENV="$ROOT/target/ci-venv-perf"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check \
  "maturin==1.16.0" "pytest==8.4.2" "shapely==2.2.0" "pyproj==3.7.2" \
  "numpy>=1.26" "pyarrow>=15" "pandas>=2"

step "cargo clippy -p liuyu-python -- -D warnings"
PYO3_PYTHON="$VENV/bin/python" cargo clippy --quiet -p liuyu-python --all-targets -- -D warnings

step "wheel (maturin build, dev profile, abi3) and pip install from the file"
rm -rf target/wheels
PYO3_PYTHON="$VENV/bin/python" "$VENV/bin/maturin" build --quiet --strip \
  -m python/Cargo.toml -o target/wheels
WHEEL=$(ls target/wheels/liuyu-*.whl | head -n1)
echo "built $(basename "$WHEEL") ($(du -h "$WHEEL" | cut -f1))"
"$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall "$WHEEL"

step "pytest python/tests"
# From the repository root with importlib imports: the source folder
# python/liuyu (no compiled extension) must not shadow the installed wheel.
"$VENV/bin/python" -m pytest -q -p no:cacheprovider --import-mode=importlib python/tests

step "side-by-side smoke (bench/side-by-side/run.sh --smoke)"
# target/debug/liuyu as `cargo test` builds it (a plain `cargo build` would rebuild the
# library with other dependency features, minutes on two cores).
cargo test --quiet --no-run --test cli
LIUYU_WHEEL="$WHEEL" LIUYU_BIN="$ROOT/target/debug/liuyu" bash bench/side-by-side/run.sh --smoke

step "70-perf: all checks passed in $(( $(date +%s) - T0 )) s"
