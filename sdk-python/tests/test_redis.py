"""The Redis replay store and rate limiter (issue 15, Python side) against a real ``redis-server``.

Checked: the key layout and the two scripts are docs/redis-layout.md's (comments aside; the gateway runs
both in one script); a nonce claimed through the WSGI middleware (sync store) is refused by the ASGI middleware
(asyncio store) and the reverse; the epoch rule after data loss; fail closed (503) while Redis is
down and recovery when it is back; GCRA rate limits and the failure budgets with ``Retry-After``
and ``RateLimit`` headers.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import sigwire
from sigwire.asgi import SigwireMiddleware as AsgiMiddleware
from sigwire.wsgi import SigwireMiddleware as WsgiMiddleware

from conftest import SECRET
from redis_server import RedisServer, redis_server  # noqa: F401 - the fixture

redis = pytest.importorskip("redis")
from sigwire.redis import CLAIM_LUA, GCRA_LUA, AsyncRedisStore, Limit, RedisStore  # noqa: E402

HOST = "api.example.com"
KEY = "client:1"  # a key id with ':' (the last ':' of a replay key separates the nonce)
SIGNER = sigwire.Signer(KEY, SECRET)
WINDOW = 300

Answer = Tuple[int, Dict[str, str], bytes, List[Any]]


def verifier() -> sigwire.Verifier:
    return sigwire.Verifier({KEY: SECRET}, window=WINDOW)


def signed(body: bytes = b"{}", *, ts: Optional[int] = None, nonce: Optional[str] = None,
           signer: sigwire.Signer = SIGNER) -> Dict[str, str]:
    headers = {"Content-Type": "application/json"}
    headers.update(signer.sign("POST", f"https://{HOST}/v1/pay", headers, body, timestamp=ts, nonce=nonce))
    return headers


def wsgi_call(mw: WsgiMiddleware, headers: Dict[str, str], body: bytes = b"{}", ip: str = "192.0.2.1") -> Answer:
    seen: List[Any] = []

    def app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
        seen.append(environ["sigwire.key_id"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    mw.app = app
    environ: Dict[str, Any] = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/v1/pay", "RAW_URI": "/v1/pay", "QUERY_STRING": "",
        "SERVER_NAME": HOST, "SERVER_PORT": "443", "HTTP_HOST": HOST, "REMOTE_ADDR": ip,
        "wsgi.url_scheme": "https", "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else "HTTP_" + key] = value
    out: Dict[str, Any] = {}

    def start_response(status: str, hdrs: List[Tuple[str, str]], *exc: Any) -> None:
        out["status"], out["headers"] = int(status.split()[0]), {n.lower(): v for n, v in hdrs}

    payload = b"".join(mw(environ, start_response))
    return out["status"], out["headers"], payload, seen


async def asgi_call(mw: AsgiMiddleware, headers: Dict[str, str], body: bytes = b"{}", ip: str = "192.0.2.1") -> Answer:
    seen: List[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["sigwire.key_id"])
        assert (await receive())["body"] == body
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    mw.app = app
    scope = {
        "type": "http", "method": "POST", "scheme": "https", "path": "/v1/pay", "raw_path": b"/v1/pay",
        "query_string": b"", "server": (HOST, 443), "client": (ip, 4000),
        "headers": [(b"host", HOST.encode()), (b"content-length", str(len(body)).encode())]
        + [(n.lower().encode(), v.encode()) for n, v in headers.items()],
    }
    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    await mw(scope, receive, send)
    hdrs = {n.decode(): v.decode() for n, v in sent[0]["headers"]}
    return sent[0]["status"], hdrs, sent[1]["body"], seen


@pytest.fixture
def client(redis_server: RedisServer) -> Any:  # noqa: F811
    c = redis.Redis.from_url(redis_server.url, socket_timeout=1)
    c.flushall()
    c.set("sigwire:epoch", int(time.time()) - 3600)  # an established store
    yield c
    c.close()


def code(answer: Answer) -> Tuple[int, str]:
    return answer[0], json.loads(answer[2])["error"] if answer[0] != 200 else ""


# --- layout --------------------------------------------------------------------------------------


def _lua(script: str) -> str:
    """A Lua script without comments, blank lines and trailing spaces (its meaning, not its notes)."""
    lines = (line.split("--")[0].rstrip() for line in script.strip().splitlines())
    return "\n".join(line for line in lines if line.strip())


def _documented_scripts() -> List[str]:
    layout = (Path(__file__).resolve().parents[2] / "docs" / "redis-layout.md").read_text()
    return [_lua(block) for block in re.findall(r"```lua\n(.*?)```", layout, re.S)]


def test_the_scripts_are_the_documented_layout() -> None:
    # docs/redis-layout.md §2 (claim) and §4 (GCRA) are the shared contract: the gateway runs both
    # in one admission script (gateway/src/admission.rs, same keys and results), this package runs
    # them as written, and tests/redis-cross checks that the two refuse each other's nonces.
    claim, gcra = _documented_scripts()
    assert _lua(CLAIM_LUA) == claim
    assert _lua(GCRA_LUA) == gcra
    gateway = (Path(__file__).resolve().parents[2] / "gateway" / "src" / "admission.rs").read_text()
    assert "redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3])" in gateway
    assert "redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3])" in CLAIM_LUA


def test_a_claimed_nonce_is_stored_under_the_shared_layout(client: Any) -> None:
    mw = WsgiMiddleware(None, verifier(), store=RedisStore(client))  # type: ignore[arg-type]
    now = int(time.time())
    headers = signed(ts=now, nonce="AAECAwQFBgcICQoLDA0ODw")
    assert code(wsgi_call(mw, headers)) == (200, "")
    key = f"sigwire:replay:{KEY}:AAECAwQFBgcICQoLDA0ODw"
    assert client.get(key) == str(now).encode()
    assert WINDOW - 5 <= client.ttl(key) <= WINDOW + 1
    assert set(client.keys("*")) == {b"sigwire:epoch", key.encode()}


def test_a_namespace_prefixes_every_key(client: Any) -> None:
    store = RedisStore(client, "tenant-7.prod")
    store.ensure_epoch(int(time.time()) - 60)  # a new store: SET NX creates its epoch
    store.ensure_epoch(int(time.time()))  # ... once
    assert int(client.get("tenant-7.prod:epoch")) < int(time.time()) - 30
    mw = WsgiMiddleware(None, verifier(), store=store)  # type: ignore[arg-type]
    assert code(wsgi_call(mw, signed(nonce="AAAAAAAAAAAAAAAAAAAAAA"))) == (200, "")
    assert client.exists(f"tenant-7.prod:replay:{KEY}:AAAAAAAAAAAAAAAAAAAAAA")
    assert client.exists("tenant-7.prod:epoch")
    for bad in ("", "a b", "x" * 65, "a:b"):
        with pytest.raises(ValueError):
            RedisStore(client, bad)


# --- replays across services -------------------------------------------------------------------


def test_a_nonce_accepted_by_wsgi_is_refused_by_asgi_and_the_reverse(redis_server: RedisServer, client: Any) -> None:  # noqa: F811
    wsgi_mw = WsgiMiddleware(None, verifier(), store=RedisStore(client))  # type: ignore[arg-type]
    first, second = signed(), signed()
    assert code(wsgi_call(wsgi_mw, first)) == (200, "")
    assert code(wsgi_call(wsgi_mw, first)) == (401, "replayed_nonce")

    async def run() -> List[Tuple[int, str]]:
        aclient = redis.asyncio.Redis.from_url(redis_server.url)
        try:
            asgi_mw = AsgiMiddleware(None, verifier(), store=AsyncRedisStore(aclient))  # type: ignore[arg-type]
            return [code(await asgi_call(asgi_mw, first)), code(await asgi_call(asgi_mw, second)),
                    code(await asgi_call(asgi_mw, second))]
        finally:
            await aclient.aclose()

    assert asyncio.run(run()) == [(401, "replayed_nonce"), (200, ""), (401, "replayed_nonce")]
    assert code(wsgi_call(wsgi_mw, second)) == (401, "replayed_nonce")


def test_the_sync_store_also_serves_the_asgi_middleware(client: Any) -> None:
    mw = AsgiMiddleware(None, verifier(), store=RedisStore(client))  # type: ignore[arg-type]
    headers = signed()
    assert code(asyncio.run(asgi_call(mw, headers))) == (200, "")
    assert code(asyncio.run(asgi_call(mw, headers))) == (401, "replayed_nonce")


def test_wsgi_refuses_an_async_store(client: Any) -> None:
    with pytest.raises(TypeError):
        WsgiMiddleware(None, verifier(), store=AsyncRedisStore(redis.asyncio.Redis()))  # type: ignore[arg-type]


# --- data loss and outages ------------------------------------------------------------------------


def test_after_data_loss_no_request_signed_before_the_new_epoch_is_accepted(client: Any) -> None:
    mw = WsgiMiddleware(None, verifier(), store=RedisStore(client))  # type: ignore[arg-type]
    now = int(time.time())
    before = signed(ts=now - 2)
    assert code(wsgi_call(mw, before)) == (200, "")
    client.flushall()  # Redis lost its data: the nonce is forgotten
    status, headers, body, seen = wsgi_call(mw, before)
    assert (status, json.loads(body), seen) == (401, {"error": "stale_timestamp"}, [])
    assert headers["x-sigwire-server-time"].isdigit()
    epoch = int(client.get("sigwire:epoch"))
    assert now - 1 <= epoch <= int(time.time())  # created afresh by the claim itself
    # A client that signs again after the epoch is accepted.
    assert code(wsgi_call(mw, signed(ts=epoch + 1))) == (200, "")


def test_redis_down_fails_closed_and_recovers(redis_server: RedisServer, client: Any) -> None:  # noqa: F811
    store = RedisStore(client)
    mw = WsgiMiddleware(None, verifier(), store=store)  # type: ignore[arg-type]
    redis_server.stop()
    try:
        status, headers, body, seen = wsgi_call(mw, signed())
        assert (status, json.loads(body), seen) == (503, {"error": "replay_store_unavailable"}, [])
        assert headers["cache-control"] == "no-store"

        async def down() -> Answer:
            aclient = redis.asyncio.Redis.from_url(redis_server.url)
            try:
                amw = AsgiMiddleware(None, verifier(), store=AsyncRedisStore(aclient, timeout=0.5))  # type: ignore[arg-type]
                return await asgi_call(amw, signed())
            finally:
                await aclient.aclose()

        assert code(asyncio.run(down())) == (503, "replay_store_unavailable")
    finally:
        redis_server.start()  # back, empty: a restart without persistence
    fresh = signed(ts=int(time.time()) + 1)  # after the epoch the restart will set
    assert code(wsgi_call(mw, fresh)) == (200, "")  # recovered without a new client or middleware
    assert code(wsgi_call(mw, fresh)) == (401, "replayed_nonce")


def test_a_redis_error_is_unavailable_never_an_accept(client: Any) -> None:
    client.set(f"sigwire:replay:{KEY}:AAAAAAAAAAAAAAAAAAAAAB", "x")
    client.set("sigwire:epoch", "not a number")  # the script errors
    mw = WsgiMiddleware(None, verifier(), store=RedisStore(client))  # type: ignore[arg-type]
    assert code(wsgi_call(mw, signed())) == (503, "replay_store_unavailable")


# --- rate limits ----------------------------------------------------------------------------------


def test_the_key_rate_limit_is_gcra_with_ietf_headers(client: Any) -> None:
    store = RedisStore(client, rate_limit=Limit(2, per_seconds=60, burst=2))
    mw = WsgiMiddleware(None, verifier(), store=store)  # type: ignore[arg-type]
    first = wsgi_call(mw, signed())
    assert code(first) == (200, "")
    assert first[1]["ratelimit-policy"] == '"key";q=2;w=60'
    assert first[1]["ratelimit"].startswith('"key";r=1;t=')
    assert code(wsgi_call(mw, signed())) == (200, "")
    status, headers, body, seen = wsgi_call(mw, signed())
    assert (status, json.loads(body), seen) == (429, {"error": "rate_limited"}, [])
    assert 1 <= int(headers["retry-after"]) <= 30
    assert headers["ratelimit"] == f'"key";r=0;t={headers["retry-after"]}'
    assert client.exists(f"sigwire:rl:key:{KEY}")
    # The same limit holds from the asyncio store (one Redis, one budget).

    async def more(url: str) -> Tuple[int, str]:
        aclient = redis.asyncio.Redis.from_url(url)
        try:
            amw = AsgiMiddleware(None, verifier(),  # type: ignore[arg-type]
                                 store=AsyncRedisStore(aclient, rate_limit=Limit(2, per_seconds=60, burst=2)))
            return code(await asgi_call(amw, signed()))
        finally:
            await aclient.aclose()

    url = client.connection_pool.connection_kwargs
    assert asyncio.run(more(f"redis://127.0.0.1:{url['port']}/0")) == (429, "rate_limited")


def test_failed_verifications_spend_the_ip_and_key_budgets(client: Any) -> None:
    store = RedisStore(client, failures_per_ip=Limit(2, per_seconds=60), failures_per_key=Limit(3, per_seconds=60))
    mw = WsgiMiddleware(None, verifier(), store=store)  # type: ignore[arg-type]
    forged = signed(signer=sigwire.Signer(KEY, b"W" * 32))
    assert code(wsgi_call(mw, forged, ip="198.51.100.1")) == (401, "signature_mismatch")
    assert code(wsgi_call(mw, forged, ip="198.51.100.1")) == (401, "signature_mismatch")
    status, headers, body, _ = wsgi_call(mw, signed(), ip="198.51.100.1")  # even a good one now
    assert (status, json.loads(body)["error"]) == (429, "too_many_failures")
    assert headers["ratelimit-policy"] == '"failures-ip";q=2;w=60' and "retry-after" in headers
    # Another IP: one more failure spends the key's budget of 3, for every IP.
    assert code(wsgi_call(mw, forged, ip="198.51.100.2")) == (401, "signature_mismatch")
    status, headers, _, _ = wsgi_call(mw, signed(), ip="198.51.100.3")
    assert (status, headers["ratelimit-policy"]) == (429, '"failures-key";q=3;w=60')
    assert client.exists(f"sigwire:rl:fail-ip:198.51.100.1") and client.exists(f"sigwire:rl:fail-key:{KEY}")


def test_the_epoch_refusal_is_not_counted_as_a_failure(client: Any) -> None:
    store = RedisStore(client, failures_per_ip=Limit(1, per_seconds=60))
    mw = WsgiMiddleware(None, verifier(), store=store)  # type: ignore[arg-type]
    client.set("sigwire:epoch", int(time.time()))
    assert code(wsgi_call(mw, signed(ts=int(time.time()) - 5))) == (401, "stale_timestamp")
    assert code(wsgi_call(mw, signed(ts=int(time.time()) + 2))) == (200, "")


def test_limits_are_validated() -> None:
    for bad in [dict(rate=0), dict(rate=1, per_seconds=0), dict(rate=1, burst=0), dict(rate=True)]:
        with pytest.raises(ValueError):
            Limit(**bad)  # type: ignore[arg-type]
    assert Limit(3, per_seconds=1).interval_ms == 334 and Limit(10, 60).burst_size == 10


def test_a_websocket_upgrade_claims_its_nonce_in_the_store(redis_server: RedisServer, client: Any) -> None:  # noqa: F811
    url = f"https://{HOST}/v1/stream"
    auth = SIGNER.sign("GET", url)["Authorization"]

    async def upgrade(mw: AsgiMiddleware) -> Tuple[str, Optional[int]]:
        sent: List[Dict[str, Any]] = []

        async def app(scope: Any, receive: Any, send: Any) -> None:
            await send({"type": "websocket.accept"})

        async def receive() -> Dict[str, Any]:
            return {"type": "websocket.connect"}

        async def send(message: Dict[str, Any]) -> None:
            sent.append(message)

        mw.app = app
        scope = {"type": "websocket", "scheme": "wss", "path": "/v1/stream", "raw_path": b"/v1/stream",
                 "query_string": b"", "client": ("192.0.2.9", 1), "extensions": {"websocket.http.response": {}},
                 "headers": [(b"host", HOST.encode()), (b"authorization", auth.encode())]}
        await mw(scope, receive, send)
        return sent[0]["type"], sent[0].get("status")

    async def run() -> List[Tuple[str, Optional[int]]]:
        aclient = redis.asyncio.Redis.from_url(redis_server.url)
        try:
            mw = AsgiMiddleware(None, verifier(), store=AsyncRedisStore(aclient))  # type: ignore[arg-type]
            return [await upgrade(mw), await upgrade(mw)]
        finally:
            await aclient.aclose()

    assert asyncio.run(run()) == [("websocket.accept", None), ("websocket.http.response.start", 401)]
    assert client.exists(f"sigwire:replay:{KEY}:" + auth.split('nonce="')[1].split('"')[0])
