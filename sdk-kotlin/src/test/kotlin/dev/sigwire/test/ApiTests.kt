// Error cases, secrets, rotation, replay stores, threads and the idiomatic layer.
package dev.sigwire.test

import dev.sigwire.KeyStore
import dev.sigwire.ReplayStore
import dev.sigwire.SigwireException
import dev.sigwire.SigwireRequest
import dev.sigwire.Signer
import dev.sigwire.Verifier
import dev.sigwire.code
import dev.sigwire.defaultWindow
import dev.sigwire.detail
import dev.sigwire.inMemoryReplayStore
import dev.sigwire.of
import dev.sigwire.serverTime
import dev.sigwire.signedBy
import dev.sigwire.toSigwireRequest
import dev.sigwire.withHeader
import java.net.URI
import java.net.http.HttpRequest
import java.util.Base64
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

private const val SECRET_TEXT = "sigwire-kotlin-secret-0123456789"
private val SECRET = SECRET_TEXT.toByteArray()
private const val NOW = 1_700_000_000uL
private const val NONCE = "AAECAwQFBgcICQoLDA0ODw"
private val ORDERS = SigwireRequest.of("GET", "https://api.example.com/v1/orders?limit=10")

/** Every form of the secret that must never show up in text. */
private val SECRET_FORMS = listOf(
    SECRET_TEXT,
    SECRET.joinToString("") { "%02x".format(it) },
    Base64.getEncoder().encodeToString(SECRET),
)

private fun assertNoSecret(text: String, what: String) {
    for (form in SECRET_FORMS) assertTrue(!text.contains(form)) { "$what shows the secret: $text" }
}

private fun keysWith(vararg secrets: Pair<String, ByteArray>): KeyStore =
    KeyStore().also { store -> secrets.forEach { (id, s) -> store.insert(id, s) } }

