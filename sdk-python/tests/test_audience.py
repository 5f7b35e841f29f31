"""Audience binding in the ASGI and WSGI middleware (issue 12 item 7).

The attack: services A (``billing.example.com``) and B (``api.example.com``) share a key. A request
signed for A, sent to B with its signed ``Host: billing.example.com``, verifies at B when B takes
the host from the request itself. With ``authorities=`` B refuses it with 421
``misdirected_request`` (the Rust layer's ``.authorities()`` answer, from ``core::wire``) before
reading anything else, while requests for B still pass.
"""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any, Dict, List, Optional, Tuple

import pytest

import sigwire
from sigwire import _native
from sigwire.asgi import SigwireMiddleware as AsgiMiddleware
from sigwire.wsgi import SigwireMiddleware as WsgiMiddleware

from conftest import SECRET

A, B = "billing.example.com", "api.example.com"
SIGNER = sigwire.Signer("shared", SECRET)


def verifier() -> sigwire.Verifier:
    return sigwire.Verifier({"shared": SECRET})


# --- drivers -----------------------------------------------------------------------------------


def asgi(
    mw: AsgiMiddleware, host: str, auth: Optional[str], *, extra_hosts: Tuple[str, ...] = (), kind: str = "http"
) -> Tuple[int, Dict[str, str], bytes, List[Any]]:
    headers = [(b"host", h.encode()) for h in (host, *extra_hosts)]
    if auth is not None:
        headers.append((b"authorization", auth.encode()))
    scope: Dict[str, Any] = {
        "type": kind,
        "method": "GET",
        "scheme": "https" if kind == "http" else "wss",
        "path": "/v1/orders",
        "raw_path": b"/v1/orders",
        "query_string": b"",
        "headers": headers,
        "server": ("10.0.0.2", 443),
        "client": ("192.0.2.7", 5555),
    }
    if kind == "websocket":
        scope["extensions"] = {"websocket.http.response": {}}
    seen: List[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": scope["sigwire.key_id"].encode()})
        else:
            await send({"type": "websocket.accept"})

    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        if kind == "websocket":
            return {"type": "websocket.connect"}
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(_call(mw, app, scope, receive, send))
    first = sent[0]
    status = first.get("status", 0)
    hdrs = {n.decode(): v.decode() for n, v in first.get("headers", [])}
    body = sent[1].get("body", b"") if len(sent) > 1 else b""
    return status, hdrs, body, seen


async def _call(mw: AsgiMiddleware, app: Any, scope: Any, receive: Any, send: Any) -> None:
    mw.app = app
    await mw(scope, receive, send)


def wsgi(mw: WsgiMiddleware, host: str, auth: Optional[str]) -> Tuple[int, Dict[str, str], bytes, List[Any]]:
    seen: List[Any] = []

    def app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        seen.append(environ)
        start_response("200 OK", [])
        return [environ["sigwire.key_id"].encode()]

    mw.app = app
    environ: Dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/v1/orders",
        "RAW_URI": "/v1/orders",
        "QUERY_STRING": "",
        "SERVER_NAME": "10.0.0.2",
        "SERVER_PORT": "443",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "192.0.2.7",
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
    }
    if auth is not None:
        environ["HTTP_AUTHORIZATION"] = auth
    out: Dict[str, Any] = {}

    def start_response(status: str, headers: List[Tuple[str, str]], *exc: Any) -> None:
        out["status"], out["headers"] = int(status.split()[0]), dict(headers)

    body = b"".join(mw(environ, start_response))
    return out["status"], out["headers"], body, seen


def signed_for(host: str) -> str:
    return SIGNER.sign("GET", f"https://{host}/v1/orders")["Authorization"]


# --- the attack, then the defence ----------------------------------------------------------------


def test_without_authorities_a_request_for_service_a_is_accepted_by_service_b() -> None:
    # The vulnerability the option closes: B verifies the host the request names.
    status, _, body, _ = asgi(AsgiMiddleware(None, verifier()), A, signed_for(A))  # type: ignore[arg-type]
    assert (status, body) == (200, b"shared")
    status, _, body, _ = wsgi(WsgiMiddleware(None, verifier()), A, signed_for(A))  # type: ignore[arg-type]
    assert (status, body) == (200, b"shared")


