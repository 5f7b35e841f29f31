// The Rust HTTP runtime (dev.sigwire.HttpClient) against the reference server binary
// (crate sigwire-server), whose path is in SIGWIRE_SERVER_BIN (scripts/ci/uniffi.sh builds it).
package dev.sigwire.test

import dev.sigwire.Header
import dev.sigwire.HttpClient
import dev.sigwire.HttpClientOptions
import dev.sigwire.HttpResponse
import dev.sigwire.SigwireException
import dev.sigwire.code
import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpRequest
import java.time.Duration
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.net.http.HttpClient as JdkHttpClient
import java.net.http.HttpResponse as JdkHttpResponse

private const val KEY_ID = "kt-client"
private const val SECRET_HEX = "6b742d7365637265742d303132333435363738396162636465663031323334"
private val SECRET = hex(SECRET_HEX)

/** The reference server's secret for [KEY_ID] (shared with the suspend tests). */
internal val CLIENT_SECRET: ByteArray get() = SECRET.copyOf()

/** A `sigwire-server` child process on 127.0.0.1 with test controls; closing stops it. */
class ReferenceServer(vararg extra: String) : AutoCloseable {
    private val process: Process
    private val jdk = JdkHttpClient.newBuilder().version(JdkHttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build()

    /** The server's port. */
    val port: Int

    /** `http://127.0.0.1:PORT`. */
    val baseUrl: String

    init {
        val bin = System.getenv("SIGWIRE_SERVER_BIN")
            ?: error("SIGWIRE_SERVER_BIN is not set (path of the sigwire-server binary; scripts/ci/uniffi.sh sets it)")
        val command = listOf(bin, "--port", "0", "--print-port", "--key", "$KEY_ID:$SECRET_HEX", "--exit-on-stdin-eof") + extra
        process = ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start()
        val reader = BufferedReader(InputStreamReader(process.inputStream))
        val pool = Executors.newSingleThreadExecutor()
        try {
            val line = pool.submit<String?> { reader.readLine() }.get(20, TimeUnit.SECONDS)
            port = line?.trim()?.toIntOrNull() ?: error("sigwire-server printed no port (got '$line')")
        } catch (e: Throwable) {
            process.destroyForcibly()
            throw e
        } finally {
            pool.shutdownNow()
        }
        baseUrl = "http://127.0.0.1:$port"
    }

    /** Calls a `/_control/...` endpoint; returns the parsed JSON answer (or null when empty). */
    fun control(method: String, path: String, json: String? = null): Map<String, Any?>? {
        val body = if (json == null) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofString(json)
        val request = HttpRequest.newBuilder(URI.create("$baseUrl/_control/$path")).timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json").method(method, body).build()
        val response = jdk.send(request, JdkHttpResponse.BodyHandlers.ofString())
        assertTrue(response.statusCode() in 200..299) { "control $method $path: HTTP ${response.statusCode()} ${response.body()}" }
        @Suppress("UNCHECKED_CAST")
        return if (response.body().isBlank()) null else parseJson(response.body()) as Map<String, Any?>
    }

    /** Adds a fault rule (`{"path":…, "times":…, "fault":{…}}`). */
    fun fault(json: String) {
        control("POST", "faults", json)
    }

    /** The nonces the server saw on [path], in order. */
    fun nonces(path: String): List<String> =
        control("GET", "nonces?path=$path")!!.obj("nonces").let { (it[path] as? List<*>).orEmpty().map { n -> n as String } }

    /** The request records of [path]. */
    @Suppress("UNCHECKED_CAST")
    fun requests(path: String): List<Map<String, Any?>> =
        control("GET", "requests?path=$path")!!.list("requests").map { it as Map<String, Any?> }

    override fun close() {
        runCatching { process.outputStream.close() } // --exit-on-stdin-eof
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}

/** Options with short limits so that every test is bounded in time. */
internal fun options(baseUrl: String, keyId: String = KEY_ID) = HttpClientOptions(
    baseUrl = baseUrl,
    keyId = keyId,
    defaultHeaders = listOf(Header("x-tenant", "acme")),
    connectTimeoutMs = 2_000uL,
    attemptTimeoutMs = 5_000uL,
    totalTimeoutMs = 10_000uL,
    maxAttempts = 3u,
    baseDelayMs = 10uL,
    maxDelayMs = 50uL,
)

@Suppress("UNCHECKED_CAST")
internal fun HttpResponse.json(): Map<String, Any?> = parseJson(body.decodeToString()) as Map<String, Any?>

/** Runs [block], which must throw a [SigwireException] of class [E]; returns it. */
private inline fun <reified E : SigwireException> expectClientError(code: String, noinline block: () -> Unit): E =
    expectSigwire(E::class, code, block)

/** The HttpClient tests. */
fun httpClientTests(run: TestRun) {
    run.section("HttpClient (Rust sigwire-client) -> sigwire-server on 127.0.0.1")
    ReferenceServer("--body-limit", "1024").use { server ->
        val client = HttpClient(options(server.baseUrl), SECRET)

        run.test("GET with query and headers -> 200, echo shows the signed request") {
            val response = client.request(
                "GET", "/v1/orders",
                query = listOf(Header("q", "a b+c"), Header("limit", "10")),
                headers = listOf(Header("x-request-id", "r-1")),
            )
            assertEq(200, response.status.toInt(), "status")
            assertEq(1u, response.attempts, "attempts")
            val echo = response.json()
            assertEq(KEY_ID, echo.str("key_id"), "key_id")
            assertEq("/v1/orders", echo.str("path"), "path")
            assertEq("q=a%20b%2Bc&limit=10", echo.str("query"), "query")
            assertTrue(response.headers.any { it.name == "content-type" }) { "headers: ${response.headers}" }
        }

        run.test("POST body bytes are sent and signed as given") {
            val body = """{"amount":100}""".toByteArray()
            val response = client.request("POST", "/v1/payments", headers = listOf(Header("content-type", "application/json")), body = body)
            val echo = response.json()
            assertEq("""{"amount":100}""", echo.str("body"), "body")
            assertEq("application/json", echo.str("content_type"), "content type")
        }

        run.test("retries re-sign: 503 twice, then 200 after 3 attempts with 3 distinct nonces") {
            server.fault("""{"path":"/retry","times":2,"fault":{"type":"status","status":503}}""")
            val response = client.request("GET", "/retry")
            assertEq(200, response.status.toInt(), "status")
            assertEq(3u, response.attempts, "attempts")
            val nonces = server.nonces("/retry")
            assertEq(3, nonces.size, "nonces seen ($nonces)")
            assertEq(3, nonces.toSet().size, "distinct nonces ($nonces)")
        }

        run.test("POST retried with one stable generated Idempotency-Key") {
            server.fault("""{"path":"/pay","times":1,"fault":{"type":"status","status":503}}""")
            val response = client.request("POST", "/pay", body = "x".toByteArray())
            assertEq(2u, response.attempts, "attempts")
            val keys = server.requests("/pay").map { it["idempotency_key"] as String? }
            assertEq(2, keys.size, "requests ($keys)")
            assertTrue(keys[0] != null && keys[0] == keys[1]) { "keys $keys" }
            assertEq(keys[0], response.json()["idempotency_key"], "echoed key")
        }

        run.test("POST with the caller's Idempotency-Key reuses it on the retry") {
            server.fault("""{"path":"/pay-own","times":1,"fault":{"type":"status","status":503}}""")
            val response = client.request("POST", "/pay-own", idempotencyKey = "order-42")
            assertEq(2u, response.attempts, "attempts")
            assertEq(listOf("order-42", "order-42"), server.requests("/pay-own").map { it["idempotency_key"] }, "keys")
        }

        run.test("POST without retries carries no Idempotency-Key and is not retried -> HttpStatus 503") {
            val once = HttpClient(options(server.baseUrl).copy(maxAttempts = 1u), SECRET)
            server.fault("""{"path":"/pay-once","times":1,"fault":{"type":"status","status":503}}""")
            val e = expectClientError<SigwireException.HttpStatus>("http_status") { once.request("POST", "/pay-once") }
            assertEq(503, e.status.toInt(), "status")
            assertEq(1u, e.attempts, "attempts")
            assertEq("""{"error":"injected_fault"}""", e.body.decodeToString(), "body")
            assertEq(listOf<Any?>(null), server.requests("/pay-once").map { it["idempotency_key"] }, "keys")
        }

        run.test("cross-origin redirect drops Authorization") {
            server.fault("""{"path":"/away","times":1,"fault":{"type":"redirect","location":"http://localhost:${server.port}/public/landing","status":307}}""")
            val response = client.request("GET", "/away")
            assertEq(200, response.status.toInt(), "status")
            assertEq(false, response.json()["authorization_present"], "authorization_present at the other origin")
            val records = server.requests("/public/landing")
            assertTrue(records.isNotEmpty() && records.all { it["authorization_present"] == false }) { "records $records" }
        }

        run.test("sign = false: no Authorization on any attempt, retried after a 503") {
            server.fault("""{"path":"/public/unsigned","times":1,"fault":{"type":"status","status":503}}""")
            val response = client.request("GET", "/public/unsigned", query = listOf(Header("q", "1")), sign = false)
            assertEq(200, response.status.toInt(), "status")
            assertEq(2u, response.attempts, "attempts (the 503 retried)")
            val echo = response.json()
            assertEq(false, echo["authorization_present"], "authorization_present")
            assertEq("q=1", echo.str("query"), "query")
            val records = server.requests("/public/unsigned")
            assertEq(2, records.size, "requests ($records)")
            assertTrue(records.all { it["authorization_present"] == false && it["nonce"] == null }) { "records $records" }
        }

        run.test("sign = false on a signed path -> MissingAuthorization from the server") {
            val e = expectClientError<SigwireException.MissingAuthorization>("missing_authorization") {
                client.request("GET", "/signed-only", sign = false)
            }
            assertTrue(e.serverTime != null) { "serverTime missing" }
            val records = server.requests("/signed-only")
            assertTrue(records.all { it["authorization_present"] == false }) { "records $records" }
            // The same client still signs when asked to (the flag is per call).
            assertEq(200, client.request("GET", "/signed-only").status.toInt(), "signed call afterwards")
        }

        run.test("sign = false: the attempt timeout still applies -> Timeout(kind=attempt)") {
            val quick = HttpClient(options(server.baseUrl).copy(attemptTimeoutMs = 300uL, maxAttempts = 1u), SECRET)
            server.fault("""{"path":"/public/slow","times":1,"fault":{"type":"delay","ms":3000}}""")
            val e = expectClientError<SigwireException.Timeout>("timeout") { quick.request("GET", "/public/slow", sign = false) }
            assertEq("attempt", e.kind, "kind")
        }

        run.test("attempt timeout fires -> Timeout(kind=attempt)") {
            val quick = HttpClient(options(server.baseUrl).copy(attemptTimeoutMs = 300uL, maxAttempts = 1u), SECRET)
            server.fault("""{"path":"/slow","times":1,"fault":{"type":"delay","ms":3000}}""")
            val started = System.nanoTime()
            val e = expectClientError<SigwireException.Timeout>("timeout") { quick.request("GET", "/slow") }
            val ms = (System.nanoTime() - started) / 1_000_000
            assertEq("attempt", e.kind, "kind")
            assertTrue(ms < 2_500) { "took $ms ms" }
        }

        run.test("total timeout fires -> Timeout(kind=total)") {
            val quick = HttpClient(options(server.baseUrl).copy(totalTimeoutMs = 400uL), SECRET)
            server.fault("""{"path":"/slow-total","times":3,"fault":{"type":"delay","ms":3000}}""")
            val e = expectClientError<SigwireException.Timeout>("timeout") { quick.request("GET", "/slow-total") }
            assertEq("total", e.kind, "kind")
        }

        run.test("body over the server's limit -> HttpStatus 413") {
            val e = expectClientError<SigwireException.HttpStatus>("http_status") {
                client.request("PUT", "/upload", body = ByteArray(2048) { 'a'.code.toByte() })
            }
            assertEq(413, e.status.toInt(), "status")
            assertEq(413, e.httpStatus().toInt(), "httpStatus()")
        }

        run.test("wrong secret -> SignatureMismatch with the server's time") {
            val wrong = HttpClient(options(server.baseUrl), "another-secret-0123456789abcdef".toByteArray())
            val e = expectClientError<SigwireException.SignatureMismatch>("signature_mismatch") { wrong.request("GET", "/x") }
            assertTrue(e.serverTime != null) { "serverTime missing" }
        }

        run.test("unknown key id -> UnknownKey") {
            val stranger = HttpClient(options(server.baseUrl, keyId = "nobody"), SECRET)
            expectClientError<SigwireException.UnknownKey>("unknown_key") { stranger.request("GET", "/x") }
        }

        run.test("connection refused -> Connect") {
            val port = ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()).use { it.localPort }
            val nowhere = HttpClient(options("http://127.0.0.1:$port").copy(maxAttempts = 2u), SECRET)
            val e = expectClientError<SigwireException.Connect>("connect") { nowhere.request("GET", "/x") }
            assertEq(2u, e.attempts, "attempts")
        }

        run.test("bad input -> typed exceptions (method, header, base URL, secret, algorithm)") {
            expectClientError<SigwireException.InvalidRequest>("invalid_request") { client.request("BAD METHOD", "/x") }
            expectClientError<SigwireException.InvalidRequest>("invalid_request") {
                client.request("GET", "/x", headers = listOf(Header("bad name", "v")))
            }
            expectClientError<SigwireException.InvalidConfig>("invalid_config") { HttpClient(options("not a url"), SECRET) }
            expectClientError<SigwireException.InvalidSecret>("invalid_secret") { HttpClient(options(server.baseUrl), ByteArray(8)) }
            expectClientError<SigwireException.UnsupportedAlgorithm>("unsupported_algorithm") {
                HttpClient(options(server.baseUrl).copy(algorithm = "hmac-md5"), SECRET)
            }
        }

        run.test("the secret never appears in toString() or error messages") {
            val secretText = SECRET.decodeToString()
            val texts = mutableListOf(client.toString(), options(server.baseUrl).toString())
            val wrong = HttpClient(options(server.baseUrl), "another-secret-0123456789abcdef".toByteArray())
            texts += runCatching { wrong.request("GET", "/x") }.exceptionOrNull().toString()
            texts += runCatching { client.request("GET", "/x", headers = listOf(Header("bad name", "v"))) }.exceptionOrNull().toString()
            for (t in texts) {
                assertTrue(!t.contains(secretText) && !t.contains(SECRET_HEX) && !t.contains("another-secret")) { "leaked in: $t" }
            }
            assertTrue(client.toString().contains("<redacted>")) { client.toString() }
        }
    }

    ReferenceServer("--clock-offset", "600").use { server ->
        run.test("server clock 600 s ahead: stale_timestamp corrected, call succeeds, offset applied") {
            val client = HttpClient(options(server.baseUrl), SECRET)
            val response = client.request("GET", "/skewed")
            assertEq(200, response.status.toInt(), "status")
            assertEq(2u, response.attempts, "attempts (one re-sign)")
            assertTrue(client.clockOffset() in 595L..605L) { "clockOffset ${client.clockOffset()}" }
            val again = client.request("GET", "/skewed")
            assertEq(1u, again.attempts, "next call signs with the corrected clock")
        }
    }
}
