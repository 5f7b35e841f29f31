#!/usr/bin/env bash
# scripts/bench section: the Rust core. Sign and verify (with the replay insert) of the two typical
# requests against raw HMAC-SHA256 + SHA-256 of the same bytes, and the replay store's bytes per
# nonce and insert cost at 10^3..10^6 live entries. Prints ROW lines (see scripts/bench).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cargo bench --locked -p sigwire-core --bench sign_verify
cargo bench --locked -p sigwire-core --bench replay_store
