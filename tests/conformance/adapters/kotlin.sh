#!/usr/bin/env bash
# Conformance adapter "kotlin": the Kotlin SDK (UniFFI bindings over the Rust core) on the JVM.
# The adapter itself is _kotlin/Adapter.kt, compiled by _kotlin/build.sh (scripts/ci/conformance.sh
# runs it). Environment:
#   SIGWIRE_KOTLIN_CLASSPATH  the classpath to run (default: the one _kotlin/build.sh wrote into
#                             <repo>/build/conformance/kotlin/classpath)
#   SIGWIRE_UNIFFI_LIB_DIR    the folder holding libsigwire_uniffi.so (default <repo>/target/uniffi/debug)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
CP="${SIGWIRE_KOTLIN_CLASSPATH:-}"
if [ -z "$CP" ]; then
  f="$ROOT/build/conformance/kotlin/classpath"
  [ -f "$f" ] || { echo "kotlin adapter: not built; run tests/conformance/adapters/_kotlin/build.sh (see its header)" >&2; exit 1; }
  CP="$(cat "$f")"
fi
exec java -Xss4m -XX:+UseSerialGC -Djna.library.path="${SIGWIRE_UNIFFI_LIB_DIR:-$ROOT/target/uniffi/debug}" \
  -cp "$CP" dev.sigwire.conformance.AdapterKt
