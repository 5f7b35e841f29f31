#!/usr/bin/env bash
# Bounded fuzz smoke run of the Authorization parser and the URL canonicaliser (nightly + cargo-fuzz).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-20}"
if ! rustup toolchain list | grep -q '^nightly'; then
  step "rustup toolchain install nightly (minimal)"
  rustup toolchain install nightly --profile minimal
fi
command -v cargo-fuzz >/dev/null || { step "cargo install cargo-fuzz"; cargo install cargo-fuzz --version 0.13.2 -q || cargo install cargo-fuzz -q; }
for target in authorization canonical_url; do
  step "cargo fuzz run $target for ${SECONDS_PER_TARGET}s"
  mkdir -p "core/fuzz/corpus/$target"
  log="$ROOT/build/fuzz-$target.log"
  mkdir -p "$ROOT/build"
  if ! cargo +nightly fuzz run --fuzz-dir core/fuzz "$target" "core/fuzz/corpus/$target" "core/fuzz/seeds/$target" \
      -- -max_total_time="$SECONDS_PER_TARGET" >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz target $target failed (crash, leak or build error); see above"
    exit 1
  fi
  grep -E '^Done [0-9]+ runs' "$log" || { tail -20 "$log"; echo "fuzz target $target did not run"; exit 1; }
done
