// FastSigner: signing in one native call with no JNA Structure, for hot paths on the JVM/Android.
package dev.sigwire

import com.sun.jna.Native
import java.util.concurrent.locks.ReentrantReadWriteLock
import kotlin.concurrent.read
import kotlin.concurrent.write

/**
 * The C entry points of `bindings/uniffi/src/fast.rs`, bound with JNA's direct mapping. Every
 * argument is an integer or a byte array, so JNA builds no `Structure` and allocates no native
 * memory per call (the cost that dominates a UniFFI call, see sdk-kotlin/README.md).
 */
internal object FastLib {
    init {
        // The same library (and the same override property) as the generated UniFFI bindings.
        val name = System.getProperty("uniffi.component.sigwire.libraryOverride") ?: "sigwire_uniffi"
        Native.register(FastLib::class.java, name)
    }

    external fun sigwire_fast_signer_new(
        keyId: ByteArray, keyIdLen: Int, secret: ByteArray, secretLen: Int,
        algorithm: ByteArray, algorithmLen: Int, signedHeaders: ByteArray, signedHeadersLen: Int,
    ): Long

    external fun sigwire_fast_signer_free(handle: Long)

    external fun sigwire_fast_sign(
        handle: Long, head: ByteArray, headLen: Int, body: ByteArray, bodyLen: Int, out: ByteArray, outLen: Int,
    ): Int
}

/**
 * Signs requests like [Signer] (same arguments, same bytes, same errors), returning only the
 * `Authorization` value, in a single native call: about ten times cheaper per call than
 * [Signer.sign] on the JVM. Use it where requests are signed in a loop; use [Signer] for the
 * intermediate values (canonical string, nonce, timestamp) or a fixed timestamp/nonce.
 *
 * ```
 * FastSigner("client-1", secret).use { signer ->
 *     val authorization = signer.authorization(SigwireRequest.of("GET", "https://api.example.com/v1/orders"))
 * }
 * ```
 *
 * Thread-safe. Owns native memory holding the secret (zeroed when freed): [close] it, or let the
 * garbage collector's cleaner free it. `toString()` never shows the secret. Plain Kotlin over JNA,
 * so it works on Android too.
 *
 * @throws SigwireException.InvalidKeyId, [SigwireException.InvalidSecret],
 *   [SigwireException.UnsupportedAlgorithm], [SigwireException.InvalidRequest] as [Signer] does.
 */
class FastSigner(
    keyId: String,
    secret: ByteArray,
    algorithm: String = "hmac-sha256",
    signedHeaders: List<String> = emptyList(),
) : AutoCloseable {
    /** The UniFFI signer with the same configuration: validates it, and raises typed errors. */
    val signer: Signer = Signer(keyId, secret, algorithm, signedHeaders)

    private val lock = ReentrantReadWriteLock()
    private var handle: Long
    private val cleanable: UniffiCleaner.Cleanable

    init {
        val id = keyId.toByteArray(Charsets.UTF_8)
        val alg = algorithm.toByteArray(Charsets.UTF_8)
        val names = signedHeaders.joinToString("") { "$it\n" }.toByteArray(Charsets.UTF_8)
        handle = FastLib.sigwire_fast_signer_new(id, id.size, secret, secret.size, alg, alg.size, names, names.size)
        if (handle == 0L) {
            signer.close()
            throw SigwireException.InvalidConfig("invalid_config", "the fast signer refused a configuration the Signer accepted", null)
        }
        // The bindings' cleaner: java.lang.ref.Cleaner where it exists, JNA's on older Android.
        cleanable = UniffiLib.CLEANER.register(this, Free(handle, lock))
    }

    /**
     * Frees the native handle: run once, by [close] or by the cleaner. It never references the
     * FastSigner, and takes the write lock, so a call in flight (holding the read lock) finishes
     * before the handle is freed even if the garbage collector found the FastSigner unreachable.
     */
    private class Free(private val handle: Long, private val lock: ReentrantReadWriteLock) : Runnable {
        override fun run() = lock.write { FastLib.sigwire_fast_signer_free(handle) }
    }

    /**
     * The `Authorization` value for [request], signed now with a fresh nonce.
     *
     * @throws SigwireException.InvalidRequest when the request cannot be canonicalised.
     */
    fun authorization(request: SigwireRequest): String =
        authorization(request.method, request.url, request.headers, request.body)

    /** The `Authorization` value for a request given by its parts (see [authorization]). */
    fun authorization(method: String, url: String, headers: List<Header>, body: ByteArray): String {
        val head = encodeHead(method, url, headers)
        var out = ByteArray(OUT_SIZE)
        lock.read {
            val h = handle
            check(h != 0L) { "FastSigner is closed" }
            var n = FastLib.sigwire_fast_sign(h, head, head.size, body, body.size, out, out.size)
            if (n > out.size) { // many signed headers: once more with room for the value
                out = ByteArray(n)
                n = FastLib.sigwire_fast_sign(h, head, head.size, body, body.size, out, out.size)
            }
            if (n in 0..out.size) return String(out, 0, n, Charsets.ISO_8859_1)
        }
        // Invalid: the UniFFI signer fails the same way and raises the typed exception.
        return signer.signAuthorization(SigwireRequest(method, url, headers, body))
    }

    /** Frees the native signer now (idempotent). Later calls throw `IllegalStateException`. */
    override fun close() {
        lock.write {
            if (handle != 0L) {
                handle = 0L
                cleanable.clean()
            }
        }
        signer.close()
    }

    /** The key id, algorithm and extra signed headers; never the secret. */
    override fun toString(): String = "Fast$signer"

    private companion object {
        const val OUT_SIZE = 512

        /** `len method | len url | count | (len name | len value)*`, u32 little-endian. */
        fun encodeHead(method: String, url: String, headers: List<Header>): ByteArray {
            val parts = ArrayList<ByteArray>(2 + 2 * headers.size)
            parts += method.toByteArray(Charsets.UTF_8)
            parts += url.toByteArray(Charsets.UTF_8)
            for (h in headers) {
                parts += h.name.toByteArray(Charsets.UTF_8)
                parts += h.value.toByteArray(Charsets.UTF_8)
            }
            val out = ByteArray(4 + parts.sumOf { 4 + it.size })
            var at = 0
            fun int(v: Int) {
                out[at] = v.toByte(); out[at + 1] = (v ushr 8).toByte()
                out[at + 2] = (v ushr 16).toByte(); out[at + 3] = (v ushr 24).toByte()
                at += 4
            }
            fun bytes(b: ByteArray) {
                int(b.size)
                b.copyInto(out, at)
                at += b.size
            }
            bytes(parts[0])
            bytes(parts[1])
            int(headers.size)
            for (i in 2 until parts.size) bytes(parts[i])
            return out
        }
    }
}
