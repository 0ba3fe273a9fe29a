#!/usr/bin/env bash
# No answer a test checks may depend on the wall clock: the golden-file, HTTP and
# CLI test binaries run again under libfaketime at dates years apart, one of them
# inside a January reporting window (clause 十一), and must pass unchanged.
# (The golden helper in tests/common also refuses any answer holding today's date.)
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$(date +%s)
say() { echo "[clock $(( $(date +%s) - t0 ))s] $*"; }
if ! command -v faketime >/dev/null; then
  say "installing faketime (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends faketime >/dev/null
fi
tests=(http_api governance_http governance_cli crs_http hydro_http maps_http maps_tiles cli)
args=()
for t in "${tests[@]}"; do args+=(--test "$t"); done
say "building the test binaries (reused from cargo test)"
mapfile -t bins < <(cargo test --no-run --message-format=json "${args[@]}" 2>/dev/null \
  | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["kind"] == ["test"]:
        print(m["executable"])')
[ "${#bins[@]}" -eq "${#tests[@]}" ] || { echo "FAIL: expected ${#tests[@]} test binaries, got ${#bins[@]}"; exit 1; }
# The CLI tests run target/debug/liuyu, which the `cargo test --no-run` above built with
# the test features (a plain `cargo build` would rebuild the library with other
# dependency features, minutes on two cores).
export FAKETIME_DONT_FAKE_MONOTONIC=1
for when in "2029-01-20 09:30:00" "2034-07-04 23:59:30"; do
  seen=$(faketime "$when" date -u +%F)
  [ "$seen" = "${when%% *}" ] || { echo "FAIL: faketime did not shift the clock (date read $seen)"; exit 1; }
  say "running ${#bins[@]} test binaries at a faked $when"
  for b in "${bins[@]}"; do
    faketime "$when" "$b" -q >/tmp/liuyu-clock.log 2>&1 || { cat /tmp/liuyu-clock.log; echo "FAIL: $(basename "$b") at $when"; exit 1; }
    echo "    $(basename "$b"): passed"
  done
done
say "clock: OK"
