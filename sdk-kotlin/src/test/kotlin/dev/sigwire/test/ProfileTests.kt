// Signing profiles from Kotlin (issue 14): the providers' documented examples (the same ones
// core/tests/profiles_*.rs, sdk-python and sdk-node pin), values computed independently with
// javax.crypto where a provider publishes none, typed ProfileException subclasses, no secret in text.
package dev.sigwire.test

import dev.sigwire.AwsSigV4Signer
import dev.sigwire.AwsSigV4Verifier
import dev.sigwire.ExchangeSigner
import dev.sigwire.Header
import dev.sigwire.ProfileException
import dev.sigwire.Rfc9421Signer
import dev.sigwire.Rfc9421Verifier
import dev.sigwire.SigwireRequest
import dev.sigwire.krakenBody
import dev.sigwire.profileErrorCodes
import dev.sigwire.signWebhook
import dev.sigwire.verifyWebhook
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertThrows
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.util.Base64
import javax.crypto.Mac
import javax.crypto.spec.SecretKeySpec

class ProfileTests {
    private fun request(method: String, url: String, body: String = "", vararg headers: Pair<String, String>) =
        SigwireRequest(method, url, headers.map { Header(it.first, it.second) }, body.toByteArray())

    private fun hmacHex(key: ByteArray, msg: ByteArray): String {
        val mac = Mac.getInstance("HmacSHA256")
        mac.init(SecretKeySpec(key, "HmacSHA256"))
        return mac.doFinal(msg).joinToString("") { "%02x".format(it) }
    }

    @Test
    fun binanceDocumentedExample() {
        // Binance API docs, "SIGNED Endpoint security", HMAC example 1.
        val b = ExchangeSigner(
            "binance",
            "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
            "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
            null,
        )
        val url = "https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
        val s = b.sign(request("POST", url), 1_499_827_319_559uL)
        assertEquals(
            "$url&recvWindow=5000&timestamp=1499827319559&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
            s.url(),
        )
        assertEquals("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A", s.header("x-mbx-apikey"))
        assertFalse(s.toString().contains("c8db5682"))
        val e = assertThrows(ProfileException.InvalidRequest::class.java) {
            b.sign(request("GET", "https://h/x?signature=00"), 5uL)
        }
        assertEquals("invalid_request", e.code)
    }

    @Test
    fun bybitMatchesTheDocumentedPrehash() {
        val s = ExchangeSigner("bybit", "bk", "bybit-secret", null)
            .sign(request("POST", "https://api.bybit.com/v5/order/create", "{\"a\":1}"), 1_607_418_537_715uL)
        assertEquals(hmacHex("bybit-secret".toByteArray(), "1607418537715bk5000{\"a\":1}".toByteArray()), s.header("X-BAPI-SIGN"))
        assertThrows(ProfileException.InvalidCredentials::class.java) { ExchangeSigner("okx", "k", "s", null) }
        assertThrows(ProfileException.InvalidSettings::class.java) { ExchangeSigner("nope", "k", "s", null) }
    }

    @Test
    fun s3DocumentedPresignedUrlAndHeaderSignature() {
        val aws = AwsSigV4Signer("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3", null, true)
        val url = aws.presign(request("GET", "https://examplebucket.s3.amazonaws.com/test.txt"), 1_369_353_600uL, 86_400uL)
        assertTrue(url.endsWith("&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"), url)
        val s = aws.sign(
            request("GET", "https://examplebucket.s3.amazonaws.com/test.txt", "", "Range" to "bytes=0-9"),
            1_369_353_600uL,
            false,
        )
        assertTrue(s.header("Authorization")!!.endsWith("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"))
        assertThrows(ProfileException.InvalidSettings::class.java) {
            aws.presign(request("GET", "https://examplebucket.s3.amazonaws.com/test.txt"), 1uL, 604_801uL)
        }
    }

    @Test
    fun rfc9421B25() {
        val secret = Base64.getDecoder().decode("uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==")
        val signer = Rfc9421Signer("test-shared-secret", secret, "sig-b25", listOf("date", "@authority", "content-type"))
        val s = signer.sign(
            request(
                "POST", "https://example.com/foo?param=Value&Pet=dog", "{\"hello\": \"world\"}",
                "Host" to "example.com", "Date" to "Tue, 20 Apr 2021 02:07:55 GMT",
                "Content-Type" to "application/json", "Content-Length" to "18",
            ),
            1_618_884_473uL,
            null,
        )
        assertEquals("sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:", s.header("Signature"))
        assertThrows(ProfileException.InvalidCredentials::class.java) { Rfc9421Signer("k", ByteArray(0), null, listOf()) }
    }

