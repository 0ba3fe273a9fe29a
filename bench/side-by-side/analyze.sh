#!/usr/bin/env bash
# Footprint analysis side by side (issue 13 item 5): liuyu's
# `POST /v1/issues/analyze` (release server, real HTTP) against PostGIS
# `ST_Intersection` area shares with the county table, on the same three
# footprints (benches/analyze.rs, written by examples/analyze_footprints.rs):
# a 45,000-vertex outline, the Hubei outline, 6,000 overlapping 2° squares.
#
# Self-contained: installs Debian `postgresql` + `postgis` when missing (unless
# SKIP_INSTALL=1), runs its own PostgreSQL cluster in a scratch directory on a
# Unix socket, and cleans up. The main side-by-side script runs this file when
# present. Env: REPS (timed runs per case, default 7), MATTER (default `air`;
# `water` adds the river context, which is not the overlay).
#
# PostGIS is given its best forms: counties with a GiST index, and counties
# cut by ST_Subdivide(geom, 256) with the pieces' shares summed per county;
# the footprint is merged with ST_UnaryUnion (liuyu merges overlapping parts
# too). liuyu answers all 8 layers and the governance rules; PostGIS only the
# county shares. Timings are medians of REPS runs after one warm-up, client
# side (curl time_total; psql \timing), both over local sockets.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPS=${REPS:-7}
MATTER=${MATTER:-air}
work=.work/side-by-side/analyze
rm -rf "$work"
mkdir -p "$work"
t0=$(date +%s)
say() { echo "analyze.sh [$(( $(date +%s) - t0 ))s] $*" >&2; }

if [[ "${SKIP_INSTALL:-0}" != 1 ]] && ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  say "installing postgresql + postgis (Debian packages)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql postgresql-15-postgis-3 >/dev/null
fi
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

if [[ "${SMOKE:-0}" == 1 && -n "${LIUYU_BIN:-}" ]]; then
  # A smoke (CI) checks that every engine runs and answers, not how fast: it serves
  # with the binary it was given and writes the footprints with the example as
  # `cargo test` built it, instead of a release build (5 of CI's 6 minutes here).
  say "smoke: serving with $LIUYU_BIN, footprints from the test build's example"
  bin=$LIUYU_BIN
  label="server of the given build ($LIUYU_BIN; a smoke, not a measurement)"
  cargo run --quiet --example analyze_footprints -- "$work" --bench
else
  say "building liuyu (release) and writing the footprints"
  cargo build --release --quiet --bin liuyu --example analyze_footprints
  bin=target/release/liuyu
  label="release server"
  target/release/examples/analyze_footprints "$work" --bench
fi
cases=(45k-outline hubei-outline 6000-squares)

# --- liuyu over HTTP -------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --addr "127.0.0.1:${port}" >"$work/server.log" 2>&1 &
server=$!
pgdir=""
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  if [[ -n "$pgdir" ]]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pgdir"
  fi
}
trap cleanup EXIT
for _ in $(seq 1 200); do
  curl -sf "http://127.0.0.1:${port}/health" >/dev/null 2>&1 && break
  sleep 0.05
done
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A LIUYU RSS
for c in "${cases[@]}"; do
  python3 -c 'import json,sys; print(json.dumps({"matter": sys.argv[2], "footprint": json.load(open(sys.argv[1]))}, separators=(",", ":")))' \
    "$work/$c.geojson" "$MATTER" >"$work/$c.body.json"
  code=$(curl -s -o "$work/$c.answer.json" -w '%{http_code}' -H 'content-type: application/json' \
    --data-binary @"$work/$c.body.json" "http://127.0.0.1:${port}/v1/issues/analyze")
  [[ "$code" == 200 ]] || { echo "liuyu answered $code for $c: $(head -c 300 "$work/$c.answer.json")"; exit 1; }
  for _ in $(seq 1 "$REPS"); do
    curl -s -o /dev/null -w '%{time_total}\n' -H 'content-type: application/json' \
      --data-binary @"$work/$c.body.json" "http://127.0.0.1:${port}/v1/issues/analyze"
  done | median >"$work/$c.liuyu.s"
  LIUYU[$c]=$(awk '{printf "%.1f", $1 * 1000}' "$work/$c.liuyu.s")
  RSS[$c]=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server/status")
  say "liuyu $c: ${LIUYU[$c]} ms (server peak RSS so far ${RSS[$c]} MiB)"
done
rss_now=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$server/status")

# --- PostGIS ---------------------------------------------------------------
pgdir=$(mktemp -d /tmp/liuyu-analyze-pg.XXXXXX)
chown postgres "$pgdir"
runuser -u postgres -- "$pgbin/initdb" -D "$pgdir/data" -A trust -E UTF8 >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdir/data" -w -l "$pgdir/log" \
  -o "-c listen_addresses='' -k $pgdir -c shared_buffers=256MB -c work_mem=256MB" start >/dev/null
