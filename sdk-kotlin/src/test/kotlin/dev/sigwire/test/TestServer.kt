// A local verifying server: the JDK's built-in HttpServer with the Kotlin Verifier.
package dev.sigwire.test

import com.sun.net.httpserver.HttpServer
import dev.sigwire.KeyStore
import dev.sigwire.SigwireHttpHandler
import dev.sigwire.Verifier
import java.net.InetSocketAddress
import java.util.concurrent.Executors

/**
 * Listens on 127.0.0.1 (an ephemeral port unless [port] is given). Every path is verified by
 * [SigwireHttpHandler]; a verified request gets 200 and a JSON echo of the key id, method,
 * path and body length. Failures get the error's status, `{"error":"<code>"}` and the
 * `X-Sigwire-Server-Time` header.
 */
class VerifyingServer(keys: KeyStore, window: ULong = 300uL, port: Int = 0) : AutoCloseable {
    /** The verifier behind the server (its replay store lives as long as the server). */
    val verifier = Verifier(keys, window)
    private val pool = Executors.newFixedThreadPool(4)
    private val server: HttpServer = HttpServer.create(InetSocketAddress("127.0.0.1", port), 0).apply {
        executor = pool
        createContext("/", SigwireHttpHandler(verifier) { exchange, verified, body ->
            val reply = """{"keyId":"${verified.keyId}","method":"${exchange.requestMethod}",""" +
                """"path":"${exchange.requestURI.rawPath}","bodyBytes":${body.size}}"""
            val bytes = reply.toByteArray()
            exchange.responseHeaders.set("Content-Type", "application/json")
            exchange.sendResponseHeaders(200, bytes.size.toLong())
            exchange.responseBody.write(bytes)
        })
        start()
    }

    /** The base URL, e.g. `http://127.0.0.1:41234`. */
    val baseUrl: String get() = "http://127.0.0.1:${server.address.port}"

    /** Stops the server and frees the verifier. */
    override fun close() {
        server.stop(0)
        pool.shutdownNow()
        verifier.close()
    }
}

/**
 * Runs the server by hand: `SIGWIRE_KEY_ID` / `SIGWIRE_SECRET` (default `client-1` and a demo
 * secret), port from the first argument (default 8787). Stops on Ctrl-C.
 */
fun main(args: Array<String>) {
    val keys = KeyStore()
    keys.insert(
        System.getenv("SIGWIRE_KEY_ID") ?: "client-1",
        (System.getenv("SIGWIRE_SECRET") ?: "0123456789abcdef0123456789abcdef").toByteArray(),
    )
    val server = VerifyingServer(keys, port = args.firstOrNull()?.toInt() ?: 8787)
    println("verifying server on ${server.baseUrl}")
    Thread.currentThread().join()
}
