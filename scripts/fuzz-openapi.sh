#!/usr/bin/env bash
# Fuzzes the gateway against its own /openapi.json with schemathesis (issue #15): a gateway on 127.0.0.1 with the
# embedded store in memory (scripts/fuzz-gateway.ts), then every described operation with generated valid and
# invalid input. Fails on any 5xx, an undocumented status or content type, or a body that does not match its schema.
#   SCHEMATHESIS   the schemathesis binary (default: on PATH); .ci/run installs 4.32.5 in a venv
#   FUZZ_EXAMPLES  examples per operation and phase (default 60: about 40 s on 2 cores); FUZZ_SEED the seed (default fixed: reproducible)
set -euo pipefail
cd "$(dirname "$0")/.."
st="${SCHEMATHESIS:-schemathesis}"
work="$(mktemp -d)"
log="$work/gateway.log"

# The launcher prints one JSON line when it listens; read it from the pipe rather than polling for a port.
coproc GATEWAY { exec node -r tsx/cjs scripts/fuzz-gateway.ts 2>"$log"; }
gateway_pid=$GATEWAY_PID
cleanup() {
  kill -TERM "$gateway_pid" 2>/dev/null || true
  wait "$gateway_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
if ! read -r -t 180 line <&"${GATEWAY[0]}"; then
  echo "fuzz: the gateway did not start"; tail -n 40 "$log"; exit 1
fi
field() { node -e 'process.stdout.write(JSON.parse(process.argv[1])[process.argv[2]])' "$line" "$1"; }
url="$(field url)"
export SB_FUZZ_ADMIN_TOKEN="$(field adminToken)" SB_FUZZ_API_KEY="$(field apiKey)" SB_FUZZ_METRICS_TOKEN="$(field metricsToken)"
echo "fuzz: gateway at $url (pid $gateway_pid)"

status=0
"$st" --config-file scripts/schemathesis.toml run "$url/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "${FUZZ_EXAMPLES:-60}" \
  --seed "${FUZZ_SEED:-15}" \
  --workers 2 \
  --request-timeout 20 \
  --suppress-health-check too_slow,filter_too_much \
  --no-color "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz: failed (exit $status); the gateway's log:"; tail -n 60 "$log"
fi
exit "$status"
