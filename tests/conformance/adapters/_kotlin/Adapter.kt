// Conformance adapter "kotlin": the Kotlin SDK (UniFFI bindings over the Rust core, package
// dev.sigwire) on the JVM. Reads the JSON Lines protocol of tests/conformance/README.md on stdin,
// writes one answer line per operation on stdout, flushing each. Argument conversion only.
// Started by ../kotlin.sh; built by build.sh next to this file. No dependency besides the SDK.
// The profile operations are in Profiles.kt.
package dev.sigwire.conformance

import dev.sigwire.Header
import dev.sigwire.KeyStore
import dev.sigwire.ProfileException
import dev.sigwire.SigwireException
import dev.sigwire.SigwireRequest
import dev.sigwire.Signer
import dev.sigwire.Verifier
import dev.sigwire.code
import dev.sigwire.inMemoryReplayStore
import java.io.BufferedReader
import java.io.BufferedWriter
import java.io.InputStreamReader
import java.io.OutputStreamWriter
import java.util.Base64

/** An error with a machine code raised by this adapter itself (input the SDK's types cannot hold). */
class Coded(val code: String, message: String) : Exception(message)

/** A JSON number, kept as text so 64-bit integers stay exact. */
data class Num(val text: String)

@Suppress("UNCHECKED_CAST")
fun Any?.obj(): Map<String, Any?> = this as Map<String, Any?>
fun Map<String, Any?>.str(k: String): String = this[k] as? String ?: throw IllegalArgumentException("$k must be a string")
fun Map<String, Any?>.list(k: String): List<Any?> = this[k] as? List<Any?> ?: throw IllegalArgumentException("$k must be a list")

/** A non-negative integer field as ULong; a negative or out-of-range one is the machine code [code]. */
fun Map<String, Any?>.unsigned(k: String, code: String): ULong {
    val n = this[k] as? Num ?: throw IllegalArgumentException("$k must be a number")
    return n.text.toULongOrNull() ?: throw Coded(code, "$k is not a non-negative integer")
}

fun secret(text: String, code: String = "invalid_secret"): ByteArray {
    if (text.length % 2 != 0 || !text.all { it in '0'..'9' || it in 'a'..'f' || it in 'A'..'F' }) {
        throw Coded(code, "secret_hex is not hex")
    }
    return ByteArray(text.length / 2) { text.substring(2 * it, 2 * it + 2).toInt(16).toByte() }
}

fun request(op: Map<String, Any?>): SigwireRequest {
    val headers = op.list("headers").map {
        val pair = it as List<*>
        Header(pair[0] as String, pair[1] as String)
    }
    return SigwireRequest(op.str("method"), op.str("url"), headers, Base64.getDecoder().decode(op.str("body_b64")))
}

fun sign(op: Map<String, Any?>, out: MutableMap<String, Any?>) {
    val extra = (op["signed_headers"] as List<*>?)?.map { it as String }.orEmpty()
    Signer(op.str("key_id"), secret(op.str("secret_hex")), op.str("algorithm"), extra).use { signer ->
        val timestamp = op.unsigned("timestamp", "invalid_request")
        val s = signer.signWith(request(op), timestamp, op.str("nonce"))
        out["canonical_string"] = s.canonicalString
        out["signature"] = s.signature
        out["authorization"] = s.authorization
    }
}

fun verify(op: Map<String, Any?>, out: MutableMap<String, Any?>) {
    val now = op.unsigned("now", "invalid_config")
    val window = op.unsigned("window", "invalid_config")
    KeyStore().use { keys ->
        for (k in op.list("keys")) {
            val key = k.obj()
            val notAfter = if (key["not_after"] == null) null else key.unsigned("not_after", "invalid_config")
            keys.insert(key.str("key_id"), secret(key.str("secret_hex")), notAfter)
        }
        val seen = (op["seen_nonces"] as List<*>?).orEmpty()
        val replay = inMemoryReplayStore((seen.size + 16).toULong())
        for (s in seen) replay.checkAndRecord(s.obj().str("key_id"), s.obj().str("nonce"), now + window, now)
        Verifier(keys, window, replay).use { verifier ->
            val verified = verifier.verifyAt(request(op), now)
            out["ok"] = true
            out["key_id"] = verified.keyId
        }
        (replay as? AutoCloseable)?.close()
    }
}

fun answer(line: String): Map<String, Any?> {
    val op = Json(line).document().obj()
    val out = linkedMapOf<String, Any?>("id" to op["id"])
    val isVerify = op["op"] in setOf("verify", "profile_verify", "profile_verify_response", "webhook_verify")
    try {
        when (op["op"]) {
            "sign" -> sign(op, out)
            "verify" -> verify(op, out)
            in PROFILE_OPS -> profileAnswer(op, out)
            else -> throw IllegalArgumentException("op must be a protocol operation")
        }
    } catch (e: Unsupported) {
        out.keys.retainAll(setOf("id"))
        out["unsupported"] = e.message
    } catch (e: ProfileException) {
        out.keys.retainAll(setOf("id"))
        if (isVerify) out["ok"] = false
        out["error"] = e.machineCode()
    } catch (e: SigwireException) {
        if (isVerify) out["ok"] = false
        out["error"] = e.code
        if (e is SigwireException.StaleTimestamp) out["skew"] = Num(e.skewSeconds.toString())
    } catch (e: Coded) {
        out.keys.retainAll(setOf("id"))
        if (isVerify) out["ok"] = false
        out["error"] = e.code
    } catch (e: Exception) { // no machine code: the runner reports it as a protocol violation
        out.remove("key_id")
        out.remove("ok")
        out["error"] = "adapter_error: ${e.javaClass.simpleName}: ${e.message}"
    }
    return out
}

