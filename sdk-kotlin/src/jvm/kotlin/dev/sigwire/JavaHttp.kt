// JVM-only helpers: sign a java.net.http.HttpRequest, verify in a com.sun.net.httpserver server.
// (Neither API exists on Android; there, sign with SigwireRequest and add the header yourself.)
@file:JvmName("SigwireJavaHttp")

package dev.sigwire

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpHandler
import com.sun.net.httpserver.HttpsExchange
import java.net.http.HttpRequest

/**
 * The [SigwireRequest] view of this `java.net.http` request: method, URI, header lines and [body].
 *
 * A `BodyPublisher` cannot be read back, so pass the exact bytes it sends as [body]; when the
 * publisher knows its length and it differs from `body.size`, this throws
 * [SigwireException.InvalidRequest] rather than sign something else.
 */
fun HttpRequest.toSigwireRequest(body: ByteArray = EMPTY_BODY): SigwireRequest {
    val published = bodyPublisher().map { it.contentLength() }.orElse(0L)
    if (published >= 0 && published != body.size.toLong()) {
        throw SigwireException.InvalidRequest(
            "invalid_request",
            "the request's body publisher sends $published bytes but ${body.size} were given to sign; " +
                "pass the exact body bytes",
            null,
        )
    }
    val lines = headers().map().flatMap { (name, values) -> values.map { Header(name, it) } }
    return SigwireRequest(method(), uri().toString(), lines, body)
}

/**
 * Returns a copy of this request with a fresh `Authorization` header signed by [signer].
 *
 * ```
 * val body = """{"amount":100}""".toByteArray()
 * val request = HttpRequest.newBuilder(URI.create("https://api.example.com/v1/payments"))
 *     .header("Content-Type", "application/json")
 *     .POST(HttpRequest.BodyPublishers.ofByteArray(body))
 *     .build()
 *     .signedWith(signer, body)
 * client.send(request, HttpResponse.BodyHandlers.ofString())
 * ```
 *
 * [body] must be the exact bytes the request's body publisher sends (see [toSigwireRequest]).
 * [timestamp] and [nonce] default to now and a fresh random nonce.
 * @throws SigwireException.InvalidRequest when the request cannot be canonicalised.
 */
fun HttpRequest.signedWith(
    signer: Signer,
    body: ByteArray = EMPTY_BODY,
    timestamp: ULong? = null,
    nonce: String? = null,
): HttpRequest {
    val authorization = signer.authorizationAt(toSigwireRequest(body), timestamp, nonce)
    return HttpRequest.newBuilder(this) { name, _ -> !name.equals(AUTHORIZATION, ignoreCase = true) }
        .header(AUTHORIZATION, authorization)
        .build()
}

/**
 * The [SigwireRequest] view of a request received by a `com.sun.net.httpserver` server.
 *
 * The URL is rebuilt from the scheme (`https` for an `HttpsExchange`), the `Host` header (or the
 * local address) and the request target exactly as received.
 */
fun HttpExchange.toSigwireRequest(body: ByteArray): SigwireRequest {
    val target = requestURI.toString()
    val url = if (requestURI.isAbsolute) {
        target
    } else {
        val scheme = if (this is HttpsExchange) "https" else "http"
        val host = requestHeaders.getFirst("Host") ?: "${localAddress.hostString}:${localAddress.port}"
        "$scheme://$host$target"
    }
    val lines = requestHeaders.flatMap { (name, values) -> values.map { Header(name, it) } }
    return SigwireRequest(requestMethod, url, lines, body)
}

/**
 * Answers a failed verification: [SigwireException.httpStatus], the body
 * `{"error":"<code>"}` and the `X-Sigwire-Server-Time` header ([fallbackServerTime] when the
 * error carries no server time), then closes the exchange.
 */
fun HttpExchange.sendSigwireError(error: SigwireException, fallbackServerTime: ULong) {
    val body = error.publicBody().toByteArray(Charsets.UTF_8)
    responseHeaders.set("Content-Type", "application/json")
    responseHeaders.set(SERVER_TIME_HEADER, (error.serverTime ?: fallbackServerTime).toString())
    sendResponseHeaders(error.httpStatus().toInt(), body.size.toLong())
    responseBody.use { it.write(body) }
}

/**
 * An `HttpHandler` that verifies every request with [verifier] before calling [next].
 *
 * It reads the whole body, verifies, and on failure answers with the error's status, public
 * body and the server time header without calling [next]. On success [next] receives the
 * exchange, the [Verified] result and the body bytes, and must send the response. The exchange
 * is closed afterwards either way.
 *
 * ```
 * val server = HttpServer.create(InetSocketAddress("127.0.0.1", 8080), 0)
 * server.createContext("/", SigwireHttpHandler(verifier) { exchange, verified, body ->
 *     val reply = "hello ${verified.keyId}".toByteArray()
 *     exchange.sendResponseHeaders(200, reply.size.toLong())
 *     exchange.responseBody.write(reply)
 * })
 * ```
 */
class SigwireHttpHandler(
    private val verifier: Verifier,
    private val next: (exchange: HttpExchange, verified: Verified, body: ByteArray) -> Unit,
) : HttpHandler {
    /** Verifies the exchange's request, then answers the error or calls `next`. */
    override fun handle(exchange: HttpExchange) {
        try {
            val body = exchange.requestBody.use { it.readAllBytes() }
            val verified = try {
                verifier.verify(exchange.toSigwireRequest(body))
            } catch (e: SigwireException) {
                exchange.sendSigwireError(e, verifier.now())
                return
            }
            next(exchange, verified, body)
        } finally {
            exchange.close()
        }
    }
}
