#!/usr/bin/env bash
# The Rust SDKs (issue 16), run by scripts/ci/gen.sh with GEN (sigwire-gen), SERVER (the example
# server) and WORK (the gen step's work dir) exported:
#
#  1. generates a crate for gen/examples/payments.yaml, every edge-case spec in gen/tests/specs and
#     the Petstore 3.0/3.1 examples, and runs `cargo clippy --all-targets -D warnings` (which
#     type-checks like `cargo check`) over all of them at once: one cargo workspace in
#     $WORK/rust with one target dir, `[patch.crates-io]` pointing `sigwire-client` at client/;
#  2. builds gen/live/rust (the live test) and runs it against the example server: every operation
#     of the Payments API, signed ones accepted, the unsigned health check without Authorization,
#     the stream over every page, typed errors for 404/409/422.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/ci/lib.sh"
cd "$ROOT"
: "${GEN:?GEN must name the sigwire-gen binary}" "${SERVER:?SERVER must name the example server}" "${WORK:?}"
START=$(date +%s)
RW="$WORK/rust"
mkdir -p "$RW"
# The generated crates depend on `sigwire-client = "0.1"`; here it is the workspace's client/.
export CARGO_TARGET_DIR="${GEN_RUST_TARGET_DIR:-$ROOT/target/gen-rust}" CARGO_INCREMENTAL=0  # gen.sh passes target/uniffi

step "rust: generate the Payments crate, every edge-case spec and Petstore 3.0/3.1"
MEMBERS=()
for spec in gen/examples/payments.yaml gen/tests/specs/*.yaml; do
  n="$(basename "$spec" .yaml)"
  name="$n"
  [ "$n" = payments ] && name=payments-api
  rm -rf "${RW:?}/$n"
  "$GEN" generate "$spec" --lang rust --name "$name" --out "$RW/$n" >/dev/null
  MEMBERS+=("\"$n\"")
done
rm -rf "$RW/live"
cp -r gen/live/rust "$RW/live"
MEMBERS+=("\"live\"")
{
  echo "# Written by gen/ci/rust.sh: every generated crate and the live test, one target dir."
  echo "[workspace]"
  echo "resolver = \"2\""
  echo "members = [$(IFS=,; echo "${MEMBERS[*]}")]"
  echo
  echo "[patch.crates-io]"
  echo "sigwire-client = { path = \"$ROOT/client\" }"
} > "$RW/Cargo.toml"
# Start from the repository's lock file: the same dependency versions as the runtime's own build.
[ -f "$RW/Cargo.lock" ] || cp Cargo.lock "$RW/Cargo.lock"
echo "${#MEMBERS[@]} crates in $RW (the last is the live test)"

step "rust: cargo clippy --all-targets -D warnings over every generated crate"
T=$(date +%s)
if cargo clippy --version >/dev/null 2>&1; then
  (cd "$RW" && cargo clippy --workspace --all-targets -q -- -D warnings)
else
  echo "clippy is not installed: cargo check only"
  (cd "$RW" && RUSTFLAGS="-D warnings" cargo check --workspace --all-targets -q)
fi
echo "clippy (type-check + lints): $(( ${#MEMBERS[@]} - 1 )) generated crates clean in $(( $(date +%s) - T ))s"

step "rust: live test of the Payments crate against the example server (gen/live/rust)"
T=$(date +%s)
(cd "$RW" && cargo build -q -p payments-live)
echo "built in $(( $(date +%s) - T ))s"
KEY_ID="ci-rust-key"
SECRET="ci-rust-secret-$(date +%s%N)-0123456789"
"$SERVER" --port 0 --key-id "$KEY_ID" --secret "$SECRET" > "$RW/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$RW/server.log" && break; sleep 0.1; done
URL="$(sed -n 's/^listening on //p' "$RW/server.log" | head -1)"
[ -n "$URL" ] || { cat "$RW/server.log"; exit 1; }
PAYMENTS_API_BASE_URL="$URL/v1" PAYMENTS_API_KEY_ID="$KEY_ID" PAYMENTS_API_SECRET="$SECRET" \
  "$CARGO_TARGET_DIR/debug/payments-live"
kill "$SERVER_PID" 2>/dev/null || true
echo "rust: all checks passed in $(( $(date +%s) - START ))s"
