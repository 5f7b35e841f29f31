#!/usr/bin/env bash
# Android build (NOT run in this repository's CI: it needs the Android NDK).
#
# Builds libsigwire_uniffi.so for the four Android ABIs with cargo-ndk and generates the Kotlin
# bindings with Android settings (sdk-kotlin/android/uniffi.toml), then copies the idiomatic
# layer that runs on Android (src/main; src/jvm uses JVM-only APIs). Output in build/android/:
#
#   jniLibs/{arm64-v8a,armeabi-v7a,x86_64,x86}/libsigwire_uniffi.so   -> app/src/main/jniLibs
#   kotlin/dev/sigwire/*.kt                                          -> app/src/main/kotlin
#
# The app also needs JNA as an AAR: implementation("net.java.dev.jna:jna:5.13.0@aar").
# Needs: rustup, ANDROID_NDK_HOME (NDK r25+), cargo-ndk (installed if missing).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to the Android NDK}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/uniffi}"
OUT="${OUT:-$ROOT/build/android}"
ANDROID_API="${ANDROID_API:-24}"

command -v cargo-ndk >/dev/null || cargo install cargo-ndk --locked
rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android

# The Android ABIs, release profile, stripped by cargo-ndk into jniLibs/<abi>/.
cargo ndk --platform "$ANDROID_API" -t arm64-v8a -t armeabi-v7a -t x86_64 -t x86 -o "$OUT/jniLibs" \
  build --locked --release -p sigwire-uniffi

# Bindings come from a host build (same source, same metadata) and its uniffi-bindgen.
cargo build --locked -p sigwire-uniffi --features cli
HOST_LIB="$CARGO_TARGET_DIR/debug/libsigwire_uniffi.so"
[ -f "$HOST_LIB" ] || HOST_LIB="$CARGO_TARGET_DIR/debug/libsigwire_uniffi.dylib"
rm -rf "$OUT/kotlin"
"$CARGO_TARGET_DIR/debug/uniffi-bindgen" generate --no-format --library "$HOST_LIB" \
  --config "$ROOT/sdk-kotlin/android/uniffi.toml" --language kotlin --out-dir "$OUT/kotlin"
cp "$ROOT"/sdk-kotlin/src/main/kotlin/dev/sigwire/*.kt "$OUT/kotlin/dev/sigwire/"
find "$OUT" -type f | sort
