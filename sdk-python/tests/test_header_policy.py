"""Meaning-changing headers (issue 12 item 11, Python side).

The attack: ``X-HTTP-Method-Override: DELETE`` added on the path to a signed ``POST``. By default
only ``host`` and ``content-type`` are signed, so it verifies (the documented trade-off, SPEC §8).
Closed two ways: verifiers require the header to be signed whenever present
(``Verifier(require_signed_headers=[...])`` → 401 ``unsigned_header``, answered by the ASGI and
WSGI middleware before the body is read), and signers sign every end-to-end header they send
(``signed_header_policy="all-end-to-end"``), so changing one breaks the signature.
"""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any, Dict, List, Tuple

import pytest
import requests

import sigwire
from sigwire.asgi import SigwireMiddleware as AsgiMiddleware
from sigwire.requests import HmacAuth
from sigwire.wsgi import SigwireMiddleware as WsgiMiddleware

from conftest import NOW, SECRET

HOST = "api.example.com"
URL = f"https://{HOST}/v1/orders/42"
BODY = b'{"note":"ship it"}'
OVERRIDE = ("X-HTTP-Method-Override", "DELETE")


def post_headers(signer: sigwire.Signer, extra: Tuple[Tuple[str, str], ...] = ()) -> List[Tuple[str, str]]:
    headers = [("Content-Type", "application/json"), *extra]
    return headers + list(signer.sign("POST", URL, headers, BODY, timestamp=NOW).items())


def required() -> sigwire.Verifier:
    return sigwire.Verifier({"client-1": SECRET}, require_signed_headers=["X-HTTP-Method-Override"])


def test_by_default_an_added_override_verifies() -> None:
    # The attack works against a verifier that requires nothing: the documented default.
    headers = post_headers(sigwire.Signer("client-1", SECRET)) + [OVERRIDE]
    assert sigwire.Verifier({"client-1": SECRET}).verify("POST", URL, headers, BODY, now=NOW) == "client-1"


def test_a_verifier_requiring_the_header_refuses_it_unsigned() -> None:
    v = required()
    assert v.require_signed_headers == ["x-http-method-override"]
    headers = post_headers(sigwire.Signer("client-1", SECRET)) + [OVERRIDE]
    with pytest.raises(sigwire.UnsignedHeader) as info:
        v.verify("POST", URL, headers, BODY, now=NOW)
    assert (info.value.code, info.value.http_status, info.value.server_time) == ("unsigned_header", 401, NOW)
    with pytest.raises(sigwire.UnsignedHeader):
        v.precheck("POST", URL, headers, now=NOW)  # the header alone suffices
    # Absent: fine. Signed (listed by the client): fine.
    assert v.verify("POST", URL, post_headers(sigwire.Signer("client-1", SECRET)), BODY, now=NOW) == "client-1"
    listed = sigwire.Signer("client-1", SECRET, signed_headers=["x-http-method-override"])
    assert required().verify("POST", URL, post_headers(listed, (("X-HTTP-Method-Override", "PATCH"),)), BODY,
                             now=NOW) == "client-1"


def test_all_end_to_end_signs_every_header_sent() -> None:
    signer = sigwire.Signer("client-1", SECRET, signed_header_policy="all-end-to-end")
    assert signer.signed_header_policy == "all-end-to-end"
    assert sigwire.Signer("client-1", SECRET).signed_header_policy == "listed"
    extra = (("X-HTTP-Method-Override", "PATCH"), ("X-Request-Id", "r-1"), ("Connection", "keep-alive"))
    headers = post_headers(signer, extra)
    auth = dict(headers)["Authorization"]
    assert 'signedHeaders="host;content-type;x-http-method-override;x-request-id"' in auth  # hop-by-hop excluded
    assert required().verify("POST", URL, headers, BODY, now=NOW) == "client-1"
    # Changed on the path: the signature no longer matches.
    tampered = [(n, "DELETE" if n == "X-HTTP-Method-Override" else v) for n, v in headers]
    with pytest.raises(sigwire.SignatureMismatch):
        sigwire.Verifier({"client-1": SECRET}).verify("POST", URL, tampered, BODY, now=NOW)


