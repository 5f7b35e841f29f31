"""Middleware hardening (issue 12 items 1 and 9; issue 11 item 4).

* A large unauthenticated upload is refused before a byte of its body is read (bytes read are
  counted), through the ASGI and WSGI middleware and through real servers (uvicorn, Werkzeug).
* A declared ``Content-Length`` over the limit, and a chunked body without length that grows past
  it, get 413 ``body_too_large`` — with the same status, body and headers as the Rust reference
  server (``sigwire-server``, the tower layer).
* WebSocket upgrades are verified; unsigned ones are refused unless ``verify_websockets=False``.
"""

from __future__ import annotations

import asyncio
import http.client
import io
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import sigwire
from sigwire.asgi import SigwireMiddleware as AsgiMiddleware
from sigwire.wsgi import SigwireMiddleware as WsgiMiddleware

from conftest import SECRET
from servers import make_asgi_app, make_wsgi_app, run_uvicorn, run_werkzeug

HOST = "api.example.com"
HUGE = 256 << 20  # what the attacker declared
LIMIT = 64 * 1024
SIGNER = sigwire.Signer("client-1", SECRET)


def verifier() -> sigwire.Verifier:
    return sigwire.Verifier({"client-1": SECRET})


# --- ASGI, driven directly -------------------------------------------------------------------


class CountingReceive:
    """An ASGI ``receive`` that hands out ``total`` bytes in chunks and counts what was taken."""

    def __init__(self, total: int, chunk: int = 64 * 1024) -> None:
        self.total, self.chunk, self.read, self.calls = total, chunk, 0, 0

    async def __call__(self) -> Dict[str, Any]:
        self.calls += 1
        n = min(self.chunk, self.total - self.read)
        self.read += n
        return {"type": "http.request", "body": b"x" * n, "more_body": self.read < self.total}


def asgi_scope(method: str, path: str, headers: List[Tuple[str, str]]) -> Dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", HOST.encode())] + [(n.lower().encode(), v.encode()) for n, v in headers],
        "server": ("10.0.0.1", 443),
    }


def run_asgi(mw: AsgiMiddleware, scope: Dict[str, Any], receive: Any) -> List[Dict[str, Any]]:
    sent: List[Dict[str, Any]] = []

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(mw(scope, receive, send))  # type: ignore[arg-type]
    return sent


def never_called_app(calls: List[Any]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope)

    return app


def asgi_answer(sent: List[Dict[str, Any]]) -> Tuple[int, Dict[str, str], bytes]:
    headers = {n.decode(): v.decode() for n, v in sent[0]["headers"]}
    return sent[0]["status"], headers, sent[1]["body"]


def test_asgi_unauthenticated_upload_is_refused_unread() -> None:
    calls: List[Any] = []
    receive = CountingReceive(HUGE)
    sent = run_asgi(AsgiMiddleware(never_called_app(calls), verifier()),
                    asgi_scope("POST", "/upload", [("content-length", str(LIMIT))]), receive)
    status, _, body = asgi_answer(sent)
    assert (status, json.loads(body)) == (401, {"error": "missing_authorization"})
    assert receive.read == 0 and receive.calls == 0 and calls == []


def test_asgi_bad_headers_are_answered_before_the_body() -> None:
    url = f"https://{HOST}/upload"
    stale = SIGNER.sign("POST", url, None, b"x", timestamp=int(time.time()) - 3600)["Authorization"]
    unknown = sigwire.Signer("nobody", SECRET).sign("POST", url, None, b"x")["Authorization"]
    for auth, code in [("HMAC nonsense", "malformed_authorization"), (stale, "stale_timestamp"), (unknown, "unknown_key")]:
        receive = CountingReceive(1 << 20)
        sent = run_asgi(AsgiMiddleware(never_called_app([]), verifier()),
                        asgi_scope("POST", "/upload", [("authorization", auth)]), receive)
        assert json.loads(asgi_answer(sent)[2]) == {"error": code}
        assert receive.read == 0, code


