#!/usr/bin/env bash
# README's first command, run as a test: five runtimes sign the same fixed request identically,
# send live requests to the Rust server, and a replay and a tampered body are rejected.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
step "scripts/demo"
bash scripts/demo