def test_the_requests_auth_takes_the_policy() -> None:
    auth = HmacAuth("client-1", SECRET, signed_header_policy="all-end-to-end")
    prepared = requests.Request("POST", URL, data=BODY, headers={"X-HTTP-Method-Override": "PATCH",
                                                                 "Content-Type": "application/json"}).prepare()
    auth(prepared)
    assert "x-http-method-override" in prepared.headers["Authorization"]
    assert required().verify("POST", URL, list(prepared.headers.items()), BODY) == "client-1"
    with pytest.raises(TypeError):
        HmacAuth(sigwire.Signer("client-1", SECRET), signed_header_policy="all-end-to-end")


def test_bad_configuration_is_refused_without_echo() -> None:
    with pytest.raises(sigwire.InvalidConfig) as info:
        sigwire.Signer("client-1", SECRET, signed_header_policy="my-very-secret-value-0001")
    assert "my-very-secret-value-0001" not in str(info.value)
    for names in (["authorization"], ["bad header"], ["x:y"]):
        with pytest.raises(sigwire.InvalidConfig):
            sigwire.Verifier({"client-1": SECRET}, require_signed_headers=names)
    with pytest.raises(TypeError):
        sigwire.Verifier({"client-1": SECRET}, require_signed_headers="x-http-method-override")  # type: ignore[arg-type]


# --- the middleware answers before the body ------------------------------------------------------


def test_asgi_and_wsgi_refuse_the_attack_before_the_body() -> None:
    signer = sigwire.Signer("client-1", SECRET)
    headers = post_headers(signer) + [OVERRIDE]
    headers = [(n, v) for n, v in headers]
    # The signature's timestamp is NOW: use a verifier window wide enough for the wall clock.
    verifier = sigwire.Verifier({"client-1": SECRET}, window=10**9, require_signed_headers=["x-http-method-override"])

    reads: List[int] = []

    async def receive() -> Dict[str, Any]:
        reads.append(1)
        return {"type": "http.request", "body": BODY, "more_body": False}

    sent: List[Dict[str, Any]] = []

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    async def app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover - never called
        raise AssertionError("the app was called")

    scope = {
        "type": "http", "method": "POST", "scheme": "https", "path": "/v1/orders/42", "raw_path": b"/v1/orders/42",
        "query_string": b"", "server": (HOST, 443), "client": ("192.0.2.1", 1),
        "headers": [(b"host", HOST.encode())] + [(n.lower().encode(), v.encode()) for n, v in headers],
    }
    asyncio.run(AsgiMiddleware(app, verifier)(scope, receive, send))
    assert (sent[0]["status"], json.loads(sent[1]["body"]), reads) == (401, {"error": "unsigned_header"}, [])

    environ: Dict[str, Any] = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/v1/orders/42", "RAW_URI": "/v1/orders/42", "QUERY_STRING": "",
        "HTTP_HOST": HOST, "wsgi.url_scheme": "https", "CONTENT_LENGTH": str(len(BODY)),
        "wsgi.input": io.BytesIO(BODY),
    }
    for name, value in headers:
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else "HTTP_" + key] = value
    out: Dict[str, Any] = {}

    def start_response(status: str, hdrs: List[Tuple[str, str]], *exc: Any) -> None:
        out["status"] = int(status.split()[0])

    payload = b"".join(WsgiMiddleware(app, verifier)(environ, start_response))  # type: ignore[arg-type]
    assert (out["status"], json.loads(payload)) == (401, {"error": "unsigned_header"})
    assert environ["wsgi.input"].tell() == 0  # not a byte of the body read


# --- the HTTP client, live ------------------------------------------------------------------------


def test_the_client_signs_every_header_with_the_policy() -> None:
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    def app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["sigwire.key_id"].encode()]

    v = sigwire.Verifier({"client-1": SECRET}, require_signed_headers=["x-http-method-override"])
    server = make_server("127.0.0.1", 0, WsgiMiddleware(app, v), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    override = {"X-HTTP-Method-Override": "PATCH", "Content-Type": "application/json"}
    try:
        with sigwire.Client(base, "client-1", SECRET, signed_header_policy="all-end-to-end", max_attempts=1) as c:
            assert c.post("/v1/orders/42", headers=override, body=BODY).text() == "client-1"
        with sigwire.Client(base, "client-1", SECRET, max_attempts=1) as c:
            with pytest.raises(sigwire.UnsignedHeader):
                c.post("/v1/orders/42", headers=override, body=BODY)
    finally:
        server.shutdown()
    with pytest.raises(sigwire.InvalidConfig):
        sigwire.Client(base, "client-1", SECRET, signed_header_policy="everything")
    with pytest.raises(sigwire.InvalidConfig):
        sigwire.Client(base)  # neither credentials nor a profile
