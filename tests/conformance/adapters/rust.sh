#!/usr/bin/env bash
# Conformance adapter "rust": the Rust core itself (tests/conformance/rust-adapter).
# Runs $SIGWIRE_RUST_ADAPTER when set; otherwise builds the adapter crate (a no-op when it is up
# to date) into $CARGO_TARGET_DIR (default <repo>/target/conformance) and runs it.
set -euo pipefail
if [ -n "${SIGWIRE_RUST_ADAPTER:-}" ]; then
  exec "$SIGWIRE_RUST_ADAPTER"
fi
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/conformance}"
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
cargo build --quiet --release --locked --manifest-path "$HERE/../rust-adapter/Cargo.toml" >&2
exec "$CARGO_TARGET_DIR/release/sigwire-conformance-rust"
