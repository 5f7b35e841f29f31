#!/usr/bin/env bash
# scripts/bench section (issue 17 parts 4 and 5): the Kotlin SDK's sign of the POST 1 KiB request
# beside javax.crypto.Mac HMAC-SHA256 + SHA-256 of the same bytes, in one JVM run
# (sdk-kotlin/bench/KotlinSignBench.java, a single-file Java program over the SDK jar).
#
# Needs the SDK jar that the uniffi CI step builds (sdk-kotlin/target/sigwire-kotlin-0.1.0.jar:
# run `bash scripts/ci/uniffi.sh` once), a JDK >= 11 and Maven (for the jar's classpath: Kotlin
# stdlib, JNA 5.19.1 from Maven Central). Builds the UniFFI library optimised
# (`cargo build --release -p sigwire-uniffi`, into $CARGO_TARGET_DIR, default target/) and loads it
# instead of the jar's debug copy. KOTLIN_BENCH_MS (default 2000) is the time per case.
# Prints ROW lines (see scripts/bench); never asserts a timing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JAR="$ROOT/sdk-kotlin/target/sigwire-kotlin-0.1.0.jar"
OUT="${BENCH_LOG_DIR:-$ROOT/build/bench}"
mkdir -p "$OUT"
if [ ! -f "$JAR" ]; then
  echo "kotlin: $JAR is missing; build it with: bash scripts/ci/uniffi.sh" >&2
  exit 1
fi
command -v java >/dev/null && command -v mvn >/dev/null || {
  echo "kotlin: needs java (>= 11) and mvn on PATH (apt-get install default-jdk-headless maven)" >&2
  exit 1
}
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
echo "== cargo build --release -p sigwire-uniffi (into $TARGET)" >&2
CARGO_TARGET_DIR="$TARGET" cargo build --locked --release -p sigwire-uniffi >&2
echo "== the SDK's runtime classpath (Maven)" >&2
mvn -q -B -ntp -f "$ROOT/sdk-kotlin/pom.xml" dependency:build-classpath \
  -Dmdep.outputFile="$OUT/kotlin-classpath.txt" -Dmdep.includeScope=runtime >&2
CP="$JAR:$(cat "$OUT/kotlin-classpath.txt")"
# jna.library.path first: JNA then loads the optimised library, not the jar's debug copy.
java -Djna.library.path="$TARGET/release" -Djna.nosys=true -cp "$CP" \
  "$ROOT/sdk-kotlin/bench/KotlinSignBench.java" "${KOTLIN_BENCH_MS:-2000}"
