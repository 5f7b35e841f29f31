#!/usr/bin/env bash
# Signing profiles (issue 14): AWS SigV4 against both AWS suites, RFC 9421 against the RFC's
# examples, webhook and exchange presets against the providers' documented examples, plus the
# profiles' unit tests and doctests. The AWS suites are read from $ROOT/../shared/vectors/aws-sigv4;
# with CI=true a missing folder fails the step instead of skipping.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
export CI="${CI:-true}"
step "cargo test: profile integration tests (core/tests/profiles_*.rs)"
# --nocapture shows how many AWS vectors pass per suite.
cargo test --locked -p sigwire-core --test 'profiles_*' -- --nocapture
step "cargo test: profile unit tests and doctests"
cargo test --locked -p sigwire-core --lib -q profiles::
cargo test --locked -p sigwire-core --doc -q profiles
if [ -x tests/profiles/run.sh ]; then
  step "differential tests (botocore, aws4)"
  bash tests/profiles/run.sh
fi
