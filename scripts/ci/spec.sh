#!/usr/bin/env bash
# The independent Python implementation written from SPEC.md reproduces every vector.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
step "spec re-implementation (plain Python, stdlib only)"
VENV="$ROOT/build/venv-spec"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q pytest jsonschema
"$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/spec_reimpl tests/vectors/schema