psqlc() { runuser -u postgres -- psql -h "$pgdir" -X -q -v ON_ERROR_STOP=1 "$@"; }
psqlc -d postgres -c "CREATE DATABASE liuyu" >/dev/null
psqlc -d liuyu -c "CREATE EXTENSION postgis" >/dev/null
pgver=$(psqlc -d liuyu -At -c "SELECT split_part(version(), ' ', 2) || ' / PostGIS ' || postgis_lib_version() || ' / GEOS ' || split_part(postgis_geos_version(), '-', 1)")
say "PostgreSQL $pgver: loading the county table"
python3 - "$work/counties.sql" <<'PY'
import json, sys
fc = json.load(open("data/layers/counties.geojson"))
with open(sys.argv[1], "w") as out:
    out.write("CREATE TABLE counties (id text PRIMARY KEY, geom geometry(MultiPolygon, 4326));\n")
    for f in fc["features"]:
        g = json.dumps(f["geometry"]).replace("'", "''")
        out.write(f"INSERT INTO counties VALUES ('{f['id']}', ST_Multi(ST_GeomFromGeoJSON('{g}')));\n")
    out.write("CREATE INDEX ON counties USING gist (geom);\n")
    out.write("CREATE TABLE county_pieces AS SELECT id, ST_Subdivide(geom, 256) AS geom FROM counties;\n")
    out.write("CREATE INDEX ON county_pieces USING gist (geom);\nANALYZE;\n")
PY
chmod -R a+rX "$work"
psqlc -d liuyu -f "$work/counties.sql" >/dev/null
declare -A PLAIN PIECES SHARE
for c in "${cases[@]}"; do
  cat >"$work/$c.plain.sql" <<SQL
\\set fp \`cat $PWD/$work/$c.geojson\`
\\timing on
WITH f AS (SELECT ST_UnaryUnion(ST_GeomFromGeoJSON(:'fp')) AS g)
SELECT c.id, ST_Area(ST_Intersection(c.geom, f.g)::geography) / ST_Area(f.g::geography)
FROM counties c, f WHERE ST_Intersects(c.geom, f.g) ORDER BY c.id;
SQL
  cat >"$work/$c.pieces.sql" <<SQL
\\set fp \`cat $PWD/$work/$c.geojson\`
\\timing on
WITH f AS (SELECT ST_UnaryUnion(ST_GeomFromGeoJSON(:'fp')) AS g)
SELECT p.id, sum(ST_Area(ST_Intersection(p.geom, f.g)::geography)) / min(ST_Area(f.g::geography))
FROM county_pieces p, f WHERE ST_Intersects(p.geom, f.g) GROUP BY p.id ORDER BY p.id;
SQL
  for form in plain pieces; do
    psqlc -d liuyu -At -F, -f "$work/$c.$form.sql" | grep -v '^Time' >"$work/$c.$form.csv"
    for _ in $(seq 1 "$REPS"); do
      psqlc -d liuyu -At -f "$work/$c.$form.sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
    done | median >"$work/$c.$form.ms"
  done
  PLAIN[$c]=$(awk '{printf "%.1f", $1}' "$work/$c.plain.ms")
  PIECES[$c]=$(awk '{printf "%.1f", $1}' "$work/$c.pieces.ms")
  # Agreement: county shares of liuyu (from its answer) vs PostGIS.
  SHARE[$c]=$(python3 - "$work/$c.answer.json" "$work/$c.plain.csv" <<'PY'
import json, sys
ans = json.load(open(sys.argv[1]))
ours = {c["id"]: c["share"] for c in ans["jurisdictions"]["counties"]}
theirs = {}
for line in open(sys.argv[2]):
    k, v = line.strip().split(",")
    if float(v) > 0:
        theirs[k] = float(v)
keys = set(ours) | set(theirs)
print(f"{max(abs(ours.get(k, 0) - theirs.get(k, 0)) for k in keys):.1e}")
PY
)
  say "PostGIS $c: plain ${PLAIN[$c]} ms, subdivided ${PIECES[$c]} ms; max county share difference ${SHARE[$c]}"
done

echo
echo "Footprint analysis, $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) (shared machine); matter=$MATTER, median of $REPS"
echo "liuyu $label over HTTP (all 8 layers + rules) vs PostgreSQL $pgver (county shares only)"
echo
printf '| %-14s | %12s | %15s | %18s | %10s | %12s |\n' footprint "liuyu ms" "PostGIS ms" "PostGIS subdiv. ms" "PostGIS/liuyu" "share diff"
printf '|%s|%s|%s|%s|%s|%s|\n' ----------------  -------------- ----------------- -------------------- ------------ --------------
slower=0
for c in "${cases[@]}"; do
  best=$(awk -v a="${PLAIN[$c]}" -v b="${PIECES[$c]}" 'BEGIN {print (a < b ? a : b)}')
  ratio=$(awk -v p="$best" -v l="${LIUYU[$c]}" 'BEGIN {printf "%.1fx", p / l}')
  awk -v p="$best" -v l="${LIUYU[$c]}" 'BEGIN {exit !(l > p)}' && slower=1
  printf '| %-14s | %12s | %15s | %18s | %10s | %12s |\n' "$c" "${LIUYU[$c]}" "${PLAIN[$c]}" "${PIECES[$c]}" "$ratio" "${SHARE[$c]}"
done
echo
echo "liuyu server peak RSS after the three cases: ${RSS[6000-squares]} MiB (RSS now ${rss_now} MiB)"
if [[ "$slower" == 1 ]]; then
  echo "liuyu is SLOWER than the best PostGIS form on at least one footprint"
  exit 1
fi
