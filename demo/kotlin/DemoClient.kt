// Demo client: the Kotlin SDK (UniFFI bindings over the Rust core, loaded with JNA) on the JVM.
//
// 1. signs the fixed request offline (fixed timestamp and nonce) with Signer.signAt;
// 2. sends a live signed request (fresh timestamp and nonce) to the demo server with
//    java.net.http.HttpClient + HttpRequest.signedWith, and reads the server's verdict.
// Prints one JSON line. The fixed request comes from the environment (SIGWIRE_DEMO_*), set by
// demo/orchestrator.py. Compiled and run by scripts/demo (kotlinc, no Gradle).
@file:JvmName("DemoClient")

package dev.sigwire.demo

import dev.sigwire.Signer
import dev.sigwire.SigwireRequest
import dev.sigwire.of
import dev.sigwire.signAt
import dev.sigwire.signedWith
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import kotlin.system.exitProcess

private fun env(name: String): String =
    System.getenv(name) ?: throw IllegalStateException("$name is not set (run the demo through scripts/demo)")

private fun hexToBytes(hex: String): ByteArray {
    require(hex.length % 2 == 0) { "SIGWIRE_DEMO_SECRET_HEX is not hex" }
    return ByteArray(hex.length / 2) { i -> hex.substring(2 * i, 2 * i + 2).toInt(16).toByte() }
}

/** A JSON string literal. */
private fun quote(s: String?): String {
    if (s == null) return "null"
    val b = StringBuilder("\"")
    for (c in s) {
        when {
            c == '"' -> b.append("\\\"")
            c == '\\' -> b.append("\\\\")
            c == '\n' -> b.append("\\n")
            c < ' ' -> b.append(String.format("\\u%04x", c.code))
            else -> b.append(c)
        }
    }
    return b.append('"').toString()
}

/** One string field of the server's flat JSON answer (the echo or {"error": code}). */
private fun field(json: String, name: String): String? =
    Regex("\"" + Regex.escape(name) + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").find(json)?.groupValues?.get(1)

fun main() {
    try {
        val keyId = env("SIGWIRE_DEMO_KEY_ID")
        val secret = hexToBytes(env("SIGWIRE_DEMO_SECRET_HEX"))
        val contentType = env("SIGWIRE_DEMO_CONTENT_TYPE")
        val body = env("SIGWIRE_DEMO_BODY").toByteArray(Charsets.UTF_8)
        val signer = Signer(keyId, secret, env("SIGWIRE_DEMO_ALGORITHM"))

        // 1. The fixed request, offline.
        val fixedRequest = SigwireRequest.of(
            env("SIGWIRE_DEMO_METHOD"), env("SIGWIRE_DEMO_URL"), listOf("Content-Type" to contentType), body,
        )
        val fixed = signer.signAt(fixedRequest, env("SIGWIRE_DEMO_TIMESTAMP").toULong(), env("SIGWIRE_DEMO_NONCE"))

        // 2. The live request, signed with a fresh timestamp and nonce right before sending.
        val request = HttpRequest.newBuilder(URI.create(env("SIGWIRE_DEMO_LIVE_URL")))
            .version(HttpClient.Version.HTTP_1_1)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build()
            .signedWith(signer, body)
        val client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
        val response = client.send(request, HttpResponse.BodyHandlers.ofString())
        val answer = response.body()
        val accepted = response.statusCode() == 200 && field(answer, "key_id") != null
        val verdict = if (accepted) "accepted (key ${field(answer, "key_id")})"
        else "rejected: ${field(answer, "error") ?: answer.take(80)}"

        val runtime = "kotlin ${KotlinVersion.CURRENT} / JVM ${Runtime.version().feature()}"
        val via = "sigwire Kotlin SDK (UniFFI + JNA) Signer.signAt; live: java.net.http + HttpRequest.signedWith"
        println(
            "{" +
                "\"runtime\":${quote(runtime)}," +
                "\"via\":${quote(via)}," +
                "\"fixed_authorization\":${quote(fixed.authorization)}," +
                "\"fixed_signature\":${quote(fixed.signature)}," +
                "\"live_status\":${response.statusCode()}," +
                "\"live_verdict\":${quote(verdict)}," +
                "\"live_nonce\":${quote(if (accepted) field(answer, "nonce") else null)}," +
                "\"echo_body\":${quote(if (accepted) field(answer, "body")?.replace("\\\"", "\"") else null)}" +
                "}",
        )
    } catch (e: Exception) {
        System.err.println("kotlin client: $e")
        exitProcess(1)
    }
}
