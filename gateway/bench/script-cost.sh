#!/usr/bin/env bash
# What the gateway's admission script costs inside redis-server (issue 15), not a CI test.
#   gateway/bench/script-cost.sh [BASE_REV]   (default BASE_REV: HEAD)
# Takes the admission script (GCRA_FN + ADMIT_LUA) from gateway/src/admission.rs in the working
# tree and at BASE_REV, and for each:
#   * instructions per call: redis-server under callgrind (collecting only inside EVALSHA),
#     CALLS (default 5000) admissions with every limit on (claim, both failure budgets, rate);
#   * usec_per_call from INFO commandstats: ROUNDS (default 3) interleaved rounds of N (default
#     100000) admissions against one plain redis-server (wall-clock: depends on the machine's load).
# Each admission claims a fresh nonce; the limiter keys are one per key id, as in production.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="${1:-HEAD}"
CALLS="${CALLS:-5000}"; N="${N:-100000}"; ROUNDS="${ROUNDS:-3}"
for tool in redis-server redis-cli redis-benchmark valgrind callgrind_annotate python3; do
  command -v "$tool" >/dev/null || { echo "script-cost: $tool is needed" >&2; exit 1; }
done
TMP=$(mktemp -d); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT
extract() { python3 -c 'import re,sys
s=sys.stdin.read()
c=lambda n: re.search(r"const %s: &str = r\"(.*?)\";\n" % n, s, re.S).group(1)
sys.stdout.write(c("GCRA_FN") + c("ADMIT_LUA"))'; }
extract < "$ROOT/gateway/src/admission.rs" > "$TMP/tree.lua"
git -C "$ROOT" show "$BASE:gateway/src/admission.rs" | extract > "$TMP/base.lua"
source "$ROOT/gateway/bench/lib.sh"
wait_up() { for _ in $(seq 200); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
admissions() { # port sha count prefix
  local now; now=$(date +%s)
  redis-benchmark -p "$1" -n "$3" -c 4 -r 100000000 -q EVALSHA "$2" 5 "$4:epoch" "$4:replay:k:__rand_int__" \
    "$4:rl:fail-ip:127.0.0.1" "$4:rl:fail-key:k" "$4:rl:key:k" "$now" "$((now + 1))" 6 1 2 1 1000 1 1000 1 1 100000 >/dev/null
}

echo "instructions per admission in redis-server (callgrind, $CALLS calls):"
for v in base tree; do
  P=$(port)
  valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.$v" --collect-atstart=no --toggle-collect='evalGenericCommand*' \
    redis-server --port "$P" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >/dev/null 2>&1 & PIDS+=($!)
  wait_up "$P"
  sha=$(redis-cli -p "$P" script load "$(cat "$TMP/$v.lua")")
  admissions "$P" "$sha" "$CALLS" "$v"
  redis-cli -p "$P" shutdown nosave >/dev/null 2>&1 || true
  sleep 1
  total=$(callgrind_annotate "$TMP/cg.$v" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  label=$([ "$v" = base ] && echo "$BASE" || echo "working tree")
  echo "  $label: $((total / CALLS)) instructions"
done

echo "usec_per_call (INFO commandstats), one redis-server, $ROUNDS interleaved rounds of $N calls, load $(cut -d' ' -f1 /proc/loadavg):"
P=$(port)
redis-server --port "$P" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >/dev/null & PIDS+=($!)
wait_up "$P"
for v in base tree; do eval "SHA_$v=\$(redis-cli -p $P script load \"\$(cat $TMP/$v.lua)\")"; done
for round in $(seq "$ROUNDS"); do
  for v in base tree; do
    redis-cli -p "$P" config resetstat >/dev/null
    admissions "$P" "$(eval echo "\$SHA_$v")" "$N" "$v"
    echo "  round $round, $([ "$v" = base ] && echo "$BASE" || echo "working tree"): $(redis-cli -p "$P" info commandstats | tr -d '\r' | grep '^cmdstat_evalsha' | grep -o 'usec_per_call=[0-9.]*')"
  done
done
