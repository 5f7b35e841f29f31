// Live test of the generated Kotlin SDK (gen/examples/payments.yaml) against the example server.
//
// Run with the server's base URL in PAYMENTS_API_BASE_URL (e.g. http://127.0.0.1:PORT/v1) and the
// credentials in PAYMENTS_API_KEY_ID / PAYMENTS_API_SECRET. Every operation is called, blocking
// (Client) and suspend (AsyncClient); the signed ones must be accepted by the server's
// SigwireLayer, the unsigned health check must carry no Authorization and go through the Sigwire
// runtime (`sign = false`; the server counts its `sigwire-client/…` User-Agent), the paginators
// (Sequence and Flow) must walk every page and 4xx answers must surface as typed exceptions.
package live

import java.net.URI
import kotlin.system.exitProcess
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long
import payments_api.AsyncClient
import payments_api.BankTransfer
import payments_api.Card
import payments_api.Client
import payments_api.ConflictException
import payments_api.Error
import payments_api.MissingCredentialsException
import payments_api.Money
import payments_api.NotFoundException
import payments_api.Payment
import payments_api.PaymentCreate
import payments_api.PaymentMethod
import payments_api.PaymentStatus
import payments_api.RefundCreate
import payments_api.RefundCreateReason
import payments_api.SigwireJson
import payments_api.UnprocessableEntityException

private val BASE = System.getenv("PAYMENTS_API_BASE_URL") ?: error("PAYMENTS_API_BASE_URL is not set")
private val ORIGIN = BASE.substringBeforeLast("/v1")
private var checks = 0

private fun check(cond: Boolean, what: String) {
    if (!cond) throw AssertionError("FAILED: $what")
    checks++
    println("  ok  $what")
}

private fun stats(): JsonObject =
    Json.parseToJsonElement(URI("$ORIGIN/__control/stats").toURL().readText()) as JsonObject

private fun JsonObject.num(key: String): Long = this[key]!!.jsonPrimitive.long

private inline fun <reified T : Throwable> expect(what: String, block: () -> Unit): T {
    try {
        block()
    } catch (e: Throwable) {
        if (e is T) return e
        throw AssertionError("$what: expected ${T::class.simpleName}, got $e", e)
    }
    throw AssertionError("$what: expected ${T::class.simpleName}, nothing was thrown")
}

private fun blocking() {
    val secret = System.getenv("PAYMENTS_API_SECRET")
    Client().use { client -> // credentials and base URL from the environment
        check(secret !in client.toString() && "secret" !in client.toString().lowercase(), "toString() carries no secret")
        val before = stats()
        check(client.health.get().status == "ok", "health via the configured client")
        val after = stats()
        check(after.num("health_with_authorization") == before.num("health_with_authorization") &&
            after.num("health_calls") == before.num("health_calls") + 1, "health carried no Authorization")
        check(after.num("health_via_runtime") == before.num("health_via_runtime") + 1, "health went through the Sigwire runtime (sign = false)")

        val page = client.payments.list(xRequestId = "r1", limit = 3)
        check(page.data.size == 3 && page.nextCursor != null, "list returns a first page of 3 with a cursor")
        val filtered = client.payments.list(xRequestId = "r1b", limit = 100, status = listOf(PaymentStatus.SUCCEEDED, PaymentStatus("disputed")))
        check(filtered.data.all { it.status == PaymentStatus.SUCCEEDED }, "list with an array query parameter (form, explode=false)")

        val card = Card(type = "card", last4 = "4242", brand = "visa")
        val created = client.payments.create(
            xRequestId = "r2",
            body = PaymentCreate(Money("12.50", "EUR"), PaymentMethod.Card(card), description = "live", metadata = mapOf("k" to "v")),
        )
        check(created.amount.amount == "12.50" && created.status == PaymentStatus.SUCCEEDED, "create (signed POST, JSON body) accepted")
        val got = client.payments.get(created.id, xRequestId = "r3")
        check(got.id == created.id && got.description == "live", "get (path parameter) returns the payment")
        val method = got.method
        check(method is PaymentMethod.Card && method.value.brand == "visa", "oneOf payment method decodes to its sealed variant (tagged)")

        val all = client.payments.listAll(xRequestId = "r4", limit = 3).map { it.id }.toList()
        check(all.size == all.toSet().size && created.id in all && all.size >= 8, "listAll (Sequence) walked every page (${all.size} payments)")
        check(client.payments.listAll(xRequestId = "r4b", limit = 2).first().id == all.first(), "listAll is lazy (first() stops after one page)")

        val refunded = client.payments.refund(created.id, xRequestId = "r5", body = RefundCreate(reason = RefundCreateReason.REQUESTED_BY_CUSTOMER))
        check(refunded.status == PaymentStatus.REFUNDED, "refund (optional body) accepted")

        val conflict = expect<ConflictException>("second refund") { client.payments.refund(created.id, xRequestId = "r6") }
        val model = conflict.model
        check(conflict.status == 409 && model is Error && model.error == "already_refunded", "409 throws ConflictException with the parsed body as the declared Error model")
        check(conflict.bodyAs<Error>()?.error == "already_refunded", "bodyAs<Error>() decodes the body")
        check(conflict.header("Content-Type")?.startsWith("application/json") == true, "the exception carries the response headers")
        val missing = expect<NotFoundException>("unknown payment") { client.payments.get("pay_9999", xRequestId = "r7") }
        check(missing.status == 404, "404 throws NotFoundException")
        val bad = expect<UnprocessableEntityException>("bad amount") {
            client.payments.create(xRequestId = "r8", body = PaymentCreate(Money("12,50", "EUR"), PaymentMethod.Card(card)))
        }
        check(bad.status == 422 && (bad.model as Error).error == "invalid_amount", "422 throws UnprocessableEntityException")
        val end = stats()
        check(end.num("verified") > after.num("verified") && end["last_key_id"]!!.jsonPrimitive.content == System.getenv("PAYMENTS_API_KEY_ID"),
            "signed requests verified by the server (${end.num("verified") - after.num("verified")} since health)")
    }
}

