"""Python part of tests/redis-cross: the Rust gateway and Python services on one Redis.

1. A request accepted by the gateway is refused (401 ``replayed_nonce``) by a WSGI service (a real
   HTTP server, ``sigwire.redis.RedisStore``) and by an ASGI app (``AsyncRedisStore``) sharing
   the Redis.
2. A request accepted by the WSGI service, and one accepted by the ASGI app, are each refused by
   the gateway.
3. Requests signed by the Python client, each sent to every gateway instance at once: exactly one
   instance accepts each, the others answer 401 ``replayed_nonce``.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, make_server

import redis

import sigwire
from sigwire.asgi import SigwireMiddleware as AsgiMiddleware
from sigwire.redis import AsyncRedisStore, RedisStore
from sigwire.wsgi import SigwireMiddleware as WsgiMiddleware

REDIS_URL = os.environ["SIGWIRE_REDIS_URL"]
NAMESPACE = os.environ["SIGWIRE_NAMESPACE"]
GATEWAY = urlsplit(os.environ["SIGWIRE_GATEWAY_URL"])
GATEWAYS = [urlsplit(u) for u in os.environ.get("SIGWIRE_GATEWAY_URLS", os.environ["SIGWIRE_GATEWAY_URL"]).split()]
KEY_ID, SECRET = os.environ["SIGWIRE_KEY_ID"], os.environ["SIGWIRE_SECRET"].encode()
WINDOW = int(os.environ.get("SIGWIRE_WINDOW", "300"))
HOST = "api.cross.test"  # the signed host; every service is sent this Host header
SIGNER = sigwire.Signer(KEY_ID, SECRET)

Answer = Tuple[int, str]
failures: List[str] = []


def check(what: str, got: Answer, status: int, contains: str) -> None:
    ok = got[0] == status and contains in got[1]
    print(f"  {'ok ' if ok else 'FAIL'} {what}: {got[0]} {got[1][:60]!r}")
    if not ok:
        failures.append(what)


def signed(path: str, body: bytes) -> Dict[str, str]:
    headers = {"Content-Type": "application/json"}
    headers.update(SIGNER.sign("POST", f"http://{HOST}{path}", headers, body))
    return headers


def send(host: str, port: int, path: str, headers: Dict[str, str], body: bytes) -> Answer:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers={"Host": HOST, **headers})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def to_gateway(path: str, headers: Dict[str, str], body: bytes) -> Answer:
    return send(GATEWAY.hostname or "127.0.0.1", GATEWAY.port or 80, path, headers, body)


def cluster_checks() -> None:
    """Each request, signed once, goes to every instance at the same moment."""
    with ThreadPoolExecutor(max_workers=len(GATEWAYS)) as pool:
        for i in range(5):
            body = json.dumps({"cluster": i}).encode()
            h = signed(f"/v1/cluster/{i}", body)
            start = threading.Barrier(len(GATEWAYS))

            def one(g: Any, h: Dict[str, str] = h, body: bytes = body, i: int = i) -> Answer:
                start.wait()
                return send(g.hostname or "127.0.0.1", g.port or 80, f"/v1/cluster/{i}", h, body)

            answers = list(pool.map(one, GATEWAYS))
            accepted = [a for a in answers if a[0] == 200 and f"upstream ok {KEY_ID}" in a[1]]
            replayed = [a for a in answers if a[0] == 401 and "replayed_nonce" in a[1]]
            ok = len(accepted) == 1 and len(replayed) == len(GATEWAYS) - 1
            print(f"  {'ok ' if ok else 'FAIL'} request {i} sent to {len(GATEWAYS)} instances at once: "
                  f"{len(accepted)} accepted, {len(replayed)} replayed_nonce {[a[0] for a in answers]}")
            if not ok:
                failures.append(f"cluster request {i}")


# --- the WSGI service: a real HTTP server on 127.0.0.1 -------------------------------------------


def wsgi_app(environ: Dict[str, Any], start_response: Any) -> List[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"python ok {environ['sigwire.key_id']}".encode()]


class Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def start_wsgi() -> Tuple[Any, int]:
    verifier = sigwire.Verifier({KEY_ID: SECRET}, window=WINDOW)
    store = RedisStore(redis.Redis.from_url(REDIS_URL, socket_timeout=1), NAMESPACE)
    server = make_server("127.0.0.1", 0, WsgiMiddleware(wsgi_app, verifier, store=store), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


# --- the ASGI app, driven in-process --------------------------------------------------------------


async def asgi_send(mw: AsgiMiddleware, path: str, headers: Dict[str, str], body: bytes) -> Answer:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": f"asgi ok {scope['sigwire.key_id']}".encode()})

    mw.app = app
    scope = {
        "type": "http", "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
        "query_string": b"", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 40000),
        "headers": [(b"host", HOST.encode()), (b"content-length", str(len(body)).encode())]
        + [(n.lower().encode(), v.encode()) for n, v in headers.items()],
    }
    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def out(message: Dict[str, Any]) -> None:
        sent.append(message)

    await mw(scope, receive, out)
    return sent[0]["status"], bytes(sent[1]["body"]).decode()


async def asgi_checks() -> None:
    client = redis.asyncio.Redis.from_url(REDIS_URL)
    try:
        mw = AsgiMiddleware(None, sigwire.Verifier({KEY_ID: SECRET}, window=WINDOW),  # type: ignore[arg-type]
                            store=AsyncRedisStore(client, NAMESPACE))
        body = json.dumps({"order": 2}).encode()
        h = signed("/v1/orders", body)
        check("gateway accepts a fresh request", to_gateway("/v1/orders", h, body), 200, f"upstream ok {KEY_ID}")
        check("ASGI (asyncio Redis) refuses the gateway's nonce", await asgi_send(mw, "/v1/orders", h, body),
              401, "replayed_nonce")
        h = signed("/v1/orders", body)
        check("ASGI accepts a fresh request", await asgi_send(mw, "/v1/orders", h, body), 200, f"asgi ok {KEY_ID}")
        check("gateway refuses the ASGI app's nonce", to_gateway("/v1/orders", h, body), 401, "replayed_nonce")
    finally:
        await client.aclose()


def main() -> int:
    server, port = start_wsgi()
    try:
        body = json.dumps({"order": 1}).encode()
        print("gateway -> Python (WSGI, sync Redis)")
        h = signed("/v1/orders", body)
        check("gateway accepts a fresh request", to_gateway("/v1/orders", h, body), 200, f"upstream ok {KEY_ID}")
        check("gateway refuses its own replay", to_gateway("/v1/orders", h, body), 401, "replayed_nonce")
        check("WSGI service refuses the gateway's nonce", send("127.0.0.1", port, "/v1/orders", h, body),
              401, "replayed_nonce")
        print("Python (WSGI) -> gateway")
        h = signed("/v1/orders", body)
        check("WSGI service accepts a fresh request", send("127.0.0.1", port, "/v1/orders", h, body),
              200, f"python ok {KEY_ID}")
        check("gateway refuses the WSGI service's nonce", to_gateway("/v1/orders", h, body), 401, "replayed_nonce")
        print("gateway <-> Python (ASGI, asyncio Redis)")
        asyncio.run(asgi_checks())
        print(f"Python client -> {len(GATEWAYS)} gateway instances at once")
        cluster_checks()
    finally:
        server.shutdown()
    if failures:
        print(f"redis-cross/python: {len(failures)} check(s) failed: {failures}", file=sys.stderr)
        return 1
    print("redis-cross/python: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
