#!/usr/bin/env bash
# Fuzz smoke: every cargo-fuzz target under fuzz/ (each parser of user bytes) is
# built once and run for a few seconds from its committed corpus. Any crash, panic
# or input slower than the timeout fails the check. The long campaign and its
# totals are in fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$(date +%s)
say() { echo "[fuzz $(( $(date +%s) - t0 ))s] $*"; }
SECS="${LIUYU_FUZZ_SECONDS:-4}"
if ! command -v cargo-fuzz >/dev/null; then
  say "installing cargo-fuzz 0.13.2 (crates.io)"
  cargo install --quiet cargo-fuzz --version 0.13.2 --locked
fi
# Nightly when this machine has it; otherwise the stable toolchain with
# RUSTC_BOOTSTRAP=1. No sanitizer: the crate forbids unsafe code, and the smoke
# is about panics and timeouts in our parsers.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then tc=(+nightly); else tc=(); export RUSTC_BOOTSTRAP=1; fi
# No debug info (cargo-fuzz asks for line tables): a panic still names its file and
# line, and the build is 376 instead of 435 s and 1.7 instead of 3.3 GB here.
export RUSTFLAGS="${RUSTFLAGS:-} -Cdebuginfo=0"
say "building the targets (release, coverage instrumentation, no debug info, ${tc[*]:-stable})"
cargo "${tc[@]}" fuzz build -O --sanitizer none
targets=$(cargo "${tc[@]}" fuzz list)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in $targets; do
  mkdir -p "$work/$t"
  cp fuzz/corpus/"$t"/* "$work/$t/" 2>/dev/null || true
  cargo "${tc[@]}" fuzz run -O --sanitizer none "$t" "$work/$t" -- \
    -max_total_time="$SECS" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$work/$t-" >"$work/$t.log" 2>&1 || {
      tail -40 "$work/$t.log"; echo "FAIL: fuzz target $t"; exit 1; }
  runs=$(grep -o 'Done [0-9]* runs' "$work/$t.log" | grep -o '[0-9]*' || echo "?")
  say "$t: ${runs} executions in ${SECS} s, no crash"
done
say "fuzz: OK"
