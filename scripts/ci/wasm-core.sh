#!/usr/bin/env bash
# The core must build for wasm32-unknown-unknown (Debian's rustc-web + build-std; see
# scripts/wasm-toolchain.sh for why rustup cannot do it here).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
apt_install rustc-web cargo-web rust-web-src lld-16
step "cargo check -p sigwire-core --target wasm32-unknown-unknown"
bash scripts/wasm-toolchain.sh check sigwire-core
