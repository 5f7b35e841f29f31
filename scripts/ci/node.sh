#!/usr/bin/env bash
# CI for the Node SDK (bindings/node + sdk-node).
#
#  0. lints the binding crate with clippy (SIGWIRE_NODE_CLIPPY=0 skips);
#  1. installs the package from this checkout into a scratch project with `npm install <repo>/sdk-node`
#     (its install script builds the native addon from source with cargo);
#  2. builds the reference server (`sigwire-server` binary, debug profile) and runs `node --test` on
#     sdk-node/test against the installed package (vectors, fast-check properties, real
#     Express/Fastify servers on 127.0.0.1 with fetch and axios, bad input, audience binding and
#     header-first checks, the Redis replay store and rate limiter against Debian's redis-server
#     (installed here), and the HTTP Client against the reference server, whose path is passed in
#     SIGWIRE_SERVER_BIN);
#  3. type-checks sdk-node/types-check/usage.ts with `tsc --noEmit --strict`;
#  4. packs the package with `npm pack` and installs the tarball in a second scratch project
#     (builds again from the vendored sources) and smoke-tests it (SIGWIRE_NODE_PACK=0 skips);
#  5. runs the benchmark briefly and prints the ratios (never fails on timing).
#
# Idempotent; needs Node >= 18 with npm and a Rust toolchain (cargo) on the machine.
# Knobs: CARGO_TARGET_DIR (default <repo>/target/node), BENCH_MS (default 300), SIGWIRE_FC_RUNS.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target/node}"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

log() { printf '\n== node: %s\n' "$*"; }

# --- toolchain -------------------------------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
command -v cargo >/dev/null 2>&1 || { echo "node.sh: cargo is required (Rust toolchain)" >&2; exit 1; }
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  log "installing nodejs and npm from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$NODE_MAJOR" -lt 18 ]; then
  echo "node.sh: Node >= 18 is required (found $(node --version))" >&2
  exit 1
fi
echo "node $(node --version), npm $(npm --version), $(cargo --version)"

# Redis for the RedisReplayStore / RedisRateLimiter tests (Debian's server, started by the test on
# a free port of 127.0.0.1 and stopped after).
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  log "installing redis-server from Debian"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null
fi
echo "$(redis-server --version | head -n 1)"

# Test-only dependencies, pinned by major version (redis: node-redis 4.7.1, Node >= 14).
TEST_DEPS=(fast-check@4 express@5 fastify@5 axios@1 redis@4.7.1 typescript@5.9 @types/node@20 @types/express@5)

SCRATCH="$(mktemp -d /tmp/sigwire-node-ci.XXXXXX)"
cleanup() { rm -rf "$SCRATCH"; }
trap cleanup EXIT

new_project() {
  mkdir -p "$1"
  # allowScripts: npm >= 11.16 reviews install scripts (advisory in 11, enforced from 12).
  cat >"$1/package.json" <<'JSON'
{ "name": "sigwire-ci-scratch", "version": "1.0.0", "private": true, "allowScripts": { "sigwire": true } }
JSON
}

# --- 0. lint the binding crate -----------------------------------------------------------------
if [ "${SIGWIRE_NODE_CLIPPY:-1}" != "0" ]; then
  log "cargo clippy -p sigwire-node -D warnings"
  (cd "$REPO" && cargo clippy -q -p sigwire-node --release -- -D warnings)
fi

# --- 1. install from the checkout ------------------------------------------------------------
log "npm install $REPO/sdk-node (builds the native addon)"
PROJECT="$SCRATCH/project"
new_project "$PROJECT"
rm -f "$REPO/sdk-node/build/sigwire.node"
(cd "$PROJECT" && npm install --no-save --foreground-scripts "$REPO/sdk-node" "${TEST_DEPS[@]}")
test -f "$PROJECT/node_modules/sigwire/build/sigwire.node" || { echo "node.sh: the install did not build the addon" >&2; exit 1; }

