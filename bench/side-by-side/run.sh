#!/usr/bin/env bash
# Side-by-side benchmark (issue 13): liuyu (CLI and Python package), PostGIS
# and shapely on the same seeded points in the same run, checked to agree
# outside the 1 cm border band; then HTTP /v1/locate against /health (wrk).
#
#   bench/side-by-side/run.sh            full run: 1,000,000 random + 200,000 border points
#   bench/side-by-side/run.sh --smoke    CI smoke: 20,000 + 5,000 points, 1 s of wrk
#
# Environment: WORK (scratch dir, default a mktemp dir), LIUYU_BIN (a built
# `liuyu`, default target/release/liuyu, built if missing), LIUYU_WHEEL (a
# built wheel, default: maturin builds one), PG_PORT (default 55432).
# Needs root for apt (postgresql, postgis, wrk) on Debian 12; Python venv from PyPI.
# Prints one table (also WORK/report.md). Calls bench/side-by-side/analyze.sh
# if present, with LIUYU_BIN, PY, WORK, PGHOST and PGPORT exported.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/bench/side-by-side
SMOKE=0
[ "${1:-}" = "--smoke" ] && SMOKE=1
if [ $SMOKE = 1 ]; then N_RANDOM=20000; N_BORDER=5000; WRK_D=1s; else N_RANDOM=1000000; N_BORDER=200000; WRK_D=10s; fi
WORK=${WORK:-$(mktemp -d /tmp/liuyu-sbs.XXXXXX)}
mkdir -p "$WORK"
T0=$(date +%s%N)
# Elapsed time in bash arithmetic, so the script needs no `bc`.
step() {
  local ds=$((($(date +%s%N) - T0) / 100000000))
  printf '\n== side-by-side [%4d.%ds] %s\n' $((ds / 10)) $((ds % 10)) "$*"
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

step "apt packages (postgresql, the PostGIS extension, wrk)"
NEED=""
# The PostGIS extension is `postgresql-15-postgis-3` (Debian 12's PostgreSQL 15);
# the package `postgis` alone holds only its command-line tools, and with
# --no-install-recommends it does not bring the extension (a machine with
# PostgreSQL preinstalled stopped here with "extension postgis is not available").
for p in postgresql postgresql-15-postgis-3 wrk; do dpkg -s "$p" >/dev/null 2>&1 || NEED="$NEED $p"; done
if [ -n "$NEED" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $NEED >/dev/null
fi
ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 \
  || { echo "PostGIS extension not installed (postgis.control missing)" >&2; exit 1; }

step "python venv (shapely, numpy, pyarrow, pandas, maturin)"
VENV=${VENV:-$ROOT/target/sbs-venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
PY=$VENV/bin/python
"$VENV/bin/pip" install -q --disable-pip-version-check \
  "shapely==2.2.0" "numpy>=1.26" "pyarrow>=15" "pandas>=2" "maturin>=1.7,<2" "pytest>=7"

step "liuyu binary and wheel (release)"
LIUYU_BIN=${LIUYU_BIN:-$ROOT/target/release/liuyu}
[ -x "$LIUYU_BIN" ] || cargo build --quiet --release --bin liuyu
if [ -z "${LIUYU_WHEEL:-}" ]; then
  "$VENV/bin/maturin" build --quiet --release --strip -m python/Cargo.toml -o "$WORK/wheels" >/dev/null
  LIUYU_WHEEL=$(ls "$WORK"/wheels/liuyu-*.whl | head -n1)
fi
"$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$LIUYU_WHEEL"

step "points ($N_RANDOM random, $N_BORDER within 100 m of county borders)"
"$PY" "$HERE/sbs.py" points "$WORK" "$N_RANDOM" "$N_BORDER"

step "liuyu attribute (CSV in, CSV out)"
"$PY" - "$LIUYU_BIN" "$WORK" "$SMOKE" <<'PYEOF'
import json, subprocess, sys, time
from pathlib import Path
bin_, work, smoke = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "1"
reps = 1 if smoke else 3
res = {}
def run(args, pin=False):
    cmd = (["taskset", "-c", "0"] if pin else []) + [bin_, "attribute", "--quiet"] + args
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out), time.perf_counter() - t0
def fresh(args, dst, pin=False):
    """Median of `reps` runs, each writing a new output file (an existing one
    is removed first: replacing it is measured separately, see t1_replace)."""
    runs = []
    for _ in range(reps):
        dst.unlink(missing_ok=True)
        runs.append(run(args, pin))
    runs.sort(key=lambda r: r[0]["seconds"])
    return runs[len(runs) // 2]
for name in ["random", "border"]:
    src, dst = work / f"{name}.csv", work / f"{name}_liuyu_cli.csv"
    r = {}
    io = ["--in", str(src), "--out", str(dst)]
    s, wall = fresh(["--threads", "1"] + io, dst)
    r["t1"], r["t1_wall"] = s["seconds"], wall
    if not smoke:
        s, _ = fresh(["--threads", "1"] + io, dst, pin=True)
        r["t1_core"] = s["seconds"]
        # The output of the last run is still there: this run replaces it.
        s, _ = run(["--threads", "1"] + io)
        r["t1_replace"] = s["seconds"]
    s, _ = fresh(io, dst)
    r["all"], r["threads"] = s["seconds"], s["threads"]
    res[name] = r
    print(f"{name}: --threads 1 {s['rows'] / r['t1']:,.0f} rows/s (wall {s['rows'] / r['t1_wall']:,.0f}), "
          f"all cores {s['rows'] / r['all']:,.0f} rows/s")
(work / "cli.json").write_text(json.dumps(res))
PYEOF

step "shapely and the liuyu Python package (same arrays, same process)"
SBS_REPS=$([ $SMOKE = 1 ] && echo 1 || echo 3) "$PY" "$HERE/sbs.py" python "$WORK"

step "PostGIS (cluster on port ${PG_PORT:=55432})"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
PGDATA=$WORK/pgdata
mkdir -p "$PGDATA" "$WORK/pgsock"
touch "$WORK/pg.log"
chown -R postgres "$PGDATA" "$WORK/pgsock" "$WORK/pg.log"
chmod 755 "$WORK"
su postgres -c "$PGBIN/initdb -D $PGDATA -A trust -U postgres" >/dev/null
su postgres -c "$PGBIN/pg_ctl -D $PGDATA -o '-p $PG_PORT -k $WORK/pgsock -c listen_addresses=' -l $WORK/pg.log -w start" >/dev/null
cleanup() {
  su postgres -c "$PGBIN/pg_ctl -D $PGDATA -m fast -w stop" >/dev/null 2>&1 || true
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null || true
}
trap cleanup EXIT
export PGHOST=$WORK/pgsock PGPORT=$PG_PORT
"$PY" "$HERE/sbs.py" postgis "$WORK" psql -h "$PGHOST" -p "$PGPORT" -U postgres postgres

step "agreement outside the 1 cm border band"
"$PY" "$HERE/sbs.py" compare "$WORK"

step "HTTP: /v1/locate vs /health (wrk, 2 threads, 32 connections, $WRK_D each)"
PORT=$((PG_PORT + 1))
"$LIUYU_BIN" serve --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
"$PY" - "$WORK" <<'PYEOF'
import sys
from pathlib import Path
import numpy as np
work = Path(sys.argv[1])
x, y = np.load(work / "random_lon.npy")[:1000], np.load(work / "random_lat.npy")[:1000]
pts = ",".join(f'"lon={a:.6f}&lat={b:.6f}"' for a, b in zip(x, y))
(work / "locate.lua").write_text(
    "local q = {" + pts + "}\nlocal i = 0\n"
    "request = function()\n  i = i + 1\n"
    "  return wrk.format('GET', '/v1/locate?' .. q[(i % #q) + 1])\nend\n")
PYEOF
wrk -t2 -c32 -d"$WRK_D" "http://127.0.0.1:$PORT/health" >"$WORK/wrk_health.txt"
wrk -t2 -c32 -d"$WRK_D" -s "$WORK/locate.lua" "http://127.0.0.1:$PORT/" >"$WORK/wrk_locate.txt"
RSS_KB=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status")
"$PY" - "$WORK" "$WRK_D" "$RSS_KB" <<'PYEOF'
import json, re, sys
from pathlib import Path
work, dur, rss = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def rps(name):
    text = (work / f"wrk_{name}.txt").read_text()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if errors:
        sys.exit(f"{name}: {errors.group(1)} error responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
h = {"health": rps("health"), "locate": rps("locate"), "threads": 2, "connections": 32,
     "duration": dur, "rss_mib": rss / 1024}
(work / "http.json").write_text(json.dumps(h))
print(f"/health {h['health']:,.0f} req/s, /v1/locate {h['locate']:,.0f} req/s, RSS {h['rss_mib']:.1f} MiB")
PYEOF

if [ -x "$HERE/analyze.sh" ]; then
  step "analyze.sh (footprint analysis, another part of issue 13)"
  LIUYU_BIN=$LIUYU_BIN PY=$PY WORK=$WORK PGHOST=$PGHOST PGPORT=$PGPORT SMOKE=$SMOKE "$HERE/analyze.sh"
fi

step "report"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
"$PY" - "$WORK" "$LOAD_BEFORE" "$LOAD_AFTER" "$SMOKE" <<'PYEOF'
import json, os, platform, subprocess, sys, datetime
from pathlib import Path
work = Path(sys.argv[1])
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 2**20
meta = {"date": datetime.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} {platform.release()}"
                   + (" - SMOKE RUN, not a measurement" if sys.argv[4] == "1" else ""),
        "load_before": sys.argv[2], "load_after": sys.argv[3]}
(work / "meta.json").write_text(json.dumps(meta))
PYEOF
SBS_REPS=$([ $SMOKE = 1 ] && echo 1 || echo 3) "$PY" "$HERE/sbs.py" report "$WORK"
step "done (work dir: $WORK)"
