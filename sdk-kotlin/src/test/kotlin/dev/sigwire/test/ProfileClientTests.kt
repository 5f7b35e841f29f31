// HttpClient.withProfile (issue 14): the Rust sigwire-client signing every attempt with a signing
// profile, blocking and suspend, against local servers that check requests the way the provider
// documents it — computed here with javax.crypto, not with sigwire (as sdk-node's
// test/contract/profile-client.js does): retries re-sign, the clock is corrected from the server's
// time, RFC 9421 and SigV4 pass the Kotlin verifiers, and the options a profile client refuses.
package dev.sigwire.test

import dev.sigwire.AwsSigV4Signer
import dev.sigwire.AwsSigV4Verifier
import dev.sigwire.ClientProfile
import dev.sigwire.ExchangeSigner
import dev.sigwire.Header
import dev.sigwire.HttpClient
import dev.sigwire.HttpClientOptions
import dev.sigwire.ProfileException
import dev.sigwire.Rfc9421Signer
import dev.sigwire.Rfc9421Verifier
import dev.sigwire.SigwireException
import dev.sigwire.SigwireRequest
import dev.sigwire.code
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.BufferedInputStream
import java.io.ByteArrayOutputStream
import java.io.IOException
import java.io.InputStream
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.net.URLDecoder
import java.security.MessageDigest
import java.security.SecureRandom
import java.time.Instant
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.util.Collections
import java.util.Locale
import java.util.concurrent.Executors
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec

/** One request as a [ApiServer] received it. */
class Received(
    val method: String,
    val rawPath: String,
    val rawQuery: String,
    /** Header lines as received. */
    val headers: List<Header>,
    val body: ByteArray,
) {
    /** The first value of header [name], case-insensitive. */
    fun header(name: String): String? = headers.firstOrNull { it.name.equals(name, ignoreCase = true) }?.value

    /** The query parameters, decoded, in order (repeats kept). */
    fun params(): List<Pair<String, String>> = if (rawQuery.isEmpty()) listOf() else rawQuery.split('&').map {
        val eq = it.indexOf('=')
        val dec = { s: String -> URLDecoder.decode(s, Charsets.UTF_8) }
        if (eq < 0) dec(it) to "" else dec(it.substring(0, eq)) to dec(it.substring(eq + 1))
    }
}

/** The machine code of any [ProfileException] subclass (each carries `code`; the base does not). */
fun codeOf(e: ProfileException): String = e.javaClass.getMethod("getCode").invoke(e) as String

/** What a [ApiServer] answers: status, extra headers, JSON body. */
data class Reply(val status: Int, val json: String, val headers: Map<String, String> = mapOf())

/**
 * A local API on 127.0.0.1: a plain HTTP/1.1 server on a socket, one request per connection
 * (`Connection: close`), so that it can send its own `Date` (the JDK's HttpServer writes the
 * machine's). [handle] gets each request and its 1-based index. Every answer carries `Date`
 * (IMF-fixdate) at the server's clock, `now + clockAheadSeconds`: a server whose clock is ahead
 * looks exactly like one on another machine.
 */
