#!/usr/bin/env bash
# Rust: unit tests, doctests, every shared vector, property tests, vector drift, lints.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
step "cargo fmt --check (every workspace crate)"
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo fmt --all --check
step "cargo test (core + vector generator)"
cargo test --locked -p sigwire-core -p sigwire-vectors
step "cargo clippy (core)"
if cargo clippy --version >/dev/null 2>&1; then
  cargo clippy --locked -p sigwire-core --all-targets -- -D warnings
else
  echo "clippy not installed; skipped (not counted as a test)"
fi
step "cargo doc (core, warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --locked -p sigwire-core --no-deps -q
step "streaming (issue 17): a 64 MiB body from the Rust client to the reference server, each side <= 16 MiB extra RSS"
# Debug builds with the same package selection as the http step's `cargo test` (which then reuses
# them); the sigwire-server binary is the one the python step builds too.
bash scripts/bench.d/stream.sh --ci
