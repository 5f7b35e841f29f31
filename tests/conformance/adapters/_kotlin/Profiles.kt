// The profile operations of the protocol (README "Profile operations") for the Kotlin adapter:
// profile_sign (ExchangeSigner incl. Kraken, AwsSigV4Signer, Rfc9421Signer), profile_verify
// (AwsSigV4Verifier, Rfc9421Verifier), profile_sign_response / profile_verify_response
// (Rfc9421Signer.signResponse, Rfc9421Verifier.verifyResponse), webhook_sign / webhook_verify
// (signWebhook, verifyWebhook).
// Argument conversion only.
package dev.sigwire.conformance

import dev.sigwire.AwsSigV4Signer
import dev.sigwire.AwsSigV4Verifier
import dev.sigwire.ExchangeSigner
import dev.sigwire.Header
import dev.sigwire.ProfileException
import dev.sigwire.ProfileSignedRequest
import dev.sigwire.Rfc9421Signer
import dev.sigwire.Rfc9421Verifier
import dev.sigwire.signWebhook
import dev.sigwire.verifyWebhook
import java.util.Base64

/** The profile operations this file answers. */
val PROFILE_OPS = setOf(
    "profile_sign", "profile_verify", "profile_sign_response", "profile_verify_response", "webhook_sign", "webhook_verify",
)

/** Thrown for an operation the Kotlin SDK has no API for. */
class Unsupported(message: String) : Exception(message)

/** The machine code of any [ProfileException] subclass (each carries `code`). */
fun ProfileException.machineCode(): String = javaClass.getMethod("getCode").invoke(this) as String

fun Map<String, Any?>.optStr(k: String): String? = this[k] as? String

fun Map<String, Any?>.optUnsigned(k: String, code: String): ULong? = if (this[k] == null) null else unsigned(k, code)

fun headerPairs(list: List<Header>): List<List<String>> = list.map { listOf(it.name, it.value) }

fun signedFields(s: ProfileSignedRequest, out: MutableMap<String, Any?>) {
    s.use {
        out["url"] = it.url()
        out["headers"] = headerPairs(it.headers())
    }
}

fun profileSign(op: Map<String, Any?>, out: MutableMap<String, Any?>) {
    val c = op["credentials"].obj()
    val s = (op["settings"] ?: emptyMap<String, Any?>()).obj()
    val time = op.unsigned("time", "invalid_request")
    val req = request(op)
    when (val profile = op.str("profile")) {
        "aws-sigv4" -> AwsSigV4Signer(
            c.str("access_key_id"), c.str("secret_access_key"), s.str("region"), s.str("service"),
            c.optStr("session_token"), s["s3"] == true,
        ).use { signer ->
            val expires = s.optUnsigned("presign_expires", "invalid_settings")
            if (expires != null) {
                out["url"] = signer.presign(req, time, expires)
                out["headers"] = headerPairs(req.headers)
            } else {
                signedFields(signer.sign(req, time, s["unsigned_payload"] == true), out)
            }
        }
        "rfc9421" -> rfc9421Signer(op).use { signedFields(it.sign(req, time, op.optStr("nonce")), out) }
        // Kraken signs the nonce inside the body; the time is not used.
        "binance", "coinbase", "kraken", "okx", "bybit" ->
            ExchangeSigner(profile, c.str("api_key"), c.str("secret"), c.optStr("passphrase")).use {
                signedFields(it.sign(req, time), out)
            }
        else -> throw Coded("invalid_settings", "unknown profile $profile")
    }
}

/** The `keys` of a profile_verify operation: key id to secret, in the order given. */
fun verifyKeys(op: Map<String, Any?>): List<Pair<String, String>> =
    op.list("keys").map { val k = it.obj(); k.str("key_id") to k.str("secret") }

fun profileVerify(op: Map<String, Any?>, out: MutableMap<String, Any?>) {
    val s = (op["settings"] ?: emptyMap<String, Any?>()).obj()
    val req = request(op)
    val now = op.unsigned("now", "invalid_request")
    val keyId = when (val profile = op.str("profile")) {
        "aws-sigv4" -> {
            val creds = verifyKeys(op).toMap()
            AwsSigV4Verifier(s.str("region"), s.str("service"), creds, s["s3"] == true, s.optUnsigned("max_clock_skew", "invalid_settings")).use {
                it.verify(req, now).accessKeyId
            }
        }
        "rfc9421" -> rfc9421Verifier(op).use { it.verify(req, now).keyId }
        else -> throw Coded("invalid_settings", "no verifier for profile $profile")
    }
    out["ok"] = true
    out["key_id"] = keyId
}

