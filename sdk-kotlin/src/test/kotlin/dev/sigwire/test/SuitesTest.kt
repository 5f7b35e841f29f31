// The test suites under JUnit 5 (Maven Surefire): each suite runs once through its TestRun, and
// every check it made becomes one dynamic test, failing with what the check threw.
package dev.sigwire.test

import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import java.io.File

class SuitesTest {
    private val vectors = File(System.getProperty("sigwire.vectors.dir") ?: "../tests/vectors")

    /** Runs [suite]; a suite that dies outside a check (setup, server start) is one failed test. */
    private fun checks(suite: (TestRun) -> Unit): List<DynamicTest> {
        val run = TestRun()
        run.test("suite ran to the end") { suite(run) }
        return run.results.map { (name, thrown) ->
            DynamicTest.dynamicTest(name) { if (thrown != null) throw thrown }
        }
    }

    @TestFactory
    fun vectors() = checks { vectorTests(it, vectors) }

    @TestFactory
    fun api() = checks(::apiTests)

    @TestFactory
    fun fastSigner() = checks(::fastSignerTests)

    @TestFactory
    fun liveHttp() = checks(::liveHttpTests)

    @TestFactory
    fun httpClient() = checks(::httpClientTests)

    @TestFactory
    fun suspendHttpClient() = checks(::suspendClientTests)

    @TestFactory
    fun readme() = checks(::readmeExample)

    @TestFactory
    fun headerPolicy() = checks(::headerPolicyTests)
}