def test_asgi_declared_length_over_the_limit_is_413_unread() -> None:
    auth = SIGNER.sign("POST", f"https://{HOST}/upload", None, b"x")["Authorization"]
    receive = CountingReceive(HUGE)
    sent = run_asgi(AsgiMiddleware(never_called_app([]), verifier(), body_limit=LIMIT),
                    asgi_scope("POST", "/upload", [("authorization", auth), ("content-length", str(HUGE))]), receive)
    status, headers, body = asgi_answer(sent)
    assert (status, body) == (413, b'{"error":"body_too_large"}')
    assert headers["cache-control"] == "no-store" and int(headers["x-sigwire-server-time"]) > 1_600_000_000
    assert receive.read == 0


def test_asgi_chunked_body_past_the_limit_stops_being_read() -> None:
    auth = SIGNER.sign("POST", f"https://{HOST}/upload", None, b"x")["Authorization"]
    receive = CountingReceive(HUGE, chunk=4096)
    sent = run_asgi(AsgiMiddleware(never_called_app([]), verifier(), body_limit=LIMIT),
                    asgi_scope("POST", "/upload", [("authorization", auth)]), receive)
    assert asgi_answer(sent)[:1] == (413,) and asgi_answer(sent)[2] == b'{"error":"body_too_large"}'
    assert receive.read <= LIMIT + 4096, receive.read


def test_asgi_body_at_the_limit_is_verified() -> None:
    body = b"x" * LIMIT
    auth = SIGNER.sign("POST", f"https://{HOST}/upload", None, body)["Authorization"]
    calls: List[Any] = []
    sent = run_asgi(AsgiMiddleware(never_called_app(calls), verifier(), body_limit=LIMIT),
                    asgi_scope("POST", "/upload", [("authorization", auth)]), CountingReceive(LIMIT, chunk=1000))
    assert sent == [] and calls and calls[0]["sigwire.key_id"] == "client-1"


def test_body_limit_option_is_checked() -> None:
    for bad in (-1, 1.5, "1", True):
        with pytest.raises(TypeError):
            AsgiMiddleware(never_called_app([]), verifier(), body_limit=bad)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            WsgiMiddleware(lambda e, s: [], verifier(), body_limit=bad)  # type: ignore[arg-type]


# --- WSGI, driven directly -------------------------------------------------------------------


class CountingInput(io.RawIOBase):
    """A ``wsgi.input`` of ``total`` bytes that counts what was read."""

    def __init__(self, total: int) -> None:
        self.total, self.read_bytes = total, 0

    def read(self, n: int = -1) -> bytes:  # type: ignore[override]
        left = self.total - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        self.read_bytes += n
        return b"x" * n


def wsgi_call(mw: WsgiMiddleware, headers: Dict[str, str], stream: Any, length: Optional[int]) -> Tuple[str, Dict[str, str], bytes]:
    env: Dict[str, Any] = {
        "REQUEST_METHOD": "POST", "wsgi.url_scheme": "https", "HTTP_HOST": HOST, "RAW_URI": "/upload",
        "PATH_INFO": "/upload", "QUERY_STRING": "", "SERVER_NAME": HOST, "SERVER_PORT": "443",
        "wsgi.input": stream, "CONTENT_LENGTH": "" if length is None else str(length),
    }
    if length is None:
        env["wsgi.input_terminated"] = True
    for k, v in headers.items():
        env["HTTP_" + k.upper().replace("-", "_")] = v
    captured: List[Any] = []
    out = b"".join(mw(env, lambda status, h, exc=None: captured.extend([status, h])))
    return captured[0], {k.lower(): v for k, v in captured[1]}, out


def test_wsgi_unauthenticated_upload_is_refused_unread() -> None:
    # Within the limit: the header-only checks answer 401; over it: 413 first. Nothing is read.
    for length, status_code, code in [(1 << 20, "401 Unauthorized", "missing_authorization"),
                                      (HUGE, "413 Request Entity Too Large", "body_too_large")]:
        stream = CountingInput(length)
        status, _, body = wsgi_call(WsgiMiddleware(lambda e, s: [], verifier()), {}, stream, length)
        assert (status, json.loads(body)) == (status_code, {"error": code})
        assert stream.read_bytes == 0


