// Idiomatic Kotlin over the generated UniFFI bindings (`sigwire.kt`, package dev.sigwire).
// Plain Kotlin, no JVM-only API: usable on Android too. The JVM's java.net.http and
// com.sun.net.httpserver helpers are in src/jvm (JavaHttp.kt).
@file:JvmName("SigwireExtensions")

package dev.sigwire

/** An empty body, for requests that carry none. */
val EMPTY_BODY: ByteArray = ByteArray(0)

/**
 * Builds a [SigwireRequest] from `(name, value)` pairs, kept in order (repeated names allowed).
 *
 * ```
 * val request = SigwireRequest.of("POST", "https://api.example.com/v1/payments",
 *     listOf("Content-Type" to "application/json"), """{"amount":100}""".toByteArray())
 * ```
 */
fun SigwireRequest.Companion.of(
    method: String,
    url: String,
    headers: List<Pair<String, String>> = emptyList(),
    body: ByteArray = EMPTY_BODY,
): SigwireRequest = SigwireRequest(method, url, headers.map { (name, value) -> Header(name, value) }, body)

/** A copy of this request with one more header line (e.g. the `Authorization` header). */
fun SigwireRequest.withHeader(name: String, value: String): SigwireRequest =
    SigwireRequest(method, url, headers + Header(name, value), body)

/**
 * Signs this request with [signer] and returns it with the `Authorization` header added.
 *
 * @throws SigwireException.InvalidRequest when the request cannot be canonicalised.
 */
fun SigwireRequest.signedBy(signer: Signer, timestamp: ULong? = null, nonce: String? = null): SigwireRequest =
    withHeader(AUTHORIZATION, signer.authorizationAt(this, timestamp, nonce))

/**
 * The `Authorization` value for [request]: [Signer.signAuthorization] when [timestamp] and [nonce]
 * are both null (only the header value crosses back from Rust), else [Signer.signWith].
 */
internal fun Signer.authorizationAt(request: SigwireRequest, timestamp: ULong?, nonce: String?): String =
    if (timestamp == null && nonce == null) signAuthorization(request) else signWith(request, timestamp, nonce).authorization

/**
 * [Signer.sign] when [timestamp] and [nonce] are both null (one FFI round trip less), else
 * [Signer.signWith].
 */
fun Signer.signAt(request: SigwireRequest, timestamp: ULong? = null, nonce: String? = null): Signature =
    if (timestamp == null && nonce == null) sign(request) else signWith(request, timestamp, nonce)

/** The stable machine code, e.g. `"signature_mismatch"`, on any [SigwireException]. */
val SigwireException.code: String get() = errorCode()

/** What went wrong and what to do (never a secret), on any [SigwireException]. */
val SigwireException.detail: String get() = errorDetail()

/** For errors from a verifier: its Unix time, for the `X-Sigwire-Server-Time` header. */
val SigwireException.serverTime: ULong? get() = errorServerTime()

/** The `Authorization` header name. */
const val AUTHORIZATION: String = "Authorization"

/** `X-Sigwire-Server-Time`: a verifying server's Unix time, sent with every failure. */
val SERVER_TIME_HEADER: String = serverTimeHeader()
