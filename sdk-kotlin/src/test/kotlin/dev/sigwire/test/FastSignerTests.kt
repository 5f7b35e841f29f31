// FastSigner (one native call, no JNA Structure) against the UniFFI Signer and Verifier.
package dev.sigwire.test

import dev.sigwire.FastSigner
import dev.sigwire.Header
import dev.sigwire.KeyStore
import dev.sigwire.SigwireException
import dev.sigwire.SigwireRequest
import dev.sigwire.Verifier
import dev.sigwire.of
import dev.sigwire.withHeader
import java.util.concurrent.Callable
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

private val FAST_SECRET = "fast-secret-0123456789abcdef0123".toByteArray()

/** The parameters of an `Authorization` value, by name. */
private fun params(authorization: String): Map<String, String> =
    Regex("""(\w+)="([^"]*)"""").findAll(authorization).associate { it.groupValues[1] to it.groupValues[2] }

/** The FastSigner tests. */
fun fastSignerTests(run: TestRun) {
    run.section("FastSigner: one native call per signature")
    val requests = listOf(
        SigwireRequest.of("POST", "https://api.example.com/v1/orders", listOf("Content-Type" to "application/json"), post1kBody()),
        SigwireRequest.of("GET", "https://api.example.com/v1/orders?limit=10&cursor=abc123&status=open", listOf("Accept" to "application/json")),
        SigwireRequest.of(
            "PUT", "https://api.example.com/v1/caf%C3%A9/%7Euser?q=a+b&x=%2F",
            listOf("Content-Type" to "text/plain; charset=utf-8", "X-Request-Id" to "r-1", "Accept" to "*/*"),
            "héllo".toByteArray(),
        ),
        SigwireRequest.of("DELETE", "http://127.0.0.1:8080/"),
    )

    run.test("byte-identical to Signer.signWith for the same timestamp and nonce (4 requests, 2 algorithms)") {
        for (algorithm in listOf("hmac-sha256", "hmac-sha512")) {
            FastSigner("fast-key", FAST_SECRET, algorithm, listOf("X-Request-Id")).use { fast ->
                for (request in requests) {
                    val withId = if (request.headers.any { it.name.equals("x-request-id", true) }) request else request.withHeader("X-Request-Id", "r-0")
                    val authorization = fast.authorization(withId)
                    val p = params(authorization)
                    assertEq("fast-key", p["apiKey"], "apiKey")
                    assertEq(algorithm, p["algorithm"], "algorithm")
                    val expected = fast.signer.signWith(withId, p.getValue("timestamp").toULong(), p.getValue("nonce")).authorization
                    assertEq(expected, authorization, "${withId.method} ${withId.url} ($algorithm)")
                }
            }
        }
    }

    run.test("verified by the Verifier; fresh nonce per call") {
        val keys = KeyStore().apply { insert("fast-key", FAST_SECRET) }
        val verifier = Verifier(keys)
        FastSigner("fast-key", FAST_SECRET).use { fast ->
            val nonces = mutableSetOf<String>()
            for (request in requests) {
                val authorization = fast.authorization(request)
                nonces += params(authorization).getValue("nonce")
                assertEq("fast-key", verifier.verify(request.withHeader("Authorization", authorization)).keyId, "keyId")
            }
            assertEq(requests.size, nonces.size, "distinct nonces")
        }
        verifier.close(); keys.close()
    }

    run.test("bad configuration and bad requests -> the same typed exceptions as Signer") {
        expectSigwire(SigwireException.InvalidSecret::class, "invalid_secret") { FastSigner("fast-key", ByteArray(4)) }
        expectSigwire(SigwireException.InvalidKeyId::class, "invalid_key_id") { FastSigner("", FAST_SECRET) }
        expectSigwire(SigwireException.UnsupportedAlgorithm::class, "unsupported_algorithm") { FastSigner("k", FAST_SECRET, "hmac-md5") }
        FastSigner("fast-key", FAST_SECRET, signedHeaders = listOf("X-Request-Id")).use { fast ->
            expectSigwire(SigwireException.InvalidRequest::class, "invalid_request") {
                fast.authorization(SigwireRequest.of("GET", "not a url"))
            }
            expectSigwire(SigwireException.InvalidRequest::class, "invalid_request") { // signed header missing
                fast.authorization(SigwireRequest.of("GET", "https://api.example.com/"))
            }
            expectSigwire(SigwireException.InvalidRequest::class, "invalid_request") { // non-ASCII signed value
                fast.authorization("GET", "https://api.example.com/", listOf(Header("X-Request-Id", "caf\u00e9")), ByteArray(0))
            }
        }
    }

    run.test("a value longer than the first output buffer (30 long signed header names) signs and verifies") {
        val names = (1..30).map { "x-a-rather-long-custom-header-%02d".format(it) }
        val request = names.fold(requests[0]) { r, name -> r.withHeader(name, "v") }
        val keys = KeyStore().apply { insert("fast-key", FAST_SECRET) }
        val verifier = Verifier(keys)
        FastSigner("fast-key", FAST_SECRET, "hmac-sha512", names).use { fast ->
            val authorization = fast.authorization(request)
            assertTrue(authorization.length > 600) { "length ${authorization.length}" }
            assertEq("fast-key", verifier.verify(request.withHeader("Authorization", authorization)).keyId, "keyId")
        }
        verifier.close(); keys.close()
    }

    run.test("thread-safe: 4 threads x 250 signatures, all distinct and verified") {
        val keys = KeyStore().apply { insert("fast-key", FAST_SECRET) }
        val verifier = Verifier(keys)
        val pool = Executors.newFixedThreadPool(4)
        FastSigner("fast-key", FAST_SECRET).use { fast ->
            val all = (1..4).map {
                pool.submit(Callable { (1..250).map { fast.authorization(requests[1]) } })
            }.flatMap { it.get(60, TimeUnit.SECONDS) }
            assertEq(1000, all.toSet().size, "distinct values")
            for (a in all) verifier.verify(requests[1].withHeader("Authorization", a))
        }
        pool.shutdown()
        verifier.close(); keys.close()
    }

    run.test("close() is idempotent; a closed FastSigner throws IllegalStateException; toString has no secret") {
        val fast = FastSigner("fast-key", FAST_SECRET)
        val text = fast.toString()
        assertTrue("fast-key" in text && FAST_SECRET.decodeToString() !in text) { text }
        fast.close()
        fast.close()
        val thrown = runCatching { fast.authorization(requests[1]) }.exceptionOrNull()
        assertTrue(thrown is IllegalStateException) { "got $thrown" }
    }
}
