#!/usr/bin/env bash
# Rebuilds the map's label glyphs src/web/fonts/noto-sans-sc-regular.glyphs (MapLibre
# glyph ranges, signed distance fields) and its report from Noto Sans SC Regular
# (SIL OFL 1.1) in the npm package @expo-google-fonts/noto-sans-sc 0.4.3, for every
# character used in data/ (layers, rivers, lakes, governance catalog) and in the
# page (web/src, src/web/index.html, src/web/style.rs), and the page's own web font
# src/web/fonts/noto-sans-sc-ui.woff2 (the same characters, subset by fontTools'
# pyftsubset, pinned), so the page reads the same with no CJK font installed.
# Deterministic: same bytes every run.
#   tools/build-glyphs.sh          rebuild src/web/fonts/ in place
#   tools/build-glyphs.sh --check  rebuild into a scratch dir and compare bytes
# Run it again (and commit) when data/ or the page gains characters; the test
# maps_glyphs::every_label_character_has_a_glyph says when.
set -euo pipefail
cd "$(dirname "$0")/.."
PKG=@expo-google-fonts/noto-sans-sc
VER=0.4.3
TGZ=expo-google-fonts-noto-sans-sc-$VER.tgz
SHA256=0d69d0f4971d2ff574e3d93cbc218dc950bf3f3f8f8e2c008d97687ed53aee59
TTF=package/400Regular/NotoSansSC_400Regular.ttf
CACHE=${LIUYU_CACHE:-$PWD/target/liuyu-cache}
mkdir -p "$CACHE"
if [ ! -f "$CACHE/$TGZ" ]; then
  (cd "$CACHE" && npm pack --silent "$PKG@$VER" >/dev/null)
fi
echo "$SHA256  $CACHE/$TGZ" | sha256sum -c --quiet -
rm -rf "$CACHE/noto-sans-sc" && mkdir -p "$CACHE/noto-sans-sc"
tar -xzf "$CACHE/$TGZ" -C "$CACHE/noto-sans-sc" "$TTF" package/LICENSE_FONT
OUT=src/web/fonts
if [ "${1:-}" = "--check" ]; then
  OUT="$CACHE/glyphs-check"
  rm -rf "$OUT" && mkdir -p "$OUT"
fi
cargo run --quiet --example build_glyphs -- "$CACHE/noto-sans-sc/$TTF" "$OUT" \
  data/layers data/rivers data/governance web/src src/web/index.html src/web/style.rs src/tiles/tilejson.rs
cp "$CACHE/noto-sans-sc/package/LICENSE_FONT" "$OUT/OFL-NotoSansSC.txt"
VENV="$CACHE/fonttools-venv"
[ -x "$VENV/bin/pyftsubset" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install --quiet --disable-pip-version-check fonttools==4.61.1 brotli==1.2.0; }
SOURCE_DATE_EPOCH=0 "$VENV/bin/pyftsubset" "$CACHE/noto-sans-sc/$TTF" --text-file="$OUT/charset.txt" \
  --flavor=woff2 --no-hinting --layout-features='*' --output-file="$OUT/noto-sans-sc-ui.woff2"
if [ "${1:-}" = "--check" ]; then
  for f in noto-sans-sc-regular.glyphs build-report.txt charset.txt OFL-NotoSansSC.txt noto-sans-sc-ui.woff2; do
    cmp "$OUT/$f" "src/web/fonts/$f" || { echo "src/web/fonts/$f differs from a fresh build: run tools/build-glyphs.sh and commit" >&2; exit 1; }
  done
  echo "src/web/fonts/ matches a fresh deterministic glyph build"
fi
