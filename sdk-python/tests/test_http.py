"""End to end over real sockets on 127.0.0.1: requests and httpx (sync and async) clients
against a FastAPI app under uvicorn (ASGI middleware) and a Flask app (WSGI middleware)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from typing import Any, Dict, Iterator, Optional, Tuple

import httpx
import pytest
import requests

import sigwire
from sigwire.httpx import HmacAuth as HttpxAuth
from sigwire.requests import HmacAuth as RequestsAuth

from conftest import OTHER_SECRET, SECRET
from servers import make_asgi_app, make_wsgi_app, run_uvicorn, run_werkzeug

CLIENTS = ["requests", "httpx", "httpx-async"]


@pytest.fixture(scope="module", params=["asgi", "wsgi"])
def server(request: pytest.FixtureRequest) -> Iterator[str]:
    keys = sigwire.KeyStore()
    keys.insert("client-1", SECRET)
    keys.insert("client-2", OTHER_SECRET)
    verifier = sigwire.Verifier(keys, window=300)
    if request.param == "asgi":
        gen = run_uvicorn(make_asgi_app(verifier))
    else:
        gen = run_werkzeug(make_wsgi_app(verifier))
    base, _ = next(gen)
    yield base
    for _ in gen:  # stop the server
        pass


class Response:
    """What the tests look at, whichever client sent the request."""

    def __init__(self, status: int, body: bytes, headers: Dict[str, str], sent: Dict[str, Any]) -> None:
        self.status = status
        self.body = body
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.sent = sent  # method, url, headers, body as actually sent

    def json(self) -> Any:
        return json.loads(self.body)


def send(client: str, method: str, url: str, auth: Any = None, **kwargs: Any) -> Response:
    """One request with ``client`` (``auth`` is the matching HmacAuth or None)."""
    if client == "requests":
        r = requests.request(method, url, auth=auth, timeout=30, **kwargs)
        p = r.request
        sent = {"method": p.method, "url": p.url, "headers": dict(p.headers), "body": p.body or b""}
        return Response(r.status_code, r.content, dict(r.headers), sent)

    def from_httpx(r: httpx.Response) -> Response:
        q = r.request
        sent = {"method": q.method, "url": str(q.url), "headers": dict(q.headers), "body": q.content}
        return Response(r.status_code, r.content, dict(r.headers), sent)

    if client == "httpx":
        with httpx.Client(auth=auth, timeout=30) as c:
            return from_httpx(c.request(method, url, **kwargs))

    async def go() -> Response:
        async with httpx.AsyncClient(auth=auth, timeout=30) as c:
            return from_httpx(await c.request(method, url, **kwargs))

    return asyncio.run(go())


def auth_for(client: str, key_id: str = "client-1", secret: bytes = SECRET, **kw: Any) -> Any:
    return RequestsAuth(key_id, secret, **kw) if client == "requests" else HttpxAuth(key_id, secret, **kw)


def assert_rejected(r: Response, code: str, status: int = 401) -> None:
    assert r.status == status, (r.status, r.body)
    assert r.json() == {"error": code}
    assert r.headers["content-type"].startswith("application/json")
    server_time = int(r.headers["x-sigwire-server-time"])
    assert abs(server_time - time.time()) < 60


@pytest.mark.parametrize("client", CLIENTS)
def test_get_with_params(server: str, client: str) -> None:
    r = send(client, "GET", f"{server}/echo/v1/orders", auth_for(client), params={"limit": 10, "b": "x y", "a": "é+"})
    assert r.status == 200, r.body
    data = r.json()
    assert data["key_id"] == data["scope_key_id"] == "client-1"
    assert data["method"] == "GET" and data["body_len"] == 0
    assert "limit=10" in data["query"]


@pytest.mark.parametrize("client", CLIENTS)
def test_post_json_body_untouched(server: str, client: str) -> None:
    payload = {"amount": "100.00", "currency": "EUR", "note": "Zoë ✓", "items": list(range(50))}
    r = send(client, "POST", f"{server}/echo/v1/payments", auth_for(client), json=payload)
    assert r.status == 200, r.body
    sent = r.sent["body"]
    sent = sent.encode() if isinstance(sent, str) else bytes(sent)
    assert r.json()["body_sha256"] == hashlib.sha256(sent).hexdigest()
    assert json.loads(sent) == payload
    # A framework handler parsing JSON gets it too.
    r = send(client, "POST", f"{server}/json", auth_for(client), json=payload)
    assert r.status == 200 and r.json() == {"payload": payload, "key_id": "client-1"}


@pytest.mark.parametrize("client", CLIENTS)
def test_form_str_and_large_bodies(server: str, client: str) -> None:
    r = send(client, "POST", f"{server}/echo/form", auth_for(client), data={"a": "1 2", "b": "é&="})
    assert r.status == 200, r.body
    kw = {"data": "plain text é ✓"} if client == "requests" else {"content": "plain text é ✓"}
    r = send(client, "PUT", f"{server}/echo/text", auth_for(client), headers={"Content-Type": "text/plain"}, **kw)
    assert r.status == 200, r.body
    assert r.json()["body_sha256"] == hashlib.sha256("plain text é ✓".encode()).hexdigest()
    big = bytes(range(256)) * 4096  # 1 MiB: hashed without the GIL on both sides
    r = send(client, "POST", f"{server}/echo/upload", auth_for(client), content=big) if client != "requests" else send(
        client, "POST", f"{server}/echo/upload", auth_for(client), data=big
    )
    assert r.status == 200, r.body
    assert r.json()["body_sha256"] == hashlib.sha256(big).hexdigest()


@pytest.mark.parametrize("client", CLIENTS)
def test_awkward_paths_and_queries(server: str, client: str) -> None:
    url = f"{server}/echo/a%20b/~tilde/%7Eenc/plus+sign/caf%C3%A9?q=a+b&z=%2B&empty&x=1&x=0"
    r = send(client, "DELETE", url, auth_for(client, signed_headers=["x-request-id"]), headers={"X-Request-Id": "r-1"})
    assert r.status == 200, r.body


@pytest.mark.parametrize("client", CLIENTS)
def test_sha512_and_second_key(server: str, client: str) -> None:
    r = send(client, "PATCH", f"{server}/echo/x", auth_for(client, "client-2", OTHER_SECRET, algorithm="hmac-sha512"), content=b"{}") if client != "requests" else send(
        client, "PATCH", f"{server}/echo/x", auth_for(client, "client-2", OTHER_SECRET, algorithm="hmac-sha512"), data=b"{}"
    )
    assert r.status == 200, r.body
    assert r.json()["key_id"] == "client-2"


@pytest.mark.parametrize("client", CLIENTS)
def test_unsigned_and_wrong_secret(server: str, client: str) -> None:
    assert_rejected(send(client, "GET", f"{server}/echo/x"), "missing_authorization")
    assert_rejected(send(client, "GET", f"{server}/echo/x", auth_for(client, secret=OTHER_SECRET)), "signature_mismatch")
    assert_rejected(send(client, "GET", f"{server}/echo/x", auth_for(client, "nobody")), "unknown_key")
    r = send(client, "GET", f"{server}/echo/x", headers={"Authorization": "HMAC nonsense"})
    assert_rejected(r, "malformed_authorization")
    assert send(client, "GET", f"{server}/health").status == 200


def _signed_headers(url: str, body: bytes, ts: Optional[int] = None) -> Dict[str, str]:
    signer = sigwire.Signer("client-1", SECRET)
    headers = {"Content-Type": "application/json"}
    headers.update(signer.sign("POST", url, headers, body, timestamp=ts))
    return headers


@pytest.mark.parametrize("client", CLIENTS)
def test_tampered_body_and_url(server: str, client: str) -> None:
    url = f"{server}/echo/v1/payments?amount=100"
    body = b'{"amount":"100.00"}'
    headers = _signed_headers(url, body)
    # An attacker changes the body but keeps the signature.
    r = send(client, "POST", url, headers=headers, **({"data": body.replace(b"100", b"900")} if client == "requests" else {"content": body.replace(b"100", b"900")}))
    assert_rejected(r, "signature_mismatch")
    # ... or the query.
    headers = _signed_headers(url, body)
    r = send(client, "POST", url.replace("100", "900"), headers=headers, **({"data": body} if client == "requests" else {"content": body}))
    assert_rejected(r, "signature_mismatch")


@pytest.mark.parametrize("client", CLIENTS)
def test_replay_is_refused(server: str, client: str) -> None:
    url = f"{server}/echo/v1/payments"
    first = send(client, "POST", url, auth_for(client), json={"amount": "100.00"})
    assert first.status == 200
    sent = first.sent
    body = sent["body"].encode() if isinstance(sent["body"], str) else bytes(sent["body"])
    headers = {k: v for k, v in sent["headers"].items() if k.lower() in ("authorization", "content-type")}
    kw = {"data": body} if client == "requests" else {"content": body}
    assert_rejected(send(client, "POST", sent["url"], headers=headers, **kw), "replayed_nonce")


@pytest.mark.parametrize("client", CLIENTS)
def test_stale_timestamp_reports_server_time(server: str, client: str) -> None:
    url = f"{server}/echo/late"
    body = b"{}"
    headers = _signed_headers(url, body, ts=int(time.time()) - 3600)
    r = send(client, "POST", url, headers=headers, **({"data": body} if client == "requests" else {"content": body}))
    assert_rejected(r, "stale_timestamp")


def _raw_get(server: str, target: bytes, authorization: str) -> Tuple[int, bytes]:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(server)
    assert parts.hostname == "127.0.0.1" and parts.port
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(
            b"GET " + target + b" HTTP/1.1\r\nHost: " + parts.netloc.encode()
            + b"\r\nAuthorization: " + authorization.encode() + b"\r\nConnection: close\r\n\r\n"
        )
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


@pytest.mark.parametrize("target", [b"/echo/%zz", b"/echo/ok?x=%g0"])
def test_invalid_request_is_400(server: str, target: bytes) -> None:
    # A well-formed, fresh signature of a known key for a request-target that cannot be
    # canonicalised (bad percent-escape): 400 invalid_request, never a 500 or a 200.
    auth = sigwire.Signer("client-1", SECRET).sign("GET", f"{server}/echo/ok")["Authorization"]
    status, body = _raw_get(server, target, auth)
    assert (status, json.loads(body)) == (400, {"error": "invalid_request"})


def test_streamed_bodies_are_signed_as_sent(server: str) -> None:
    chunks = [b"part-1,", b"part-2,", b"part-3"]
    whole = b"".join(chunks)
    url = f"{server}/echo/stream"
    # requests: a generator (would be sent chunked) is read, signed and sent with Content-Length.
    r = requests.post(url, data=iter(chunks), auth=RequestsAuth("client-1", SECRET), timeout=30)
    assert r.status_code == 200, r.content
    assert r.json()["body_sha256"] == hashlib.sha256(whole).hexdigest()
    # requests: a file object.
    import io

    r = requests.post(url, data=io.BytesIO(whole), auth=RequestsAuth("client-1", SECRET), timeout=30)
    assert r.status_code == 200 and r.json()["body_len"] == len(whole)
    # httpx sync: an iterator body (chunked on the wire).
    with httpx.Client(auth=HttpxAuth("client-1", SECRET), timeout=30) as c:
        r2 = c.post(url, content=iter(chunks))
    assert r2.status_code == 200, r2.content
    assert r2.json()["body_sha256"] == hashlib.sha256(whole).hexdigest()

    # httpx async: an async iterator body.
    async def agen() -> Any:
        for c in chunks:
            yield c

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(auth=HttpxAuth("client-1", SECRET), timeout=30) as c:
            return await c.post(url, content=agen())

    r3 = asyncio.run(go())
    assert r3.status_code == 200, r3.content
    assert r3.json()["body_sha256"] == hashlib.sha256(whole).hexdigest()


def test_session_auth_and_signer_reuse(server: str) -> None:
    signer = sigwire.Signer("client-1", SECRET)
    with requests.Session() as session:
        session.auth = RequestsAuth(signer)
        for i in range(5):
            r = session.get(f"{server}/echo/session", params={"i": i})
            assert r.status_code == 200, r.content
    assert "redacted" in repr(RequestsAuth(signer)) and "redacted" in repr(HttpxAuth(signer))
    with pytest.raises(TypeError):
        RequestsAuth(signer, SECRET)
    with pytest.raises(TypeError):
        HttpxAuth("client-1")
