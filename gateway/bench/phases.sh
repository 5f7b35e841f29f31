#!/usr/bin/env bash
# Where the Redis path's added latency goes (issue 15), not a CI test. At a low fixed offered rate
# (nothing queues: one request in flight most of the time), in the same run:
#   * end-to-end p50/p90 seen by the load generator for nginx, the in-memory gateway and the Redis
#     gateway (all limits, as run.sh's gateway-redis), interleaved over ROUNDS rounds;
#   * the Redis gateway's own split of each accepted request, from its access log: the signature
#     and bookkeeping (verify_us - redis_us), the admission round trip (redis_us), the upstream
#     (upstream_us) and the rest in the gateway (total_us - verify_us - upstream_us: routing, body,
#     headers);
#   * inside redis-server: usec_per_call of the admission script (INFO commandstats), and the
#     round trip floor of a PING from redis-benchmark (one client, one command at a time).
#   GATEWAY_BIN=… LOADGEN_BIN=… gateway/bench/phases.sh
# Knobs: RATE (default 200 req/s), SECS (default 5 per run), ROUNDS (default 3), CONNS (default 4).
set -euo pipefail
: "${GATEWAY_BIN:?the sigwire-gateway binary (release)}" "${LOADGEN_BIN:?the loadgen bench binary (release)}"
RATE="${RATE:-200}"; SECS="${SECS:-5}"; ROUNDS="${ROUNDS:-3}"; CONNS="${CONNS:-4}"
TMP=$(mktemp -d); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
UP=$(port); RED=$(port); NGX=$(port); GWM=$(port); GWR=$(port)
"$LOADGEN_BIN" upstream --listen 127.0.0.1:$UP 2>/dev/null & PIDS+=($!)
redis-server --port $RED --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >/dev/null & PIDS+=($!)
nginx_conf $NGX "$TMP/nginx"
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" & PIDS+=($!)
bench_keys 32
REDIS_LIMITS=1 gw_conf $GWR $(port) redis > "$TMP/redis.toml"
gw_conf $GWM $(port) memory > "$TMP/memory.toml"
for p in $UP $RED $NGX; do wait_port $p; done
"$GATEWAY_BIN" run --config "$TMP/redis.toml" > "$TMP/redis.log" 2>/dev/null & PIDS+=($!)
"$GATEWAY_BIN" run --config "$TMP/memory.toml" --no-access-log 2>/dev/null & PIDS+=($!)
for p in $GWM $GWR; do wait_port $p; done
sleep 1.2   # past the Redis epoch's second

TARGETS=("$NGX nginx" "$GWM gateway-memory" "$GWR gateway-redis")
for round in $(seq "$ROUNDS"); do
  for i in 0 1 2; do
    t=(${TARGETS[$(( (i + round - 1) % 3 ))]})
    "$LOADGEN_BIN" load --url "http://127.0.0.1:${t[0]}/v1/bench" --host api.test --key bench --secret "$SECRET" \
      --keys 32 --conns "$CONNS" --seconds "$SECS" --rate "$RATE" --label "${t[1]}" \
      | python3 -c 'import json,sys; j=json.load(sys.stdin); j["loadavg1"]=float(open("/proc/loadavg").read().split()[0]); print(json.dumps(j))' \
      >> "$TMP/e2e.jsonl"
  done
done
sleep 0.3   # the access log's writer thread
redis-cli -p $RED info commandstats | tr -d '\r' | grep -E '^cmdstat_evalsha:' > "$TMP/evalsha" || echo "none" > "$TMP/evalsha"
redis-benchmark -p $RED -c 1 -n 5000 -t ping 2>/dev/null | tr -d '\r' > "$TMP/ping" || true

python3 - "$TMP/e2e.jsonl" "$TMP/redis.log" "$TMP/evalsha" "$TMP/ping" "$RATE" <<'PY'
import json, re, sys, statistics as st
e2e = [json.loads(l) for l in open(sys.argv[1])]
log = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
ok = [l for l in log if l.get("code") == "ok" and l.get("redis_us") is not None]
bad = sorted({r["label"] for r in e2e if r["errors"]})
if bad:
    print(f"INVALID: non-2xx answers from {', '.join(bad)}")
def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")
print(f"end to end, open loop at {sys.argv[5]} requests/s (medians over rounds of each run's p50/p99):")
med = {}
for label in ("nginx", "gateway-memory", "gateway-redis"):
    rows = [r for r in e2e if r["label"] == label]
    med[label] = st.median(r["p50_us"] for r in rows)
    print(f"  {label:15} p50 {med[label]:6.0f} us   p99 {st.median(r['p99_us'] for r in rows):6.0f} us   "
          f"({sum(r['requests'] for r in rows)} requests)")
for label in ("gateway-memory", "gateway-redis"):
    print(f"  {label}: p50 {med[label] - med['nginx']:+.0f} us over nginx")
print(f"\ngateway-redis, per accepted request ({len(ok)} log lines), p50 / p90 in us:")
parts = {
    "signature + bookkeeping (verify - redis)": [l["verify_us"] - l["redis_us"] for l in ok],
    "Redis admission round trip (redis_us)": [l["redis_us"] for l in ok],
    "upstream (upstream_us)": [l["upstream_us"] for l in ok if l.get("upstream_us") is not None],
    "rest in the gateway (total - verify - upstream)":
        [l["total_us"] - l["verify_us"] - (l.get("upstream_us") or 0) for l in ok],
    "total in the gateway (total_us)": [l["total_us"] for l in ok],
}
for name, xs in parts.items():
    print(f"  {name:48} {pct(xs, 0.5):6.0f} / {pct(xs, 0.9):6.0f}")
m = re.search(r"usec_per_call=([0-9.]+)", open(sys.argv[3]).read())
print(f"  of the round trip, inside redis-server per script call (INFO commandstats): "
      f"{m.group(1) if m else '?'} us")
ping = open(sys.argv[4]).read()
m = re.search(r"latency summary \(msec\):\s*\n\s*avg\s+min\s+p50.*\n\s*([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)", ping)
print(f"  PING round trip floor (redis-benchmark, 1 client): p50 {float(m.group(3)) * 1000:.0f} us" if m
      else "  PING round trip floor: redis-benchmark gave no latency summary")
loads = [r["loadavg1"] for r in e2e]
print(f"load average (1 min) after each run: min {min(loads):.2f}, max {max(loads):.2f}")
sys.exit(1 if bad else 0)
PY
