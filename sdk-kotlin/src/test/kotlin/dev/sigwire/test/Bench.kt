// A short benchmark: Sigwire sign/verify through UniFFI + JNA versus the JDK's own HMAC-SHA256
// and SHA-256 over the same bytes (the least any Kotlin signer must compute). Prints ratios;
// never fails. Run: java ... dev.sigwire.test.BenchKt [milliseconds per case]
package dev.sigwire.test

import dev.sigwire.KeyStore
import dev.sigwire.SigwireRequest
import dev.sigwire.Signer
import dev.sigwire.Verifier
import dev.sigwire.inMemoryReplayStore
import dev.sigwire.of
import dev.sigwire.withHeader
import java.security.MessageDigest
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec

private inline fun nsPerOp(millis: Long, op: (Int) -> Unit): Double {
    repeat(2_000) { op(it) } // warm-up (JIT)
    var n = 0
    val start = System.nanoTime()
    val deadline = start + millis * 1_000_000
    while (System.nanoTime() < deadline) {
        repeat(100) { op(n + it) }
        n += 100
    }
    return (System.nanoTime() - start).toDouble() / n
}

/** Prints ns/op for signing and verifying, and the ratio to the raw JDK HMAC + digest cost. */
fun main(args: Array<String>) {
    val millis = args.firstOrNull()?.toLong() ?: 1_000L
    val secret = "bench-secret-0123456789abcdef012".toByteArray()
    for (size in listOf(256, 16 * 1024)) {
        val body = ByteArray(size) { (it % 251).toByte() }
        val request = SigwireRequest.of(
            "POST", "https://api.example.com/v1/payments?dry_run=false&limit=5",
            listOf("Content-Type" to "application/json", "X-Request-Id" to "req-123"), body,
        )
        val signer = Signer("bench-key", secret)
        val canonical = signer.signWith(request, 1_700_000_000uL, "AAECAwQFBgcICQoLDA0ODw").canonicalString.toByteArray()

        val mac = Mac.getInstance("HmacSHA256").apply { init(SecretKeySpec(secret, "HmacSHA256")) }
        val sha = MessageDigest.getInstance("SHA-256")
        var sink = 0
        val raw = nsPerOp(millis) {
            sink += sha.digest(body)[0]
            sink += mac.doFinal(canonical)[0]
        }
        val sign = nsPerOp(millis) { sink += signer.sign(request).authorization.length }

        val keys = KeyStore().apply { insert("bench-key", secret) }
        val verifier = Verifier(keys, 300uL, inMemoryReplayStore(10_000_000uL))
        // Each verification needs a fresh nonce: pre-sign them, warm up on the first 2,000, time the rest.
        val count = 2_000 + (millis * 60).toInt()
        val signed = (0 until count).map { i ->
            request.withHeader("Authorization", signer.signWith(request, 1_700_000_000uL, "bench%017d".format(i)).authorization)
        }
        for (i in 0 until 2_000) sink += verifier.verifyAt(signed[i], 1_700_000_000uL).keyId.length
        val start = System.nanoTime()
        for (i in 2_000 until count) sink += verifier.verifyAt(signed[i], 1_700_000_000uL).keyId.length
        val verify = (System.nanoTime() - start).toDouble() / (count - 2_000)

        println("body %6d B: raw JDK HMAC+SHA-256 %8.0f ns | sign %8.0f ns (x%.1f) | verify %8.0f ns (x%.1f)".format(
            size, raw, sign, sign / raw, verify, verify / raw))
        if (sink == 42) println()
        verifier.close(); keys.close(); signer.close()
    }
}
