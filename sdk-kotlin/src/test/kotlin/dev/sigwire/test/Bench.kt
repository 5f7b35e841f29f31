// Per-call cost of the Kotlin SDK beside the JDK's own javax.crypto.Mac over the same bytes, in one
// JVM run. The request is the core benchmark's `post_1k_json` (core/benches/sign_verify.rs): POST
// https://api.example.com/v1/orders, Content-Type: application/json, a 1,024-byte JSON body.
//
// Rows (each: warm-up, then timed batches until the time per case is spent; the median batch is
// printed, so a GC pause or a neighbour's burst does not move it):
//   jdk Mac(canonical)        javax.crypto.Mac HMAC-SHA256 of the canonical string Sigwire signs
//   jdk Mac + SHA-256(body)   the same plus SHA-256 of the body: the work any signer must do
//   ffi floor ...             the cheapest calls into Rust, to show what one crossing costs
//   sign ...                  the SDK's sign paths
//   verifyAt                  a verification with a fresh nonce each time (replay-store insert)
// Prints; never asserts timings. Run: java ... dev.sigwire.test.BenchKt [milliseconds per case]
package dev.sigwire.test

import com.sun.jna.Native
import dev.sigwire.FastSigner
import dev.sigwire.KeyStore
import dev.sigwire.SigwireRequest
import dev.sigwire.Signer
import dev.sigwire.Verifier
import dev.sigwire.defaultWindow
import dev.sigwire.inMemoryReplayStore
import dev.sigwire.of
import dev.sigwire.withHeader
import java.security.MessageDigest
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec

/** Keeps results alive so the JIT cannot drop the measured work. */
private var sink = 0L

/** Median nanoseconds per call of [op] over batches of [batch] calls filling about [millis] ms. */
private inline fun nsPerOp(millis: Long, batch: Int = 200, op: (Int) -> Unit): Double {
    val warmUntil = System.nanoTime() + millis * 300_000 // 30 % of the budget warms the JIT
    var i = 0
    while (System.nanoTime() < warmUntil) op(i++)
    val samples = ArrayList<Double>()
    val deadline = System.nanoTime() + millis * 1_000_000
    while (System.nanoTime() < deadline || samples.size < 5) {
        val start = System.nanoTime()
        for (k in 0 until batch) op(i + k)
        i += batch
        samples += (System.nanoTime() - start).toDouble() / batch
    }
    samples.sort()
    return samples[samples.size / 2]
}

/** The core benchmark's 1,024-byte JSON body. */
fun post1kBody(): ByteArray {
    val json = StringBuilder("{\"items\":[")
    while (json.length < 1000) json.append("{\"sku\":\"A-1001\",\"qty\":2},")
    json.setLength(json.length - 1)
    json.append("]}")
    while (json.length < 1024) json.insert(json.length - 1, ' ')
    return json.toString().toByteArray()
}

/** Prints each row's ns per call and its ratio to `javax.crypto.Mac` over the same bytes. */
fun main(args: Array<String>) {
    val millis = args.firstOrNull()?.toLong() ?: 1_000L
    val secret = "bench-secret-0123456789abcdef012".toByteArray()
    val body = post1kBody()
    val request = SigwireRequest.of(
        "POST", "https://api.example.com/v1/orders", listOf("Content-Type" to "application/json"), body,
    )
    val signer = Signer("bench-key", secret)
    val canonical = signer.signWith(request, 1_700_000_000uL, "AAECAwQFBgcICQoLDA0ODw").canonicalString.toByteArray()
    val mac = Mac.getInstance("HmacSHA256").apply { init(SecretKeySpec(secret, "HmacSHA256")) }
    val sha = MessageDigest.getInstance("SHA-256")

    println("Kotlin per-call cost, POST 1 KiB JSON (body ${body.size} B, canonical string ${canonical.size} B)")
    // The jar's own version (Native.VERSION is a constant the compiler would inline).
    val jna = Native::class.java.`package`.implementationVersion
    println("JVM ${System.getProperty("java.vm.version")}, JNA $jna (${Native::class.java.protectionDomain.codeSource?.location})")
    val rows = linkedMapOf<String, Double>()
    rows["jdk Mac(canonical)"] = nsPerOp(millis) { sink += mac.doFinal(canonical)[0] }
    rows["jdk Mac + SHA-256(body)"] = nsPerOp(millis) {
        sink += sha.digest(body)[0]
        sink += mac.doFinal(canonical)[0]
    }
    rows["ffi floor: defaultWindow() (u64)"] = nsPerOp(millis) { sink += defaultWindow().toLong() }
    rows["ffi floor: signer.keyId() (string)"] = nsPerOp(millis) { sink += signer.keyId().length }
    rows["sign(request) -> Signature"] = nsPerOp(millis) { sink += signer.sign(request).authorization.length }
    rows["signAuthorization(request) -> String"] = nsPerOp(millis) { sink += signer.signAuthorization(request).length }
    val fast = FastSigner("bench-key", secret)
    rows["FastSigner.authorization(request)"] = nsPerOp(millis) { sink += fast.authorization(request).length }

    val keys = KeyStore().apply { insert("bench-key", secret) }
    val verifier = Verifier(keys, 300uL, inMemoryReplayStore(10_000_000uL))
    // Each verification needs a fresh nonce: pre-sign them, warm up on the first part, time the rest.
    val count = 2_000 + (millis * 40).toInt()
    val signed = (0 until count).map { i ->
        request.withHeader("Authorization", signer.signWith(request, 1_700_000_000uL, "bench%017d".format(i)).authorization)
    }
    for (i in 0 until 2_000) sink += verifier.verifyAt(signed[i], 1_700_000_000uL).keyId.length
    val start = System.nanoTime()
    for (i in 2_000 until count) sink += verifier.verifyAt(signed[i], 1_700_000_000uL).keyId.length
    rows["verifyAt(request)"] = (System.nanoTime() - start).toDouble() / (count - 2_000)

    val base = rows.getValue("jdk Mac(canonical)")
    val raw = rows.getValue("jdk Mac + SHA-256(body)")
    println("%-36s %10s %14s %18s".format("case", "µs/call", "x Mac(canon.)", "x Mac+SHA-256"))
    for ((name, ns) in rows) {
        println("%-36s %10.2f %14.1f %18.1f".format(name, ns / 1000, ns / base, ns / raw))
    }
    if (sink == 42L) println()
    verifier.close(); keys.close(); signer.close(); fast.close()
}
