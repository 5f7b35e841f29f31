#!/usr/bin/env bash
# scripts/bench section (issue 17 part 2): a large body signed and sent by the Rust client to the
# reference server and verified there, in bounded memory on both sides.
#
# The client (the ignored test body::tests::stream_upload_driver of sigwire-client) sends
# STREAM_BYTES (default 1 GiB) from an AsyncRead — readable once, so hashed while spooled to a
# temporary file — and the server (sigwire-server, spool threshold 1 MiB) hashes it while spooling
# and verifies the digest. Measured in the same run:
#   - each side's additional resident memory: peak reset (/proc/<pid>/clear_refs) right before the
#     upload, then VmHWM - VmRSS-before (target <= 16 MiB each);
#   - BodyHasher's SHA-256 speed over the same number of bytes vs `openssl speed -evp sha256`
#     (64 KiB blocks, one core; target >= 80 %). Both per CPU second (openssl speed's default
#     clock), so a busy machine slows neither figure; the wall-clock figure is printed beside.
# Prints ROW lines (see scripts/bench).
#
#   scripts/bench stream                 # 1 GiB, optimised builds (no LTO, to build in minutes)
#   scripts/bench.d/stream.sh --ci       # 64 MiB, debug builds, FAILS unless both sides stay
#                                        # within STREAM_MAX_EXTRA_KIB (16384); used by scripts/ci/rust.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/bench.d/lib/stream-server.bash"

CI=0
[ "${1:-}" = "--ci" ] && CI=1
if [ "$CI" = 1 ]; then
  BYTES="${STREAM_BYTES:-$((64 * 1024 * 1024))}"
  PROFILE_ARGS=()
  PROFILE_DIR=debug
  # The same package selection as scripts/ci/http.sh's `cargo test`, so that step reuses this build.
  PKGS=(-p sigwire-client -p sigwire-server)
  # A debug build's hashing speed means nothing: only memory is checked.
  export SIGWIRE_STREAM_SKIP_HASH=1
else
  BYTES="${STREAM_BYTES:-$((1024 * 1024 * 1024))}"
  PROFILE_ARGS=(--release)
  PROFILE_DIR=release
  PKGS=(-p sigwire-client)
  # The workspace's release/bench profiles use fat LTO; for this section a plain optimised build
  # measures the same hashing and I/O and builds in a fraction of the time.
  export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
  export CARGO_PROFILE_BENCH_LTO=false CARGO_PROFILE_BENCH_CODEGEN_UNITS=16
fi
MAX_EXTRA_KIB="${STREAM_MAX_EXTRA_KIB:-16384}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SECRET_HEX=3031323334353637383961626364656630313233343536373839616263646566  # the driver's SECRET

echo "== building sigwire-server and the client driver (${PROFILE_DIR})" >&2
cargo build --locked "${PROFILE_ARGS[@]}" -p sigwire-server --bin sigwire-server
cargo test --locked "${PROFILE_ARGS[@]}" "${PKGS[@]}" --lib --no-run

start_stream_server "$TARGET_DIR/$PROFILE_DIR/sigwire-server" stream-client "$SECRET_HEX"
SERVER_BEFORE="$(server_reset)"

echo "== sending $BYTES bytes" >&2
SIGWIRE_STREAM_URL="http://127.0.0.1:$PORT" SIGWIRE_STREAM_BYTES="$BYTES" \
  cargo test --locked "${PROFILE_ARGS[@]}" -q "${PKGS[@]}" --lib \
  body::tests::stream_upload_driver -- --ignored --exact --nocapture | tee "$WORK/client.out"
SERVER_PEAK="$(server_kib VmHWM)"
LINE="$(grep -o 'STREAM .*' "$WORK/client.out" | tail -n1)"
[ -n "$LINE" ] || { echo "the client driver printed no STREAM line" >&2; exit 1; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$LINE"; }
CLIENT_EXTRA="$(field client_extra_kib)"
SERVER_EXTRA=$((SERVER_PEAK - SERVER_BEFORE))
HASH_MBS="$(field hash_mb_s)"
HASH_WALL_MBS="$(field hash_wall_mb_s)"
UPLOAD_MBS="$(field upload_mb_s)"

OPENSSL_MBS=-
if [ "$CI" = 0 ]; then OPENSSL_MBS="$(openssl_sha256_mbs)"; fi

MIB=$((BYTES / 1024 / 1024))
printf 'ROW\tstream\t%s MiB upload: client extra RSS (Rust, %s)\t%s\t-\t-\t<= 16 MiB\n' "$MIB" "$PROFILE_DIR" "$(mib "$CLIENT_EXTRA")"
printf 'ROW\tstream\t%s MiB upload: server extra RSS (reference server)\t%s\t-\t-\t<= 16 MiB\n' "$MIB" "$(mib "$SERVER_EXTRA")"
printf 'ROW\tstream\t%s MiB upload end to end (spool + send + server spool + verify)\t%s MB/s\t-\t-\t-\n' "$MIB" "$UPLOAD_MBS"
if [ "$CI" = 1 ]; then
  :
elif [ "$OPENSSL_MBS" != - ] && [ -n "$OPENSSL_MBS" ]; then
  RATIO="$(awk -v a="$HASH_MBS" -v b="$OPENSSL_MBS" 'BEGIN { printf "%.2f", a / b }')"
  printf 'ROW\tstream\tBodyHasher SHA-256, 64 KiB updates (per CPU s; wall: %s MB/s)\t%s MB/s\topenssl speed -evp sha256: %s MB/s\t%s\t>= 0.80\n' "$HASH_WALL_MBS" "$HASH_MBS" "$OPENSSL_MBS" "$RATIO"
else
  printf 'ROW\tstream\tBodyHasher SHA-256, 64 KiB updates\t%s MB/s\t(openssl missing)\t-\t>= 0.80\n' "$HASH_MBS"
fi

if [ "$CI" = 1 ]; then
  fail=0
  for side in client:"$CLIENT_EXTRA" server:"$SERVER_EXTRA"; do
    name="${side%%:*}"; extra="${side#*:}"
    if [ "$extra" -gt "$MAX_EXTRA_KIB" ]; then
      echo "FAIL: the $name used $extra KiB more for a $MIB MiB body (bound: $MAX_EXTRA_KIB KiB)" >&2
      fail=1
    else
      echo "ok: the $name used $extra KiB more for a $MIB MiB body (bound: $MAX_EXTRA_KIB KiB)"
    fi
  done
  exit "$fail"
fi