class ApiServer(
    private val clockAheadSeconds: Long = 0,
    private val handle: (Received, Int) -> Reply,
) : AutoCloseable {
    /** Every request received, in order. */
    val seen: MutableList<Received> = Collections.synchronizedList(mutableListOf())
    private val socket = ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))
    private val pool = Executors.newCachedThreadPool()

    init {
        pool.execute {
            while (!socket.isClosed) {
                val connection = try { socket.accept() } catch (e: IOException) { break }
                pool.execute { connection.use { serve(it) } }
            }
        }
    }

    /** The request head (request line and header lines), up to the blank line; null at EOF. */
    private fun readHead(input: InputStream): String? {
        val head = ByteArrayOutputStream()
        var tail = 0
        while (tail != 0x0d0a0d0a) {
            val b = input.read()
            if (b < 0) return null
            head.write(b)
            tail = (tail shl 8) or b
        }
        return head.toString(Charsets.ISO_8859_1)
    }

    private fun serve(connection: Socket) {
        connection.soTimeout = 10_000
        val input = BufferedInputStream(connection.getInputStream())
        val lines = (readHead(input) ?: return).split("\r\n").filter { it.isNotEmpty() }
        val (method, target) = lines[0].split(' ').let { it[0] to it[1] }
        val headers = lines.drop(1).map { val i = it.indexOf(':'); Header(it.substring(0, i), it.substring(i + 1).trim()) }
        val length = headers.firstOrNull { it.name.equals("content-length", ignoreCase = true) }?.value?.toInt() ?: 0
        val q = target.indexOf('?')
        val r = Received(
            method, if (q < 0) target else target.substring(0, q), if (q < 0) "" else target.substring(q + 1),
            headers, input.readNBytes(length),
        )
        val index = synchronized(seen) { seen.add(r); seen.size }
        val reply = handle(r, index)
        val body = reply.json.toByteArray()
        val head = StringBuilder("HTTP/1.1 ${reply.status} Status\r\n")
            .append("Content-Type: application/json\r\nContent-Length: ${body.size}\r\nConnection: close\r\n")
            .append("Date: ${httpDate(serverNow())}\r\n")
        reply.headers.forEach { (k, v) -> head.append("$k: $v\r\n") }
        connection.getOutputStream().apply {
            write(head.append("\r\n").toString().toByteArray(Charsets.ISO_8859_1))
            write(body)
            flush()
        }
    }

    /** `http://127.0.0.1:<port>`. */
    val baseUrl: String get() = "http://127.0.0.1:${socket.localPort}"

    /** Unix seconds at the server's clock. */
    fun serverNow(): Long = nowSeconds() + clockAheadSeconds

    override fun close() {
        socket.close()
        pool.shutdownNow()
    }

    companion object {
        fun nowSeconds(): Long = System.currentTimeMillis() / 1000

        /** IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`. */
        fun httpDate(unix: Long): String = IMF_FIXDATE.format(Instant.ofEpochSecond(unix).atZone(ZoneOffset.UTC))

        private val IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
    }
}

class ProfileClientTests {
    private val apiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
    private val secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"

    private fun hmacHex(key: ByteArray, msg: ByteArray): String {
        val mac = Mac.getInstance("HmacSHA256")
        mac.init(SecretKeySpec(key, "HmacSHA256"))
        return mac.doFinal(msg).joinToString("") { "%02x".format(it) }
    }

    /**
     * Binance's documented check ("SIGNED Endpoint security"): `X-MBX-APIKEY` is the key,
     * `signature` is the last parameter and the HMAC-SHA256 (hex) of the query string and body
     * before it, `timestamp` within `recvWindow` (default 5000 ms) of the server's clock.
     * Null when the request passes, else why not.
     */
    private fun binanceRefusal(r: Received, serverNowMs: Long): String? {
        if (r.header("X-MBX-APIKEY") != apiKey) return "X-MBX-APIKEY"
        val at = r.rawQuery.lastIndexOf("&signature=")
        if (at < 0 || r.rawQuery.indexOf("signature=") < at) return "signature not last"
        val payload = r.rawQuery.substring(0, at)
        val given = r.rawQuery.substring(at + "&signature=".length)
        val want = hmacHex(secret.toByteArray(), payload.toByteArray() + r.body)
        if (!MessageDigest.isEqual(given.toByteArray(), want.toByteArray())) return "signature"
        val params = r.params().toMap()
        val ts = params["timestamp"]?.toLongOrNull() ?: return "timestamp missing"
        val window = params["recvWindow"]?.toLongOrNull() ?: 5000L
        if (Math.abs(serverNowMs - ts) > window) return "timestamp"
        return null
    }

