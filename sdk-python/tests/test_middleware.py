"""ASGI and WSGI middleware driven directly (no sockets): body replay, chunked bodies,
disconnects, pass-through scopes, URL reconstruction."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any, Dict, List, Tuple

import sigwire
from sigwire.asgi import SigwireMiddleware as AsgiMiddleware
from sigwire.asgi import key_id_of, request_url
from sigwire.wsgi import SigwireMiddleware as WsgiMiddleware
from sigwire.wsgi import request_headers
from sigwire.wsgi import request_url as wsgi_url

from conftest import SECRET

HOST = "api.example.com"


def _verifier() -> sigwire.Verifier:
    return sigwire.Verifier({"client-1": SECRET})


def _scope(method: str, raw_path: bytes, query: bytes, headers: List[Tuple[bytes, bytes]]) -> Dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "scheme": "https",
        "path": raw_path.decode(),
        "raw_path": raw_path,
        "query_string": query,
        "headers": [(b"host", HOST.encode())] + headers,
        "server": ("10.0.0.1", 443),
    }


def _run_asgi(mw: AsgiMiddleware, scope: Dict[str, Any], chunks: List[bytes]) -> Tuple[List[Dict[str, Any]], List[Any]]:
    incoming: List[Dict[str, Any]] = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ] + [{"type": "http.disconnect"}]
    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return incoming.pop(0)

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(mw(scope, receive, send))  # type: ignore[arg-type]
    return sent, incoming


class EchoApp:
    """Records what the app saw; answers 200 with the body it read."""

    def __init__(self) -> None:
        self.seen: List[Any] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            m = await receive()
            body += m.get("body", b"")
            if not m.get("more_body"):
                break
        after = await receive()  # the real stream continues (here: disconnect)
        self.seen.append((scope, body, after))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


def test_asgi_chunked_body_verified_and_replayed() -> None:
    body = b'{"amount":"100.00"}' * 100
    url = f"https://{HOST}/v1/pay?x=1"
    auth = sigwire.Signer("client-1", SECRET).sign("POST", url, {"Content-Type": "application/json"}, body)
    scope = _scope(
        "POST", b"/v1/pay", b"x=1", [(b"content-type", b"application/json"), (b"authorization", auth["Authorization"].encode())]
    )
    assert request_url(scope) == url
    app = EchoApp()
    sent, _ = _run_asgi(AsgiMiddleware(app, _verifier()), scope, [body[:7], body[7:500], body[500:]])
    assert sent[0]["status"] == 200 and sent[1]["body"] == body
    seen_scope, seen_body, after = app.seen[0]
    assert seen_body == body and after == {"type": "http.disconnect"}
    assert key_id_of(seen_scope) == "client-1" and seen_scope["state"]["sigwire_key_id"] == "client-1"
    assert "sigwire.key_id" not in scope, "the caller's scope is not mutated"


def test_asgi_failure_response() -> None:
    app = EchoApp()
    sent, _ = _run_asgi(AsgiMiddleware(app, _verifier()), _scope("GET", b"/x", b"", []), [b""])
    assert app.seen == []
    start, body = sent
    assert start["status"] == 401
    headers = dict(start["headers"])
    assert headers[b"content-type"] == b"application/json"
    assert int(headers[b"x-sigwire-server-time"]) > 1_600_000_000
    assert headers[b"content-length"] == str(len(body["body"])).encode()
    assert json.loads(body["body"]) == {"error": "missing_authorization"}


def test_asgi_disconnect_before_body_and_passthrough() -> None:
    app = EchoApp()
    mw = AsgiMiddleware(app, _verifier(), exempt_paths=["/health"])
    sent: List[Any] = []

    async def receive() -> Dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(m: Any) -> None:
        sent.append(m)

    # Signed (so the header-only checks pass), then the client leaves before its body.
    auth = sigwire.Signer("client-1", SECRET).sign("POST", f"https://{HOST}/x", None, b"data")
    scope = _scope("POST", b"/x", b"", [(b"authorization", auth["Authorization"].encode())])
    asyncio.run(mw(scope, receive, send))  # type: ignore[arg-type]
    assert sent == [] and app.seen == []

    calls: List[str] = []

    async def other(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["type"])

    mw2 = AsgiMiddleware(other, _verifier(), exempt_paths=["/health"], verify_websockets=False)
    for scope in ({"type": "lifespan"}, {"type": "websocket", "path": "/ws"}, _scope("GET", b"/health", b"", [])):
        asyncio.run(mw2(scope, receive, send))  # type: ignore[arg-type]
    assert calls == ["lifespan", "websocket", "http"]


def test_asgi_url_without_raw_path_or_host() -> None:
    scope = {"type": "http", "scheme": "http", "path": "/a b/é", "query_string": b"q=1", "headers": [], "server": ("127.0.0.1", 8000)}
    assert request_url(scope) == "http://127.0.0.1:8000/a%20b/%C3%A9?q=1"
    scope["server"] = ("example.com", 80)
    assert request_url(scope) == "http://example.com/a%20b/%C3%A9?q=1"


def _environ(method: str, raw_uri: str, body: bytes, headers: Dict[str, str]) -> Dict[str, Any]:
    env: Dict[str, Any] = {
        "REQUEST_METHOD": method,
        "wsgi.url_scheme": "https",
        "HTTP_HOST": HOST,
        "RAW_URI": raw_uri,
        "PATH_INFO": raw_uri.split("?")[0],
        "QUERY_STRING": raw_uri.partition("?")[2],
        "SERVER_NAME": HOST,
        "SERVER_PORT": "443",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)) if body else "",
    }
    for k, v in headers.items():
        key = k.upper().replace("-", "_")
        env[key if key == "CONTENT_TYPE" else "HTTP_" + key] = v
    return env


def _run_wsgi(mw: WsgiMiddleware, env: Dict[str, Any]) -> Tuple[str, List[Tuple[str, str]], bytes]:
    captured: List[Any] = []

    def start_response(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
        captured.extend([status, headers])
        return lambda data: None

    body = b"".join(mw(env, start_response))
    return captured[0], captured[1], body


def wsgi_echo(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["sigwire.key_id"].encode() + b"|" + body]


def test_wsgi_verifies_and_replays_body() -> None:
    body = "é".encode() * 1000
    url = f"https://{HOST}/v1/pay?x=1&y=%2B"
    headers = {"Content-Type": "application/octet-stream", "X-Request-Id": "abc"}
    headers.update(sigwire.Signer("client-1", SECRET, signed_headers=["x-request-id"]).sign("PUT", url, headers, body))
    env = _environ("PUT", "/v1/pay?x=1&y=%2B", body, headers)
    assert wsgi_url(env) == url
    assert ("x-request-id", "abc") in request_headers(env)
    status, _, out = _run_wsgi(WsgiMiddleware(wsgi_echo, _verifier()), env)
    assert status == "200 OK" and out == b"client-1|" + body


def test_wsgi_failures() -> None:
    mw = WsgiMiddleware(wsgi_echo, _verifier(), exempt_paths=["/health"])
    status, headers, out = _run_wsgi(mw, _environ("GET", "/x", b"", {}))
    assert status == "401 Unauthorized" and json.loads(out) == {"error": "missing_authorization"}
    assert dict(headers)["X-Sigwire-Server-Time"].isdigit()
    env = _environ("POST", "/x", b"abc", {"Authorization": "HMAC x"})
    env["CONTENT_LENGTH"] = "not-a-number"
    status, _, out = _run_wsgi(mw, env)
    assert status == "400 Bad Request" and json.loads(out) == {"error": "invalid_request"}

    def ok(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        start_response("200 OK", [])
        return [b"healthy"]

    status, _, out = _run_wsgi(WsgiMiddleware(ok, _verifier(), exempt_paths=["/health"]), _environ("GET", "/health", b"", {}))
    assert (status, out) == ("200 OK", b"healthy")


def test_wsgi_url_fallbacks() -> None:
    env = {"wsgi.url_scheme": "http", "SERVER_NAME": "h", "SERVER_PORT": "8080", "SCRIPT_NAME": "/app",
           "PATH_INFO": "/a b/\u00c3\u00a9", "QUERY_STRING": "q=1"}
    assert wsgi_url(env) == "http://h:8080/app/a%20b/%C3%A9?q=1"
    env = {"wsgi.url_scheme": "https", "HTTP_HOST": "h", "REQUEST_URI": "https://h/abs/form?x=1"}
    assert wsgi_url(env) == "https://h/abs/form?x=1"


def test_wsgi_chunked_input_terminated() -> None:
    body = b"chunked body"
    url = f"https://{HOST}/up"
    headers = sigwire.Signer("client-1", SECRET).sign("POST", url, None, body)
    env = _environ("POST", "/up", body, headers)
    env["CONTENT_LENGTH"] = ""
    env["wsgi.input_terminated"] = True
    status, _, out = _run_wsgi(WsgiMiddleware(wsgi_echo, _verifier()), env)
    assert status == "200 OK" and out == b"client-1|" + body


def test_asgi_large_body_verified_off_the_event_loop() -> None:
    body = bytes(range(256)) * 8192  # 2 MiB
    url = f"https://{HOST}/upload"
    auth = sigwire.Signer("client-1", SECRET).sign("POST", url, None, body)
    scope = _scope("POST", b"/upload", b"", [(b"authorization", auth["Authorization"].encode())])
    app = EchoApp()
    mw = AsgiMiddleware(app, _verifier(), offload_threshold=1 << 20, body_limit=4 << 20)
    sent, _ = _run_asgi(mw, scope, [body[i : i + 65536] for i in range(0, len(body), 65536)])
    assert sent[0]["status"] == 200 and app.seen[0][1] == body
    # Tampered: the failure from the worker thread is answered like any other.
    scope = _scope("POST", b"/upload", b"", [(b"authorization", auth["Authorization"].encode())])
    sent, _ = _run_asgi(AsgiMiddleware(EchoApp(), _verifier(), offload_threshold=0, body_limit=4 << 20), scope, [body[:-1] + b"!"])
    assert sent[0]["status"] == 401 and json.loads(sent[1]["body"]) == {"error": "signature_mismatch"}
