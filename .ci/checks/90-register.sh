#!/usr/bin/env bash
# The register (issue 16) on both backends: PostgreSQL from Debian packages, a
# throwaway cluster on a loopback port run as the postgres user; the register's
# test binaries (authorization matrix, concurrency, idempotency, CLI, backup ->
# restore, and the SIGKILL durability test against the real binary) with
# LIUYU_TEST_DATABASE_URL set, so each runs on SQLite and on PostgreSQL; then
# an independent Python client validating live answers against openapi.json,
# on a server with an SQLite state directory and on one with PostgreSQL; and
# the cases on the map page in headless Chromium (tools/register/cases_browser.mjs;
# screenshot in ci-artifacts/register/).
set -euo pipefail
cd "$(dirname "$0")/../.."
t0=$(date +%s)
say() { echo "[register $(( $(date +%s) - t0 ))s] $*"; }

say "apt-get update; install postgresql (Debian)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

work=$(mktemp -d)
chmod 755 "$work"
mkdir "$work/pg" && chown postgres "$work/pg"
pgport=$(free_port)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
say "initdb and start PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pgport"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pgport -k $work/pg" start >/dev/null
export LIUYU_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pgport/postgres"

say "register tests on SQLite and PostgreSQL (cargo test, reused build)"
if ! cargo test -q --test register_http --test register_cli --test register_durability -- --nocapture \
  >"$work/tests.log" 2>&1; then
  tail -60 "$work/tests.log"; echo "FAIL: register tests"; exit 1
fi
grep -oE '\[(sqlite|postgres)\].*|^test result.*|.*skipped.*' "$work/tests.log"
if grep -q skipped "$work/tests.log"; then echo "FAIL: PostgreSQL tests skipped"; exit 1; fi

say "validators for the OpenAPI client"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
  "openapi-spec-validator==0.9.0" "openapi-schema-validator==0.9.0"
# target/debug/liuyu was built by `cargo test` above for the durability test
# (CARGO_BIN_EXE_liuyu); `cargo build` would build the library again with other
# tokio features (a dev-dependency), minutes on a shared machine.
bin=target/debug/liuyu
wait_up() {
  for _ in $(seq 1 200); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "$1/health" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "FAIL: no server at $1"; exit 1
}
token() { "$bin" token create "$@" --name ci 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }

noport=$(free_port)
"$bin" serve --addr "127.0.0.1:$noport" 2>/dev/null & pids+=($!)
wait_up "http://127.0.0.1:$noport"
for backend in sqlite postgres; do
  if [ "$backend" = sqlite ]; then at=(--state "$work/state"); else
    psql -q -h 127.0.0.1 -p "$pgport" -U postgres -c "CREATE DATABASE liuyu_ci_client"
    at=(--database "postgres://postgres@127.0.0.1:$pgport/liuyu_ci_client"); fi
  say "OpenAPI client against a live server with the $backend register"
  export LIUYU_OFFICE_TOKEN=$(token "${at[@]}" --role office --jurisdiction 420700)
  export LIUYU_OTHER_TOKEN=$(token "${at[@]}" --role office --jurisdiction 421100)
  export LIUYU_READER_TOKEN=$(token "${at[@]}" --role reader --jurisdiction 420700)
  port=$(free_port)
  "$bin" serve --addr "127.0.0.1:$port" "${at[@]}" 2>"$work/$backend.log" & pids+=($!)
  wait_up "http://127.0.0.1:$port"
  LIUYU_URL="http://127.0.0.1:$port" LIUYU_URL_NOREG="http://127.0.0.1:$noport" python3 .ci/checks/register_client.py
  "$bin" db check "${at[@]}" >/dev/null || { echo "FAIL: db check after the client ($backend)"; exit 1; }
  if [ "$backend" = sqlite ]; then
    say "headless Chromium: the cases on the map page for a signed-in office"
    command -v chromium >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
    [ -d web/node_modules/playwright-core ] || (cd web && npm ci --no-audit --no-fund --loglevel=error)
    node tools/register/cases_browser.mjs "http://127.0.0.1:$port" "$LIUYU_OFFICE_TOKEN" "$LIUYU_OTHER_TOKEN" ci-artifacts/register
  fi
  if grep -qE "$LIUYU_OFFICE_TOKEN|$LIUYU_READER_TOKEN|$LIUYU_OTHER_TOKEN" "$work/$backend.log"; then
    echo "FAIL: a token appears in the server log"; exit 1
  fi
done
say "register: OK"
