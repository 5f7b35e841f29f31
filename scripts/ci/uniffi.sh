#!/usr/bin/env bash
# CI for the mobile SDK: bindings/uniffi (Rust, UniFFI proc-macros) + sdk-kotlin + sdk-swift.
#
#  1. installs what is missing: clang, a JDK 17 and Maven (Maven downloads JNA, kotlinx-coroutines,
#     the Kotlin compiler plugin and JUnit from Maven Central into ~/.m2);
#  2. lints the binding crate with clippy (SIGWIRE_UNIFFI_CLIPPY=0 skips);
#  3. builds libsigwire_uniffi.so and the `uniffi-bindgen` binary of the same uniffi version in one
#     dev-profile build (`--features cli`) into $CARGO_TARGET_DIR (default target/uniffi), and the
#     reference server `sigwire-server` the HttpClient tests start;
#  4. generates the Kotlin and Swift bindings (library mode) into build/uniffi (not in git);
#  5. Swift: compiles the header with clang, loads the module map, checks every declared symbol
#     exists in the library, and that the library's API checksums equal those Sigwire.swift checks
#     (sdk-swift/check-header.sh);
#  6. Maven (sdk-kotlin/pom.xml): compiles the SDK (bindings + idiomatic layer + suspend client)
#     into target/sigwire-kotlin-0.1.0.jar with JNA, kotlinx-coroutines and the native library
#     inside, and runs every suite under Surefire / JUnit 5: the shared vectors, the error cases,
#     FastSigner against Signer, live HTTP against a local verifying server, the Rust HttpClient
#     (blocking and suspend) against the reference server, the README example.
#  7. runs the client-behaviour table (tests/client-behaviour) with the Kotlin driver, compiled by
#     the same `mvn verify` (drivers/kotlin/Behaviour.kt); it must give the table's outcome for
#     every scenario, as the Rust, Python and Node drivers do.
#
# The XCFramework (sdk-swift/build-xcframework.sh) and Android (sdk-kotlin/build-android.sh) builds
# need macOS / the Android NDK and are not run here; their scripts are only syntax-checked.
# The plain-kotlinc build of the same sources with Debian's JNA (tests/conformance/adapters/_kotlin/
# build.sh, used by scripts/ci/conformance.sh and scripts/demo) is exercised by the conformance step.
# Idempotent. Knobs: CARGO_TARGET_DIR, SIGWIRE_UNIFFI_CLIPPY=0 (skip clippy),
# SIGWIRE_KOTLIN_BENCH=1 (also build a release library and print the per-call cost beside
# javax.crypto.Mac; off by default: the release build takes minutes and timings never fail CI),
# BENCH_MS.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/uniffi}"
BINDINGS="$ROOT/build/uniffi"
LIB_DIR="$CARGO_TARGET_DIR/debug"

# --- 1. tools -----------------------------------------------------------------------------------
command -v cargo >/dev/null || { echo "uniffi.sh: cargo is required (rustup)" >&2; exit 1; }
apt_install clang openjdk-17-jdk-headless maven binutils python3
java -version 2>&1 | sed -n 1p
mvn -B -v 2>&1 | sed -n 1p
clang --version | sed -n 1p

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

# --- 6. Maven: the SDK jar and the Kotlin tests under Surefire -----------------------------------
step "Maven: sdk-kotlin (kotlin-maven-plugin, JNA, kotlinx-coroutines, JUnit 5) -> mvn verify"
# The README's first Kotlin block is compiled and run as a test (ReadmeExample.kt).
README_DIR="$ROOT/sdk-kotlin/target/readme-example"
mkdir -p "$README_DIR"
awk '/^```kotlin$/ { inside = 1; next } /^```$/ { if (inside) exit } inside' "$ROOT/sdk-kotlin/README.md" >"$README_DIR/ReadmeExample.kt"
grep -q '^fun main()' "$README_DIR/ReadmeExample.kt" || { echo "sdk-kotlin/README.md: no Kotlin example with fun main()" >&2; exit 1; }
SIGWIRE_SERVER_BIN="$LIB_DIR/sigwire-server" mvn -B -ntp -f "$ROOT/sdk-kotlin/pom.xml" verify \
  -Dsigwire.bindings.dir="$BINDINGS" -Dsigwire.lib.dir="$LIB_DIR" -Dsigwire.readme.dir="$README_DIR"
ls -la "$ROOT/sdk-kotlin/target/sigwire-kotlin-0.1.0.jar"
# grep without -q reads the whole listing, so the lister never writes into a closed pipe.
python3 -m zipfile -l "$ROOT/sdk-kotlin/target/sigwire-kotlin-0.1.0.jar" | grep 'linux-x86-64/libsigwire_uniffi.so' >/dev/null \
  || { echo "the jar does not carry linux-x86-64/libsigwire_uniffi.so" >&2; exit 1; }

# --- 6b. the cross-runtime client-behaviour table with the Kotlin driver ---------------------------
# `mvn verify` above compiled tests/client-behaviour/drivers/kotlin/Behaviour.kt with the test classes
# and wrote its classpath; one JVM per scenario, the table's ONE outcome per scenario (~10 s).
step "client-behaviour table: the Kotlin driver (HttpClient over UniFFI) -> tests/client-behaviour/run.py"
python3 "$ROOT/tests/client-behaviour/run.py" --require kotlin kotlin

# --- 7. optional benchmark (a release build; timings never fail CI) ------------------------------
if [ "${SIGWIRE_KOTLIN_BENCH:-0}" = "1" ]; then
  step "Kotlin per-call cost against a release build (SIGWIRE_KOTLIN_BENCH=1)"
  cargo build --locked --release -p sigwire-uniffi
  mvn -q -B -ntp -f "$ROOT/sdk-kotlin/pom.xml" dependency:build-classpath \
    -Dmdep.outputFile="$ROOT/sdk-kotlin/target/classpath.txt" -Dmdep.includeScope=test
  CP="$(cat "$ROOT/sdk-kotlin/target/classpath.txt")"
  java -Djna.library.path="$CARGO_TARGET_DIR/release" -Djna.nosys=true \
    -cp "$ROOT/sdk-kotlin/target/test-classes:$ROOT/sdk-kotlin/target/classes:$CP" \
    dev.sigwire.test.BenchKt "${BENCH_MS:-1000}" || echo "benchmark failed (not counted)"
fi
