#!/usr/bin/env bash
# Gateway benchmark (issue 15), not a CI test: one run on this machine, loopback only.
#   (a) the upstream alone, (b) Debian's nginx as a plain reverse proxy (no auth),
#   (c) sigwire-gateway with the in-memory replay store, (d) sigwire-gateway with Redis.
# The same load generator (gateway/benches/loadgen.rs) signs every request in all four runs.
# Prints one JSON line per run, then throughput ratios against nginx and the added p50 latency.
# Knobs: SECONDS_PER_RUN (default 5), CONNS (default 32).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/scripts/ci/lib.sh"
cd "$ROOT"
apt_install redis-server nginx-light python3
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/gateway-bench}"
SECS="${SECONDS_PER_RUN:-5}"
CONNS="${CONNS:-32}"

step "release build (LTO off to keep the build short)"
BUILD_JSON=$(CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  cargo build --locked --release -p sigwire-gateway --bin sigwire-gateway --bench loadgen --message-format=json)
exe() { python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m["target"]["name"]==sys.argv[1] and m.get("executable"): print(m["executable"])' "$1"; }
GATEWAY=$(printf '%s\n' "$BUILD_JSON" | exe sigwire-gateway | tail -1)
LOADGEN=$(printf '%s\n' "$BUILD_JSON" | exe loadgen | tail -1)

TMP=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

UP=$(port); NGX=$(port); GWM=$(port); GWR=$(port); RED=$(port)
"$LOADGEN" upstream --listen 127.0.0.1:$UP 2>/dev/null & PIDS+=($!)
redis-server --port $RED --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >/dev/null & PIDS+=($!)

mkdir -p "$TMP/nginx/logs"
cat > "$TMP/nginx/nginx.conf" <<NGINX
worker_processes 2;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $TMP/nginx/body; proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fcgi; uwsgi_temp_path $TMP/nginx/uwsgi; scgi_temp_path $TMP/nginx/scgi;
  upstream app { server 127.0.0.1:$UP; keepalive 64; }
  server {
    listen 127.0.0.1:$NGX;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" & PIDS+=($!)

SECRET="bench-secret-0123456789abcdef"
export SIGWIRE_GATEWAY_KEYS="[{\"id\":\"bench\",\"secret\":\"$SECRET\"}]"
gw_conf() { # listen, admin, replay
  cat <<TOML
listen = "127.0.0.1:$1"
admin_listen = "127.0.0.1:$2"
replay = "$3"
[[upstreams]]
name = "app"
url = "http://127.0.0.1:$UP"
[[routes]]
prefix = "/"
upstream = "app"
[keys]
env = "SIGWIRE_GATEWAY_KEYS"
TOML
  if [ "$3" = redis ]; then printf '[redis]\nurl = "redis://127.0.0.1:%s/"\nnamespace = "bench"\n' "$RED"; fi
}
gw_conf $GWM $(port) memory > "$TMP/memory.toml"
gw_conf $GWR $(port) redis > "$TMP/redis.toml"
for p in $UP $RED $NGX; do wait_port $p; done
"$GATEWAY" run --config "$TMP/memory.toml" --no-access-log 2>/dev/null & PIDS+=($!)
"$GATEWAY" run --config "$TMP/redis.toml" --no-access-log 2>/dev/null & PIDS+=($!)
for p in $GWM $GWR; do wait_port $p; done
sleep 1.2   # past the Redis epoch's second

step "load: $CONNS connections, ${SECS}s per run (+0.5s warm-up), every request signed"
run() { "$LOADGEN" load --url "http://127.0.0.1:$1/v1/bench" --host api.test --key bench --secret "$SECRET" \
          --conns "$CONNS" --seconds "$SECS" --label "$2"; }
{
  run $UP upstream
  run $NGX nginx
  run $GWM gateway-memory
  run $GWR gateway-redis
} | tee "$TMP/results.jsonl"

step "ratios"
python3 - "$TMP/results.jsonl" <<'PY'
import json, sys
r = {j["label"]: j for j in map(json.loads, open(sys.argv[1]))}
n = r["nginx"]
for label in ("gateway-memory", "gateway-redis"):
    g = r[label]
    print(f"{label}: {g['rps'] / n['rps']:.2f} x nginx throughput "
          f"(target {'0.70' if label == 'gateway-memory' else '0.50'}), "
          f"p50 {g['p50_us']} us vs nginx {n['p50_us']} us (+{g['p50_us'] - n['p50_us']} us, target +150), "
          f"p99 {g['p99_us']} us, errors {g['errors']}")
print(f"nginx: {n['rps'] / r['upstream']['rps']:.2f} x the upstream alone")
PY
