#!/usr/bin/env bash
# Map clients (issue 5), each proven with a client no one here wrote:
#  - GDAL OAPIF (ogrinfo/ogr2ogr), OWSLib, mapbox-vector-tile, PyPI pmtiles
#    against a running `liuyu serve` (tools/ci/maps_check.py);
#  - MapLibre GL JS from npm in Debian's headless Chromium driven by
#    playwright-core (no browser download), with every CJK system font hidden:
#    /style.json renders, Chinese labels are placed from the served glyphs, the
#    page answers clicks, searches, draws a problem across 鄂州 and 黄冈 and
#    shows who coordinates, at 1400x900 and 390x844 (tools/ci/maps_browser.mjs).
#    Screenshots: ci-artifacts/maps/.
#  - The committed web bundle, label glyphs (tools/build-glyphs.sh --check) and
#    tiles/hubei.pmtiles are reproducible.
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$(date +%s)
say() { echo "[maps $(( $(date +%s) - t0 ))s] $*"; }
ART="$PWD/ci-artifacts/maps"
mkdir -p "$ART"

say "installing clients (apt: chromium gdal-bin, a Latin-only font; pip: owslib mapbox-vector-tile pmtiles openapi validators; npm ci in web/)"
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v ogr2ogr >/dev/null || need+=(gdal-bin)
command -v fc-list >/dev/null || need+=(fontconfig)
[ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check owslib==0.35.0 mapbox-vector-tile==2.2.0 shapely==2.2.0 pmtiles==3.8.1 \
  openapi-spec-validator==0.9.0 openapi-schema-validator==0.9.0 freetype-py==2.5.1
(cd web && npm ci --no-audit --no-fund --loglevel=error)

say "web bundle: rebuilt from package-lock.json, must equal the committed src/web/assets/"
(cd web && npm run -s build)
git diff --exit-code --stat -- src/web/assets || { echo "FAIL: src/web/assets is stale: run 'cd web && npm ci && npm run build' and commit"; exit 1; }

say "label glyphs: rebuilt from the pinned font package, must equal the committed src/web/fonts/"
tools/build-glyphs.sh --check

say "building liuyu (debug) and rebuilding the PMTiles archive"
# target/debug/liuyu as `cargo test` builds it (a plain `cargo build` would rebuild the
# library with other dependency features, minutes on two cores).
cargo test -q --no-run --test cli
BIN=target/debug/liuyu
"$BIN" tiles build --out "$ART/hubei.pmtiles"
cmp -s "$ART/hubei.pmtiles" tiles/hubei.pmtiles || { echo "FAIL: tiles/hubei.pmtiles differs from a fresh build: run 'liuyu tiles build' and commit"; exit 1; }
echo "ok   tiles/hubei.pmtiles is byte-identical to a fresh 'liuyu tiles build'"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P1=$(port); P2=$(port)
"$BIN" serve --addr "127.0.0.1:$P1" >"$ART/serve-live.log" 2>&1 & S1=$!
"$BIN" serve --addr "127.0.0.1:$P2" --pmtiles tiles/hubei.pmtiles >"$ART/serve-pmtiles.log" 2>&1 & S2=$!
trap 'kill $S1 $S2 2>/dev/null || true' EXIT
for p in "$P1" "$P2"; do
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.1; done
  curl -fs "http://127.0.0.1:$p/health" >/dev/null || { echo "FAIL: server on $p did not start"; cat "$ART"/serve-*.log; exit 1; }
done

say "GDAL OAPIF, OWSLib, OGC CRS, MVT decoding, ETag/304, TileJSON, PMTiles"
python3 tools/ci/maps_check.py "http://127.0.0.1:$P1" "http://127.0.0.1:$P2" tiles/hubei.pmtiles data "$ART/truth.json"

# System fonts hidden: Chromium aborts with no font at all (Skia), so the config
# keeps one Latin-only family (DejaVu); no CJK font is visible to the browser.
FC="$ART/fontconfig"
mkdir -p "$FC/cache"
printf '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>%s/cache</cachedir></fontconfig>\n' "$FC" >"$FC/fonts.conf"
export FONTCONFIG_FILE="$FC/fonts.conf"
if fc-list :lang=zh | grep -q .; then echo "FAIL: a CJK font is still visible through $FONTCONFIG_FILE"; exit 1; fi
echo "ok   fontconfig for the browser: $(fc-list | wc -l) Latin faces, no CJK font"

say "served label glyphs against FreeType's rendering of the same font"
python3 tools/ci/glyphs_check.py "http://127.0.0.1:$P1" "${LIUYU_CACHE:-$PWD/target/liuyu-cache}/noto-sans-sc/package/400Regular/NotoSansSC_400Regular.ttf" data

say "headless Chromium: MapLibre + /style.json, the page at / (labels, clicks, search, draw-to-ask, phone)"
node tools/ci/maps_browser.mjs "http://127.0.0.1:$P1" "$ART" "$ART/truth.json"
unset FONTCONFIG_FILE

say "done; screenshots: $ART/map-1400x900.png $ART/map-390x844.png $ART/maps-maplibre-style.png"

