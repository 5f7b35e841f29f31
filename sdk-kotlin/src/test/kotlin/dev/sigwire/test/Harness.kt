// A tiny test harness: named checks, a pass/fail count, a non-zero exit on any failure.
package dev.sigwire.test

import dev.sigwire.SigwireException
import dev.sigwire.code
import java.util.Base64
import kotlin.reflect.KClass

/** Runs named tests, prints each result and counts them. */
class TestRun {
    /** Tests that passed. */
    var passed = 0
        private set

    /** Tests that failed (an assertion failed or anything was thrown). */
    var failed = 0
        private set

    /** Names and reasons of the failed tests, for the summary. */
    val failures = mutableListOf<String>()

    /** Every test run so far, in order: its name and what it threw (null when it passed). */
    val results = mutableListOf<Pair<String, Throwable?>>()

    /** Prints a section header. */
    fun section(title: String) = println("\n-- $title")

    /** Runs [body] as the test [name]; any throwable is a failure. */
    fun test(name: String, body: () -> Unit) {
        try {
            body()
            passed++
            results += name to null
            println("ok   $name")
        } catch (t: Throwable) {
            failed++
            results += name to t
            val reason = "${t::class.qualifiedName}: ${t.message}"
            failures += "$name: $reason"
            println("FAIL $name: $reason")
        }
    }
}

/** Thrown by the assertions below. */
class AssertionFailed(message: String) : AssertionError(message)

/** Fails unless [condition] holds. */
fun assertTrue(condition: Boolean, what: () -> String) {
    if (!condition) throw AssertionFailed(what())
}

/** Fails unless [actual] equals [expected]. */
fun <T> assertEq(expected: T, actual: T, what: String) {
    if (expected != actual) throw AssertionFailed("$what: expected <$expected>, got <$actual>")
}

/**
 * Runs [block], which must throw a [SigwireException] of class [kind] with machine code [code];
 * returns the exception for further checks.
 */
fun <E : SigwireException> expectSigwire(kind: KClass<E>, code: String, block: () -> Unit): E {
    try {
        block()
    } catch (e: SigwireException) {
        assertTrue(kind.isInstance(e)) { "expected ${kind.simpleName}, got ${e::class.simpleName} ($e)" }
        assertEq(code, e.code, "machine code")
        @Suppress("UNCHECKED_CAST")
        return e as E
    }
    throw AssertionFailed("expected ${kind.simpleName} ($code), nothing was thrown")
}

/** Decodes lowercase or uppercase hex. */
fun hex(text: String): ByteArray {
    require(text.length % 2 == 0) { "odd-length hex" }
    return ByteArray(text.length / 2) { text.substring(2 * it, 2 * it + 2).toInt(16).toByte() }
}

/** Decodes standard base64. */
fun b64(text: String): ByteArray = Base64.getDecoder().decode(text)