# --- 2. tests against the installed package --------------------------------------------------
log "cargo build -p sigwire-server (the reference server for the HTTP Client tests)"
(cd "$REPO" && cargo build -q --locked -p sigwire-server --bin sigwire-server)
export SIGWIRE_SERVER_BIN="$CARGO_TARGET_DIR/debug/sigwire-server"
test -x "$SIGWIRE_SERVER_BIN" || { echo "node.sh: no reference server binary at $SIGWIRE_SERVER_BIN" >&2; exit 1; }

log "node --test (sdk-node/test against the installed package)"
cp -r "$REPO/sdk-node/test" "$PROJECT/test"
cp -r "$REPO/sdk-node/bench" "$PROJECT/bench"
(cd "$PROJECT" && SIGWIRE_VECTORS_DIR="$REPO/tests/vectors" SIGWIRE_REQUIRE_REDIS=1 node --test test/*.test.js)

# --- 3. type check ---------------------------------------------------------------------------
log "tsc --noEmit --strict on the usage example"
cp -r "$REPO/sdk-node/types-check" "$PROJECT/types-check"
(cd "$PROJECT" && npx --no-install tsc --noEmit --strict -p types-check && echo "tsc: ok")

# --- 4. npm pack tarball installs ------------------------------------------------------------
if [ "${SIGWIRE_NODE_PACK:-1}" != "0" ]; then
  log "npm pack, then install the tarball in a fresh project"
  (cd "$REPO/sdk-node" && npm pack --pack-destination "$SCRATCH" >/dev/null)
  TARBALL="$(ls "$SCRATCH"/sigwire-*.tgz)"
  PACKED="$SCRATCH/packed"
  new_project "$PACKED"
  (cd "$PACKED" && npm install --no-save --foreground-scripts "$TARBALL")
  test ! -L "$PACKED/node_modules/sigwire" || { echo "node.sh: expected a copied package, not a link" >&2; exit 1; }
  (cd "$PACKED" && SIGWIRE_VECTORS_DIR="$REPO/tests/vectors" node -e '
    const assert = require("node:assert/strict");
    const s = require("sigwire");
    const fs = require("node:fs");
    const dir = process.env.SIGWIRE_VECTORS_DIR;
    let n = 0;
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      for (const v of JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8")).vectors) {
        if (!v.expected) continue;
        const signer = new s.Signer({ keyId: v.key_id, secret: Buffer.from(v.secret_hex, "hex"), algorithm: v.algorithm, signedHeaders: v.signed_headers });
        const h = signer.sign({ method: v.request.method, url: v.request.url, headers: v.request.headers, body: Buffer.from(v.request.body_b64, "base64"), timestamp: v.timestamp, nonce: v.nonce });
        assert.equal(h.Authorization, v.expected.authorization, v.name);
        n++;
      }
    }
    assert.ok(n > 0);
    console.log(`packed tarball: ${n} positive vectors reproduced`);
  ')
  (cd "$PACKED" && node --input-type=module -e 'import { Signer } from "sigwire"; console.log("packed tarball: ESM import ok", typeof Signer);')
  # The HTTP Client (vendored client crate) works from the tarball too: a call to a closed port.
  (cd "$PACKED" && node -e '
    const s = require("sigwire");
    const net = require("node:net");
    const srv = net.createServer().listen(0, "127.0.0.1", () => {
      const port = srv.address().port;
      srv.close(async () => {
        const c = new s.Client({ baseUrl: `http://127.0.0.1:${port}`, keyId: "k", secret: "0123456789abcdef", retry: { maxAttempts: 1 } });
        try { await c.get("/"); throw new Error("expected a ConnectError"); }
        catch (e) { if (!(e instanceof s.ConnectError)) throw e; }
        console.log("packed tarball: HTTP Client ok (ConnectError on a closed port)");
      });
    });
  ')
fi

# --- 5. benchmark (informational) ------------------------------------------------------------
log "benchmark (native vs pure-JS; informational, never fails on timing)"
(cd "$PROJECT" && BENCH_MS="${BENCH_MS:-300}" node bench/bench.js)

log "all Node SDK checks passed"
