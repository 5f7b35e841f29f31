# Shared by the gateway benches (run.sh, gateway-cost.sh, script-cost.sh): free ports, the bench
# keys and the gateway configuration, so every bench measures the same gateway set-up.
# Sourced, not run. gw_conf reads UP (upstream port), RED (Redis port), WINDOW, WORKERS and
# REDIS_LIMITS (see run.sh's header).

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }

SECRET="bench-secret-0123456789abcdef"
# Exports SIGWIRE_GATEWAY_KEYS: key ids bench-0 … bench-<count-1>, all with SECRET.
bench_keys() { # count
  SIGWIRE_GATEWAY_KEYS=$(python3 -c 'import json,sys
print(json.dumps([{"id": f"bench-{i}", "secret": sys.argv[2]} for i in range(int(sys.argv[1]))]))' "$1" "$SECRET")
  export SIGWIRE_GATEWAY_KEYS
}

gw_conf() { # listen, admin, replay
  cat <<TOML
listen = "127.0.0.1:$1"
admin_listen = "127.0.0.1:$2"
replay = "$3"
window = ${WINDOW:-5}
${WORKERS:+workers = $WORKERS}
[[upstreams]]
name = "app"
url = "http://127.0.0.1:$UP"
[[routes]]
prefix = "/"
upstream = "app"
[keys]
env = "SIGWIRE_GATEWAY_KEYS"
TOML
  if [ "$3" = redis ]; then
    printf '[redis]\nurl = "redis://127.0.0.1:%s/"\nnamespace = "bench"\n' "$RED"
    # Every Redis feature a production gateway runs: a tier's rate limit on every key (high
    # enough never to refuse here) and both failed-verification budgets.
    if [ "${REDIS_LIMITS:-1}" = 1 ]; then
      printf '[rate_limits]\ndefault_tier = "bench"\n[rate_limits.tiers.bench]\nrate = 100000\nper_seconds = 1\n'
      printf '[rate_limits.failures_per_key]\nrate = 1000\nper_seconds = 1\n[rate_limits.failures_per_ip]\nrate = 1000\nper_seconds = 1\n'
    fi
  fi
}

# Debian's nginx as a plain reverse proxy (no auth, 2 workers, upstream keep-alive) on port $1 in
# front of the upstream on $UP, its files under directory $2: writes $2/nginx.conf.
nginx_conf() { # listen, dir
  mkdir -p "$2/logs"
  cat > "$2/nginx.conf" <<NGINX
worker_processes 2;
daemon off;
pid $2/nginx.pid;
error_log $2/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $2/body; proxy_temp_path $2/proxy;
  fastcgi_temp_path $2/fcgi; uwsgi_temp_path $2/uwsgi; scgi_temp_path $2/scgi;
  upstream app { server 127.0.0.1:$UP; keepalive 64; }
  server {
    listen 127.0.0.1:$1;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
}
