#!/usr/bin/env bash
# The Swift packages (issue 16), run by scripts/ci/gen.sh with GEN (sigwire-gen) and WORK exported.
#
# No Swift compiler exists on this Debian machine. This generates a Swift package for
# gen/examples/payments.yaml, every edge-case spec and the Petstore 3.0/3.1 examples, and runs
# gen/corpus/check-swift over all of them: every file parsed with the tree-sitter Swift grammar
# (PyPI tree-sitter-swift, pinned; any ERROR or MISSING node fails) and every referenced type
# declared in the package or known (Swift, Foundation, the Sigwire SDK). What this does not
# verify is listed in gen/docs/swift.md.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/ci/lib.sh"
cd "$ROOT"
: "${GEN:?GEN must name the sigwire-gen binary}" "${WORK:?}"
START=$(date +%s)
SW="$WORK/swift"
mkdir -p "$SW"
command -v python3 >/dev/null || apt_install python3 python3-venv
python3 -c 'import venv' 2>/dev/null || apt_install python3-venv

step "swift: generate the Payments package, every edge-case spec and Petstore 3.0/3.1"
PKGS=()
for spec in gen/examples/payments.yaml gen/tests/specs/*.yaml; do
  n="$(basename "$spec" .yaml)"
  name="$n"
  [ "$n" = payments ] && name=payments-api
  rm -rf "${SW:?}/pkgs/$n"
  "$GEN" generate "$spec" --lang swift --name "$name" --out "$SW/pkgs/$n" >/dev/null
  PKGS+=("$SW/pkgs/$n")
done
echo "${#PKGS[@]} packages, $(find "$SW/pkgs" -name '*.swift' | wc -l) Swift files"

step "swift: tree-sitter Swift parse + declared-type check (gen/corpus/check-swift)"
python3 gen/corpus/check-swift "$SW/check" "${PKGS[@]}" | tee "$SW/check.txt"
if grep -q '^FAIL' "$SW/check.txt"; then exit 1; fi

# The calls into the SDK (HttpClientOptions, HttpClient, Header, requestAsync with `sign:`, the
# SigwireError.HttpStatus pattern) against the UniFFI bindings the uniffi step generated: argument
# labels in declared order, left-out parameters defaulted, fields and case arity as declared.
BINDINGS_SWIFT="${GEN_SWIFT_BINDINGS:-$ROOT/build/uniffi/Sigwire.swift}"
if [ -f "$BINDINGS_SWIFT" ]; then
  step "swift: SDK calls match the UniFFI bindings ($BINDINGS_SWIFT)"
  find "$SW/pkgs" -name '*.swift' -print0 | xargs -0 python3 gen/ci/swift_sdk_calls.py "$BINDINGS_SWIFT"
else
  echo "swift: SDK calls NOT checked against the bindings: no $BINDINGS_SWIFT (run the uniffi step first)"
fi
echo "swift: all checks passed in $(( $(date +%s) - START ))s"
