// Live requests with java.net.http.HttpClient to the verifying server on 127.0.0.1.
package dev.sigwire.test

import dev.sigwire.KeyStore
import dev.sigwire.SERVER_TIME_HEADER
import dev.sigwire.Signer
import dev.sigwire.signedWith
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration

private val LIVE_SECRET = "live-secret-0123456789abcdef0123".toByteArray()

/** The live HTTP tests. */
fun liveHttpTests(run: TestRun) {
    run.section("live HTTP: java.net.http.HttpClient -> HttpServer on 127.0.0.1 verifying with the Kotlin Verifier")
    val keys = KeyStore().apply { insert("live-client", LIVE_SECRET) }
    val server = VerifyingServer(keys)
    val client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build()
    val signer = Signer("live-client", LIVE_SECRET, signedHeaders = listOf("X-Request-Id"))
    fun send(request: HttpRequest): HttpResponse<String> = client.send(request, HttpResponse.BodyHandlers.ofString())
    fun get(path: String) = HttpRequest.newBuilder(URI.create(server.baseUrl + path)).header("X-Request-Id", "r-1").GET().build()
    fun post(path: String, body: ByteArray) = HttpRequest.newBuilder(URI.create(server.baseUrl + path))
        .header("Content-Type", "application/json").header("X-Request-Id", "r-2")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build()
    fun expectError(response: HttpResponse<String>, status: Int, code: String) {
        assertEq(status, response.statusCode(), "status (body ${response.body()})")
        assertEq("""{"error":"$code"}""", response.body(), "body")
        val serverTime = response.headers().firstValue(SERVER_TIME_HEADER).orElse("")
        assertTrue(serverTime.toLongOrNull()?.let { kotlin.math.abs(it - System.currentTimeMillis() / 1000) <= 5 } == true) {
            "$SERVER_TIME_HEADER: '$serverTime'"
        }
    }

    try {
        run.test("signed GET with a query -> 200") {
            val response = send(get("/v1/orders?limit=10&q=hello%20world&tag=a+b").signedWith(signer))
            assertEq(200, response.statusCode(), "status (body ${response.body()})")
            assertTrue(response.body().contains("\"keyId\":\"live-client\"")) { response.body() }
        }
        run.test("signed POST with a JSON body -> 200, the server saw the exact bytes") {
            val body = """{"amount":"100.00","currency":"EUR","note":"caf\u00e9"}""".toByteArray()
            val response = send(post("/v1/payments", body).signedWith(signer, body))
            assertEq(200, response.statusCode(), "status (body ${response.body()})")
            assertTrue(response.body().contains("\"bodyBytes\":${body.size}")) { response.body() }
        }
        run.test("the same signed request twice -> 401 replayed_nonce with the server time header") {
            val request = get("/v1/orders").signedWith(signer)
            assertEq(200, send(request).statusCode(), "first")
            expectError(send(request), 401, "replayed_nonce")
        }
        run.test("unsigned request -> 401 missing_authorization") {
            expectError(send(get("/v1/orders")), 401, "missing_authorization")
        }
        run.test("signed with the wrong secret -> 401 signature_mismatch") {
            Signer("live-client", "wrong-secret-0123456789abcdef".toByteArray()).use { wrong ->
                expectError(send(get("/v1/orders").signedWith(wrong)), 401, "signature_mismatch")
            }
        }
        run.test("body changed after signing -> 401 signature_mismatch") {
            val signedBody = """{"amount":1}""".toByteArray()
            val sentBody = """{"amount":9}""".toByteArray()
            val auth = post("/v1/payments", signedBody).signedWith(signer, signedBody).headers().firstValue("Authorization").get()
            val tampered = HttpRequest.newBuilder(post("/v1/payments", sentBody)) { _, _ -> true }.header("Authorization", auth).build()
            expectError(send(tampered), 401, "signature_mismatch")
        }
        run.test("timestamp 1000 s in the past -> 401 stale_timestamp") {
            val stale = System.currentTimeMillis() / 1000 - 1000
            expectError(send(get("/v1/orders").signedWith(signer, timestamp = stale.toULong())), 401, "stale_timestamp")
        }
        run.test("garbage Authorization header -> 401 malformed_authorization") {
            val request = HttpRequest.newBuilder(URI.create(server.baseUrl + "/v1/orders")).header("Authorization", "HMAC nope").build()
            expectError(send(request), 401, "malformed_authorization")
        }
        run.test("rotation on the server: the old secret keeps working during the grace period") {
            val newSecret = "live-secret-rotated-0123456789ab".toByteArray()
            keys.rotate("live-client", newSecret, (System.currentTimeMillis() / 1000 + 3600).toULong())
            assertEq(200, send(get("/v1/orders").signedWith(signer)).statusCode(), "old secret")
            Signer("live-client", newSecret, signedHeaders = listOf("X-Request-Id")).use { rotated ->
                assertEq(200, send(get("/v1/orders").signedWith(rotated)).statusCode(), "new secret")
            }
        }
    } finally {
        server.close()
        signer.close()
    }
}