    /** A Binance-style API: 200 `{"verified":true}` or Binance's own codes (-1021, -1022). */
    private fun binanceServer(clockAheadSeconds: Long = 0, before: (Int) -> Reply? = { null }): ApiServer {
        lateinit var server: ApiServer
        server = ApiServer(clockAheadSeconds) { r, n ->
            before(n) ?: when (val why = binanceRefusal(r, server.serverNow() * 1000 + System.currentTimeMillis() % 1000)) {
                null -> Reply(200, """{"verified":true,"n":$n}""")
                "timestamp" -> Reply(400, """{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}""")
                else -> Reply(401, """{"code":-1022,"msg":"Signature for this request is not valid ($why)."}""")
            }
        }
        return server
    }

    private fun options(base: String) = HttpClientOptions(
        baseUrl = base, connectTimeoutMs = 2_000uL, attemptTimeoutMs = 5_000uL,
        baseDelayMs = 10uL, maxDelayMs = 50uL,
    )

    private fun binance(secret: String = this.secret) =
        ClientProfile.Exchange(ExchangeSigner("binance", apiKey, secret, null))

    private fun text(b: ByteArray) = String(b, Charsets.UTF_8)

    @Test
    fun binanceGetAndPostPassTheServersOwnCheck() {
        binanceServer().use { srv ->
            val c = HttpClient.withProfile(options(srv.baseUrl), binance())
            assertEquals("binance", c.scheme())
            val r = c.request("GET", "/api/v3/openOrders", query = listOf(Header("symbol", "BTCUSDT")))
            assertEquals(200, r.status.toInt(), text(r.body))
            assertEquals(1u, r.attempts)
            val o = c.request(
                "POST", "/api/v3/order",
                query = listOf(Header("symbol", "LTCBTC"), Header("side", "BUY"), Header("quantity", "1"), Header("price", "0.1")),
            )
            assertEquals(200, o.status.toInt(), text(o.body))
            val sent = srv.seen.map { it.params().toMap() }
            assertEquals("BTCUSDT", sent[0]["symbol"])
            assertEquals("5000", sent[0]["recvWindow"])
            assertEquals("BUY", sent[1]["side"])
            // The profile's own header only: no sigwire-v1 Authorization beside it.
            srv.seen.forEach { assertNull(it.header("Authorization")) }
        }
    }

    @Test
    fun binanceWrongSecretIsRefusedByTheServer() {
        binanceServer().use { srv ->
            val c = HttpClient.withProfile(options(srv.baseUrl).copy(maxAttempts = 1u), binance(secret + "x"))
            val e = assertThrows(SigwireException.HttpStatus::class.java) { c.request("GET", "/api/v3/account") }
            assertEquals(401, e.status.toInt())
            assertTrue(text(e.body).contains("-1022") && text(e.body).contains("(signature)")) { text(e.body) }
            assertFalse(e.toString().contains(secret))
        }
    }

    @Test
    fun aRetriedAttemptIsSignedAfresh() {
        // Retry-After: 1 s makes the second timestamp (and so the signature) differ.
        binanceServer(before = { n -> if (n == 1) Reply(503, """{"code":-1001}""", mapOf("Retry-After" to "1")) else null }).use { srv ->
            val c = HttpClient.withProfile(options(srv.baseUrl), binance())
            val r = c.request("GET", "/api/v3/account", query = listOf(Header("omitZeroBalances", "true")))
            assertEquals(200, r.status.toInt(), text(r.body))
            assertEquals(2u, r.attempts)
            val (first, second) = srv.seen.map { s -> s.params() }
            fun one(p: List<Pair<String, String>>, k: String) = p.filter { it.first == k }.map { it.second }.single()
            assertTrue(one(second, "timestamp").toLong() > one(first, "timestamp").toLong())
            assertNotEquals(one(first, "signature"), one(second, "signature"))
            // Exactly one timestamp and one signature per attempt (never appended twice).
            assertEquals(1, second.count { it.first == "signature" })
        }
    }

