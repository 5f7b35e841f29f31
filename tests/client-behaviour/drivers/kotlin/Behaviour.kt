// The Kotlin driver of the client-behaviour suite (tests/client-behaviour): the Kotlin SDK's
// dev.sigwire.HttpClient, i.e. the Rust client (sigwire-client) behind UniFFI and JNA. Runs one
// scenario with a fresh client and prints its outcome as one JSON line {"name","ok","status","kind"}.
//
//   java -cp … dev.sigwire.behaviour.BehaviourKt <scenarios.json> <origin URL> <scenario name>
//
// Compiled with the SDK's test classes by `mvn verify` in sdk-kotlin (scripts/ci/uniffi.sh), which
// also writes the runtime classpath; drivers/kotlin.sh starts it and drivers/kotlin.json registers it.
package dev.sigwire.behaviour

import dev.sigwire.HttpClient
import dev.sigwire.HttpClientOptions
import dev.sigwire.SigwireException
import dev.sigwire.code
import dev.sigwire.test.JsonNumber
import dev.sigwire.test.parseJson
import java.io.File
import kotlin.system.exitProcess

/** The HTTP client's own error kinds; any other [SigwireException] of a call is a signature rejection. */
private val CLIENT_KINDS = setOf("timeout", "connect", "transport", "http_status", "clock_skew_too_large", "too_many_redirects", "decode")

@Suppress("UNCHECKED_CAST")
private fun Any?.obj(): Map<String, Any?> = this as? Map<String, Any?> ?: error("not a JSON object: $this")

private fun Map<String, Any?>.millis(key: String): ULong =
    (this[key] as? JsonNumber)?.toULong() ?: error("client setting '$key' is not a number")

/** A JSON string literal (the outcome's values are ASCII names; quotes and backslashes escaped anyway). */
private fun quote(s: String): String = "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""

/** The outcome line: the same fields, in the same order, as the other drivers print. */
private fun outcome(name: String, ok: Boolean, status: Int?, kind: String?, code: String? = null): String =
    "{\"name\": ${quote(name)}, \"ok\": $ok, \"status\": ${status ?: "null"}, \"kind\": ${kind?.let(::quote) ?: "null"}" +
        (code?.let { ", \"code\": ${quote(it)}" } ?: "") + "}"

/** Runs scenario [name] of the table at [tablePath] against [origin]; returns the outcome line. */
fun runScenario(tablePath: String, origin: String, name: String): String {
    val table = parseJson(File(tablePath).readText()).obj()
    val base = table["client"].obj()
    val scenario = (table["scenarios"] as List<*>).map { it.obj() }.firstOrNull { it["name"] == name }
        ?: error("no scenario named '$name' in $tablePath")
    val own = base + (scenario["client"]?.obj() ?: emptyMap())
    val options = HttpClientOptions(
        baseUrl = origin,
        keyId = base["key_id"] as String,
        maxAttempts = own.millis("max_attempts").toUInt(),
        baseDelayMs = own.millis("base_delay_ms"),
        maxDelayMs = own.millis("max_delay_ms"),
        attemptTimeoutMs = own.millis("attempt_timeout_ms"),
        totalTimeoutMs = own.millis("total_timeout_ms"),
    )
    HttpClient(options, (base["secret"] as String).encodeToByteArray()).use { client ->
        return try {
            val body = (scenario["body"] as String?)?.encodeToByteArray()
            val r = client.request(scenario["method"] as String, "/s/$name", body = body)
            outcome(name, ok = true, status = r.status.toInt(), kind = null)
        } catch (e: SigwireException) {
            val code = e.code
            val status = (e as? SigwireException.HttpStatus)?.status?.toInt()
            outcome(name, ok = false, status = status, kind = if (code in CLIENT_KINDS) code else "signature_rejected", code = code)
        }
    }
}

fun main(args: Array<String>) {
    if (args.size != 3) {
        System.err.println("usage: BehaviourKt <scenarios.json> <origin URL> <scenario name>")
        exitProcess(2)
    }
    println(runScenario(args[0], args[1], args[2]))
}
