#!/usr/bin/env bash
# Checks the generated Swift bindings against the built library without a Swift compiler
# (Debian has none): clang compiles SigwireFFI.h and imports the SigwireFFI module map, every
# function the header declares is exported by the library and vice versa, Sigwire.swift calls only
# declared functions, and the library's contract version and API checksums are the ones
# Sigwire.swift verifies at load time. See check_header.py for the details.
#
#   sdk-swift/check-header.sh BINDINGS_DIR path/to/libsigwire_uniffi.so
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ $# -eq 2 ] || { echo "usage: $0 BINDINGS_DIR LIBRARY" >&2; exit 2; }
command -v clang >/dev/null || { echo "check-header.sh: clang is required (apt-get install clang)" >&2; exit 1; }
WORK="$(mktemp -d /tmp/sigwire-swift-check.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
python3 "$HERE/check_header.py" "$1" "$2" --cc clang --work "$WORK"
