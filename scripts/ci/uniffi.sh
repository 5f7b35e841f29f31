#!/usr/bin/env bash
# CI for the mobile SDK: bindings/uniffi (Rust, UniFFI proc-macros) + sdk-kotlin + sdk-swift.
#
#  1. installs what is missing: clang, JNA (Debian libjna-java), a JRE 17, and kotlinc from the
#     npm package `kotlin-compiler` (into build/kotlin-tools, pinned);
#  2. lints the binding crate with clippy (SIGWIRE_UNIFFI_CLIPPY=0 skips);
#  3. builds libsigwire_uniffi.so and the `uniffi-bindgen` binary of the same uniffi version in one
#     dev-profile build (`--features cli`) into $CARGO_TARGET_DIR (default target/uniffi);
#  4. generates the Kotlin and Swift bindings (library mode) into build/uniffi (not in git);
#  5. Swift: compiles the header with clang, loads the module map, checks every declared symbol
#     exists in the library, and that the library's API checksums equal those Sigwire.swift checks
#     (sdk-swift/check-header.sh);
#  6. Kotlin: kotlinc compiles bindings + idiomatic layer + tests, and the JVM test program runs
#     every shared vector, the error cases, live HTTP against a local verifying server, and the
#     Rust HttpClient against the reference server binary (`sigwire-server`, built in step 3 and
#     passed as SIGWIRE_SERVER_BIN) (sdk-kotlin/build-and-test.sh; its last line is
#     `N passed, N failed`).
#
# The XCFramework (sdk-swift/build-xcframework.sh) and Android (sdk-kotlin/build-android.sh) builds
# need macOS / the Android NDK and are not run here; their scripts are only syntax-checked.
# Idempotent. Knobs: CARGO_TARGET_DIR, SIGWIRE_UNIFFI_CLIPPY=0 (skip clippy), KOTLIN_COMPILER_VERSION,
# SIGWIRE_KOTLIN_BENCH=1 (also build a release library and print the sign/verify cost ratios; off
# by default: the release build takes minutes and timings never fail CI), BENCH_MS.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/uniffi}"
KOTLIN_COMPILER_VERSION="${KOTLIN_COMPILER_VERSION:-2.2.20}"
KOTLIN_TOOLS="$ROOT/build/kotlin-tools"
KOTLINC="$KOTLIN_TOOLS/node_modules/kotlin-compiler/bin/kotlinc"
BINDINGS="$ROOT/build/uniffi"
LIB_DIR="$CARGO_TARGET_DIR/debug"

# --- 1. tools -----------------------------------------------------------------------------------
command -v cargo >/dev/null || { echo "uniffi.sh: cargo is required (rustup)" >&2; exit 1; }
apt_install clang libjna-java openjdk-17-jre-headless binutils python3
command -v npm >/dev/null || apt_install nodejs npm
if [ ! -x "$KOTLINC" ] || ! grep -q "\"version\": \"$KOTLIN_COMPILER_VERSION\"" "$KOTLIN_TOOLS/node_modules/kotlin-compiler/package.json"; then
  step "npm install kotlin-compiler@$KOTLIN_COMPILER_VERSION (kotlinc) into build/kotlin-tools"
  mkdir -p "$KOTLIN_TOOLS"
  [ -f "$KOTLIN_TOOLS/package.json" ] || echo '{"name":"sigwire-kotlin-tools","version":"1.0.0","private":true}' >"$KOTLIN_TOOLS/package.json"
  npm install --prefix "$KOTLIN_TOOLS" --no-audit --no-fund --loglevel=error "kotlin-compiler@$KOTLIN_COMPILER_VERSION"
fi
"$KOTLINC" -version 2>&1
java -version 2>&1 | head -1
clang --version | head -1
echo "JNA: $(dpkg -s libjna-java | sed -n 's/^Version: //p') ($(readlink -f /usr/share/java/jna.jar))"

# --- 2. lint ------------------------------------------------------------------------------------
if [ "${SIGWIRE_UNIFFI_CLIPPY:-1}" != "0" ] && cargo clippy --version >/dev/null 2>&1; then
  step "cargo clippy -p sigwire-uniffi -D warnings"
  cargo clippy --locked -p sigwire-uniffi -- -D warnings
fi

# --- 3. build -----------------------------------------------------------------------------------
step "cargo build -p sigwire-uniffi --features cli (libsigwire_uniffi.so + uniffi-bindgen, dev profile)"
cargo build --locked -p sigwire-uniffi --features cli
ls -la "$LIB_DIR/libsigwire_uniffi.so" "$LIB_DIR/uniffi-bindgen"
# The reference server the Kotlin HttpClient tests start (SIGWIRE_SERVER_BIN).
step "cargo build -p sigwire-server --bin sigwire-server (for the HttpClient tests)"
cargo build --locked -p sigwire-server --bin sigwire-server
ls -la "$LIB_DIR/sigwire-server"

# --- 4. generate ----------------------------------------------------------------------------------
# bindings/uniffi/uniffi.toml (Kotlin package, Swift module) is found through `cargo metadata`.
step "uniffi-bindgen generate --library (Kotlin + Swift) -> build/uniffi"
rm -rf "$BINDINGS"
"$LIB_DIR/uniffi-bindgen" generate --no-format \
  --library "$LIB_DIR/libsigwire_uniffi.so" \
  --language kotlin --language swift --out-dir "$BINDINGS"
find "$BINDINGS" -type f | sort

# --- 5. Swift header check ----------------------------------------------------------------------
step "Swift: header, module map, symbols and checksums (sdk-swift/check-header.sh)"
bash "$ROOT/sdk-swift/check-header.sh" "$BINDINGS" "$LIB_DIR/libsigwire_uniffi.so"

step "syntax of the scripts not run here (XCFramework on macOS, Android NDK)"
bash -n "$ROOT/sdk-swift/build-xcframework.sh"
bash -n "$ROOT/sdk-kotlin/build-android.sh"
echo "ok"

# --- 6. Kotlin tests ----------------------------------------------------------------------------
step "Kotlin: kotlinc + the JVM test program (sdk-kotlin/build-and-test.sh)"
KOTLINC="$KOTLINC" JNA_JAR=/usr/share/java/jna.jar SIGWIRE_BINDINGS_DIR="$BINDINGS" SIGWIRE_LIB_DIR="$LIB_DIR" \
  SIGWIRE_SERVER_BIN="$LIB_DIR/sigwire-server" \
  OUT="$ROOT/build/sdk-kotlin" bash "$ROOT/sdk-kotlin/build-and-test.sh"

# --- 7. optional benchmark (a release build; timings never fail CI) ------------------------------
if [ "${SIGWIRE_KOTLIN_BENCH:-0}" = "1" ]; then
  step "Kotlin benchmark against a release build (SIGWIRE_KOTLIN_BENCH=1)"
  cargo build --locked --release -p sigwire-uniffi
  KOTLIN_LIB="$(dirname "$(readlink -f "$KOTLINC")")/../lib"
  java -Djna.library.path="$CARGO_TARGET_DIR/release" \
    -cp "$ROOT/build/sdk-kotlin/sigwire-kotlin-tests.jar:$ROOT/build/sdk-kotlin/sigwire-kotlin.jar:/usr/share/java/jna.jar:$KOTLIN_LIB/kotlin-stdlib.jar" \
    dev.sigwire.test.BenchKt "${BENCH_MS:-1000}" || echo "benchmark failed (not counted)"
fi
