#!/usr/bin/env bash
# Differential tests of the aws-sigv4 profile against botocore (PyPI) and aws4 (npm) on random
# seeded requests. SEED=<n> replays a run; BOTOCORE_COUNT / AWS4_COUNT change the sizes.
# Installs into build/profiles-venv and tests/profiles/node_modules (both gitignored).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cargo build --locked -q -p sigwire-core --example sigv4_sign
BIN="$TARGET_DIR/debug/examples/sigv4_sign"

VENV="$ROOT/build/profiles-venv"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check -r tests/profiles/requirements.txt

(cd tests/profiles && npm ci --silent --no-audit --no-fund)

SEED="${SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
"$VENV/bin/python" tests/profiles/diff_botocore.py --binary "$BIN" --count "${BOTOCORE_COUNT:-3000}" --seed "$SEED"
node tests/profiles/diff_aws4.js --binary "$BIN" --count "${AWS4_COUNT:-2000}" --seed "$SEED"
