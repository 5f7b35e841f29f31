"""Streamed bodies (issue 17): the core's BodyHasher from Python, ``sigwire.Client`` with paths,
file objects and iterators, and the ``requests``/``httpx`` auths with file and generator uploads,
all against the reference server (which verifies every request; its spool threshold is lowered so
it hashes these uploads while spooling too). Ends with a 64 MiB upload whose added peak RSS must
stay within 16 MiB (measured as scripts/bench.d/stream.sh does: ``clear_refs`` then ``VmHWM``).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
from pathlib import Path
from typing import Any, AsyncIterator, Iterator

import httpx
import pytest
import requests
from test_client import FAST, KEY, SECRET, Server

import sigwire
from sigwire.httpx import HmacAuth as HttpxAuth
from sigwire.requests import HmacAuth as RequestsAuth

NONCE = "AAAAAAAAAAAAAAAAAAAAAA"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    s = Server("--body-limit", str(128 * MIB), "--spool-threshold", str(64 * 1024))
    yield s
    s.close()


@pytest.fixture
def blob(tmp_path: Path) -> Path:
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 4099 + b"tail")
    return path


# --- BodyHasher -------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm,hashfn", [("hmac-sha256", hashlib.sha256), ("hmac-sha512", hashlib.sha512)])
def test_hasher_matches_one_shot_digest_under_any_chunking(algorithm: str, hashfn: Any) -> None:
    body = os.urandom(200_003)
    for step in (1, 7, 4096, 65_536, 70_000, len(body)):
        h = sigwire.BodyHasher(algorithm)
        for i in range(0, len(body), step):
            h.update(memoryview(body)[i : i + step] if step == 70_000 else body[i : i + step])
        d = h.finish()
        assert (d.hex, d.size, d.algorithm) == (hashfn(body).hexdigest(), len(body), algorithm)


def test_signing_a_digest_equals_signing_the_bytes() -> None:
    body = b'{"amount":"100.00"}' * 1000
    signer = sigwire.Signer(KEY, SECRET)
    h = sigwire.BodyHasher()
    h.update(body[:5])
    h.update(bytearray(body[5:]))
    args = ("POST", "https://api.example.com/v1/p", {"Content-Type": "application/json"})
    assert signer.sign(*args, h.finish(), timestamp=1_700_000_000, nonce=NONCE) == signer.sign(
        *args, body, timestamp=1_700_000_000, nonce=NONCE
    )


def test_bad_hasher_use_is_a_typed_error() -> None:
    h = sigwire.BodyHasher()
    with pytest.raises(TypeError):
        h.update(12)  # type: ignore[arg-type]
    d = h.finish()
    with pytest.raises(sigwire.InvalidRequest):
        h.update(b"x")
    with pytest.raises(sigwire.InvalidRequest):
        h.finish()
    with pytest.raises(sigwire.UnsupportedAlgorithm):
        sigwire.BodyHasher("md5")
    # A digest of another algorithm than the signer's would sign the wrong thing: refused.
    wide = sigwire.BodyHasher("hmac-sha512").finish()
    with pytest.raises(sigwire.InvalidRequest, match="hmac-sha512"):
        sigwire.Signer(KEY, SECRET).sign("POST", "https://a.example/x", None, wide)
    assert "size=0" in repr(d) and d.size == 0


# --- sigwire.Client ---------------------------------------------------------------------------


def test_client_sends_paths_file_objects_and_iterators(server: Server, blob: Path) -> None:
    data = blob.read_bytes()
    with sigwire.Client(server.base, KEY, SECRET, **FAST) as c:
        assert c.post("/up", body=blob).json()["body_len"] == len(data)
        with blob.open("rb") as f:
            assert c.put("/up", content=f).json()["body_len"] == len(data)
        r = c.post("/up", body=iter([b"ab", b"", bytearray(b"cd"), "é"]))
        assert r.json()["body"] == "abcdé"
        assert c.post("/up", body=io.StringIO("text mode")).json()["body"] == "text mode"


def test_client_bad_stream_bodies_are_typed_errors(server: Server) -> None:
    def failing() -> Iterator[bytes]:
        yield b"x"
        raise OSError("disk gone")

    with sigwire.Client(server.base, KEY, SECRET, **FAST) as c:
        with pytest.raises(sigwire.InvalidRequest, match="int"):
            c.post("/bad-up", body=iter([b"ok", 3]))
        with pytest.raises(sigwire.InvalidRequest, match="OSError: disk gone"):
            c.post("/bad-up", body=failing())
        with pytest.raises(TypeError):
            c.post("/bad-up", body=3.5)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            c.post("/bad-up", body=b"a", content=b"b")
        with pytest.raises(TypeError, match="json="):
            c.post("/bad-up", body={"a": "b"})  # type: ignore[arg-type]
    assert server.requests("/bad-up") == [], "nothing is sent when the body cannot be read"


def test_client_retry_resends_the_spooled_iterator(server: Server) -> None:
    server.fault("/retry-up", {"type": "status", "status": 503}, times=1)
    chunks = [bytes([i]) * 50_000 for i in range(10)]
    with sigwire.Client(server.base, KEY, SECRET, **FAST) as c:
        r = c.post("/retry-up", body=iter(chunks))
    assert (r.status, r.attempts, r.json()["body_len"]) == (200, 2, 500_000)
    nonces = server.nonces("/retry-up")
    assert len(nonces) == 2 and nonces[0] != nonces[1], "each attempt signed afresh"


def test_async_client_streams_a_file(server: Server, blob: Path) -> None:
    async def run() -> int:
        async with sigwire.AsyncClient(server.base, KEY, SECRET, **FAST) as c:
            with blob.open("rb") as f:
                return int((await c.post("/up", body=f)).json()["body_len"])

    assert asyncio.run(asyncio.wait_for(run(), 30)) == blob.stat().st_size


# --- requests / httpx -------------------------------------------------------------------------


def test_requests_file_from_its_position_and_generator(server: Server, blob: Path) -> None:
    s = requests.Session()
    s.auth = RequestsAuth(KEY, SECRET)
    with blob.open("rb") as f:
        f.seek(1000)
        r = s.post(server.base + "/up", data=f, timeout=10)
    assert (r.status_code, r.json()["body_len"]) == (200, blob.stat().st_size - 1000)
    r = s.post(server.base + "/up", data=(bytes([i]) * 70_000 for i in range(5)), timeout=10)
    assert (r.status_code, r.json()["body_len"]) == (200, 350_000)
    assert r.request.headers["Content-Length"] == "350000" and "Transfer-Encoding" not in r.request.headers
    r = s.post(server.base + "/up", data=b"in memory", timeout=10)
    assert (r.status_code, r.json()["body"]) == (200, "in memory")
    with pytest.raises(sigwire.InvalidRequest):
        s.post(server.base + "/up", data=iter([b"a", object()]), timeout=10)


def test_httpx_sync_and_async_streams(server: Server, blob: Path) -> None:
    auth = HttpxAuth(KEY, SECRET)
    with httpx.Client(auth=auth, timeout=10) as hc:
        with blob.open("rb") as f:
            assert hc.post(server.base + "/up", content=f).json()["body_len"] == blob.stat().st_size
        r = hc.post(server.base + "/up", content=(b"z" * 70_000 for _ in range(3)))
        assert (r.status_code, r.json()["body_len"]) == (200, 210_000)
        r = hc.post(server.base + "/up", files={"f": ("a.bin", b"x" * 100_000)})
        assert r.status_code == 200
        assert hc.post(server.base + "/up", json={"a": 1}).json()["body"] == '{"a":1}'

    async def agen() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"q" * 100_000

    async def run() -> int:
        async with httpx.AsyncClient(auth=auth, timeout=10) as ac:
            r = await ac.post(server.base + "/up", content=agen())
            assert r.status_code == 200
            return int(r.json()["body_len"])

    assert asyncio.run(asyncio.wait_for(run(), 30)) == 400_000


# --- bounded memory ---------------------------------------------------------------------------


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/self/status")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_64_mib_upload_adds_at_most_16_mib_rss(server: Server) -> None:
    piece = os.urandom(MIB)
    digest = hashlib.sha256()

    def body() -> Iterator[bytes]:
        for _ in range(64):
            digest.update(piece)
            yield piece

    with sigwire.Client(server.base, KEY, SECRET, attempt_timeout=120.0, total_timeout=240.0) as c:
        c.get("/warm")  # runtime, connection pool and first-call allocations outside the window
        _reset_peak()
        before = _status_kib("VmRSS")
        r = c.put("/big", body=body())
        extra = _status_kib("VmHWM") - before
    assert (r.status, r.json()["body_len"]) == (200, 64 * MIB)
    assert extra <= 16 * 1024, f"the client used {extra} KiB more for a 64 MiB body"


# --- ASGI / WSGI middleware: uploads past spool_threshold -------------------------------------

URL = "http://api.test/upload"
THRESHOLD = 64 * 1024


def _verifier() -> sigwire.Verifier:
    return sigwire.Verifier({KEY: SECRET})


def _signed_headers(body: bytes, algorithm: str = "hmac-sha256") -> list:
    headers = [("host", "api.test"), ("content-type", "application/octet-stream")]
    auth = sigwire.Signer(KEY, SECRET, algorithm).sign("PUT", URL, headers, body)["Authorization"]
    return [*headers, ("authorization", auth), ("content-length", str(len(body)))]


def _open_spool_fds(directory: Path) -> list:
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(directory)):
            out.append(target)
    return out


class _AsgiApp:
    """Hashes what the middleware hands it, streaming (never keeping the body)."""

    def __init__(self) -> None:
        self.calls = 0
        self.digest = ""
        self.size = 0
        self.messages = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        h = hashlib.sha256()
        while True:
            m = await receive()
            self.messages += 1
            h.update(m.get("body", b""))
            self.size += len(m.get("body", b""))
            if not m.get("more_body"):
                break
        self.digest = h.hexdigest()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": scope["sigwire.key_id"].encode()})


def _asgi(app: Any, headers: list, chunks: Iterator[bytes]) -> tuple:
    from sigwire.asgi import SigwireMiddleware

    sent: list = []
    pieces = iter(chunks)

    async def receive() -> dict:
        piece = next(pieces, None)
        if piece is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": piece, "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http", "method": "PUT", "scheme": "http", "path": "/upload", "raw_path": b"/upload",
        "query_string": b"", "headers": [(n.encode(), v.encode()) for n, v in headers],
        "client": ("127.0.0.1", 5000), "server": ("api.test", 80),
    }
    mw = SigwireMiddleware(app, _verifier(), body_limit=128 * MIB, spool_threshold=THRESHOLD)
    asyncio.run(mw(scope, receive, send))
    status = sent[0]["status"]
    return status, b"".join(m.get("body", b"") for m in sent[1:])


def _pieces(body: bytes, size: int = 65_536) -> Iterator[bytes]:
    return iter([body[i : i + size] for i in range(0, len(body), size)])


@pytest.mark.parametrize("algorithm", ["hmac-sha256", "hmac-sha512"])
def test_asgi_spools_verifies_then_hands_the_body(tmp_path: Path, monkeypatch: Any, algorithm: str) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    body = os.urandom(1_000_003)
    app = _AsgiApp()
    status, out = _asgi(app, _signed_headers(body, algorithm), _pieces(body))
    assert (status, out, app.calls) == (200, KEY.encode(), 1)
    assert (app.digest, app.size) == (hashlib.sha256(body).hexdigest(), len(body))
    assert app.messages > 1, "a spooled body is handed on in pieces"
    assert _open_spool_fds(tmp_path) == [] and os.listdir(tmp_path) == []
    # Small bodies stay in memory: one message, as before.
    small = _AsgiApp()
    assert _asgi(small, _signed_headers(b"tiny"), _pieces(b"tiny"))[0] == 200
    assert (small.messages, small.size) == (1, 4)


def test_asgi_tampered_spooled_body_is_401_and_the_app_never_runs(tmp_path: Path, monkeypatch: Any) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    body = os.urandom(300_000)
    tampered = body[:-1] + bytes([body[-1] ^ 1])
    app = _AsgiApp()
    status, out = _asgi(app, _signed_headers(body), _pieces(tampered))
    assert (status, app.calls) == (401, 0)
    assert b"signature_mismatch" in out
    assert _open_spool_fds(tmp_path) == []


def test_asgi_body_limit_applies_to_spooled_bodies(tmp_path: Path, monkeypatch: Any) -> None:
    import tempfile

    from sigwire.asgi import SigwireMiddleware

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    body = os.urandom(400_000)
    headers = [h for h in _signed_headers(body) if h[0] != "content-length"]  # chunked: no length
    app = _AsgiApp()
    chunks = _pieces(body)
    sent: list = []

    async def receive() -> dict:
        piece = next(chunks, None)
        return {"type": "http.request", "body": piece or b"", "more_body": piece is not None}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "PUT", "scheme": "http", "path": "/upload", "raw_path": b"/upload",
             "query_string": b"", "headers": [(n.encode(), v.encode()) for n, v in headers]}
    mw = SigwireMiddleware(app, _verifier(), body_limit=200_000, spool_threshold=THRESHOLD)
    asyncio.run(mw(scope, receive, send))
    assert (sent[0]["status"], app.calls) == (413, 0)
    assert b"body_too_large" in sent[1]["body"]
    assert _open_spool_fds(tmp_path) == []
    with pytest.raises(TypeError):
        SigwireMiddleware(app, _verifier(), spool_threshold=-1)


def _wsgi(body_sent: bytes, headers: list, limit: int = 128 * MIB) -> tuple:
    from sigwire.wsgi import SigwireMiddleware

    seen: dict = {}

    def app(environ: dict, start_response: Any) -> list:
        seen["calls"] = seen.get("calls", 0) + 1
        h, n = hashlib.sha256(), 0
        while True:
            piece = environ["wsgi.input"].read(65_536)
            if not piece:
                break
            h.update(piece)
            n += len(piece)
        seen["digest"], seen["size"] = h.hexdigest(), n
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["sigwire.key_id"].encode()]

    environ = {
        "REQUEST_METHOD": "PUT", "PATH_INFO": "/upload", "QUERY_STRING": "", "SERVER_NAME": "api.test",
        "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body_sent), "REMOTE_ADDR": "127.0.0.1",
    }
    for name, value in headers:
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key] = value
    status: list = []
    mw = SigwireMiddleware(app, _verifier(), body_limit=limit, spool_threshold=THRESHOLD)
    result = mw(environ, lambda s, h, *exc: status.append(s))
    out = b"".join(result)
    getattr(result, "close", lambda: None)()
    return status[0], out, seen


def test_wsgi_spools_verifies_refuses_and_leaves_nothing(tmp_path: Path, monkeypatch: Any) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    body = os.urandom(700_001)
    status, out, seen = _wsgi(body, _signed_headers(body))
    assert (status, out, seen["calls"]) == ("200 OK", KEY.encode(), 1)
    assert (seen["digest"], seen["size"]) == (hashlib.sha256(body).hexdigest(), len(body))
    tampered = bytes([body[0] ^ 1]) + body[1:]
    status, out, seen = _wsgi(tampered, _signed_headers(body))
    assert status.startswith("401") and seen == {} and b"signature_mismatch" in out
    status, out, seen = _wsgi(body, _signed_headers(body), limit=500_000)
    assert status.startswith("413") and seen == {}
    assert _open_spool_fds(tmp_path) == [] and os.listdir(tmp_path) == []


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_asgi_64_mib_upload_adds_at_most_16_mib_rss() -> None:
    piece = os.urandom(MIB)
    whole = hashlib.sha256()
    for _ in range(64):
        whole.update(piece)
    signer = sigwire.Signer(KEY, SECRET)
    h = sigwire.BodyHasher()
    for _ in range(64):
        h.update(piece)
    headers = [("host", "api.test"), ("content-type", "application/octet-stream")]
    auth = signer.sign("PUT", URL, headers, h.finish())["Authorization"]
    headers = [*headers, ("authorization", auth), ("content-length", str(64 * MIB))]
    app = _AsgiApp()
    _asgi(app, _signed_headers(b"warm"), _pieces(b"warm"))  # first-call allocations outside the window
    app = _AsgiApp()
    _reset_peak()
    before = _status_kib("VmRSS")
    status, _ = _asgi(app, headers, iter([piece] * 64))
    extra = _status_kib("VmHWM") - before
    assert (status, app.size, app.digest) == (200, 64 * MIB, whole.hexdigest())
    assert extra <= 16 * 1024, f"the ASGI middleware used {extra} KiB more for a 64 MiB body"
