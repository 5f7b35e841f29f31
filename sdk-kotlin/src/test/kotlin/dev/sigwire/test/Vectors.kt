// Every shared vector in tests/vectors/*.json: sign byte for byte, verify, machine codes.
package dev.sigwire.test

import dev.sigwire.Header
import dev.sigwire.KeyStore
import dev.sigwire.SigwireException
import dev.sigwire.SigwireRequest
import dev.sigwire.Signer
import dev.sigwire.Verifier
import dev.sigwire.code
import dev.sigwire.errorCodes
import dev.sigwire.inMemoryReplayStore
import dev.sigwire.serverTime
import dev.sigwire.withHeader
import java.io.File

/** Machine code → the Kotlin exception class it must surface as. */
val CODE_CLASSES = linkedMapOf(
    "missing_authorization" to SigwireException.MissingAuthorization::class,
    "malformed_authorization" to SigwireException.MalformedAuthorization::class,
    "unsupported_algorithm" to SigwireException.UnsupportedAlgorithm::class,
    "unknown_key" to SigwireException.UnknownKey::class,
    "stale_timestamp" to SigwireException.StaleTimestamp::class,
    "replayed_nonce" to SigwireException.ReplayedNonce::class,
    "signature_mismatch" to SigwireException.SignatureMismatch::class,
    "invalid_request" to SigwireException.InvalidRequest::class,
    "invalid_secret" to SigwireException.InvalidSecret::class,
    "invalid_key_id" to SigwireException.InvalidKeyId::class,
    "invalid_config" to SigwireException.InvalidConfig::class,
    "replay_store_unavailable" to SigwireException.ReplayStoreUnavailable::class,
    "unsigned_header" to SigwireException.UnsignedHeader::class,
)

/** The `request` object of a vector as a [SigwireRequest]. */
fun vectorRequest(v: Map<String, Any?>): SigwireRequest {
    val r = v.obj("request")
    val headers = r.list("headers").map {
        val pair = it as List<*>
        Header(pair[0] as String, pair[1] as String)
    }
    return SigwireRequest(r.str("method"), r.str("url"), headers, b64(r.str("body_b64")))
}

/** Runs every vector of every top-level JSON file in [dir]. */
fun vectorTests(run: TestRun, dir: File) {
    run.section("shared vectors in $dir")
    val files = dir.listFiles { f -> f.isFile && f.name.endsWith(".json") }?.sortedBy { it.name }.orEmpty()
    var positives = 0
    var negatives = 0
    run.test("vector files are present and well-formed") {
        assertTrue(files.isNotEmpty()) { "no *.json in $dir" }
    }
    for (file in files) {
        @Suppress("UNCHECKED_CAST")
        val doc = parseJson(file.readText()) as Map<String, Any?>
        run.test("${file.name}: version 1") { assertEq("1", doc.num("version").text, "version") }
        for (item in doc.list("vectors")) {
            @Suppress("UNCHECKED_CAST")
            val v = item as Map<String, Any?>
            val name = "${file.name}/${v.str("name")}"
            when {
                v.containsKey("expected") -> { positives++; run.test("sign+verify $name") { positive(v) } }
                v.containsKey("expected_error") -> { negatives++; run.test("reject $name") { negative(v) } }
                else -> run.test(name) { throw AssertionFailed("neither expected nor expected_error") }
            }
        }
    }
    run.test("at least one positive and one negative vector ran ($positives, $negatives)") {
        assertTrue(positives > 0 && negatives > 0) { "positives=$positives negatives=$negatives" }
    }
    run.test("errorCodes() lists exactly the machine codes with a Kotlin subclass") {
        assertEq(CODE_CLASSES.keys.toList(), errorCodes(), "codes")
    }
}

private fun positive(v: Map<String, Any?>) {
    val expected = v.obj("expected")
    val secret = hex(v.str("secret_hex"))
    val extra = (v["signed_headers"] as List<*>?)?.map { it as String }.orEmpty()
    val timestamp = v.num("timestamp").toULong()
    val nonce = v.str("nonce")
    val request = vectorRequest(v)
    Signer(v.str("key_id"), secret, v.str("algorithm"), extra).use { signer ->
        val sig = signer.signWith(request, timestamp, nonce)
        assertEq(expected.str("canonical_string"), sig.canonicalString, "canonical string")
        assertEq(expected.str("signature"), sig.signature, "signature")
        assertEq(expected.str("authorization"), sig.authorization, "authorization")
        assertEq(timestamp, sig.timestamp, "timestamp")
        assertEq(nonce, sig.nonce, "nonce")
        assertEq(sig.canonicalString, signer.canonicalString(request, timestamp, nonce), "canonicalString()")
    }
    KeyStore().use { keys ->
        keys.insert(v.str("key_id"), secret)
        Verifier(keys).use { verifier ->
            val verified = verifier.verifyAt(request.withHeader("Authorization", expected.str("authorization")), timestamp)
            assertEq(v.str("key_id"), verified.keyId, "verified key id")
            assertEq("sigwire-v1", verified.scheme, "scheme")
            assertEq(timestamp, verified.timestamp, "verified timestamp")
        }
    }
}

private fun negative(v: Map<String, Any?>) {
    val cfg = v.obj("verifier")
    val now = cfg.num("now").toULong()
    val window = cfg.num("window").toULong()
    val keys = KeyStore()
    for (k in cfg.list("keys")) {
        @Suppress("UNCHECKED_CAST")
        val key = k as Map<String, Any?>
        keys.insert(key.str("key_id"), hex(key.str("secret_hex")), (key["not_after"] as JsonNumber?)?.toULong())
    }
    val replay = inMemoryReplayStore()
    for (s in cfg.list("seen_nonces")) {
        @Suppress("UNCHECKED_CAST")
        val seen = s as Map<String, Any?>
        assertTrue(replay.checkAndRecord(seen.str("key_id"), seen.str("nonce"), now + window, now)) { "seeding a nonce" }
    }
    val code = v.str("expected_error")
    val kind = CODE_CLASSES[code] ?: throw AssertionFailed("unknown expected_error $code")
    Verifier(keys, window, replay).use { verifier ->
        val e = expectSigwire(kind, code) { verifier.verifyAt(vectorRequest(v), now) }
        assertEq(now, e.serverTime, "server time")
        val skew = v["expected_skew"] as JsonNumber?
        if (skew != null) {
            assertEq(skew.toLong(), (e as SigwireException.StaleTimestamp).skewSeconds, "skew")
        }
    }
    keys.close()
}
