#!/usr/bin/env bash
# Compiles the Kotlin SDK without Gradle and runs the Kotlin test program on the JVM.
#
#   1. kotlinc: the generated UniFFI bindings (dev/sigwire/sigwire.kt) + the idiomatic layer
#      (src/main, src/jvm) -> $OUT/sigwire-kotlin.jar
#   2. kotlinc: the test program (src/test) and the README's Kotlin example
#      -> $OUT/sigwire-kotlin-tests.jar
#   3. java: runs dev.sigwire.test.MainKt over tests/vectors, with JNA loading
#      libsigwire_uniffi.so from $SIGWIRE_LIB_DIR. Its last line is `N passed, N failed`.
#
# Inputs (environment): KOTLINC (kotlinc from npm `kotlin-compiler`), JNA_JAR (Debian
# libjna-java: /usr/share/java/jna.jar), SIGWIRE_BINDINGS_DIR (uniffi-bindgen --out-dir),
# SIGWIRE_LIB_DIR (folder of libsigwire_uniffi.so), OUT (build folder). scripts/ci/uniffi.sh
# sets them all.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
: "${KOTLINC:?set KOTLINC to the kotlinc launcher}"
: "${SIGWIRE_BINDINGS_DIR:?set SIGWIRE_BINDINGS_DIR to the uniffi-bindgen output folder}"
: "${SIGWIRE_LIB_DIR:?set SIGWIRE_LIB_DIR to the folder holding libsigwire_uniffi.so}"
JNA_JAR="${JNA_JAR:-/usr/share/java/jna.jar}"
OUT="${OUT:-$ROOT/build/sdk-kotlin}"
KOTLIN_LIB="$(cd "$(dirname "$(readlink -f "$KOTLINC")")/../lib" && pwd)"
STDLIB="$KOTLIN_LIB/kotlin-stdlib.jar"
GENERATED="$SIGWIRE_BINDINGS_DIR/dev/sigwire/sigwire.kt"

for f in "$GENERATED" "$JNA_JAR" "$STDLIB" "$SIGWIRE_LIB_DIR/libsigwire_uniffi.so"; do
  [ -f "$f" ] || { echo "build-and-test.sh: missing $f" >&2; exit 1; }
done
mkdir -p "$OUT"

echo "kotlinc: bindings + idiomatic layer -> $OUT/sigwire-kotlin.jar"
mapfile -t LAYER < <(find "$HERE/src/main" "$HERE/src/jvm" -name '*.kt' | sort)
"$KOTLINC" -nowarn -jvm-target 17 -cp "$JNA_JAR" -d "$OUT/sigwire-kotlin.jar" "$GENERATED" "${LAYER[@]}"

echo "kotlinc: test program + the README's Kotlin example -> $OUT/sigwire-kotlin-tests.jar"
# The first ```kotlin block of README.md becomes ReadmeExample.kt; the test program runs its main().
mkdir -p "$OUT/readme"
awk '/^```kotlin$/ { inside = 1; next } /^```$/ { if (inside) exit } inside' "$HERE/README.md" >"$OUT/readme/ReadmeExample.kt"
grep -q '^fun main()' "$OUT/readme/ReadmeExample.kt" || { echo "README.md: no Kotlin example with fun main()" >&2; exit 1; }
mapfile -t TESTS < <(find "$HERE/src/test" -name '*.kt' | sort)
TESTS+=("$OUT/readme/ReadmeExample.kt")
"$KOTLINC" -nowarn -jvm-target 17 -cp "$OUT/sigwire-kotlin.jar:$JNA_JAR" -d "$OUT/sigwire-kotlin-tests.jar" "${TESTS[@]}"

echo "java: dev.sigwire.test.MainKt"
exec java -Djna.library.path="$SIGWIRE_LIB_DIR" \
  -cp "$OUT/sigwire-kotlin-tests.jar:$OUT/sigwire-kotlin.jar:$JNA_JAR:$STDLIB" \
  dev.sigwire.test.MainKt "$ROOT/tests/vectors"