    @Test
    fun webhooksDocumentedExamplesAndTypedFailures() {
        val gh = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        assertEquals(listOf(Header("X-Hub-Signature-256", gh)), signWebhook("github", listOf("It's a Secret to Everybody"), "Hello, World!".toByteArray(), 0uL, null))
        val std = listOf(
            Header("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
            Header("webhook-timestamp", "1614265330"),
            Header("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
        )
        val v = verifyWebhook("standard", listOf("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), std, "{\"test\": 2432232314}".toByteArray(), 1_614_265_330uL, 300uL)
        assertEquals("msg_p5jXN8AQM9LWM0D4loKWxJek", v.id)

        val secret = "whsec_test_secret-value-xyz"
        val payload = "{\n  \"id\": \"evt_1\"\n}".toByteArray()
        val h = signWebhook("stripe", listOf(secret), payload, 1_700_000_000uL, null)
        assertEquals("t=1700000000,v1=" + hmacHex(secret.toByteArray(), "1700000000.".toByteArray() + payload), h.single().value)
        assertEquals(1_700_000_000uL, verifyWebhook("stripe", listOf(secret), h, payload, 1_700_000_005uL, 300uL).timestamp)
        val mismatch = assertThrows(ProfileException.SignatureMismatch::class.java) {
            verifyWebhook("stripe", listOf(secret), h, "{\"id\":\"evt_1\"}".toByteArray(), 1_700_000_005uL, 300uL)
        }
        assertEquals("signature_mismatch", mismatch.code)
        val late = assertThrows(ProfileException.WebhookTimestampOutOfTolerance::class.java) {
            verifyWebhook("stripe", listOf(secret), h, payload, 1_700_000_301uL, 300uL)
        }
        assertThrows(ProfileException.MissingHeader::class.java) { verifyWebhook("stripe", listOf(secret), listOf(), payload, 1uL, 300uL) }
        for (text in listOf(mismatch.toString(), mismatch.message ?: "", late.toString())) {
            assertFalse(text.contains("secret-value-xyz"), text)
        }
        assertEquals(16, profileErrorCodes().size)
    }

    @Test
    fun krakenDocumentedExampleAndNonces() {
        // Kraken docs, "Spot REST API authentication", the worked example (core/tests/profiles_exchanges.rs).
        val k = ExchangeSigner(
            "kraken", "key",
            "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==", null,
        )
        val params = listOf(Header("ordertype", "limit"), Header("pair", "XBTUSD"), Header("price", "37500"), Header("type", "buy"), Header("volume", "1.25"))
        val body = krakenBody(1_616_492_376_594uL, params)
        assertEquals("nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25", body)
        val s = k.sign(request("POST", "https://api.kraken.com/0/private/AddOrder", body), 0uL)
        assertEquals("4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==", s.header("API-Sign"))
        assertEquals("key", s.header("API-Key"))
        assertThrows(ProfileException.InvalidRequest::class.java) { k.sign(request("POST", "https://api.kraken.com/0/private/Balance", "x=1"), 0uL) }
        // Strictly increasing even when the clock stands still or goes back.
        val a = k.nextNonce(1_700_000_000_000uL)
        val b = k.nextNonce(1_700_000_000_000uL)
        val c = k.nextNonce(1_600_000_000_000uL)
        assertTrue(a < b && b < c, "$a $b $c")
        assertThrows(ProfileException.InvalidRequest::class.java) {
            ExchangeSigner("bybit", "bk", "bybit-secret", null).nextNonce(1uL)
        }
    }

    @Test
    fun awsSigV4VerifierAcceptsWhatTheSignerSentAndNothingElse() {
        val akid = "AKIDEXAMPLE"
        val secretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        val signer = AwsSigV4Signer(akid, secretKey, "eu-west-1", "execute-api", null, false)
        val t = 1_700_000_000uL
        val body = "{\"qty\":2}"
        val s = signer.sign(request("POST", "https://api.example.com/v1/orders?b=2&a=1", body, "Content-Type" to "application/json"), t, false)
        val verifier = AwsSigV4Verifier("eu-west-1", "execute-api", mapOf(akid to secretKey), false, null)
        val sent = SigwireRequest("POST", s.url(), s.headers(), body.toByteArray())
        val v = verifier.verify(sent, t + 10uL)
        assertEquals(akid, v.accessKeyId)
        assertTrue("content-type" in v.signedHeaders && !v.presigned && v.signedAt == t, v.toString())
        assertThrows(ProfileException.SignatureMismatch::class.java) {
            verifier.verify(SigwireRequest("POST", s.url(), s.headers(), "{\"qty\":3}".toByteArray()), t)
        }
        assertThrows(ProfileException.TimestampOutOfTolerance::class.java) { verifier.verify(sent, t + 3600uL) }
        val other = AwsSigV4Verifier("eu-west-1", "execute-api", mapOf("AKIDOTHER" to secretKey), false, null)
        assertThrows(ProfileException.UnknownKey::class.java) { other.verify(sent, t) }
        val presigned = signer.presign(request("GET", "https://api.example.com/v1/report"), t, 300uL)
        assertTrue(verifier.verify(SigwireRequest("GET", presigned, listOf(), ByteArray(0)), t + 60uL).presigned)
    }

    @Test
    fun rfc9421VerifierWithQueryParamComponents() {
        val secret = Base64.getDecoder().decode("uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==")
        val components = listOf("@method", "@authority", "@path", "@query-param;name=\"Pet\"", "content-digest")
        val signer = Rfc9421Signer("test-shared-secret", secret, null, components)
        val body = "{\"hello\": \"world\"}"
        val url = "https://example.com/foo?param=Value&Pet=dog"
        val s = signer.sign(request("POST", url, body, "Content-Type" to "application/json"), 1_618_884_473uL, "n-1")
        val verifier = Rfc9421Verifier(mapOf("test-shared-secret" to secret), null, listOf("@method", "\"@query-param\";name=\"Pet\""), null, null)
        val v = verifier.verify(SigwireRequest("POST", s.url(), s.headers(), body.toByteArray()), 1_618_884_480uL)
        assertEquals("test-shared-secret", v.keyId)
        assertEquals("n-1", v.nonce)
        // The core reads either spelling and writes components back as they are signed.
        assertEquals(components, v.components)
        val changed = SigwireRequest("POST", url.replace("dog", "cat"), s.headers(), body.toByteArray())
        assertThrows(ProfileException.SignatureMismatch::class.java) { verifier.verify(changed, 1_618_884_480uL) }
        val stricter = Rfc9421Verifier(mapOf("test-shared-secret" to secret), null, listOf("@query-param;name=\"param\""), null, null)
        assertThrows(ProfileException.InsufficientCoverage::class.java) {
            stricter.verify(SigwireRequest("POST", s.url(), s.headers(), body.toByteArray()), 1_618_884_480uL)
        }
        assertThrows(ProfileException.MalformedSignature::class.java) {
            Rfc9421Verifier(mapOf("k" to secret), null, listOf("@query-param"), null, null)
        }
    }

    @Test
    fun rfc9421ResponsesSignedAndVerified() {
        val secret = "a-response-signing-secret-32-byt".toByteArray()
        val signer = Rfc9421Signer("resp-key", secret, null, listOf("@method", "content-type"))
        val headers = listOf(Header("Content-Type", "application/json"))
        val body = "{\"ok\":true}".toByteArray()
        val s = signer.signResponse(200u, headers, body, 1_618_884_473uL, null)
        // A response covers @status, then the header components (@method does not apply).
        val params = s.header("Signature-Input")!!.removePrefix("sig1=")
        assertTrue(params.startsWith("(\"@status\" \"content-type\");created=1618884473"), params)
        // The signature base of RFC 9421 §2.5, built here, HMAC-SHA256 with javax.crypto.
        val base = "\"@status\": 200\n\"content-type\": application/json\n\"@signature-params\": $params"
        val mac = Mac.getInstance("HmacSHA256").apply { init(SecretKeySpec(secret, "HmacSHA256")) }
        val want = Base64.getEncoder().encodeToString(mac.doFinal(base.toByteArray()))
        assertEquals("sig1=:$want:", s.header("Signature"))
        assertEquals(headers[0], s.headers()[0])

        val verifier = Rfc9421Verifier(mapOf("resp-key" to secret), null, null, null, null)
        val v = verifier.verifyResponse(200u, s.headers(), body, 1_618_884_480uL)
        assertEquals("resp-key", v.keyId)
        assertEquals(listOf("@status", "content-type"), v.components)
        assertThrows(ProfileException.SignatureMismatch::class.java) { verifier.verifyResponse(201u, s.headers(), body, 1_618_884_480uL) }
        // A list with @status is what a response must cover.
        val strict = Rfc9421Verifier(mapOf("resp-key" to secret), null, listOf("@status", "content-digest"), null, null)
        assertThrows(ProfileException.InsufficientCoverage::class.java) { strict.verifyResponse(200u, s.headers(), body, 1_618_884_480uL) }
        // @status is three digits: anything else is refused both ways.
        assertThrows(ProfileException.InvalidRequest::class.java) { signer.signResponse(42u, headers, body, 1uL, null) }
        assertThrows(ProfileException.InvalidRequest::class.java) { verifier.verifyResponse(1000u, s.headers(), body, 1_618_884_480uL) }
        // ;req (a request component in a response signature) is not supported.
        assertThrows(ProfileException.MalformedSignature::class.java) { Rfc9421Signer("k", secret, null, listOf("\"@method\";req")) }
        assertFalse(s.toString().contains(want))
    }
}
