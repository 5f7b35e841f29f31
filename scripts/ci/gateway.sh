#!/usr/bin/env bash
# sigwire-gateway (issue 15): the verifying reverse proxy and its Redis-backed replay store and
# rate limits. Installs Debian's redis-server, then runs:
#   * unit tests (config validation naming each field, key sets, GCRA headers, metrics, layout);
#   * end-to-end tests of the gateway binary in front of an in-process upstream (every outcome
#     code incl. route_not_found, header stripping both ways, a response streamed chunk by chunk
#     and 32 MiB in bounded RSS, body limit, slow bodies, 100 slow-loris connections closed at the
#     header time while requests are served, malformed and oversized header blocks, chunked +
#     Content-Length, CONNECT, absolute- and asterisk-form refusals, keys file rotation and
#     revocation on SIGHUP, a 64 MiB upload spooled, verified and streamed upstream in bounded
#     RSS, a tampered one refused unforwarded);
#   * tests on a real redis-server that the tests start on 127.0.0.1 with a free port and a temp
#     dir (replay claims, fail-closed outage and recovery, restart with data loss, rate limits,
#     failure guard, one script call per accepted request, keys CLI), and the three-instance
#     cluster test (rotation and revocation live on every instance within 1 s);
#   * clippy -D warnings and rustdoc -D warnings on the gateway crate;
#   * tests/redis-cross/run: Python and Node services on the gateway's Redis, and requests signed
#     by the Python, Node, browser (sdk-wasm's dist from the wasm step) and Kotlin (the jar from
#     the uniffi step) clients each sent to three gateways at once (about 15 s; Swift: no compiler).
# A missing redis-server is a failure, never a skip. Idempotent. Budget: under 5 minutes from a
# fresh machine (target dir of its own: target/gateway).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/gateway}"

apt_install redis-server
command -v redis-server >/dev/null || { echo "redis-server is not on the PATH after installing it" >&2; exit 1; }
# Debian starts a system redis on 6379 at install time; the tests use their own servers on free
# ports, so it is neither needed nor in the way.
redis-server --version

step "cargo test -p sigwire-gateway (unit, end to end, real Redis, three-instance cluster)"
cargo test --locked -p sigwire-gateway -- --test-threads 2

step "cargo clippy -p sigwire-gateway -D warnings"
if cargo clippy --version >/dev/null 2>&1; then
  cargo clippy --locked -p sigwire-gateway --all-targets --no-deps -- -D warnings
else
  echo "clippy not installed; skipped (not counted as a test)"
fi

step "cargo doc -p sigwire-gateway (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --locked -p sigwire-gateway --no-deps -q
step "tests/redis-cross/run: a nonce accepted by the gateway is refused by Python (and Node) services on the same Redis, and the reverse"; SIGWIRE_GATEWAY_BIN="$CARGO_TARGET_DIR/debug/sigwire-gateway" bash "$ROOT/tests/redis-cross/run"
