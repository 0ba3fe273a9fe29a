#!/usr/bin/env bash
# Governance API checked by an independent client: a real HTTP server, Python's
# standard HTTP client, openapi-spec-validator on /openapi.json, and every
# response validated against the schema /openapi.json declares for it.
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "governance: installing the pinned OpenAPI validators"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
  "openapi-spec-validator==0.9.0" "openapi-schema-validator==0.9.0"
echo "governance: building the binary (debug, reused from cargo test)"
# target/debug/liuyu as `cargo test` builds it (a plain `cargo build` would rebuild the
# library with other dependency features, minutes on two cores).
cargo test --quiet --no-run --test cli
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
target/debug/liuyu serve --addr "127.0.0.1:${port}" 2>/dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" "http://127.0.0.1:${port}/health" 2>/dev/null; then break; fi
  sleep 0.1
done
echo "governance: server on 127.0.0.1:${port}; running the client checks"
LIUYU_URL="http://127.0.0.1:${port}" python3 .ci/checks/governance_client.py
echo "governance: OK"