/** The API tests. */
fun apiTests(run: TestRun) {
    run.section("errors surface as typed Kotlin exceptions")
    val collected = mutableListOf<SigwireException>()

    run.test("short secret -> SigwireException.InvalidSecret") {
        val e = expectSigwire(SigwireException.InvalidSecret::class, "invalid_secret") { Signer("client-1", "short".toByteArray()) }
        assertTrue(e.detail.contains("16")) { "detail should name the minimum: ${e.detail}" }
        assertEq(null, e.serverTime, "server time of a signer error")
        assertEq(500, e.httpStatus().toInt(), "status")
        collected += e
    }
    run.test("short secret in KeyStore.insert -> InvalidSecret") {
        collected += expectSigwire(SigwireException.InvalidSecret::class, "invalid_secret") { KeyStore().insert("k", ByteArray(15)) }
    }
    run.test("empty key id -> InvalidKeyId") {
        collected += expectSigwire(SigwireException.InvalidKeyId::class, "invalid_key_id") { Signer("", SECRET) }
    }
    run.test("key id with a space -> InvalidKeyId") {
        collected += expectSigwire(SigwireException.InvalidKeyId::class, "invalid_key_id") { KeyStore().insert("bad id", SECRET) }
    }
    run.test("hmac-md5 and hmac-sha1 -> UnsupportedAlgorithm") {
        for (alg in listOf("hmac-md5", "hmac-sha1", "")) {
            collected += expectSigwire(SigwireException.UnsupportedAlgorithm::class, "unsupported_algorithm") { Signer("k", SECRET, alg) }
        }
    }
    run.test("bad signed header name -> InvalidRequest") {
        collected += expectSigwire(SigwireException.InvalidRequest::class, "invalid_request") {
            Signer("k", SECRET, signedHeaders = listOf("bad name"))
        }
    }
    run.test("signed header absent from the request -> InvalidRequest") {
        Signer("k", SECRET, signedHeaders = listOf("x-request-id")).use { s ->
            collected += expectSigwire(SigwireException.InvalidRequest::class, "invalid_request") { s.sign(ORDERS) }
        }
    }
    run.test("bad nonce, bad URL, non-ASCII signed header -> InvalidRequest") {
        Signer("k", SECRET, signedHeaders = listOf("x-note")).use { s ->
            val ok = ORDERS.withHeader("X-Note", "fine")
            collected += expectSigwire(SigwireException.InvalidRequest::class, "invalid_request") { s.signWith(ok, NOW, "bad nonce!") }
            collected += expectSigwire(SigwireException.InvalidRequest::class, "invalid_request") {
                s.sign(SigwireRequest.of("GET", "not a url", listOf("X-Note" to "x")))
            }
            collected += expectSigwire(SigwireException.InvalidRequest::class, "invalid_request") {
                s.sign(ORDERS.withHeader("X-Note", "caf\u00e9"))
            }
        }
    }

    val keys = keysWith("client-1" to SECRET)
    val verifier = Verifier(keys, 300uL)
    val signer = Signer("client-1", SECRET)

    run.test("malformed Authorization header -> MalformedAuthorization (401, server time)") {
        for (header in listOf("HMAC garbage", "Bearer abc", "HMAC apiKey=\"client-1\"")) {
            val e = expectSigwire(SigwireException.MalformedAuthorization::class, "malformed_authorization") {
                verifier.verifyAt(ORDERS.withHeader("Authorization", header), NOW)
            }
            assertEq(NOW, e.serverTime, "server time")
            assertEq(401, e.httpStatus().toInt(), "status")
            assertEq("""{"error":"malformed_authorization"}""", e.publicBody(), "public body")
            collected += e
        }
    }
    run.test("no Authorization header -> MissingAuthorization") {
        collected += expectSigwire(SigwireException.MissingAuthorization::class, "missing_authorization") { verifier.verifyAt(ORDERS, NOW) }
    }
    run.test("timestamp 400 s behind -> StaleTimestamp with skewSeconds = -400") {
        val signed = ORDERS.signedBy(signer, NOW - 400uL)
        val e = expectSigwire(SigwireException.StaleTimestamp::class, "stale_timestamp") { verifier.verifyAt(signed, NOW) }
        assertEq(-400L, e.skewSeconds, "skew")
        assertEq(NOW, e.serverTime, "server time")
        assertTrue(e.detail.contains("behind")) { e.detail }
        collected += e
    }
    run.test("timestamp 400 s ahead -> StaleTimestamp with skewSeconds = 400") {
        val e = expectSigwire(SigwireException.StaleTimestamp::class, "stale_timestamp") {
            verifier.verifyAt(ORDERS.signedBy(signer, NOW + 400uL), NOW)
        }
        assertEq(400L, e.skewSeconds, "skew")
    }
    run.test("second use of a nonce -> ReplayedNonce") {
        val signed = ORDERS.signedBy(signer, NOW, "ReplayReplayReplayRepl")
        assertEq("client-1", verifier.verifyAt(signed, NOW).keyId, "first use")
        collected += expectSigwire(SigwireException.ReplayedNonce::class, "replayed_nonce") { verifier.verifyAt(signed, NOW) }
    }
    run.test("unknown key id -> UnknownKey") {
        Signer("someone-else", SECRET).use { other ->
            collected += expectSigwire(SigwireException.UnknownKey::class, "unknown_key") {
                verifier.verifyAt(ORDERS.signedBy(other, NOW), NOW)
            }
        }
    }
    run.test("wrong secret and tampered URL -> SignatureMismatch") {
        Signer("client-1", "another-secret-0123456789abcdef".toByteArray()).use { wrong ->
            collected += expectSigwire(SigwireException.SignatureMismatch::class, "signature_mismatch") {
                verifier.verifyAt(ORDERS.signedBy(wrong, NOW), NOW)
            }
        }
        val signed = ORDERS.signedBy(signer, NOW)
        val tampered = SigwireRequest(signed.method, signed.url.replace("limit=10", "limit=11"), signed.headers, signed.body)
        collected += expectSigwire(SigwireException.SignatureMismatch::class, "signature_mismatch") { verifier.verifyAt(tampered, NOW) }
    }
    run.test("every exception: code field = errorCode(), class matches the code, toString is 'code: detail'") {
        assertTrue(collected.size >= 15) { "only ${collected.size} collected" }
        for (e in collected) {
            assertEq(CODE_CLASSES[e.errorCode()], e::class, "class for ${e.errorCode()}")
            assertEq("${e.code}: ${e.detail}", e.toString(), "toString")
            assertTrue(e.message!!.contains("code=${e.code}")) { "message: ${e.message}" }
        }
    }
    run.test("no exception text shows the secret") {
        for (e in collected) {
            assertNoSecret(e.toString(), "toString")
            assertNoSecret(e.message.orEmpty(), "message")
        }
    }

    run.section("objects and secrets")
    run.test("Signer.toString shows key id and algorithm, never the secret") {
        val text = signer.toString()
        assertNoSecret(text, "Signer.toString")
        assertTrue(text.contains("client-1") && text.contains("redacted")) { text }
        assertNoSecret("$keys $verifier", "KeyStore/Verifier.toString")
    }
    run.test("Signer getters") {
        Signer("k-2", SECRET, "hmac-sha512", listOf("X-Request-Id")).use { s ->
            assertEq("k-2", s.keyId(), "keyId")
            assertEq("hmac-sha512", s.algorithm(), "algorithm")
            assertEq(listOf("X-Request-Id"), s.signedHeaders(), "signedHeaders")
            val sig = s.signWith(ORDERS.withHeader("X-Request-Id", "r-1"), NOW, NONCE)
            assertEq(128, sig.signature.length, "hmac-sha512 hex length")
            assertEq("host;x-request-id", sig.signedHeaders, "signed header names")
        }
    }
    run.test("sign() without timestamp/nonce: now and a fresh 22-char nonce; verify() with the system clock") {
        val a = signer.sign(ORDERS)
        val b = signer.sign(ORDERS)
        assertTrue(a.nonce != b.nonce && a.nonce.length == 22) { "${a.nonce} ${b.nonce}" }
        val now = System.currentTimeMillis() / 1000
        assertTrue(kotlin.math.abs(a.timestamp.toLong() - now) <= 5) { "timestamp ${a.timestamp} vs $now" }
        Verifier(keys).use { v ->
            assertEq("client-1", v.verify(ORDERS.withHeader("Authorization", a.authorization)).keyId, "verify")
            assertEq(defaultWindow(), v.window(), "default window")
            assertTrue(kotlin.math.abs(v.now().toLong() - now) <= 5) { "verifier now" }
        }
    }
    run.test("key rotation: old secret accepted until oldNotAfter, then SignatureMismatch") {
        KeyStore().use { store ->
            val oldSecret = "old-secret-0123456789abcdef".toByteArray()
            val newSecret = "new-secret-0123456789abcdef".toByteArray()
            store.insert("rot", oldSecret)
            store.rotate("rot", newSecret, NOW + 10uL)
            assertEq(2u, store.activeSecretCount("rot", NOW), "active now")
            assertEq(1u, store.activeSecretCount("rot", NOW + 11uL), "active after retirement")
            Verifier(store).use { v ->
                Signer("rot", oldSecret).use { old ->
                    Signer("rot", newSecret).use { new ->
                        assertEq("rot", v.verifyAt(ORDERS.signedBy(old, NOW), NOW).keyId, "old before")
                        assertEq("rot", v.verifyAt(ORDERS.signedBy(new, NOW), NOW).keyId, "new before")
                        expectSigwire(SigwireException.SignatureMismatch::class, "signature_mismatch") {
                            v.verifyAt(ORDERS.signedBy(old, NOW + 11uL), NOW + 11uL)
                        }
                        assertEq("rot", v.verifyAt(ORDERS.signedBy(new, NOW + 11uL), NOW + 11uL).keyId, "new after")
                    }
                }
            }
            assertTrue(store.remove("rot")) { "remove existing" }
            assertTrue(!store.remove("rot")) { "remove again" }
            assertEq(0u, store.activeSecretCount("rot", NOW), "after remove")
        }
    }
    run.test("insert with notAfter: retired key -> UnknownKey") {
        KeyStore().use { store ->
            store.insert("temp", SECRET, NOW + 5uL)
            Verifier(store).use { v ->
                assertEq("temp", v.verifyAt(ORDERS.signedBy(Signer("temp", SECRET), NOW), NOW).keyId, "active")
                expectSigwire(SigwireException.UnknownKey::class, "unknown_key") {
                    v.verifyAt(ORDERS.signedBy(Signer("temp", SECRET), NOW + 6uL), NOW + 6uL)
                }
            }
        }
    }

    run.section("replay stores")
    run.test("a replay store written in Kotlin is called with (keyId, nonce, timestamp + window, now)") {
        val calls = mutableListOf<List<Any>>()
        val store = object : ReplayStore {
            val seen = HashSet<String>()
            override fun checkAndRecord(keyId: String, nonce: String, expiresAt: ULong, now: ULong): Boolean {
                calls += listOf(keyId, nonce, expiresAt, now)
                return seen.add("$keyId $nonce")
            }
        }
        Verifier(keys, 60uL, store).use { v ->
            val signed = ORDERS.signedBy(signer, NOW - 5uL, NONCE)
            assertEq("client-1", v.verifyAt(signed, NOW).keyId, "first")
            expectSigwire(SigwireException.ReplayedNonce::class, "replayed_nonce") { v.verifyAt(signed, NOW) }
        }
        assertEq(listOf<Any>("client-1", NONCE, NOW - 5uL + 60uL, NOW), calls.first(), "arguments")
        assertEq(2, calls.size, "calls")
    }
    run.test("a Kotlin store that throws fails closed: ReplayStoreUnavailable (503), no exception text leaks") {
        val store = object : ReplayStore {
            override fun checkAndRecord(keyId: String, nonce: String, expiresAt: ULong, now: ULong): Boolean =
                throw IllegalStateException("cannot reach redis://admin:hunter2@cache:6379")
        }
        Verifier(keys, 300uL, store).use { v ->
            val e = expectSigwire(SigwireException.ReplayStoreUnavailable::class, "replay_store_unavailable") {
                v.verifyAt(ORDERS.signedBy(signer, NOW), NOW)
            }
            assertEq(503, e.httpStatus().toInt(), "status")
            assertTrue(!e.toString().contains("hunter2")) { "leaked: $e" }
        }
    }
    run.test("a Kotlin store may throw SigwireException.ReplayStoreUnavailable with its own detail") {
        val store = object : ReplayStore {
            override fun checkAndRecord(keyId: String, nonce: String, expiresAt: ULong, now: ULong): Boolean =
                throw SigwireException.ReplayStoreUnavailable("replay_store_unavailable", "cache offline", null)
        }
        Verifier(keys, 300uL, store).use { v ->
            val e = expectSigwire(SigwireException.ReplayStoreUnavailable::class, "replay_store_unavailable") {
                v.verifyAt(ORDERS.signedBy(signer, NOW), NOW)
            }
            assertEq("cache offline", e.detail, "detail")
        }
    }
    run.test("a full in-memory store refuses rather than forgets: ReplayStoreUnavailable") {
        Verifier(keys, 300uL, inMemoryReplayStore(1uL)).use { v ->
            v.verifyAt(ORDERS.signedBy(signer, NOW), NOW)
            expectSigwire(SigwireException.ReplayStoreUnavailable::class, "replay_store_unavailable") {
                v.verifyAt(ORDERS.signedBy(signer, NOW), NOW)
            }
        }
    }

    run.section("threads, lifecycle, idiomatic layer")
    run.test("4 threads x 250 sign+verify on shared Signer and Verifier") {
        val ok = AtomicInteger()
        val pool = Executors.newFixedThreadPool(4)
        Verifier(keys).use { v ->
            val futures = (0 until 4).map {
                pool.submit {
                    repeat(250) { i ->
                        val req = SigwireRequest.of("POST", "https://api.example.com/t/$i", listOf("Content-Type" to "text/plain"), "n=$i".toByteArray())
                        if (v.verify(req.signedBy(signer)).keyId == "client-1") ok.incrementAndGet()
                    }
                }
            }
            futures.forEach { it.get(60, TimeUnit.SECONDS) }
        }
        pool.shutdown()
        assertEq(1000, ok.get(), "verified")
    }
    run.test("a closed Signer throws IllegalStateException instead of crashing") {
        val s = Signer("closing", SECRET)
        s.close()
        var thrown: Throwable? = null
        try { s.sign(ORDERS) } catch (t: IllegalStateException) { thrown = t }
        assertTrue(thrown != null) { "no exception after close()" }
    }
    run.test("HttpRequest.toSigwireRequest: method, URI, headers; body length must match the publisher") {
        val body = "{\"amount\":100}".toByteArray()
        val http = HttpRequest.newBuilder(URI.create("https://api.example.com/v1/payments?x=1"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build()
        val req = http.toSigwireRequest(body)
        assertEq("POST", req.method, "method")
        assertEq("https://api.example.com/v1/payments?x=1", req.url, "url")
        assertEq(listOf("application/json"), req.headers.filter { it.name.equals("content-type", true) }.map { it.value }, "content-type")
        expectSigwire(SigwireException.InvalidRequest::class, "invalid_request") { http.toSigwireRequest("{}".toByteArray()) }
        expectSigwire(SigwireException.InvalidRequest::class, "invalid_request") { http.toSigwireRequest() }
    }
    signer.close()
    verifier.close()
    keys.close()
}