/** Run with no credentials in the environment: unsigned calls work, signed ones fail at the call. */
private fun anonymous() {
    check(System.getenv("PAYMENTS_API_KEY_ID") == null, "no credentials in the environment")
    Client(baseUrl = BASE).use { c ->
        check(c.health.get().status == "ok", "health (unsigned) answers without credentials")
        expect<MissingCredentialsException>("signed call without credentials") { c.payments.list(xRequestId = "r0") }
        check(true, "a signed operation without credentials throws MissingCredentialsException")
    }
    runBlocking {
        AsyncClient(baseUrl = BASE).use { c ->
            check(c.health.get().status == "ok", "suspend health without credentials")
        }
    }
    allUnsignedViaRuntime()
}

/** Every unsigned call the server saw so far came through the runtime, none with Authorization. */
private fun allUnsignedViaRuntime() {
    val s = stats()
    check(s.num("health_calls") > 0 && s.num("health_with_authorization") == 0L, "no unsigned call carried Authorization (${s.num("health_calls")} calls)")
    check(s.num("health_via_runtime") == s.num("health_calls"),
        "all ${s.num("health_calls")} unsigned calls went through the Sigwire runtime (sign = false), none via another HTTP client")
}

private fun suspending() = runBlocking {
    AsyncClient().use { client ->
        check(client.health.get().status == "ok", "suspend health")
        val created = client.payments.create(
            xRequestId = "a1",
            body = PaymentCreate(Money("3.00", "EUR"), PaymentMethod.BankTransfer(BankTransfer(type = "bank_transfer", iban = "DE00123"))),
        )
        val got = client.payments.get(created.id, xRequestId = "a2")
        check(got.method is PaymentMethod.BankTransfer, "suspend create + get")
        val ids = client.payments.listAll(xRequestId = "a3", limit = 4).toList().map { it.id }
        check(created.id in ids && ids.size == ids.toSet().size, "listAll (Flow) walked every page (${ids.size})")
        val partial = client.payments.refund(created.id, xRequestId = "a4", body = RefundCreate(amount = Money("1.00", "EUR")))
        check(partial.status == PaymentStatus.PARTIALLY_REFUNDED, "suspend partial refund")
        try {
            client.payments.get("nope", xRequestId = "a5")
            throw AssertionError("must fail")
        } catch (e: NotFoundException) {
            check(e.status == 404, "suspend 404 throws NotFoundException")
        }
    }
}

/** Open enums and unions: values the server adds later never break decoding. */
private fun openTypes() {
    val text = """{"id":"p","amount":{"amount":"1","currency":"EUR"},"status":"disputed",
        "method":{"type":"crypto","wallet":"x"},"created_at":"2026-01-01T00:00:00Z","extra":1}"""
    val p = SigwireJson.decodeFromString(Payment.serializer(), text)
    check(p.status == PaymentStatus("disputed") && p.status.value == "disputed", "an unknown enum value decodes (open enum)")
    check(p.method is PaymentMethod.Unknown, "an unknown union tag decodes to PaymentMethod.Unknown")
    val again = SigwireJson.decodeFromString(Payment.serializer(), SigwireJson.encodeToString(Payment.serializer(), p))
    check(again == p, "re-encoding keeps unknown values")
}

fun main(args: Array<String>) {
    println("kotlin live test against $BASE" + if (args.isNotEmpty()) " (${args[0]})" else "")
    try {
        if (args.firstOrNull() == "anonymous") {
            anonymous()
        } else {
            openTypes()
            blocking()
            suspending()
            allUnsignedViaRuntime()
        }
    } catch (e: Throwable) {
        System.err.println("kotlin live test failed: $e")
        e.printStackTrace()
        exitProcess(1)
    }
    println("kotlin live test: $checks checks passed")
    exitProcess(0)
}