@pytest.mark.parametrize("authorities", [B, [B], ["other.example.com", "API.example.com:443"]])
def test_asgi_with_authorities_refuses_a_request_signed_for_another_service(authorities: Any) -> None:
    mw = AsgiMiddleware(None, verifier(), authorities=authorities)  # type: ignore[arg-type]
    status, headers, body, seen = asgi(mw, A, signed_for(A))
    assert (status, json.loads(body)) == (421, {"error": "misdirected_request"})
    assert headers["cache-control"] == "no-store" and headers["x-sigwire-server-time"].isdigit()
    assert seen == []
    # Requests for B still pass, whatever the case or an explicit default port.
    for host in (B, "API.Example.com", f"{B}:443"):
        status, _, body, seen = asgi(mw, host, signed_for(host))
        assert (status, body) == (200, b"shared"), host


def test_wsgi_with_authorities_refuses_a_request_signed_for_another_service() -> None:
    mw = WsgiMiddleware(None, verifier(), authorities=[B])  # type: ignore[arg-type]
    status, headers, body, seen = wsgi(mw, A, signed_for(A))
    assert (status, json.loads(body)) == (421, {"error": "misdirected_request"})
    assert headers["Content-Type"] == "application/json" and seen == []
    status, _, body, _ = wsgi(mw, f"{B}:443", signed_for(B))
    assert (status, body) == (200, b"shared")


def test_the_host_is_checked_before_the_signature() -> None:
    # Unsigned and for another host: 421 (as the Rust layer), not 401.
    mw = AsgiMiddleware(None, verifier(), authorities=B)  # type: ignore[arg-type]
    assert asgi(mw, A, None)[0] == 421
    assert wsgi(WsgiMiddleware(None, verifier(), authorities=B), A, None)[0] == 421  # type: ignore[arg-type]
    assert asgi(mw, B, None)[0] == 401


def test_several_host_lines_are_refused_when_authorities_are_declared() -> None:
    mw = AsgiMiddleware(None, verifier(), authorities=B)  # type: ignore[arg-type]
    status, _, body, seen = asgi(mw, B, signed_for(B), extra_hosts=(A,))
    assert (status, json.loads(body), seen) == (400, {"error": "invalid_request"}, [])


def test_a_port_is_part_of_the_authority() -> None:
    mw = AsgiMiddleware(None, verifier(), authorities=f"{B}:8443")  # type: ignore[arg-type]
    assert asgi(mw, B, signed_for(B))[0] == 421
    assert asgi(mw, f"{B}:8443", signed_for(f"{B}:8443"))[0] == 200


def test_loopback_authorities_serve_only_this_machine() -> None:
    for factory in (AsgiMiddleware, WsgiMiddleware):
        mw = factory(None, verifier(), loopback_authorities=True)  # type: ignore[arg-type]
        run = asgi if factory is AsgiMiddleware else wsgi
        assert run(mw, A, signed_for(A))[0] == 421  # type: ignore[operator]
        for host in ("127.0.0.1:8080", "localhost:3000", "[::1]:9000"):
            assert run(mw, host, signed_for(host))[0] == 200, host  # type: ignore[operator]


def test_websocket_upgrades_for_another_service_are_refused() -> None:
    mw = AsgiMiddleware(None, verifier(), authorities=B)  # type: ignore[arg-type]
    status, _, body, seen = asgi(mw, A, signed_for(A), kind="websocket")
    assert (status, json.loads(body), seen) == (421, {"error": "misdirected_request"}, [])


@pytest.mark.parametrize("bad", [[], ["bad host"], ["api.example.com:99999"], "http://api.example.com"])
def test_invalid_authorities_fail_at_start_up(bad: Any) -> None:
    for factory in (AsgiMiddleware, WsgiMiddleware):
        with pytest.raises(sigwire.InvalidConfig):
            factory(None, verifier(), authorities=bad)  # type: ignore[arg-type]


def test_the_audience_and_rejection_are_the_cores() -> None:
    audience = sigwire.Audience(["API.example.com:443"], "https")
    assert audience.authorities == [B] and audience.scheme == "https"
    assert audience.allows(B) and not audience.allows(A) and not audience.allows(f"{B}:80")
    r = _native.rejection("misdirected_request", 7)
    assert (r.status, r.code, r.body, r.server_time) == (421, "misdirected_request", b'{"error":"misdirected_request"}', 7)
    assert ("X-Sigwire-Server-Time", "7") in r.headers