def test_wsgi_over_the_limit_is_413_declared_or_chunked() -> None:
    auth = SIGNER.sign("POST", f"https://{HOST}/upload", None, b"x")["Authorization"]
    mw = WsgiMiddleware(lambda e, s: [], verifier(), body_limit=LIMIT)
    stream = CountingInput(HUGE)
    status, headers, body = wsgi_call(mw, {"Authorization": auth}, stream, HUGE)
    assert (status, body, stream.read_bytes) == ("413 Request Entity Too Large", b'{"error":"body_too_large"}', 0)
    assert headers["cache-control"] == "no-store" and "x-sigwire-server-time" in headers
    stream = CountingInput(HUGE)
    status, _, body = wsgi_call(mw, {"Authorization": auth}, stream, None)
    assert status.startswith("413") and body == b'{"error":"body_too_large"}'
    assert stream.read_bytes == LIMIT + 1, "one byte past the limit, no more"


def test_wsgi_body_is_handed_on_without_a_copy_of_the_chunks() -> None:
    body = bytes(range(256)) * 1024
    auth = SIGNER.sign("POST", f"https://{HOST}/upload", None, body)["Authorization"]
    seen: List[bytes] = []

    def app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        seen.append(environ["wsgi.input"].read())
        start_response("200 OK", [])
        return [environ["sigwire.key_id"].encode()]

    for length in (len(body), None):
        status, _, out = wsgi_call(WsgiMiddleware(app, verifier()), {"Authorization": auth}, io.BytesIO(body), length)
        assert (status, out, seen[-1]) == ("200 OK", b"client-1", body)


# --- real servers: refused without reading; the same 413 as the Rust server -------------------


