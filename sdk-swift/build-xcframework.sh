#!/usr/bin/env bash
# iOS/macOS build (NOT run in this repository's CI: it needs macOS with Xcode).
#
# Builds the static library for iOS devices, the iOS simulator (arm64 + x86_64) and macOS
# (arm64 + x86_64), wraps them with the generated header and module map in
# SigwireFFI.xcframework, and lays out a Swift package next to it:
#
#   build/swift/Sigwire/Package.swift
#   build/swift/Sigwire/SigwireFFI.xcframework
#   build/swift/Sigwire/Sources/Sigwire/{Sigwire.swift, URLRequest+Sigwire.swift}
#
# then runs `swift build` on the package for macOS, which compiles the generated Swift and the
# idiomatic layer. Add the package to an app with Xcode's "Add Package Dependencies… > Add Local".
# Needs: Xcode command-line tools (xcodebuild, lipo, swift) and rustup.
set -euo pipefail
[ "$(uname -s)" = "Darwin" ] || { echo "build-xcframework.sh runs on macOS only" >&2; exit 1; }
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/uniffi}"
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-13.0}"
export MACOSX_DEPLOYMENT_TARGET="${MACOSX_DEPLOYMENT_TARGET:-10.15}"
OUT="${OUT:-$ROOT/build/swift}"
PKG="$OUT/Sigwire"
T="$CARGO_TARGET_DIR"
TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)

rustup target add "${TARGETS[@]}"
for target in "${TARGETS[@]}"; do
  # The crate is a cdylib for JNA; Apple platforms link the static library instead.
  cargo rustc --locked -p sigwire-uniffi --lib --release --target "$target" --crate-type staticlib
done

# Swift bindings, header and module map, generated from a host build by the same uniffi version.
cargo build --locked -p sigwire-uniffi --features cli
rm -rf "$OUT" && mkdir -p "$OUT/gen" "$OUT/headers" "$OUT/ios-simulator" "$OUT/macos"
"$T/debug/uniffi-bindgen" generate --no-format --library "$T/debug/libsigwire_uniffi.dylib" \
  --language swift --out-dir "$OUT/gen"
cp "$OUT/gen/SigwireFFI.h" "$OUT/headers/"
cp "$OUT/gen/SigwireFFI.modulemap" "$OUT/headers/module.modulemap"

lipo -create "$T/aarch64-apple-ios-sim/release/libsigwire_uniffi.a" "$T/x86_64-apple-ios/release/libsigwire_uniffi.a" \
  -output "$OUT/ios-simulator/libsigwire_uniffi.a"
lipo -create "$T/aarch64-apple-darwin/release/libsigwire_uniffi.a" "$T/x86_64-apple-darwin/release/libsigwire_uniffi.a" \
  -output "$OUT/macos/libsigwire_uniffi.a"

mkdir -p "$PKG/Sources/Sigwire"
xcodebuild -create-xcframework \
  -library "$T/aarch64-apple-ios/release/libsigwire_uniffi.a" -headers "$OUT/headers" \
  -library "$OUT/ios-simulator/libsigwire_uniffi.a" -headers "$OUT/headers" \
  -library "$OUT/macos/libsigwire_uniffi.a" -headers "$OUT/headers" \
  -output "$PKG/SigwireFFI.xcframework"

cp "$ROOT/sdk-swift/package-template/Package.swift" "$PKG/Package.swift"
cp "$OUT/gen/Sigwire.swift" "$PKG/Sources/Sigwire/"
cp "$ROOT"/sdk-swift/Sources/Sigwire/*.swift "$PKG/Sources/Sigwire/"

# Compiles the generated Swift and the idiomatic layer against the xcframework (macOS slice).
(cd "$PKG" && swift build)
echo "built $PKG"