    @Test
    fun theClockIsCorrectedFromTheServersDate() {
        // The server's clock is an hour ahead: the first call's timestamp is outside recvWindow
        // (Binance -1021); its Date header moves the client's clock, and the next call passes.
        binanceServer(clockAheadSeconds = 3600).use { srv ->
            val c = HttpClient.withProfile(options(srv.baseUrl).copy(maxAttempts = 1u), binance())
            val e = assertThrows(SigwireException.HttpStatus::class.java) { c.request("GET", "/api/v3/account") }
            assertTrue(text(e.body).contains("-1021")) { text(e.body) }
            assertTrue(Math.abs(c.clockOffset() - 3600) <= 2) { "offset ${c.clockOffset()}" }
            val r = c.request("GET", "/api/v3/account")
            assertEquals(200, r.status.toInt(), text(r.body))
        }
    }

    @Test
    fun suspendRequestSignsWithTheProfileToo() {
        binanceServer(before = { n -> if (n == 1) Reply(503, """{"code":-1001}""") else null }).use { srv ->
            val c = HttpClient.withProfile(options(srv.baseUrl), binance())
            val r = runBlocking { c.requestAsync("GET", "/api/v3/openOrders", query = listOf(Header("symbol", "ETHBTC"))) }
            assertEquals(200, r.status.toInt(), text(r.body))
            assertEquals(2u, r.attempts)
            assertNotEquals(srv.seen[0].params().last(), srv.seen[1].params().last())
        }
    }

    private fun sigwireRequest(r: Received, base: String) = SigwireRequest(
        r.method, base + r.rawPath + (if (r.rawQuery.isEmpty()) "" else "?" + r.rawQuery), r.headers, r.body,
    )

    @Test
    fun rfc9421ThroughTheClientAndAStaleCreatedCorrectedInOneCall() {
        val key = ByteArray(32).also { SecureRandom().nextBytes(it) }
        val components = listOf("@method", "@authority", "@path", "@query-param;name=\"a\"", "content-digest")
        val verifier = Rfc9421Verifier(mapOf("client-key" to key), null, listOf("@method", "@query-param;name=\"a\""), null, null)
        // An hour ahead; refuses a stale `created` with the shared machine code and its time, as
        // the sigwire servers do, so the client re-signs at once with the corrected clock.
        lateinit var srv: ApiServer
        srv = ApiServer(clockAheadSeconds = 3600) { r, _ ->
            val time = mapOf("X-Sigwire-Server-Time" to srv.serverNow().toString())
            try {
                val v = verifier.verify(sigwireRequest(r, srv.baseUrl), srv.serverNow().toULong())
                Reply(200, """{"keyId":"${v.keyId}","components":${v.components.size},"nonce":${v.nonce != null}}""", time)
            } catch (e: ProfileException) {
                val code = if (e is ProfileException.TimestampOutOfTolerance) "stale_timestamp" else codeOf(e)
                Reply(401, """{"error":"$code"}""", time)
            }
        }
        srv.use {
            val c = HttpClient.withProfile(
                options(srv.baseUrl),
                ClientProfile.Rfc9421(Rfc9421Signer("client-key", key, null, components)),
            )
            assertEquals("rfc9421", c.scheme())
            val r = c.request(
                "POST", "/orders", query = listOf(Header("a", "1 2"), Header("b", "x")),
                headers = listOf(Header("content-type", "application/json")), body = """{"qty":2}""".toByteArray(),
            )
            assertEquals(200, r.status.toInt(), text(r.body))
            assertEquals("""{"keyId":"client-key","components":5,"nonce":true}""", text(r.body))
            assertEquals(2, srv.seen.size, "one refused attempt, one re-signed")
            assertTrue(Math.abs(c.clockOffset() - 3600) <= 2) { "offset ${c.clockOffset()}" }
            val nonces = srv.seen.map { s -> s.header("Signature-Input")!!.substringAfter("nonce=\"").substringBefore('"') }
            assertNotEquals(nonces[0], nonces[1], "a fresh nonce per attempt")
            // A wrong key is refused by the same verifier (the check above can fail).
            val bad = HttpClient.withProfile(
                options(srv.baseUrl).copy(maxAttempts = 1u),
                ClientProfile.Rfc9421(Rfc9421Signer("client-key", ByteArray(32) { 7 }, null, components)),
            )
            val e = assertThrows(SigwireException::class.java) { bad.request("GET", "/orders", query = listOf(Header("a", "1"))) }
            assertEquals("signature_mismatch", e.code)
        }
    }

