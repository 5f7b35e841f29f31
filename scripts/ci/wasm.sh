#!/usr/bin/env bash
# CI for the browser SDK (bindings/wasm + sdk-wasm).
#
#  0. installs what it needs: Debian's chromium (never a downloaded browser), nodejs/npm if missing,
#     and the WASM toolchain (scripts/wasm-toolchain.sh install: rustc-web, rust-web-src, lld-16,
#     binaryen, wasm-bindgen CLI of the crate's exact version);
#  1. lints the binding crates with clippy -D warnings (SIGWIRE_WASM_CLIPPY=0 skips);
#  2. builds the package (sdk-wasm/scripts/build.sh: wasm32 build, wasm-bindgen, wasm-opt) — two
#     modules: the main one (bindings/wasm: Signer, Verifier; budget <= 150 KB, <= 60 KB gzipped,
#     unchanged) and the lazily loaded one (bindings/wasm-ext: the Client's rules; its own budget,
#     set and explained in build.sh) — printing both sizes and failing over either budget;
#  3. npm ci (playwright-core, @noble/hashes for the benchmark baseline, typescript);
#  4. node --test: every shared vector, bad input, panic recovery, signedFetch against a local
#     verifying server, API surface (Node-loadable build);
#  5. tsc --noEmit --strict on types-check/usage.ts;
#  6. npm pack, install the tarball in a scratch project, import it and sign one vector;
#  7. node --test in real headless Chromium: every vector, signedFetch, bad input, recovery, and the
#     benchmark in the same page and run (prints the ratios; never fails on timing); then the HTTP
#     Client in the page against the reference server behind a same-origin proxy; then streamed
#     bodies (Blob, ReadableStream) hashed in wasm, signed and verified by the test server; then
#     the client-behaviour table (tests/client-behaviour/) with its Chromium driver.
#
#  The HTTP Client tests (step 4 and 7) run against the reference server, built here with
#  `cargo build --locked -p sigwire-server --bin sigwire-server` (SIGWIRE_SERVER_BIN overrides).
#
# Idempotent; runs as root (CI) or with sudo. Knobs: SIGWIRE_WASM_CLIPPY, SIGWIRE_BENCH (1/0),
# BENCH_MS (per implementation and case, default 1000), SIGWIRE_WASM_PACK (1/0).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PKG="$REPO/sdk-wasm"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

