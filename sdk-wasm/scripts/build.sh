#!/usr/bin/env bash
# Builds the npm package's WebAssembly part (sdk-wasm/dist/) from bindings/wasm with the WASM
# recipe in scripts/wasm-toolchain.sh: Debian's rustc-web with -Zbuild-std, wasm-ld-16,
# wasm-bindgen CLI of the crate's exact version, and `wasm-opt -Oz` (Debian binaryen) when
# installed. Then turns the wasm-bindgen glue into a factory (scripts/glue.mjs) and checks the
# size budget (.wasm <= 150 KB, <= 60 KB gzipped).
#
#   sdk-wasm/scripts/build.sh            build (run `scripts/wasm-toolchain.sh install` once first)
#
# Output: dist/sigwire_wasm_bg.wasm, dist/glue.js, dist/common/ (scripts/esm.mjs), dist/sizes.json.
# Prints the sizes. After changing only JavaScript in sdk-node/lib/common/: `npm run build:js`.
# Knobs: the toolchain's (WASM_OPT_LEVEL, WASM_PANIC, WASM_OPT, ...); SIGWIRE_WASM_BUDGET=0
# reports the sizes without failing on them; SIGWIRE_WASM_FAST_SHA2=0 builds sha2 for size too.
set -euo pipefail

PKG="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$PKG/.." && pwd)"
TOOL="$ROOT/scripts/wasm-toolchain.sh"
DIST="$PKG/dist"
MAX_RAW=150000   # bytes (150 KB)
MAX_GZ=60000     # bytes (60 KB), gzip -9

command -v node >/dev/null || { echo "build.sh: node is required" >&2; exit 1; }

# The SHA-2 compression function is the hot loop of signing: optimise that one crate for speed
# (~1.5-2x faster signing for +6 KB) and the rest for size (the toolchain's opt-level s).
SPEED=()
[ "${SIGWIRE_WASM_FAST_SHA2:-1}" = 0 ] || SPEED=(--config 'profile.release.package.sha2.opt-level=3')
wasm="$(bash "$TOOL" build sigwire-wasm "${SPEED[@]}" | tail -n 1)"
[ -f "$wasm" ] || { echo "build.sh: no .wasm from the toolchain" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bash "$TOOL" bindgen "$wasm" "$tmp" web >/dev/null

mkdir -p "$DIST"
node "$PKG/scripts/glue.mjs" "$tmp/sigwire_wasm.js" "$DIST/glue.js"
# The API shared with the Node package: sdk-node/lib/common/ (CommonJS, the one source) -> dist/common/ (ESM).
node "$PKG/scripts/esm.mjs"
cp "$tmp/sigwire_wasm_bg.wasm" "$DIST/sigwire_wasm_bg.wasm"

raw=$(stat -c %s "$DIST/sigwire_wasm_bg.wasm")
gz=$(gzip -9c "$DIST/sigwire_wasm_bg.wasm" | wc -c)
opt="$(command -v wasm-opt >/dev/null && [ "${WASM_OPT:-1}" != 0 ] && wasm-opt --version | head -n1 || echo none)"
printf '{ "wasm_bytes": %d, "wasm_gzip_bytes": %d, "budget_bytes": %d, "budget_gzip_bytes": %d, "wasm_opt": "%s" }\n' \
  "$raw" "$gz" "$MAX_RAW" "$MAX_GZ" "$opt" >"$DIST/sizes.json"
echo "sigwire_wasm_bg.wasm: $raw bytes ($(( raw / 1000 )) KB), $gz bytes gzipped ($(( gz / 1000 )) KB);" \
     "budget $MAX_RAW / $MAX_GZ; wasm-opt: $opt"
if [ "${SIGWIRE_WASM_BUDGET:-1}" != 0 ] && { [ "$raw" -gt "$MAX_RAW" ] || [ "$gz" -gt "$MAX_GZ" ]; }; then
  echo "build.sh: over the size budget" >&2
  exit 1
fi
