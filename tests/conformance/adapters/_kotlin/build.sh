#!/usr/bin/env bash
# Builds the "kotlin" conformance adapter into $OUT (default <repo>/build/conformance/kotlin):
#   sigwire-kotlin.jar  the Kotlin SDK without Maven: the generated UniFFI bindings +
#                       sdk-kotlin/src/main + sdk-kotlin/src/jvm (sdk-kotlin/pom.xml builds the
#                       full SDK; this is the same code with the kotlinc that ships coroutines)
#   adapter.jar         Adapter.kt and Profiles.kt (next to this script), compiled against it
# and writes $OUT/classpath (what ../kotlin.sh runs). Nothing is recompiled when a hash of every
# input equals the previous build's.
#
# Inputs (environment): KOTLINC (kotlinc launcher; default: the one scripts/ci/uniffi.sh installs in
# build/kotlin-tools), SIGWIRE_BINDINGS_DIR (uniffi-bindgen --out-dir holding dev/sigwire/sigwire.kt),
# JNA_JAR (default /usr/share/java/jna.jar), OUT.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../../.." && pwd)"
KOTLINC="${KOTLINC:-$ROOT/build/kotlin-tools/node_modules/kotlin-compiler/bin/kotlinc}"
: "${SIGWIRE_BINDINGS_DIR:?set SIGWIRE_BINDINGS_DIR to the uniffi-bindgen output folder}"
JNA_JAR="${JNA_JAR:-/usr/share/java/jna.jar}"
OUT="${OUT:-$ROOT/build/conformance/kotlin}"
GENERATED="$SIGWIRE_BINDINGS_DIR/dev/sigwire/sigwire.kt"
KOTLIN_LIB="$(cd "$(dirname "$(readlink -f "$KOTLINC")")/../lib" && pwd)"
STDLIB="$KOTLIN_LIB/kotlin-stdlib.jar"
# The generated bindings' suspend functions (HttpClient.requestAsync) use kotlinx-coroutines, which
# ships in kotlinc's lib/.
COROUTINES="$KOTLIN_LIB/kotlinx-coroutines-core-jvm.jar"
for f in "$KOTLINC" "$GENERATED" "$JNA_JAR" "$STDLIB" "$COROUTINES"; do
  [ -e "$f" ] || { echo "kotlin adapter build: missing $f" >&2; exit 1; }
done
mkdir -p "$OUT"

mapfile -t LAYER < <(find "$ROOT/sdk-kotlin/src/main" "$ROOT/sdk-kotlin/src/jvm" -name '*.kt' | sort)
HASH="$( (cat "$GENERATED" "${LAYER[@]}" "$HERE/Adapter.kt" "$HERE/Profiles.kt"; "$KOTLINC" -version 2>&1; echo "$JNA_JAR") | sha256sum | cut -d' ' -f1)"
if [ -f "$OUT/inputs.sha256" ] && [ "$(cat "$OUT/inputs.sha256")" = "$HASH" ] && [ -f "$OUT/adapter.jar" ]; then
  echo "kotlin adapter: up to date ($OUT)"
else
  rm -f "$OUT/inputs.sha256"
  echo "kotlin adapter: kotlinc bindings + sdk-kotlin -> $OUT/sigwire-kotlin.jar"
  "$KOTLINC" -nowarn -jvm-target 17 -cp "$JNA_JAR:$COROUTINES" -d "$OUT/sigwire-kotlin.jar" "$GENERATED" "${LAYER[@]}"
  echo "kotlin adapter: kotlinc Adapter.kt Profiles.kt -> $OUT/adapter.jar"
  "$KOTLINC" -nowarn -jvm-target 17 -cp "$OUT/sigwire-kotlin.jar:$JNA_JAR" -d "$OUT/adapter.jar" "$HERE/Adapter.kt" "$HERE/Profiles.kt"
  echo "$HASH" >"$OUT/inputs.sha256"
fi
echo "$OUT/adapter.jar:$OUT/sigwire-kotlin.jar:$JNA_JAR:$STDLIB:$COROUTINES" >"$OUT/classpath"
