#!/usr/bin/env bash
# Builds the npm package's WebAssembly part (sdk-wasm/dist/) from bindings/wasm with the WASM
# recipe in scripts/wasm-toolchain.sh: Debian's rustc-web with -Zbuild-std, wasm-ld-16,
# wasm-bindgen CLI of the crate's exact version, and `wasm-opt -Oz` (Debian binaryen) when
# installed. Then turns the wasm-bindgen glue into a factory (scripts/glue.mjs) and checks each
# module's size budget (main .wasm <= 150 KB, <= 60 KB gzipped; the lazily loaded one: below).
#
#   sdk-wasm/scripts/build.sh            build (run `scripts/wasm-toolchain.sh install` once first)
#
# Output: dist/sigwire_wasm_bg.wasm + dist/glue.js (the main module: bindings/wasm),
# dist/sigwire_wasm_ext_bg.wasm + dist/ext-glue.js (the lazily loaded one: bindings/wasm-ext),
# dist/common/ (scripts/esm.mjs), dist/sizes.json.
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
# The lazily loaded module (bindings/wasm-ext: the Client's rules, the signing profiles, the
# streaming body hasher and digest signer) has its own budget, so it can never push the main module
# over. Measured as it grew: rules alone 27 KB / 13 KB gzip; + every profile (SHA-512, SigV4,
# RFC 9421, exchanges, webhooks) 206 KB / 86 KB; + the streaming signer 247 KB / 103 KB (it carries
# the sigwire-v1 canonicaliser a second time: signing by digest in the main module would save
# ~40 KB here, but the main module has under 1 KB of gzip headroom). Budget 280 KB / 120 KB:
# ~15 % headroom. Only pages that use the Client, a profile or a streamed body download it.
EXT_MAX_RAW=${EXT_MAX_RAW:-280000}
EXT_MAX_GZ=${EXT_MAX_GZ:-120000}

command -v node >/dev/null || { echo "build.sh: node is required" >&2; exit 1; }

# The SHA-2 compression function is the hot loop of signing: optimise that one crate for speed
# (~1.5-2x faster signing for +6 KB) and the rest for size (the toolchain's opt-level s).
SPEED=()
[ "${SIGWIRE_WASM_FAST_SHA2:-1}" = 0 ] || SPEED=(--config 'profile.release.package.sha2.opt-level=3')

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$DIST"
opt="$(command -v wasm-opt >/dev/null && [ "${WASM_OPT:-1}" != 0 ] && wasm-opt --version | head -n1 || echo none)"
over=0

# build_module <crate> <stem> <glue output> <max raw> <max gzip> [glue.mjs flag]: wasm32 build,
# wasm-bindgen, wasm-opt, the glue factory, the .wasm into dist/; prints the sizes, checks the budget.
build_module() {
  local crate="$1" stem="$2" glue="$3" max_raw="$4" max_gz="$5" flag="${6:-}" wasm raw gz
  wasm="$(bash "$TOOL" build "$crate" "${SPEED[@]}" | tail -n 1)"
  [ -f "$wasm" ] || { echo "build.sh: no .wasm from the toolchain for $crate" >&2; exit 1; }
  bash "$TOOL" bindgen "$wasm" "$tmp/$stem" web >/dev/null
  node "$PKG/scripts/glue.mjs" $flag "$tmp/$stem/$stem.js" "$DIST/$glue"
  cp "$tmp/$stem/${stem}_bg.wasm" "$DIST/${stem}_bg.wasm"
  raw=$(stat -c %s "$DIST/${stem}_bg.wasm")
  gz=$(gzip -9c "$DIST/${stem}_bg.wasm" | wc -c)
  printf '"%s": { "wasm_bytes": %d, "wasm_gzip_bytes": %d, "budget_bytes": %d, "budget_gzip_bytes": %d }' \
    "$stem" "$raw" "$gz" "$max_raw" "$max_gz" >"$tmp/$stem.size"
  echo "${stem}_bg.wasm: $raw bytes ($(( raw / 1000 )) KB), $gz bytes gzipped ($(( gz / 1000 )) KB);" \
       "budget $max_raw / $max_gz; wasm-opt: $opt"
  if [ "$raw" -gt "$max_raw" ] || [ "$gz" -gt "$max_gz" ]; then
    echo "build.sh: ${stem}_bg.wasm is over its size budget" >&2
    over=1
  fi
}

# The main module: signing and verifying (what every page loads). The fast SHA-2 is taken only
# when it fits: over budget with it (and SIGWIRE_WASM_FAST_SHA2 not set explicitly), the module is
# rebuilt with SHA-2 for size too (measured: -6.7 KB raw, -1.4 KB gzip; signing slower), loudly.
build_module sigwire-wasm sigwire_wasm glue.js "$MAX_RAW" "$MAX_GZ"
if [ "$over" = 1 ] && [ -z "${SIGWIRE_WASM_FAST_SHA2:-}" ] && [ "${#SPEED[@]}" -gt 0 ]; then
  echo "build.sh: WARNING: the main module is over its budget with sha2 at opt-level 3;" \
       "rebuilding it with sha2 for size (slower signing). Make room in the module to get the speed back." >&2
  over=0
  SPEED=()
  build_module sigwire-wasm sigwire_wasm glue.js "$MAX_RAW" "$MAX_GZ"
  SPEED=(--config 'profile.release.package.sha2.opt-level=3')
fi
# The lazily loaded one: the Client's rules (loaded on the first Client request).
build_module sigwire-wasm-ext sigwire_wasm_ext ext-glue.js "$EXT_MAX_RAW" "$EXT_MAX_GZ" --ext
# The API shared with the Node package: sdk-node/lib/common/ (CommonJS, the one source) -> dist/common/ (ESM).
node "$PKG/scripts/esm.mjs"

# dist/sizes.json: the main module's fields at the top level (as before), each module by name.
main_json="$(cat "$tmp/sigwire_wasm.size")"
main_fields="${main_json#*: \{ }"; main_fields="${main_fields% \}}"
printf '{ %s, "wasm_opt": "%s", "modules": { %s, %s } }\n' "$main_fields" "$opt" \
  "$main_json" "$(cat "$tmp/sigwire_wasm_ext.size")" >"$DIST/sizes.json"
node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$DIST/sizes.json"
if [ "${SIGWIRE_WASM_BUDGET:-1}" != 0 ] && [ "$over" = 1 ]; then
  echo "build.sh: over the size budget" >&2
  exit 1
fi