def raw_request(port: int, head: str, body: bytes = b"") -> Tuple[int, Dict[str, str], bytes]:
    """Sends ``head`` (and ``body``) on a socket and reads one response (no more body is sent)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + body)
        sock.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head_bytes, _, rest = data.partition(b"\r\n\r\n")
        lines = head_bytes.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return status, headers, rest[:length]


@pytest.fixture(scope="module", params=["asgi", "wsgi"])
def live(request: pytest.FixtureRequest) -> Iterator[int]:
    gen = run_uvicorn(make_asgi_app(verifier())) if request.param == "asgi" else run_werkzeug(make_wsgi_app(verifier()))
    _, port = next(gen)
    yield port
    for _ in gen:
        pass


@pytest.mark.parametrize("length,status,code", [(1 << 20, 401, "missing_authorization"), (HUGE, 413, "body_too_large")])
def test_live_unauthenticated_upload_answered_before_the_body(live: int, length: int, status: int, code: str) -> None:
    # Only the headers are sent: an answer proves the body was not waited for.
    t = time.monotonic()
    got, _, body = raw_request(
        live, f"POST /echo/upload HTTP/1.1\r\nHost: 127.0.0.1:{live}\r\nContent-Length: {length}\r\n\r\n")
    assert (got, json.loads(body)) == (status, {"error": code})
    assert time.monotonic() - t < 5


def test_live_oversized_signed_upload_is_413(live: int) -> None:
    url = f"http://127.0.0.1:{live}/echo/upload"
    auth = SIGNER.sign("POST", url, None, b"x")["Authorization"]
    status, headers, body = raw_request(
        live, f"POST /echo/upload HTTP/1.1\r\nHost: 127.0.0.1:{live}\r\nAuthorization: {auth}\r\n"
              f"Content-Length: {(1 << 20) + 1}\r\n\r\n")
    assert (status, body) == (413, b'{"error":"body_too_large"}')
    assert headers["content-type"] == "application/json" and headers["cache-control"] == "no-store"


def _server_bin() -> Optional[str]:
    env = os.environ.get("SIGWIRE_SERVER_BIN")
    if env and os.access(env, os.X_OK):
        return env
    root = Path(__file__).resolve().parents[2]
    for target in (os.environ.get("CARGO_TARGET_DIR"), str(root / "target" / "python"), str(root / "target")):
        if target and os.access(Path(target) / "debug" / "sigwire-server", os.X_OK):
            return str(Path(target) / "debug" / "sigwire-server")
    return None


def test_same_413_as_the_rust_reference_server(live: int) -> None:
    binary = _server_bin()
    if binary is None:
        pytest.fail("the reference server binary was not found: set SIGWIRE_SERVER_BIN")
    proc = subprocess.Popen([binary, "--port", "0", "--print-port", "--exit-on-stdin-eof", "--key",
                             f"client-1:{SECRET.hex()}", "--body-limit", str(1 << 20)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        port = int(proc.stdout.readline())  # type: ignore[union-attr]
        answers = []
        for p in (port, live):
            url = f"http://127.0.0.1:{p}/echo/upload"
            auth = SIGNER.sign("POST", url, None, b"x")["Authorization"]
            answers.append(raw_request(p, f"POST /echo/upload HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\n"
                                          f"Authorization: {auth}\r\nContent-Length: {(1 << 20) + 1}\r\n\r\n"))
        (rs, rh, rb), (ps, ph, pb) = answers
        assert (ps, pb) == (rs, rb) == (413, b'{"error":"body_too_large"}')
        for name in ("content-type", "cache-control"):
            assert ph[name] == rh[name], name
        assert "x-sigwire-server-time" in ph and "x-sigwire-server-time" in rh
    finally:
        proc.kill()
        proc.wait(5)


# --- WebSocket upgrades (item 9) ---------------------------------------------------------------


def ws_scope(headers: List[Tuple[str, str]], extensions: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    scope = {
        "type": "websocket", "scheme": "wss", "path": "/ws", "raw_path": b"/ws", "query_string": b"room=1",
        "headers": [(b"host", HOST.encode())] + [(n.lower().encode(), v.encode()) for n, v in headers],
        "server": ("10.0.0.1", 443),
    }
    if extensions is not None:
        scope["extensions"] = extensions
    return scope


def run_ws(mw: AsgiMiddleware, scope: Dict[str, Any]) -> List[Dict[str, Any]]:
    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(mw(scope, receive, send))  # type: ignore[arg-type]
    return sent


def test_unsigned_websocket_is_refused_by_default() -> None:
    calls: List[Any] = []
    mw = AsgiMiddleware(never_called_app(calls), verifier())
    assert run_ws(mw, ws_scope([])) == [{"type": "websocket.close", "code": 1008}] and calls == []
    # With the denial-response extension: the same status and body as an HTTP refusal.
    sent = run_ws(mw, ws_scope([], {"websocket.http.response": {}}))
    assert sent[0]["type"] == "websocket.http.response.start" and sent[0]["status"] == 401
    assert json.loads(sent[1]["body"]) == {"error": "missing_authorization"} and calls == []
    # A signature for another path is refused too.
    auth = SIGNER.sign("GET", f"https://{HOST}/other?room=1")["Authorization"]
    assert run_ws(mw, ws_scope([("authorization", auth)]))[0]["type"] == "websocket.close" and calls == []


def test_signed_websocket_reaches_the_app_with_its_key_id() -> None:
    calls: List[Any] = []
    auth = SIGNER.sign("GET", f"https://{HOST}/ws?room=1")["Authorization"]
    assert run_ws(AsgiMiddleware(never_called_app(calls), verifier()), ws_scope([("authorization", auth)])) == []
    assert calls[0]["sigwire.key_id"] == "client-1" and calls[0]["state"]["sigwire_key_id"] == "client-1"


def test_websocket_opt_out_and_exempt_paths() -> None:
    calls: List[Any] = []
    assert run_ws(AsgiMiddleware(never_called_app(calls), verifier(), verify_websockets=False), ws_scope([])) == []
    assert run_ws(AsgiMiddleware(never_called_app(calls), verifier(), exempt_paths=["/ws"]), ws_scope([])) == []
    assert len(calls) == 2 and "sigwire.key_id" not in calls[0]
