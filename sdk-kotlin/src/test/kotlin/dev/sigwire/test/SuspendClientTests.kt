// HttpClient.requestAsync (a UniFFI async export: a Kotlin suspend function over the Rust
// sigwire-client) against the reference server binary, with kotlinx-coroutines.
package dev.sigwire.test

import dev.sigwire.Header
import dev.sigwire.HttpClient
import dev.sigwire.SigwireException
import dev.sigwire.serverTime
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout

/** The suspend HttpClient tests. */
fun suspendClientTests(run: TestRun) {
    run.section("HttpClient.requestAsync (suspend) -> sigwire-server on 127.0.0.1")
    ReferenceServer().use { server ->
        val client = HttpClient(options(server.baseUrl), CLIENT_SECRET)

        run.test("suspend GET with query -> 200, signed and verified by the server") {
            val response = runBlocking {
                client.requestAsync("GET", "/v1/orders", query = listOf(Header("limit", "10")))
            }
            assertEq(200, response.status.toInt(), "status")
            assertEq(1u, response.attempts, "attempts")
            val echo = response.json()
            assertEq("/v1/orders", echo.str("path"), "path")
            assertEq("limit=10", echo.str("query"), "query")
        }

        run.test("suspend POST: body sent and signed, retried after a 503 with one Idempotency-Key") {
            server.fault("""{"path":"/s-pay","times":1,"fault":{"type":"status","status":503}}""")
            val response = runBlocking {
                client.requestAsync(
                    "POST", "/s-pay", headers = listOf(Header("content-type", "application/json")),
                    body = """{"amount":7}""".toByteArray(),
                )
            }
            assertEq(2u, response.attempts, "attempts")
            assertEq("""{"amount":7}""", response.json().str("body"), "body")
            val keys = server.requests("/s-pay").map { it["idempotency_key"] as String? }
            assertTrue(keys.size == 2 && keys[0] != null && keys[0] == keys[1]) { "keys $keys" }
        }

        run.test("suspend sign = false: sent without Authorization, retried after a 503") {
            server.fault("""{"path":"/public/s-unsigned","times":1,"fault":{"type":"status","status":503}}""")
            val response = runBlocking { client.requestAsync("GET", "/public/s-unsigned", sign = false) }
            assertEq(2u, response.attempts, "attempts")
            assertEq(false, response.json()["authorization_present"], "authorization_present")
            val records = server.requests("/public/s-unsigned")
            assertTrue(records.size == 2 && records.all { it["authorization_present"] == false }) { "records $records" }
        }

        run.test("calls do not block the caller's thread: 4 calls of 600 ms on one thread overlap") {
            server.fault("""{"path":"/s-par","times":4,"fault":{"type":"delay","ms":600}}""")
            val started = System.nanoTime()
            val statuses = runBlocking { // one thread: overlap only if nothing blocks it
                (1..4).map { async { client.requestAsync("GET", "/s-par").status.toInt() } }.awaitAll()
            }
            val ms = (System.nanoTime() - started) / 1_000_000
            assertEq(listOf(200, 200, 200, 200), statuses, "statuses")
            assertTrue(ms < 2_000) { "4 x 600 ms took $ms ms: the calls ran one after another" }
        }

        run.test("cancelling the coroutine aborts the call in Rust: no further attempt is sent") {
            // Each attempt hangs 3 s; the attempt limit is 1 s and 3 attempts are allowed, so an
            // un-cancelled call would send its second attempt about 1 s after the first.
            server.fault("""{"path":"/s-cancel","times":3,"fault":{"type":"delay","ms":3000}}""")
            val quick = HttpClient(options(server.baseUrl).copy(attemptTimeoutMs = 1_000uL, maxAttempts = 3u), CLIENT_SECRET)
            var outcome: Throwable? = null
            var cancelMs = 0L
            runBlocking {
                val job = launch(Dispatchers.Default) {
                    try {
                        quick.requestAsync("GET", "/s-cancel")
                    } catch (t: Throwable) {
                        outcome = t
                        throw t
                    }
                }
                // Cancel once the first attempt has reached the server.
                while (server.nonces("/s-cancel").isEmpty()) delay(20)
                val started = System.nanoTime()
                job.cancelAndJoin()
                cancelMs = (System.nanoTime() - started) / 1_000_000
                assertTrue(job.isCancelled) { "job not cancelled" }
            }
            assertTrue(outcome is CancellationException) { "the call ended with $outcome, not a CancellationException" }
            assertTrue(cancelMs < 500) { "cancellation took $cancelMs ms" }
            Thread.sleep(1_500) // longer than the second attempt would have waited
            val seen = server.nonces("/s-cancel")
            assertEq(1, seen.size, "attempts that reached the server ($seen)")
        }

        run.test("withTimeout around requestAsync -> TimeoutCancellationException, client still usable") {
            server.fault("""{"path":"/s-timeout","times":1,"fault":{"type":"delay","ms":3000}}""")
            val thrown = runCatching { runBlocking { withTimeout(200) { client.requestAsync("GET", "/s-timeout") } } }.exceptionOrNull()
            assertTrue(thrown is TimeoutCancellationException) { "got $thrown" }
            assertEq(200, runBlocking { client.requestAsync("GET", "/s-after") }.status.toInt(), "next call")
        }

        run.test("suspend errors are the same typed exceptions: SignatureMismatch, HttpStatus, InvalidRequest") {
            val wrong = HttpClient(options(server.baseUrl), "another-secret-0123456789abcdef".toByteArray())
            val mismatch = expectSigwire(SigwireException.SignatureMismatch::class, "signature_mismatch") {
                runBlocking { wrong.requestAsync("GET", "/x") }
            }
            assertTrue(mismatch.serverTime != null) { "serverTime missing" }
            server.fault("""{"path":"/s-404","times":1,"fault":{"type":"status","status":404}}""")
            val status = expectSigwire(SigwireException.HttpStatus::class, "http_status") {
                runBlocking { client.requestAsync("GET", "/s-404") }
            }
            assertEq(404, status.status.toInt(), "status")
            expectSigwire(SigwireException.InvalidRequest::class, "invalid_request") {
                runBlocking { client.requestAsync("BAD METHOD", "/x") }
            }
        }
    }
}
