// Meaning-changing headers (issue 12 item 11): a header such as X-HTTP-Method-Override added on the
// path to a signed request verifies by default; a verifier that requires it signed refuses it, and
// a signer under the "all-end-to-end" policy signs it.
package dev.sigwire.test

import dev.sigwire.KeyStore
import dev.sigwire.SigwireException
import dev.sigwire.SigwireRequest
import dev.sigwire.Signer
import dev.sigwire.Verifier
import dev.sigwire.of
import dev.sigwire.signedBy
import dev.sigwire.withHeader

private val HP_SECRET = "sigwire-kotlin-header-policy-0123".toByteArray()
private const val HP_NOW = 1_700_000_000uL
private const val OVERRIDE = "X-HTTP-Method-Override"

/** The header-policy tests. */
fun headerPolicyTests(run: TestRun) {
    run.section("meaning-changing headers: signing policy and required signed headers")
    val keys = KeyStore().also { it.insert("client-1", HP_SECRET) }
    val post = SigwireRequest.of(
        "POST", "https://api.example.com/v1/notes",
        listOf("Content-Type" to "application/json"), """{"text":"hi"}""".toByteArray(),
    )
    var nonce = 0
    // 22 base64url characters (16 bytes; the last one carries no spare bits).
    fun fresh() = "HeaderPolicyNonce%04dA".format(++nonce)

    run.test("the attack: an override added to a signed POST verifies under a default verifier") {
        Signer("client-1", HP_SECRET).use { s ->
            Verifier(keys).use { v ->
                val attacked = post.signedBy(s, HP_NOW, fresh()).withHeader(OVERRIDE, "DELETE")
                assertEq("client-1", v.verifyAt(attacked, HP_NOW).keyId, "accepted by default")
            }
        }
    }
    run.test("requireSignedHeaders refuses it with UnsignedHeader (401, unsigned_header)") {
        Signer("client-1", HP_SECRET).use { s ->
            Verifier(keys, requireSignedHeaders = listOf("x-http-method-override")).use { v ->
                val attacked = post.signedBy(s, HP_NOW, fresh()).withHeader(OVERRIDE, "DELETE")
                val e = expectSigwire(SigwireException.UnsignedHeader::class, "unsigned_header") { v.verifyAt(attacked, HP_NOW) }
                assertEq(401, e.httpStatus().toInt(), "status")
                assertEq("""{"error":"unsigned_header"}""", e.publicBody(), "public body")
                // Without the header the same verifier accepts the request.
                assertEq("client-1", v.verifyAt(post.signedBy(s, HP_NOW, fresh()), HP_NOW).keyId, "no override")
            }
        }
    }
    run.test("signedHeaderPolicy = all-end-to-end signs the override; tampering it is a SignatureMismatch") {
        Signer("client-1", HP_SECRET, signedHeaderPolicy = "all-end-to-end").use { s ->
            Verifier(keys, requireSignedHeaders = listOf("x-http-method-override")).use { v ->
                val signed = post.withHeader(OVERRIDE, "PATCH").signedBy(s, HP_NOW, fresh())
                assertEq("client-1", v.verifyAt(signed, HP_NOW).keyId, "signed override accepted")
                val swapped = SigwireRequest(
                    signed.method, signed.url,
                    signed.headers.map { if (it.name == OVERRIDE) it.copy(value = "DELETE") else it },
                    signed.body,
                )
                expectSigwire(SigwireException.SignatureMismatch::class, "signature_mismatch") { v.verifyAt(swapped, HP_NOW) }
            }
        }
    }
    run.test("bad settings are typed errors") {
        expectSigwire(SigwireException.InvalidConfig::class, "invalid_config") {
            Signer("client-1", HP_SECRET, signedHeaderPolicy = "everything")
        }
        expectSigwire(SigwireException.InvalidConfig::class, "invalid_config") {
            Verifier(keys, requireSignedHeaders = listOf("authorization"))
        }
    }
}