    @Test
    fun awsSigV4ThroughTheClientPassesTheVerifier() {
        val akid = "AKIDEXAMPLE"
        val secretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        val verifier = AwsSigV4Verifier("eu-west-1", "execute-api", mapOf(akid to secretKey), false, null)
        lateinit var srv: ApiServer
        srv = ApiServer { r, _ ->
            try {
                val v = verifier.verify(sigwireRequest(r, srv.baseUrl), ApiServer.nowSeconds().toULong())
                Reply(200, """{"akid":"${v.accessKeyId}","signed":${v.signedHeaders.size}}""")
            } catch (e: ProfileException) {
                Reply(403, """{"code":"${codeOf(e)}"}""")
            }
        }
        srv.use {
            val signer = AwsSigV4Signer(akid, secretKey, "eu-west-1", "execute-api", null, false)
            val c = HttpClient.withProfile(options(srv.baseUrl), ClientProfile.AwsSigV4(signer))
            val r = c.request("PUT", "/items/a b~", query = listOf(Header("x", "1+1")), body = "{}".toByteArray())
            assertEquals(200, r.status.toInt(), text(r.body))
            assertTrue(text(r.body).startsWith("""{"akid":"AKIDEXAMPLE""""))
            assertTrue(srv.seen.single().header("Authorization")!!.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
            val wrong = AwsSigV4Signer(akid, secretKey + "x", "eu-west-1", "execute-api", null, false)
            val e = assertThrows(SigwireException.HttpStatus::class.java) {
                HttpClient.withProfile(options(srv.baseUrl).copy(maxAttempts = 1u), ClientProfile.AwsSigV4(wrong)).request("GET", "/items")
            }
            assertTrue(text(e.body).contains("signature_mismatch")) { text(e.body) }
        }
    }

    @Test
    fun optionsOfSigwireV1AndKrakenAreConfigErrors() {
        val base = options("http://127.0.0.1:9")
        fun configError(why: Regex, build: () -> Unit) {
            val e = assertThrows(SigwireException.InvalidConfig::class.java) { build() }
            assertEquals("invalid_config", e.code)
            assertTrue(why.containsMatchIn(e.message ?: "")) { "${e.message} !~ $why" }
            assertFalse((e.message ?: "").contains(secret))
        }
        configError(Regex("keyId")) { HttpClient.withProfile(base.copy(keyId = "client-1"), binance()) }
        configError(Regex("algorithm")) { HttpClient.withProfile(base.copy(algorithm = "hmac-sha512"), binance()) }
        configError(Regex("signedHeaderPolicy")) { HttpClient.withProfile(base.copy(signedHeaderPolicy = "all-end-to-end"), binance()) }
        configError(Regex("signed_headers")) { HttpClient.withProfile(base.copy(signedHeaders = listOf("x-a")), binance()) }
        configError(Regex("Kraken.*krakenBody")) {
            HttpClient.withProfile(base, ClientProfile.Exchange(ExchangeSigner("kraken", "k", "c2VjcmV0", null)))
        }
        configError(Regex("base URL")) { HttpClient.withProfile(base.copy(baseUrl = "ftp://x"), binance()) }
        // The description names the profile and never a credential.
        val c = HttpClient.withProfile(base, binance())
        assertEquals("HttpClient(baseUrl=http://127.0.0.1:9/, profile=binance)", c.toString())
        // The sigwire-v1 constructor still needs its key id.
        assertThrows(SigwireException.InvalidKeyId::class.java) { HttpClient(base, ByteArray(32)) }
    }
}
