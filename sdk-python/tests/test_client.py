"""``sigwire.Client`` / ``sigwire.AsyncClient`` (the Rust HTTP runtime) against the reference
server (``sigwire-server``, crate ``server/``) on 127.0.0.1.

The server binary comes from ``SIGWIRE_SERVER_BIN`` (``scripts/ci/python.sh`` builds it); without
it the tests fail rather than skip. Every call has short timeouts and small backoffs, and every
async test runs under ``asyncio.wait_for``, so a hang is a failure, not a stuck CI.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import subprocess
import threading
import time
import urllib.request
from email.utils import formatdate
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

import sigwire

KEY = "py-client"
SECRET = b"0123456789abcdef0123456789abcdef"
ROOT = Path(__file__).resolve().parents[2]
FAST: Dict[str, Any] = {"base_delay": 0.01, "max_delay": 0.05, "attempt_timeout": 5.0, "total_timeout": 10.0}


def _server_bin() -> str:
    env = os.environ.get("SIGWIRE_SERVER_BIN")
    candidates = [env] if env else []
    for target in (os.environ.get("CARGO_TARGET_DIR"), str(ROOT / "target" / "python"), str(ROOT / "target")):
        if target:
            candidates.append(str(Path(target) / "debug" / "sigwire-server"))
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    pytest.fail("the reference server binary was not found: set SIGWIRE_SERVER_BIN "
                "(cargo build -p sigwire-server --bin sigwire-server)")


class Server:
    """A running ``sigwire-server`` and its ``/_control`` endpoints."""

    def __init__(self, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [_server_bin(), "--port", "0", "--print-port", "--exit-on-stdin-eof", "--key", f"{KEY}:{SECRET.hex()}", *extra],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        line: List[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(30)
        if not line or not line[0].strip().isdigit():
            self.proc.kill()
            pytest.fail(f"sigwire-server did not print its port: {line!r}")
        self.port = int(line[0])
        self.base = f"http://127.0.0.1:{self.port}"

    def control(self, method: str, path: str, payload: Optional[Any] = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(self.base + "/_control" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            body = r.read()
        try:
            return json.loads(body)
        except ValueError:
            return body

    def fault(self, path: str, fault: Dict[str, Any], times: int = 1) -> None:
        self.control("POST", "/faults", {"path": path, "times": times, "fault": fault})

    def requests(self, path: str) -> List[Dict[str, Any]]:
        return list(self.control("GET", f"/requests?path={path}")["requests"])

    def nonces(self, path: str) -> List[str]:
        return list(self.control("GET", f"/nonces?path={path}")["nonces"].get(path, []))

    def set_clock(self, offset: int) -> None:
        self.control("PUT", "/clock", {"offset_seconds": offset})

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        if self.proc.stdout:
            self.proc.stdout.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


@pytest.fixture
def own_server() -> Iterator[Server]:
    """A server for one test that moves the server clock: the replay store never forgets a
    nonce while its expiry is ahead of the latest time the server has used (SPEC §6 step 5), so
    after a clock moved ahead and back a shared server would refuse every request for a while."""
    s = Server()
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _reset(request: pytest.FixtureRequest) -> None:
    if "server" in request.fixturenames:
        request.getfixturevalue("server").control("POST", "/reset")


def client(server: Server, **options: Any) -> sigwire.Client:
    return sigwire.Client(server.base, KEY, SECRET, **{**FAST, **options})


def aclient(server: Server, **options: Any) -> sigwire.AsyncClient:
    return sigwire.AsyncClient(server.base, KEY, SECRET, **{**FAST, **options})


def bounded(coro: Any, limit: float = 20.0) -> Any:
    return asyncio.run(asyncio.wait_for(coro, limit))


def test_success_get_and_post(server: Server) -> None:
    c = client(server)
    r = c.get("/v1/echo", query=[("q", "a b+c"), ("n", "1")], headers={"X-Trace": "t1"})
    assert (r.status, r.attempts) == (200, 1)
    body = r.json()
    assert (body["key_id"], body["path"], body["query"]) == (KEY, "/v1/echo", "q=a%20b%2Bc&n=1")
    assert r.headers["content-type"].startswith("application/json")
    assert r.url == server.base + "/v1/echo?q=a%20b%2Bc&n=1"
    r = c.post("/v1/orders", json={"amount": 100})
    body = r.json()
    assert (body["body"], body["content_type"]) == ('{"amount":100}', "application/json")
    assert "amount" in r.text() and isinstance(r.body, bytes)
    for method in ("PUT", "PATCH", "DELETE"):
        assert c.request(method, "/v1/m", body=b"abc").json()["method"] == method
    c512 = client(server, algorithm="hmac-sha512")
    assert c512.put("/v1/blob", body=bytearray(b"xyz")).json()["body_len"] == 3


def test_async_success_and_concurrency(server: Server) -> None:
    async def main() -> None:
        async with aclient(server) as c:
            rs = await asyncio.gather(*(c.get(f"/a/{i}") for i in range(8)))
            assert [r.json()["path"] for r in rs] == [f"/a/{i}" for i in range(8)]
            r = await c.post("/a/p", json=[1, 2])
            assert r.json()["body"] == "[1,2]"

    bounded(main())


def test_retries_re_sign_with_distinct_nonces(server: Server) -> None:
    server.fault("/flaky", {"type": "status", "status": 503}, times=2)
    r = client(server).get("/flaky")
    assert (r.status, r.attempts) == (200, 3)
    nonces = server.nonces("/flaky")
    assert len(nonces) == 3 and len(set(nonces)) == 3, nonces

    server.fault("/down", {"type": "status", "status": 503}, times=10)
    with pytest.raises(sigwire.HttpStatusError) as info:
        client(server).get("/down")
    e = info.value
    assert (e.status, e.attempts, e.code) == (503, 3, "http_status")
    assert b"injected_fault" in e.body
    assert len(server.nonces("/down")) == 3

    server.fault("/missing", {"type": "status", "status": 404}, times=5)
    with pytest.raises(sigwire.HttpStatusError) as info:
        client(server).get("/missing")
    assert (info.value.status, info.value.attempts) == (404, 1)


def test_async_retries_re_sign(server: Server) -> None:
    server.fault("/aflaky", {"type": "status", "status": 502}, times=2)
    r = bounded(aclient(server).get("/aflaky"))
    assert r.attempts == 3
    assert len(set(server.nonces("/aflaky"))) == 3


def test_post_retried_only_with_a_stable_idempotency_key(server: Server) -> None:
    server.fault("/pay", {"type": "status", "status": 503}, times=2)
    r = client(server).post("/pay", json={"amount": 5})
    assert r.attempts == 3
    seen = server.requests("/pay")
    keys = [s["idempotency_key"] for s in seen]
    assert len(keys) == 3 and keys[0] and all(k == keys[0] for k in keys), keys
    assert len({s["nonce"] for s in seen}) == 3

    server.fault("/pay2", {"type": "status", "status": 503})
    client(server).post("/pay2", body=b"x", idempotency_key="order-42")
    assert [s["idempotency_key"] for s in server.requests("/pay2")] == ["order-42", "order-42"]

    # Without idempotency keys, a POST is not retried.
    server.fault("/pay3", {"type": "status", "status": 503})
    with pytest.raises(sigwire.HttpStatusError) as info:
        client(server, idempotency_keys=False).post("/pay3", body=b"x")
    assert (info.value.status, info.value.attempts) == (503, 1)
    assert [s["idempotency_key"] for s in server.requests("/pay3")] == [None]


def test_retry_after_is_honoured(server: Server) -> None:
    server.fault("/ra", {"type": "status", "status": 503, "retry_after": "1"})
    t = time.monotonic()
    r = client(server).get("/ra")
    elapsed = time.monotonic() - t
    assert r.attempts == 2
    assert 0.95 <= elapsed < 2.5, elapsed
    at = [s["at_ms"] for s in server.requests("/ra")]
    assert 950 <= at[1] - at[0] < 2500, at

    # The HTTP-date form, measured against the server's Date.
    server.fault("/ra-date", {"type": "status", "status": 503, "retry_after": formatdate(time.time() + 2, usegmt=True)})
    t = time.monotonic()
    assert client(server).get("/ra-date").attempts == 2
    assert 0.9 <= time.monotonic() - t < 3.5

    # Capped by max_retry_after.
    server.fault("/ra-long", {"type": "status", "status": 503, "retry_after": "3600"})
    t = time.monotonic()
    assert client(server, max_retry_after=0.2).get("/ra-long").attempts == 2
    assert time.monotonic() - t < 1.5


@pytest.mark.parametrize("offset", [600, -600])
def test_server_clock_ten_minutes_off_is_corrected_after_one_exchange(own_server: Server, offset: int) -> None:
    server = own_server
    server.set_clock(offset)
    c = client(server)
    assert c.clock_offset == 0
    r = c.get("/skew")
    assert r.attempts == 2, "stale_timestamp, then re-signed and accepted"
    assert abs(c.clock_offset - offset) <= 2, c.clock_offset
    assert c.get("/skew").attempts == 1
    assert c.post("/skew", body="x").attempts == 1


@pytest.mark.parametrize("offset", [600, -600])
def test_skew_correction_shared_by_five_concurrent_requests(own_server: Server, offset: int) -> None:
    server = own_server
    server.set_clock(offset)

    async def main() -> None:
        c = aclient(server)
        rs = await asyncio.gather(*(c.get(f"/conc/{i}") for i in range(5)))
        assert all(r.status == 200 and r.attempts <= 2 for r in rs), [r.attempts for r in rs]
        assert abs(c.clock_offset - offset) <= 2
        assert (await c.get("/after")).attempts == 1

    bounded(main())

    # The same with five threads on one blocking client (the GIL is released while waiting),
    # against a second server whose clock is off the other way.
    server = Server()
    server.set_clock(-offset)
    c = client(server)
    results: List[Any] = []

    def call(i: int) -> None:
        try:
            results.append(c.get(f"/thr/{i}").attempts)
        except BaseException as e:  # collected and asserted below
            results.append(e)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(5)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(20)
    server.close()
    assert len(results) == 5 and all(a in (1, 2) for a in results), results
    assert abs(c.clock_offset + offset) <= 2


def test_skew_beyond_the_maximum_or_correction_off(own_server: Server) -> None:
    server = own_server
    server.set_clock(600)
    with pytest.raises(sigwire.ClockSkewTooLarge) as info:
        client(server, max_clock_skew=60).get("/far")
    assert abs(info.value.offset_seconds - 600) <= 2 and info.value.max_seconds == 60
    assert info.value.code == "clock_skew_too_large"
    with pytest.raises(sigwire.StaleTimestamp) as stale:
        client(server, clock_skew_correction=False).get("/far")
    assert stale.value.code == "stale_timestamp"
    assert stale.value.server_time is not None and abs(stale.value.server_time - (time.time() + 600)) <= 3


def test_cross_origin_redirect_drops_authorization(server: Server) -> None:
    other = Server()
    try:
        server.fault("/old", {"type": "redirect", "location": "/new?v=2"})
        r = client(server).get("/old")
        assert r.json()["key_id"] == KEY and r.url.endswith("/new?v=2")
        assert server.nonces("/old")[0] != server.nonces("/new")[0]

        server.fault("/away", {"type": "redirect", "location": other.base + "/public/landing"})
        r = client(server).get("/away")
        assert r.json()["authorization_present"] is False
        landed = other.requests("/public/landing")
        assert len(landed) == 1 and landed[0]["authorization_present"] is False

        # A signed path on the other origin then sees no Authorization at all.
        server.fault("/away2", {"type": "redirect", "location": other.base + "/secure"})
        with pytest.raises(sigwire.MissingAuthorization):
            client(server).get("/away2")

        server.fault("/loop", {"type": "redirect", "location": "/loop"}, times=10)
        with pytest.raises(sigwire.TooManyRedirects) as info:
            client(server, max_redirects=3).get("/loop")
        assert info.value.limit == 3
    finally:
        other.close()


def test_timeouts_fire(server: Server) -> None:
    server.fault("/slow", {"type": "delay", "ms": 3000})
    t = time.monotonic()
    with pytest.raises(sigwire.SigwireTimeout) as info:
        client(server, attempt_timeout=0.3, max_attempts=1).get("/slow")
    assert time.monotonic() - t < 1.5
    assert info.value.timeout_kind == "attempt" and isinstance(info.value, TimeoutError)

    server.fault("/slower", {"type": "delay", "ms": 3000}, times=10)
    t = time.monotonic()
    with pytest.raises(sigwire.SigwireTimeout) as info:
        client(server, attempt_timeout=0.3, total_timeout=0.7).get("/slower")
    assert info.value.timeout_kind == "total"
    assert 0.65 <= time.monotonic() - t < 1.5

    # A per-call timeout overrides the client's (None: no limit); async too.
    server.fault("/slow-ok", {"type": "delay", "ms": 600})
    assert client(server, attempt_timeout=0.3, max_attempts=1).get("/slow-ok", timeout=None).status == 200
    server.fault("/slow-ok", {"type": "delay", "ms": 600})
    assert client(server, attempt_timeout=0.3, max_attempts=1).get("/slow-ok", timeout=2.0).status == 200

    server.fault("/aslow", {"type": "delay", "ms": 3000})

    async def main() -> None:
        with pytest.raises(sigwire.SigwireTimeout):
            await aclient(server, max_attempts=1).get("/aslow", timeout=0.3)

    t = time.monotonic()
    bounded(main())
    assert time.monotonic() - t < 1.5


def test_cancelling_the_task_aborts_the_call(server: Server) -> None:
    server.fault("/hang", {"type": "delay", "ms": 3000})

    async def main() -> None:
        c = aclient(server)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(c.get("/hang"), 0.2)
        assert (await c.get("/fine")).status == 200

    t = time.monotonic()
    bounded(main())
    assert time.monotonic() - t < 2.0


def test_body_over_the_limit_gives_413() -> None:
    s = Server("--body-limit", "1024")
    try:
        c = client(s)
        with pytest.raises(sigwire.HttpStatusError) as info:
            c.post("/upload", body=b"x" * 2048)
        assert (info.value.status, info.value.attempts) == (413, 1)
        assert info.value.body == b'{"error":"body_too_large"}'
        assert s.requests("/upload") == []
        assert c.post("/upload", body=b"x" * 1024).json()["body_len"] == 1024
        with pytest.raises(sigwire.HttpStatusError):
            bounded(aclient(s).post("/upload", body=memoryview(b"y" * 4096)))
    finally:
        s.close()


def test_connection_refused_is_typed_and_retried() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    c = sigwire.Client(f"http://127.0.0.1:{port}", KEY, SECRET, **FAST)
    with pytest.raises(sigwire.ConnectError) as info:
        c.get("/")
    assert info.value.attempts == 3 and isinstance(info.value, ConnectionError)


def test_dropped_connection(server: Server) -> None:
    server.fault("/drop", {"type": "drop"})
    assert client(server).get("/drop").attempts == 2
    server.fault("/drop", {"type": "drop"})
    with pytest.raises(sigwire.TransportError):
        client(server, max_attempts=1).get("/drop")


def test_rejected_signature_has_the_verifier_class_and_no_secret(server: Server) -> None:
    wrong = b"WRONG-secret-0123456789abcdef"
    c = sigwire.Client(server.base, KEY, wrong, **FAST)
    with pytest.raises(sigwire.SignatureMismatch) as info:
        c.get("/x")
    e = info.value
    assert e.code == "signature_mismatch" and e.http_status == 401
    text = f"{e} {e!r} {c!r} {c._native!r} {pickle.loads(pickle.dumps(e))!r}"
    assert "WRONG-secret" not in text and "HMAC apiKey" not in text and wrong.hex() not in text, text
    with pytest.raises(sigwire.UnknownKey):
        sigwire.Client(server.base, "nobody", SECRET, **FAST).get("/x")

    async def main() -> None:
        with pytest.raises(sigwire.SignatureMismatch):
            await sigwire.AsyncClient(server.base, KEY, wrong, **FAST).get("/x")

    bounded(main())


def test_bad_configuration_and_input_are_typed() -> None:
    with pytest.raises(sigwire.InvalidConfig):
        sigwire.Client("ftp://x", KEY, SECRET)
    with pytest.raises(sigwire.InvalidConfig):
        sigwire.Client("http://h.test?q=1", KEY, SECRET)
    with pytest.raises(sigwire.InvalidSecret):
        sigwire.Client("http://h.test", KEY, b"short")
    with pytest.raises(sigwire.InvalidKeyId):
        sigwire.Client("http://h.test", "bad key", SECRET)
    with pytest.raises(sigwire.UnsupportedAlgorithm):
        sigwire.Client("http://h.test", KEY, SECRET, algorithm="md5")
    with pytest.raises(sigwire.InvalidConfig):
        sigwire.Client("http://h.test", KEY, SECRET, attempt_timeout=-1.0)
    with pytest.raises(sigwire.InvalidConfig):
        sigwire.Client("http://h.test", KEY, SECRET, base_delay=float("nan"))
    with pytest.raises(sigwire.InvalidConfig):
        sigwire.Client("http://h.test", KEY, SECRET, default_headers={"bad name": "v"})
    c = sigwire.Client("http://127.0.0.1:9", KEY, SECRET)
    with pytest.raises(sigwire.InvalidRequest):
        c.get("/", headers={"x": "a\nb"})
    with pytest.raises(sigwire.InvalidRequest):
        c.request("BAD METHOD", "/")
    with pytest.raises(sigwire.InvalidRequest):
        c.get("/", query=[("q", "\ud800")])
    with pytest.raises(TypeError):
        c.get("/", body=12)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        c.post("/", body=b"x", json={"a": 1})
    with pytest.raises(TypeError):
        c.get("/", query=[("only-one",)])  # type: ignore[list-item]
    assert "0123456789abcdef" not in repr(c)
    assert repr(c) == "Client(base_url='http://127.0.0.1:9/', key_id='py-client')"


def test_client_errors_pickle_and_subclass() -> None:
    e = sigwire.HttpStatusError("HTTP 503", attempts=2, status=503, body=b"x", headers=[])
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is sigwire.HttpStatusError and (back.status, back.attempts, back.body) == (503, 2, b"x")
    for cls in (sigwire.SigwireTimeout, sigwire.ConnectError, sigwire.TransportError, sigwire.HttpStatusError,
                sigwire.ClockSkewTooLarge, sigwire.TooManyRedirects):
        assert issubclass(cls, sigwire.ClientError) and issubclass(cls, sigwire.SigwireError)
        assert cls.__module__ == "sigwire" and cls.__doc__
    assert issubclass(sigwire.SigwireTimeout, TimeoutError)
