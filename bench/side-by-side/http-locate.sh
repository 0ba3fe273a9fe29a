#!/usr/bin/env bash
# HTTP locate at the speed of the server itself (issue 13 item 4):
# `GET /v1/locate` against `GET /health` on the same release server, same run,
# wrk with 32 connections. Rounds alternate (health, locate, health, locate,
# ...) so load from other work on a shared machine hits both alike; the
# ratio is of the medians. The locate requests cycle through 4,096 seeded
# points in Hubei's bounding box (inside, outside, near borders alike).
# Prints req/s, the ratio, p99 latency and the server's RSS afterwards.
#
# Env: DURATION (seconds per round, default 10), ROUNDS (default 3),
# CONNECTIONS (default 32), THREADS (wrk threads, default 2).
# Needs `wrk` (Debian package `wrk`; installed when missing unless SKIP_INSTALL=1).
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
work=.work/side-by-side/http-locate
rm -rf "$work"
mkdir -p "$work"
t0=$(date +%s)
say() { echo "http-locate.sh [$(( $(date +%s) - t0 ))s] $*" >&2; }

if ! command -v wrk >/dev/null && [[ "${SKIP_INSTALL:-0}" != 1 ]]; then
  say "installing wrk (Debian package)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

say "building liuyu (release)"
cargo build --release --quiet --bin liuyu
python3 - "$work/points.lua" <<'PY'
import random, sys
rng = random.Random(13)
pts = [f"/v1/locate?lon={rng.uniform(108.3, 116.2):.6f}&lat={rng.uniform(29.0, 33.3):.6f}" for _ in range(4096)]
with open(sys.argv[1], "w") as f:
    f.write("local paths = {\n" + ",\n".join(f'"{p}"' for p in pts) + "}\n")
    f.write("local i = 0\n")
    f.write("request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n")
PY

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=warn target/release/liuyu serve --addr "127.0.0.1:${port}" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:${port}/health" >/dev/null 2>&1 && break
  sleep 0.05
done
curl -sf "http://127.0.0.1:${port}/v1/locate?lon=114.3&lat=30.6" >/dev/null
rss_before=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server/status")

base="http://127.0.0.1:${port}"
run() { # name, extra wrk args...
  local name=$1; shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" >"$work/$name.txt"
  local rps p99 errors
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/$name.txt")
  errors=$(grep -E 'Non-2xx|Socket errors' "$work/$name.txt" || true)
  [[ -z "$errors" ]] || { echo "errors in $name: $errors"; exit 1; }
  echo "$rps $p99"
}
declare -a H L
for r in $(seq 1 "$ROUNDS"); do
  H+=("$(run "health-$r" "$base/health")")
  L+=("$(run "locate-$r" -s "$work/points.lua" "$base/v1/locate")")
  say "round $r: /health ${H[-1]} | /v1/locate ${L[-1]} (req/s, p99)"
done
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
h=$(printf '%s\n' "${H[@]}" | awk '{print $1}' | median)
l=$(printf '%s\n' "${L[@]}" | awk '{print $1}' | median)
rss_after=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server/status")
hwm=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server/status")

echo
echo "HTTP locate vs /health, $(date -u +%Y-%m-%d), $(nproc) cores (shared machine), wrk -t$THREADS -c$CONNECTIONS, $ROUNDS alternating rounds of ${DURATION}s"
printf '| %-12s | %10s | %s |\n' route "req/s (median)" "rounds: req/s p99"
printf '|%s|%s|%s|\n' -------------- ---------------- -------------------
printf '| %-12s | %14s | %s |\n' /health "$h" "$(printf '%s; ' "${H[@]}")"
printf '| %-12s | %14s | %s |\n' /v1/locate "$l" "$(printf '%s; ' "${L[@]}")"
ratio=$(awk -v l="$l" -v h="$h" 'BEGIN {printf "%.2f", l / h}')
echo
echo "ratio /v1/locate : /health = $ratio (goal >= 0.9)"
echo "server RSS: ${rss_before} MiB before, ${rss_after} MiB after, peak ${hwm} MiB (goal <= 100 MiB after)"
