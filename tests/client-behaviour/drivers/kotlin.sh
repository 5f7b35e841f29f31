#!/usr/bin/env bash
# Starts the Kotlin driver (kotlin/Behaviour.kt) on the JVM: the SDK's classes, its test classes
# (where `mvn verify` in sdk-kotlin compiled the driver) and the runtime classpath the same build
# wrote to sdk-kotlin/target/behaviour-classpath.txt. Arguments: <scenarios.json> <origin> <name>.
set -euo pipefail
SDK="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../sdk-kotlin" && pwd)"
CP="$SDK/target/test-classes:$SDK/target/classes:$(cat "$SDK/target/behaviour-classpath.txt")"
# One short-lived JVM per scenario: no JIT tiers beyond C1, a small heap, no class-data sharing dump.
exec java -XX:TieredStopAtLevel=1 -Xshare:auto -Xmx256m -cp "$CP" dev.sigwire.behaviour.BehaviourKt "$@"