log() { printf '\n== wasm: %s\n' "$*"; }

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
apt_missing() {
  local p missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- 0. tools ------------------------------------------------------------------------------------
if [ -f "$HOME/.cargo/env" ] && ! command -v cargo >/dev/null 2>&1; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_missing nodejs npm
fi
apt_missing chromium
bash "$REPO/scripts/wasm-toolchain.sh" install
NODE_OK="$(node -e 'const [a,b]=process.versions.node.split(".").map(Number); console.log(a>20||(a===20&&b>=19)?1:0)')"
[ "$NODE_OK" = 1 ] || { echo "wasm.sh: Node >= 20.19 is required (found $(node --version))" >&2; exit 1; }
echo "node $(node --version), npm $(npm --version), $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium ?')"

# --- 1. lint -------------------------------------------------------------------------------------
if [ "${SIGWIRE_WASM_CLIPPY:-1}" != 0 ] && command -v cargo >/dev/null 2>&1; then
  log "cargo clippy -p sigwire-wasm -p sigwire-wasm-ext -D warnings"
  # Native check build in the default target dir, shared with the rust step's clippy of the core.
  (cd "$REPO" && cargo clippy --locked -q -p sigwire-wasm -p sigwire-wasm-ext -- -D warnings)
fi

# --- 2. build ------------------------------------------------------------------------------------
log "build (sdk-wasm/scripts/build.sh)"
bash "$PKG/scripts/build.sh"

# --- 3. test dependencies ------------------------------------------------------------------------
log "npm ci"
(cd "$PKG" && npm ci --no-audit --no-fund --loglevel=error)

# --- 3b. reference server for the Client tests -------------------------------------------------
if [ -z "${SIGWIRE_SERVER_BIN:-}" ]; then
  log "cargo build -p sigwire-server (the reference server for the HTTP Client tests)"
  (cd "$REPO" && cargo build -q --locked -p sigwire-server --bin sigwire-server)
  SIGWIRE_SERVER_BIN="${CARGO_TARGET_DIR:-$REPO/target}/debug/sigwire-server"
fi
export SIGWIRE_SERVER_BIN
test -x "$SIGWIRE_SERVER_BIN" || { echo "wasm.sh: no reference server binary at $SIGWIRE_SERVER_BIN" >&2; exit 1; }

# --- 4. Node tests -------------------------------------------------------------------------------
log "node --test (Node-loadable build)"
(cd "$PKG" && node --test test/node/*.test.js)

# --- 5. types ------------------------------------------------------------------------------------
log "tsc --noEmit --strict"
(cd "$PKG" && npx --no-install tsc --noEmit --strict -p types-check && echo "tsc: ok")

# --- 6. packed tarball ---------------------------------------------------------------------------
if [ "${SIGWIRE_WASM_PACK:-1}" != 0 ]; then
  log "npm pack, install the tarball in a scratch project"
  SCRATCH="$(mktemp -d /tmp/sigwire-wasm-ci.XXXXXX)"
  trap 'rm -rf "$SCRATCH"' EXIT
  (cd "$PKG" && npm pack --pack-destination "$SCRATCH" >/dev/null)
  mkdir -p "$SCRATCH/project"
  echo '{ "name": "scratch", "version": "1.0.0", "private": true, "type": "module" }' >"$SCRATCH/project/package.json"
  (cd "$SCRATCH/project" && npm install --no-save --loglevel=error "$SCRATCH"/sigwire-wasm-*.tgz)
  (cd "$SCRATCH/project" && SIGWIRE_VECTORS_DIR="$REPO/tests/vectors" node --input-type=module -e '
    import assert from "node:assert/strict";
    import { readFileSync } from "node:fs";
    import { createRequire } from "node:module";
    import { Signer } from "sigwire-wasm";
    const v = JSON.parse(readFileSync(process.env.SIGWIRE_VECTORS_DIR + "/positive.json", "utf8")).vectors[2];
    const signer = new Signer({ keyId: v.key_id, secret: Buffer.from(v.secret_hex, "hex"), algorithm: v.algorithm, signedHeaders: v.signed_headers });
    const h = signer.sign({ method: v.request.method, url: v.request.url, headers: v.request.headers, body: Buffer.from(v.request.body_b64, "base64"), timestamp: v.timestamp, nonce: v.nonce });
    assert.equal(h.Authorization, v.expected.authorization);
    assert.equal(createRequire(import.meta.url)("sigwire-wasm").Signer, Signer);
    console.log("packed tarball: import, require and signing ok (" + v.name + ")");
  ')
fi

# --- 7. Chromium ---------------------------------------------------------------------------------
log "node --test in headless Chromium (vectors, signedFetch, bad input, recovery, benchmark)"
(cd "$PKG" && SIGWIRE_BENCH="${SIGWIRE_BENCH:-1}" BENCH_MS="${BENCH_MS:-1000}" node --test test/chromium.test.js)
log "node --test in headless Chromium: the HTTP Client against the reference server"
(cd "$PKG" && node --test test/chromium-client.test.js)
log "node --test in headless Chromium: streamed Blob / ReadableStream bodies (8 + 6 MiB) verified by the test server"
(cd "$PKG" && node --test test/chromium-stream.test.js)

# The cross-runtime client-behaviour table (tests/client-behaviour/) with the Chromium driver: the
# browser Client in a page on its own origin, calling the scenario server cross-origin (CORS), one
# fresh browser per scenario; required here (NOT RUN fails). The other drivers run in http.sh.
log "client-behaviour suite in headless Chromium (tests/client-behaviour, driver chromium)"
(cd "$REPO" && python3 tests/client-behaviour/run.py --require chromium chromium)

log "all browser SDK checks passed"
