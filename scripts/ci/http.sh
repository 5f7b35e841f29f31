#!/usr/bin/env bash
# HTTP runtime (issue 8): sigwire-client (reqwest, rustls) and sigwire-server (tower Layer +
# reference server). Runs the Rust tests against the reference server on 127.0.0.1, clippy with
# -D warnings (also the layer alone, without the reference server), rustdoc with -D warnings, and
# a wasm32 type-check of the client when rustup has the wasm32 target; then the cross-runtime
# client-behaviour suite (tests/client-behaviour/: one scenario table, one expected outcome table,
# a Python stdlib scenario server; drivers: Rust, and, each required when its build exists, the
# browser Client on wasm in Node (sdk-wasm/dist from the wasm step), Python (build/python-venv
# from the python step), sdk-node's native Client (sdk-node/build/sigwire.node from the node step),
# the Kotlin SDK (sdk-kotlin/target from the uniffi step), plus any drivers/*.json manifest). Cost of
# the suite here: ~40 s (rust 3 s, python 5-9 s, wasm-node 8-12 s, node-native 5 s, kotlin ~10 s).
#
# Idempotent; needs only a Rust toolchain (rustup) and crates.io. Knobs: CARGO_TARGET_DIR,
# SIGWIRE_HTTP_WASM=0 to skip the wasm32 check.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
PKGS=(-p sigwire-client-core -p sigwire-client -p sigwire-server)

step "cargo test (sigwire-client-core, sigwire-client, sigwire-server)"
cargo test --locked "${PKGS[@]}"

step "cargo clippy -D warnings (client-core, client, server, layer without the reference server)"
if cargo clippy --version >/dev/null 2>&1; then
  cargo clippy --locked "${PKGS[@]}" --all-targets -- -D warnings
  cargo clippy --locked -p sigwire-server --no-default-features --lib -- -D warnings
else
  echo "clippy not installed; skipped (not counted as a test)"
fi

step "cargo doc (client, server; warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --locked "${PKGS[@]}" --no-deps -q

if [ "${SIGWIRE_HTTP_WASM:-1}" != "0" ]; then
  step "cargo check -p sigwire-client --target wasm32-unknown-unknown"
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    cargo check --locked -p sigwire-client --target wasm32-unknown-unknown
  else
    echo "rustup has no wasm32-unknown-unknown target on this machine; wasm32 check skipped (not a test)"
  fi
fi

step "client-behaviour suite (tests/client-behaviour: one table, every available runtime)"
command -v python3 >/dev/null || apt_install python3
cargo build --locked -q -p sigwire-client --example behaviour
# A driver whose build exists here must run (a broken build fails instead of being NOT RUN).
REQUIRE=rust
[ -f sdk-node/build/sigwire.node ] && REQUIRE="$REQUIRE,node-native"
[ -x build/python-venv/bin/python ] && REQUIRE="$REQUIRE,python"
[ -f sdk-wasm/dist/sigwire_wasm_bg.wasm ] && [ -f sdk-wasm/dist/sigwire_wasm_ext_bg.wasm ] && REQUIRE="$REQUIRE,wasm-node"
[ -f sdk-kotlin/target/behaviour-classpath.txt ] && REQUIRE="$REQUIRE,kotlin"
# The Chromium driver runs in scripts/ci/wasm.sh, beside the other browser tests.
python3 tests/client-behaviour/run.py --require "$REQUIRE" --skip chromium

step "server adapters (tests/adapters: one bad-request table; tower, ASGI, WSGI, Express, Fastify)"
# Needs the python step's venv (sigwire, uvicorn, werkzeug) and the node step's addon; Express 5 and
# Fastify 5 are installed here into build/adapters-node. Cost: ~10 s with a warm npm cache (the
# table itself ~2 s; the reference server is already built by cargo test above).
VPY="$ROOT/build/python-venv/bin/python"
[ -x "$VPY" ] || { echo "http.sh: no $VPY (scripts/ci/python.sh makes it); the adapter table needs it" >&2; exit 1; }
[ -f "$ROOT/sdk-node/build/sigwire.node" ] || { echo "http.sh: no sdk-node/build/sigwire.node (scripts/ci/node.sh builds it)" >&2; exit 1; }
command -v node >/dev/null || { echo "http.sh: node is required for the Express/Fastify adapters" >&2; exit 1; }
ADAPTERS_NM="$ROOT/build/adapters-node"
mkdir -p "$ADAPTERS_NM"
[ -f "$ADAPTERS_NM/package.json" ] || echo '{ "name": "sigwire-adapters-scratch", "private": true }' >"$ADAPTERS_NM/package.json"
(cd "$ADAPTERS_NM" && npm install --no-save --no-audit --no-fund --silent express@5 fastify@5)
cargo build --locked -q -p sigwire-server --bin sigwire-server
NODE_PATH="$ADAPTERS_NM/node_modules" "$VPY" tests/adapters/run.py
