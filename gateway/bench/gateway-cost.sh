#!/usr/bin/env bash
# Instructions per request in the gateway process (issue 15), not a CI test: one gateway (one
# worker, Redis with every limit, as run.sh's gateway-redis) under callgrind behind a low fixed
# offered rate, so the figure does not depend on the machine's load.
#   GATEWAY_BIN=… LOADGEN_BIN=… gateway/bench/gateway-cost.sh [OUT]   (OUT: the callgrind file)
# Knobs: RATE (default 250 req/s), SECS (default 8). Prints the load generator's JSON line and the
# instructions per answered request (start-up included, ~2 % at the defaults); read OUT with
# `callgrind_annotate --inclusive=yes OUT` for the split (e.g. `resp::`, `admission::`).
set -euo pipefail
: "${GATEWAY_BIN:?the sigwire-gateway binary (release)}" "${LOADGEN_BIN:?the loadgen bench binary (release)}"
OUT="${1:-callgrind.gateway.out}"
TMP=$(mktemp -d); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
UP=$(port); RED=$(port); GP=$(port); AP=$(port)
"$LOADGEN_BIN" upstream --listen 127.0.0.1:$UP 2>/dev/null & PIDS+=($!)
redis-server --port $RED --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >/dev/null & PIDS+=($!)
bench_keys 32
WORKERS=1 WINDOW=5 REDIS_LIMITS=1 gw_conf $GP $AP redis > "$TMP/gw.toml"
sleep 0.5
valgrind --tool=callgrind --callgrind-out-file="$OUT" "$GATEWAY_BIN" run --config "$TMP/gw.toml" --no-access-log 2>"$TMP/vg.log" & VP=$!; PIDS+=($VP)
for _ in $(seq 300); do (echo >/dev/tcp/127.0.0.1/$GP) 2>/dev/null && break; sleep 0.2; done
sleep 2
LINE=$("$LOADGEN_BIN" load --url "http://127.0.0.1:$GP/v1/bench" --host api.test --key bench --secret "$SECRET" \
  --keys 32 --conns 4 --seconds "${SECS:-8}" --rate "${RATE:-250}" --label callgrind)
echo "$LINE"
kill -TERM $VP; wait $VP 2>/dev/null || true
total=$(callgrind_annotate "$OUT" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
answered=$(printf '%s' "$LINE" | python3 -c 'import json,sys; print(json.load(sys.stdin)["answered"])')
echo "gateway: $((total / answered)) instructions per answered request ($answered answered; $OUT)"