fun main() {
    val input = BufferedReader(InputStreamReader(System.`in`, Charsets.UTF_8), 1 shl 16)
    val output = BufferedWriter(OutputStreamWriter(System.out, Charsets.UTF_8), 1 shl 16)
    while (true) {
        val line = input.readLine() ?: break
        if (line.isBlank()) continue
        val sb = StringBuilder()
        writeJson(answer(line), sb)
        output.write(sb.toString())
        output.write("\n")
        output.flush()
    }
}

// ---- a minimal strict JSON reader and writer ---------------------------------------------------

class Json(private val s: String) {
    private var i = 0

    fun document(): Any? {
        val v = value()
        ws()
        if (i != s.length) fail("trailing characters")
        return v
    }

    private fun fail(what: String): Nothing = throw IllegalArgumentException("JSON: $what at $i")

    private fun ws() {
        while (i < s.length && s[i] in " \t\r\n") i++
    }

    private fun value(): Any? {
        ws()
        if (i >= s.length) fail("unexpected end")
        return when (s[i]) {
            '{' -> {
                i++
                val m = LinkedHashMap<String, Any?>()
                ws()
                if (s.getOrNull(i) == '}') { i++; return m }
                while (true) {
                    ws()
                    if (s.getOrNull(i) != '"') fail("expected a key")
                    val k = string()
                    ws()
                    if (s.getOrNull(i) != ':') fail("expected :")
                    i++
                    m[k] = value()
                    ws()
                    when (s.getOrNull(i)) {
                        ',' -> i++
                        '}' -> { i++; return m }
                        else -> fail("expected , or }")
                    }
                }
                @Suppress("UNREACHABLE_CODE") m
            }
            '[' -> {
                i++
                val l = ArrayList<Any?>()
                ws()
                if (s.getOrNull(i) == ']') { i++; return l }
                while (true) {
                    l.add(value())
                    ws()
                    when (s.getOrNull(i)) {
                        ',' -> i++
                        ']' -> { i++; return l }
                        else -> fail("expected , or ]")
                    }
                }
                @Suppress("UNREACHABLE_CODE") l
            }
            '"' -> string()
            't' -> word("true", true)
            'f' -> word("false", false)
            'n' -> word("null", null)
            else -> {
                val start = i
                while (i < s.length && s[i] in "+-0123456789.eE") i++
                if (start == i) fail("unexpected character")
                Num(s.substring(start, i))
            }
        }
    }

    private fun word(w: String, v: Any?): Any? {
        if (!s.startsWith(w, i)) fail("bad literal")
        i += w.length
        return v
    }

    private fun string(): String {
        i++ // opening quote
        val sb = StringBuilder()
        while (true) {
            if (i >= s.length) fail("unterminated string")
            val c = s[i++]
            when (c) {
                '"' -> return sb.toString()
                '\\' -> {
                    val e = s.getOrNull(i++) ?: fail("bad escape")
                    when (e) {
                        '"', '\\', '/' -> sb.append(e)
                        'b' -> sb.append('\b')
                        'f' -> sb.append('\u000C')
                        'n' -> sb.append('\n')
                        'r' -> sb.append('\r')
                        't' -> sb.append('\t')
                        'u' -> {
                            if (i + 4 > s.length) fail("bad \\u escape")
                            sb.append(s.substring(i, i + 4).toInt(16).toChar())
                            i += 4
                        }
                        else -> fail("bad escape")
                    }
                }
                else -> sb.append(c)
            }
        }
    }
}

fun writeJson(v: Any?, sb: StringBuilder) {
    when (v) {
        null -> sb.append("null")
        is Boolean -> sb.append(v)
        is Num -> sb.append(v.text)
        is String -> {
            sb.append('"')
            for (c in v) {
                when {
                    c == '"' -> sb.append("\\\"")
                    c == '\\' -> sb.append("\\\\")
                    c < ' ' -> sb.append(String.format("\\u%04x", c.code))
                    else -> sb.append(c)
                }
            }
            sb.append('"')
        }
        is Map<*, *> -> {
            sb.append('{')
            var first = true
            for ((k, x) in v) {
                if (!first) sb.append(',')
                first = false
                writeJson(k as String, sb)
                sb.append(':')
                writeJson(x, sb)
            }
            sb.append('}')
        }
        is List<*> -> {
            sb.append('[')
            v.forEachIndexed { n, x -> if (n > 0) sb.append(','); writeJson(x, sb) }
            sb.append(']')
        }
        else -> throw IllegalArgumentException("cannot write ${v.javaClass}")
    }
}
