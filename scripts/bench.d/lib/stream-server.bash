# Sourced by the streaming sections (stream.sh, stream-sdk.sh): the reference server on a free
# loopback port, its memory readings, and the `openssl speed` baseline. Not a section itself
# (scripts/bench runs only scripts/bench.d/*.sh).

# start_stream_server BIN KEY_ID SECRET_HEX: starts BIN (sigwire-server) with a 2 GiB body limit
# and a 900 s body timeout; sets WORK (a scratch directory, also TMPDIR, so both sides' spool
# files — unnamed or removed, but their space is counted — live there), SERVER_PID and PORT, and
# stops the server and removes WORK on exit.
start_stream_server() {
  WORK="$(mktemp -d)"
  SERVER_PID=""
  trap 'if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT
  export TMPDIR="$WORK"
  "$1" --port 0 --print-port --key "$2:$3" --body-limit $((2 * 1024 * 1024 * 1024)) \
    --body-timeout 900 >"$WORK/server.out" 2>"$WORK/server.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    [ -s "$WORK/server.out" ] && break
    sleep 0.1
  done
  PORT="$(head -n1 "$WORK/server.out")"
  [ -n "$PORT" ] || { cat "$WORK/server.err" >&2; echo "server did not start" >&2; exit 1; }
}

# server_kib FIELD: a /proc status field of the server in KiB (VmRSS, VmHWM).
server_kib() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$SERVER_PID/status"; }

# server_reset: resets the server's peak (VmHWM) and prints its VmRSS, the "before" of a reading.
server_reset() {
  echo 5 >"/proc/$SERVER_PID/clear_refs" 2>/dev/null || true
  server_kib VmRSS
}

# openssl_sha256_mbs: `openssl speed -evp sha256` over 64 KiB blocks in MB/s ("the 'numbers' are
# in 1000s of bytes per second": the last field of the sha256 line), or - without openssl.
openssl_sha256_mbs() {
  if command -v openssl >/dev/null 2>&1; then
    openssl speed -evp sha256 -bytes 65536 -seconds 3 2>/dev/null \
      | awk '/^sha256/ { v = $NF; sub(/k$/, "", v); printf "%.1f", v / 1000 }'
  else
    echo -
  fi
}

# mib KIB: KiB as "N.N MiB".
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
