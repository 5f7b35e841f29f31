#!/usr/bin/env bash
# The Kotlin SDKs of sigwire-gen (issue 16), run by scripts/ci/gen.sh with GEN (the generator),
# SERVER (the example server), WORK (the gen step's work dir) exported; works alone too
# (`GEN=… SERVER=… bash gen/ci/kotlin.sh`).
#
#  1. the Sigwire Kotlin SDK artifact (dev.sigwire:sigwire-kotlin, built by scripts/ci/uniffi.sh)
#     into the local Maven repository;
#  2. generates Kotlin for gen/examples/payments.yaml, every edge-case spec in gen/tests/specs and
#     the Petstore 3.0/3.1 examples, and compiles them all against the SDK in one Maven build
#     (gen/corpus/check-kotlin: kotlin-maven-plugin + the kotlinx-serialization plugin);
#  3. builds the generated Payments project with its own pom.xml (mvn install) and a JVM program
#     depending on it (gen/live/kotlin), then runs it against the example server: every
#     operation blocking and suspend, signed ones verified by the server, health without
#     Authorization and without credentials, Sequence and Flow paginators over every page, typed
#     exceptions for 404/409/422, unknown enum values and union tags kept.
# Maven resolves from Maven Central once (~/.m2); later runs find everything there.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/ci/lib.sh"
cd "$ROOT"
START=$(date +%s)
: "${GEN:?GEN (the sigwire-gen binary) is required}" "${SERVER:?SERVER (the example server binary) is required}"
WORK="${WORK:-$ROOT/build/gen}"
KW="$WORK/kotlin"
rm -rf "$KW/sdks" "$KW/live"
mkdir -p "$KW/sdks"
SERVER_PID=""
cleanup() { if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

command -v java >/dev/null && command -v mvn >/dev/null || apt_install openjdk-17-jdk-headless maven
SDK_JAR="$ROOT/sdk-kotlin/target/sigwire-kotlin-0.1.0.jar"
if [ ! -f "$SDK_JAR" ]; then
  echo "no $SDK_JAR yet: building the Kotlin SDK (scripts/ci/uniffi.sh)"
  SIGWIRE_UNIFFI_CLIPPY=0 CARGO_TARGET_DIR="$ROOT/target/uniffi" bash scripts/ci/uniffi.sh
fi
# The jar this checkout built, so the generated SDKs compile against the current bindings.
mvn -B -q -ntp install:install-file -Dfile="$SDK_JAR" -DpomFile="$ROOT/sdk-kotlin/pom.xml"
echo "SDK: dev.sigwire:sigwire-kotlin:0.1.0 installed from $SDK_JAR"

echo "--- generate + compile: payments, every edge-case spec, Petstore 3.0 and 3.1"
T0=$(date +%s)
PKGS=()
for spec in gen/examples/payments.yaml gen/tests/specs/*.yaml; do
  n="$(basename "$spec" .yaml)"
  name="$n"
  [ "$n" = payments ] && name=payments-api
  "$GEN" generate "$spec" --lang kotlin --name "$name" --out "$KW/sdks/$n" >/dev/null
  PKGS+=("$KW/sdks/$n")
done
# Generation is deterministic: the same spec twice gives byte-identical trees.
"$GEN" generate gen/examples/payments.yaml --lang kotlin --name payments-api --out "$KW/again" >/dev/null
diff -r "$KW/sdks/payments" "$KW/again" >/dev/null || { echo "Kotlin generation is not deterministic" >&2; exit 1; }
rm -rf "$KW/again"
# In the Kotlin daemon with default settings: the one scripts/ci/uniffi.sh's `mvn verify` started
# (kotlin-maven-plugin 2.2 compiles in a daemon by default) is reused warm, as by the builds below.
CHECK_KOTLIN_DAEMON=1 CHECK_KOTLIN_DAEMON_HEAP= gen/corpus/check-kotlin "$KW/check" "${PKGS[@]}" 2>"$KW/check.log" | tee "$KW/check.txt"
PASSED=$(grep -c '^PASS ' "$KW/check.txt" || true)
if [ "$PASSED" != "${#PKGS[@]}" ]; then
  tail -40 "$KW/check.log" >&2
  echo "Kotlin: only $PASSED of ${#PKGS[@]} generated packages compile" >&2
  exit 1
fi
echo "Kotlin: ${#PKGS[@]} generated packages compile against the SDK ($(( $(date +%s) - T0 ))s)"

echo "--- the Payments SDK as a Maven artifact, and the live JVM test depending on it"
T0=$(date +%s)
mvn -B -q -ntp -f "$KW/sdks/payments/pom.xml" install
cp -r gen/live/kotlin "$KW/live"
mvn -B -q -ntp -f "$KW/live/pom.xml" compile dependency:build-classpath -Dmdep.outputFile="$KW/live/classpath.txt"
CP="$KW/live/target/classes:$(cat "$KW/live/classpath.txt")"
echo "built ($(( $(date +%s) - T0 ))s)"

KEY_ID="ci-kotlin"
SECRET="ci-kotlin-secret-$(date +%s%N)-0123456789"
"$SERVER" --port 0 --key-id "$KEY_ID" --secret "$SECRET" > "$KW/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q "listening on" "$KW/server.log" && break; sleep 0.1; done
URL="$(sed -n 's/^listening on //p' "$KW/server.log" | head -1)"
[ -n "$URL" ] || { cat "$KW/server.log"; exit 1; }
echo "example server at $URL"
env -u PAYMENTS_API_KEY_ID -u PAYMENTS_API_SECRET PAYMENTS_API_BASE_URL="$URL/v1" java -cp "$CP" live.LiveKt anonymous
PAYMENTS_API_BASE_URL="$URL/v1" PAYMENTS_API_KEY_ID="$KEY_ID" PAYMENTS_API_SECRET="$SECRET" java -cp "$CP" live.LiveKt
kill "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""
echo "gen/ci/kotlin.sh: passed in $(( $(date +%s) - START ))s"
