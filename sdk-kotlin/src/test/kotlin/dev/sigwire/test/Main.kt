// The Kotlin test program: `java ... dev.sigwire.test.MainKt [vectors-dir]`.
// Prints one line per test and ends with exactly `N passed, N failed`; exits 1 on any failure.
package dev.sigwire.test

import java.io.File
import kotlin.system.exitProcess

/** Runs every suite; the first argument is the vectors folder (default `tests/vectors`). */
fun main(args: Array<String>) {
    val vectors = File(args.firstOrNull() ?: "tests/vectors")
    val run = TestRun()
    val suites = listOf<Pair<String, (TestRun) -> Unit>>(
        "vectors" to { r -> vectorTests(r, vectors) },
        "api" to ::apiTests,
        "fast signer" to ::fastSignerTests,
        "live http" to ::liveHttpTests,
        "http client" to ::httpClientTests,
        "suspend http client" to ::suspendClientTests,
        "readme" to ::readmeExample,
    )
    for ((name, suite) in suites) {
        // A suite that dies outside a test (setup, server start) counts as one failure.
        run.test("suite '$name' ran to the end") { suite(run) }
    }
    println()
    if (run.failures.isNotEmpty()) {
        println("failures:")
        run.failures.forEach { println("  $it") }
    }
    println("${run.passed} passed, ${run.failed} failed")
    exitProcess(if (run.failed == 0) 0 else 1)
}

/** Runs `main()` of the README's Kotlin example (compiled from README.md as `ReadmeExample.kt`). */
fun readmeExample(run: TestRun) {
    run.section("README example")
    run.test("sdk-kotlin/README.md Kotlin example compiles and runs") {
        val example = Class.forName("ReadmeExampleKt").getMethod("main", Array<String>::class.java)
        try {
            example.invoke(null, arrayOf<String>())
        } catch (e: java.lang.reflect.InvocationTargetException) {
            throw e.targetException
        }
    }
}
