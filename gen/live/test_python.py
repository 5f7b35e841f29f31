"""Live test of the generated Python SDK (gen/examples/payments.yaml) against the example server.

Run with the server's base URL in PAYMENTS_API_BASE_URL (e.g. http://127.0.0.1:PORT/v1), the
credentials in PAYMENTS_API_KEY_ID / PAYMENTS_API_SECRET, and the generated `payments_api`
package installed. Every operation is called, sync and async; the signed ones must be accepted
by the server's SigwireLayer, the unsigned health check must carry no Authorization, the
paginator must walk every page and 4xx answers must surface as typed errors.
"""

from __future__ import annotations

import asyncio
import json
import os
import urllib.request
from typing import Any, Dict, List

import payments_api
from payments_api import types as t

BASE = os.environ["PAYMENTS_API_BASE_URL"]
ORIGIN = BASE.rsplit("/v1", 1)[0]


def stats() -> Dict[str, Any]:
    with urllib.request.urlopen(ORIGIN + "/__control/stats") as r:
        result: Dict[str, Any] = json.loads(r.read())
        return result


def check(cond: bool, what: str) -> None:
    if not cond:
        raise AssertionError(what)
    print(f"  ok  {what}")


def sync_part() -> None:
    # Health: unsigned, works without credentials.
    os_key = os.environ.pop("PAYMENTS_API_KEY_ID")
    try:
        anonymous = payments_api.Client(base_url=BASE)
        check(anonymous.health.get()["status"] == "ok", "health (unsigned) answers without credentials")
        try:
            anonymous.payments.list(x_request_id="r0")
            raise AssertionError("a signed call without credentials must fail")
        except payments_api.MissingCredentials:
            check(True, "a signed operation without credentials raises MissingCredentials")
    finally:
        os.environ["PAYMENTS_API_KEY_ID"] = os_key

    client = payments_api.Client()  # credentials and base URL from the environment
    check("secret" not in repr(client).lower() and "demo-secret" not in repr(client), "repr carries no secret")
    before = stats()
    check(client.health.get()["status"] == "ok", "health via the configured client")
    after = stats()
    check(after["health_with_authorization"] == before["health_with_authorization"], "health carried no Authorization")

    page = client.payments.list(x_request_id="r1", limit=3)
    check(len(page["data"]) == 3 and page["next_cursor"] is not None, "list returns a first page of 3 with a cursor")

    method: t.Card = {"type": "card", "last4": "4242", "brand": "visa"}
    body: t.PaymentCreate = {"amount": {"amount": "12.50", "currency": "EUR"}, "method": method, "description": "live"}
    created = client.payments.create(body, x_request_id="r2")
    check(created["amount"]["amount"] == "12.50" and created["status"] == "succeeded", "create (signed POST, JSON body) accepted")
    pid = created["id"]

    got = client.payments.get(pid, x_request_id="r3")
    check(got["id"] == pid and got["method"]["type"] == "card", "get (path parameter) returns the payment")
    check(got["method"]["type"] == "card" and got["method"].get("brand") == "visa", "oneOf payment method decodes (tagged)")

    all_ids: List[str] = [p["id"] for p in client.payments.list_all(x_request_id="r4", limit=3)]
    check(len(all_ids) == len(set(all_ids)) and pid in all_ids and len(all_ids) >= 8, f"list_all walked every page ({len(all_ids)} payments)")

    refunded = client.payments.refund(pid, x_request_id="r5", body={"reason": "requested_by_customer"})
    check(refunded["status"] == "refunded", "refund (optional body) accepted")

    try:
        client.payments.refund(pid, x_request_id="r6")
        raise AssertionError("second refund must fail")
    except payments_api.ConflictError as e:
        check(e.status == 409 and isinstance(e.body, dict) and e.body["error"] == "already_refunded", "409 raises ConflictError with the parsed body")
        check(e.headers.get("content-type", "").startswith("application/json"), "the error carries the response headers")
    try:
        client.payments.get("pay_9999", x_request_id="r7")
        raise AssertionError("unknown payment must fail")
    except payments_api.NotFoundError as e:
        check(e.status == 404, "404 raises NotFoundError")
    try:
        client.payments.create({"amount": {"amount": "12,50", "currency": "EUR"}, "method": method}, x_request_id="r8")
        raise AssertionError("bad amount must fail")
    except payments_api.ApiError as e:
        check(isinstance(e, payments_api.UnprocessableEntityError) and e.status == 422, "422 raises UnprocessableEntityError")

    # An unknown enum value from the server does not break anything (open enums): the status
    # field is typed Literal[...] | str and no validation happens on decode.
    check(isinstance(refunded["status"], str), "enum values are plain strings")


async def async_part() -> None:
    async with payments_api.AsyncClient() as client:
        check((await client.health.get())["status"] == "ok", "async health")
        bank: t.BankTransfer = {"type": "bank_transfer", "iban": "DE00123"}
        created = await client.payments.create({"amount": {"amount": "3.00", "currency": "EUR"}, "method": bank}, x_request_id="a1")
        got = await client.payments.get(created["id"], x_request_id="a2")
        check(got["method"]["type"] == "bank_transfer", "async create + get")
        ids = [p["id"] async for p in client.payments.list_all(x_request_id="a3", limit=4)]
        check(created["id"] in ids and len(ids) == len(set(ids)), f"async list_all walked every page ({len(ids)})")
        refunded = await client.payments.refund(created["id"], x_request_id="a4", body={"amount": {"amount": "1.00", "currency": "EUR"}})
        check(refunded["status"] == "partially_refunded", "async partial refund")
        try:
            await client.payments.get("nope", x_request_id="a5")
            raise AssertionError("must fail")
        except payments_api.NotFoundError:
            check(True, "async 404 raises NotFoundError")


def main() -> None:
    print("python live test against", BASE)
    sync_part()
    asyncio.run(async_part())
    s = stats()
    check(s["verified"] >= 14 and s["health_with_authorization"] == 0, f"server verified {s['verified']} signed requests, none on health")
    check(
        s["health_via_runtime"] == s["health_calls"] > 0,
        f"all {s['health_calls']} unsigned health calls went through the sigwire runtime (sign=False), none via urllib",
    )
    print("python live test: all checks passed")


if __name__ == "__main__":
    main()