fun rfc9421Signer(op: Map<String, Any?>): Rfc9421Signer {
    val c = op["credentials"].obj()
    val s = (op["settings"] ?: emptyMap<String, Any?>()).obj()
    val components = (s["components"] as List<*>?)?.map { it as String }.orEmpty()
    return Rfc9421Signer(c.str("key_id"), secret(c.str("secret_hex"), "invalid_credentials"), s.optStr("label"), components)
}

fun rfc9421Verifier(op: Map<String, Any?>): Rfc9421Verifier {
    val s = (op["settings"] ?: emptyMap<String, Any?>()).obj()
    val keys = verifyKeys(op).associate { (id, hex) -> id to secret(hex, "invalid_credentials") }
    // Absent: the default components; an empty list: nothing required (as in every runtime); a
    // list with @status: what a response must cover.
    val required = (s["required_components"] as List<*>?)?.map { it as String }
    val maxAge = s.optUnsigned("max_age", "invalid_settings")
    val maxAhead = s.optUnsigned("max_ahead", "invalid_settings")
    return Rfc9421Verifier(keys, s.optStr("label"), required, maxAge, maxAhead)
}

/** A response operation's status (UniFFI takes a u16; the core refuses what is not 100-999). */
fun responseStatus(op: Map<String, Any?>): UShort {
    if (op["profile"] != "rfc9421") throw Coded("invalid_settings", "no response signing for profile ${op["profile"]}")
    val status = op.unsigned("status", "invalid_request")
    if (status > 65535uL) throw Coded("invalid_request", "status must be 100 to 999")
    return status.toUShort()
}

fun responseHeaders(op: Map<String, Any?>): List<Header> =
    op.list("headers").map { val p = it as List<*>; Header(p[0] as String, p[1] as String) }

fun profileSignResponse(op: Map<String, Any?>, out: MutableMap<String, Any?>) {
    val status = responseStatus(op)
    val headers = responseHeaders(op)
    val body = Base64.getDecoder().decode(op.str("body_b64"))
    val time = op.unsigned("time", "invalid_request")
    rfc9421Signer(op).use { signer ->
        signer.signResponse(status, headers, body, time, op.optStr("nonce")).use { out["headers"] = headerPairs(it.headers()) }
    }
}

fun profileVerifyResponse(op: Map<String, Any?>, out: MutableMap<String, Any?>) {
    val status = responseStatus(op)
    val headers = responseHeaders(op)
    val body = Base64.getDecoder().decode(op.str("body_b64"))
    val now = op.unsigned("now", "invalid_request")
    val keyId = rfc9421Verifier(op).use { it.verifyResponse(status, headers, body, now).keyId }
    out["ok"] = true
    out["key_id"] = keyId
}

fun webhookSignOp(op: Map<String, Any?>, out: MutableMap<String, Any?>) {
    val secrets = op.list("secrets").map { it as String }
    val body = Base64.getDecoder().decode(op.str("body_b64"))
    val lines = signWebhook(op.str("provider"), secrets, body, op.unsigned("timestamp", "invalid_request"), op.optStr("msg_id"))
    out["headers"] = headerPairs(lines)
}

fun webhookVerifyOp(op: Map<String, Any?>, out: MutableMap<String, Any?>) {
    val secrets = op.list("secrets").map { it as String }
    val body = Base64.getDecoder().decode(op.str("body_b64"))
    val v = verifyWebhook(
        op.str("provider"), secrets, op.list("headers").map { val p = it as List<*>; Header(p[0] as String, p[1] as String) }, body,
        op.unsigned("now", "invalid_request"), op.unsigned("tolerance", "invalid_settings"),
    )
    out["ok"] = true
    out["timestamp"] = v.timestamp?.let { Num(it.toString()) }
    out["msg_id"] = v.id
    out["secret_index"] = Num(v.secretIndex.toString())
}

/** Answers one profile operation into [out]; throws on failure like the sigwire-v1 operations. */
fun profileAnswer(op: Map<String, Any?>, out: MutableMap<String, Any?>) {
    when (op["op"]) {
        "profile_sign" -> profileSign(op, out)
        "profile_verify" -> profileVerify(op, out)
        "profile_sign_response" -> profileSignResponse(op, out)
        "profile_verify_response" -> profileVerifyResponse(op, out)
        "webhook_sign" -> webhookSignOp(op, out)
        "webhook_verify" -> webhookVerifyOp(op, out)
    }
}
