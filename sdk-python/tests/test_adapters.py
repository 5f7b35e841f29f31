"""One table of bad requests, the same answer from the ASGI and the WSGI middleware (issue 11):
status, JSON body and header names, all built by ``core::wire`` through the binding."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any, Dict, List, Optional, Tuple

import pytest

import sigwire
from sigwire.asgi import SigwireMiddleware as AsgiMiddleware
from sigwire.wsgi import SigwireMiddleware as WsgiMiddleware

from conftest import SECRET

HOST = "api.example.com"
SIGNER = sigwire.Signer("client-1", SECRET)
Answer = Tuple[int, Dict[str, str], bytes]


def verifier() -> sigwire.Verifier:
    return sigwire.Verifier({"client-1": SECRET})


def asgi(host: str, target: bytes, headers: List[Tuple[str, str]], body: bytes, **options: Any) -> Answer:
    path, _, query = target.partition(b"?")
    scope = {
        "type": "http", "method": "POST", "scheme": "https", "path": path.decode("latin-1"), "raw_path": path,
        "query_string": query, "server": ("10.0.0.1", 443), "client": ("192.0.2.1", 1),
        "headers": [(b"host", host.encode())] + [(n.lower().encode(), v.encode("latin-1")) for n, v in headers],
    }
    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"app"})

    asyncio.run(AsgiMiddleware(app, verifier(), **options)(scope, receive, send))
    return sent[0]["status"], {n.decode().lower(): v.decode() for n, v in sent[0]["headers"]}, sent[1]["body"]


def wsgi(host: str, target: bytes, headers: List[Tuple[str, str]], body: bytes, **options: Any) -> Answer:
    path, _, query = target.partition(b"?")
    environ: Dict[str, Any] = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path.decode("latin-1"), "RAW_URI": target.decode("latin-1"),
        "QUERY_STRING": query.decode("latin-1"), "HTTP_HOST": host, "wsgi.url_scheme": "https",
        "REMOTE_ADDR": "192.0.2.1", "wsgi.input": io.BytesIO(body),
    }
    for name, value in headers:
        key = name.upper().replace("-", "_")
        key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key
        environ[key] = f"{environ[key]}, {value}" if key in environ else value  # servers join lines
    out: Dict[str, Any] = {}

    def start_response(status: str, hdrs: List[Tuple[str, str]], *exc: Any) -> None:
        out["status"], out["headers"] = int(status.split()[0]), {n.lower(): v for n, v in hdrs}

    def app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        start_response("200 OK", [])
        return [b"app"]

    payload = b"".join(WsgiMiddleware(app, verifier(), **options)(environ, start_response))
    return out["status"], out["headers"], payload


def auth(body: bytes = b"{}", host: str = HOST) -> str:
    return SIGNER.sign("POST", f"https://{host}/v1/pay", {"Content-Type": "application/json"}, body)["Authorization"]


CT = ("Content-Type", "application/json")
CASES: List[Tuple[str, str, bytes, List[Tuple[str, str]], bytes, Dict[str, Any], int, Optional[str]]] = [
    ("no Authorization", HOST, b"/v1/pay", [CT, ("Content-Length", "2")], b"{}", {}, 401, "missing_authorization"),
    ("malformed", HOST, b"/v1/pay", [CT, ("Authorization", "HMAC nonsense")], b"{}", {}, 401, "malformed_authorization"),
    ("two Authorization lines", HOST, b"/v1/pay", [CT, ("Authorization", auth()), ("Authorization", auth())], b"{}",
     {}, 401, "malformed_authorization"),
    ("declared length over the limit", HOST, b"/v1/pay", [CT, ("Content-Length", str(10**9))], b"", {}, 413,
     "body_too_large"),
    ("non-numeric length", HOST, b"/v1/pay", [CT, ("Content-Length", "12a")], b"", {}, 400, "invalid_request"),
    ("body over the limit", HOST, b"/v1/pay", [CT, ("Authorization", auth(b"x" * 64))], b"x" * 64,
     {"body_limit": 16}, 413, "body_too_large"),
    ("invalid UTF-8 in the path", HOST, b"/v1/\xff", [CT, ("Authorization", auth())], b"{}", {}, 400, "invalid_request"),
    ("another service's host", "billing.example.com", b"/v1/pay", [CT, ("Authorization", auth(host="billing.example.com"))],
     b"{}", {"authorities": HOST}, 421, "misdirected_request"),
    ("tampered body", HOST, b"/v1/pay", [CT, ("Authorization", auth(b"{}"))], b"{ }", {}, 401, "signature_mismatch"),
    ("signed", HOST, b"/v1/pay", [CT, ("Authorization", auth())], b"{}", {}, 200, None),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_asgi_and_wsgi_answer_alike(case: Tuple[Any, ...]) -> None:
    _, host, target, headers, body, options, status, code = case
    if not any(n.lower() == "content-length" for n, _ in headers):
        headers = [*headers, ("Content-Length", str(len(body)))]  # as a real server sees it
    answers = [run(host, target, headers, body, **options) for run in (asgi, wsgi)]
    for got_status, got_headers, payload in answers:
        assert got_status == status
        if code is None:
            assert payload == b"app"
            continue
        assert json.loads(payload) == {"error": code}
        assert got_headers["content-type"] == "application/json" and got_headers["cache-control"] == "no-store"
        assert got_headers["x-sigwire-server-time"].isdigit() and got_headers["content-length"] == str(len(payload))
    assert answers[0][2] == answers[1][2]
    assert set(answers[0][1]) == set(answers[1][1])
