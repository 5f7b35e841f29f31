#!/usr/bin/env bash
# scripts/bench section: the browser SDK (issue 17 part 5). Headless Chromium (Debian's
# /usr/bin/chromium through playwright-core), one page: sigwire-wasm's Signer.sign of the GET with
# 3 query parameters and of the POST with a 1 KiB JSON body, vs WebCrypto (crypto.subtle) doing
# the bare work of the same bytes — SHA-256 of the body + HMAC-SHA256 over the exact canonical
# string the SDK signs. Prints ROW lines (see scripts/bench): µs per operation, best of 7
# alternating rounds, and the ratio wasm / WebCrypto (below 1: the wasm signer is faster; the
# WebCrypto baseline pays its async round trips, which is what a browser caller pays too).
#
# Builds sdk-wasm (sdk-wasm/scripts/build.sh, the WASM toolchain must be installed:
# scripts/wasm-toolchain.sh install) when dist/ is missing, and npm-installs its dev dependencies
# when playwright-core is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PKG="$ROOT/sdk-wasm"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
[ -x /usr/bin/chromium ] || [ -n "${CHROMIUM:-}" ] || { echo "browser bench: no /usr/bin/chromium (apt-get install chromium) and no \$CHROMIUM" >&2; exit 1; }
[ -f "$PKG/dist/sigwire_wasm_bg.wasm" ] && [ -f "$PKG/dist/sigwire_wasm_ext_bg.wasm" ] || bash "$PKG/scripts/build.sh" >&2
[ -d "$PKG/node_modules/playwright-core" ] || (cd "$PKG" && npm ci --no-audit --no-fund --loglevel=error >&2)
cd "$PKG" && nice -n 10 node bench/browser-vs-webcrypto.mjs
