"""A typed tour of the Python SDK, checked with ``mypy --strict`` in CI (and runnable).

Run: ``python sdk-python/examples/usage.py`` (no network: the HTTP parts are only built).
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import httpx
import requests
from fastapi import FastAPI, Request
from flask import Flask
from flask import request as flask_request

import sigwire
from sigwire import InMemoryReplayStore, KeyStore, Signer, SigwireError, StaleTimestamp, Verifier
from sigwire.asgi import SigwireMiddleware as AsgiMiddleware
from sigwire.httpx import HmacAuth as HttpxAuth
from sigwire.requests import HmacAuth as RequestsAuth
from sigwire.wsgi import SigwireMiddleware as WsgiMiddleware

SECRET = b"0123456789abcdef0123456789abcdef"
URL = "https://api.example.com/v1/payments?dry_run=true"


def client_side() -> Tuple[Dict[str, str], str]:
    """Sign by hand; return the headers to send and the canonical string (for debugging)."""
    signer = Signer("client-1", SECRET, algorithm="hmac-sha256", signed_headers=["x-request-id"])
    headers: Dict[str, str] = {"Content-Type": "application/json", "X-Request-Id": "req-1"}
    body = b'{"amount":"100.00"}'
    headers.update(signer.sign("POST", URL, headers, body))
    debug: str = signer.canonical_string("POST", URL, headers, body, timestamp=1_700_000_000, nonce="A" * 22)
    return headers, debug


def http_clients() -> Tuple[requests.Session, httpx.Client, httpx.AsyncClient]:
    """requests and httpx clients that sign every request."""
    session = requests.Session()
    session.auth = RequestsAuth("client-1", SECRET)
    sync_client = httpx.Client(auth=HttpxAuth("client-1", SECRET))
    async_client = httpx.AsyncClient(auth=HttpxAuth(Signer("client-1", SECRET, "hmac-sha512")))
    return session, sync_client, async_client


class RedisLikeStore:
    """A replay store shared between processes (here a dict, for the example)."""

    def __init__(self) -> None:
        self.seen: Dict[Tuple[str, str], int] = {}

    def check_and_record(self, key_id: str, nonce: str, expires_at: int, now: int) -> bool:
        if self.seen.get((key_id, nonce), -1) >= now:
            return False
        self.seen[(key_id, nonce)] = expires_at
        return True


def server_side(headers: Dict[str, str]) -> List[str]:
    """Verify by hand, with rotation and both kinds of replay store."""
    keys = KeyStore()
    keys.insert("client-1", SECRET)
    keys.rotate("client-1", b"fedcba9876543210fedcba9876543210", old_not_after=2_000_000_000)
    outcomes: List[str] = []
    store: sigwire.ReplayStore = RedisLikeStore()
    for verifier in (Verifier(keys, window=300, replay_store=InMemoryReplayStore(capacity=10_000)),
                     Verifier({"client-1": [SECRET]}, replay_store=store)):
        try:
            key_id: str = verifier.verify("POST", URL, headers, b'{"amount":"100.00"}')
            outcomes.append(key_id)
        except StaleTimestamp as e:
            skew: int | None = e.skew_seconds
            outcomes.append(f"{e.code} {skew}")
        except SigwireError as e:
            status: int = e.http_status
            outcomes.append(f"{e.code} {status} {e.server_time}")
    return outcomes


def asgi_app(verifier: Verifier) -> FastAPI:
    """FastAPI with the ASGI middleware; the handler reads the verified key id."""
    app = FastAPI()
    app.add_middleware(AsgiMiddleware, verifier=verifier, exempt_paths=["/health"])

    @app.post("/v1/payments")
    async def pay(request: Request) -> Dict[str, str]:
        return {"key_id": str(request.state.sigwire_key_id)}

    return app


def wsgi_app(verifier: Verifier) -> Flask:
    """Flask with the WSGI middleware."""
    app = Flask(__name__)
    app.wsgi_app = WsgiMiddleware(app.wsgi_app, verifier)  # type: ignore[method-assign]

    @app.post("/v1/payments")
    def pay() -> Dict[str, str]:
        return {"key_id": str(flask_request.environ["sigwire.key_id"])}

    return app


def http_client_calls(base_url: str) -> int:
    """The Rust HTTP runtime: sync and asyncio, typed errors (not called here: needs a server)."""
    import asyncio

    with sigwire.Client(base_url, "client-1", SECRET, total_timeout=10, max_attempts=4) as client:
        try:
            r = client.post("/v1/payments", json={"amount": 100}, idempotency_key="pay-1")
            status: int = r.status
            body: bytes = r.body
            print(r.headers.get("content-type"), r.text(), r.json(), len(body))
        except sigwire.HttpStatusError as e:
            status = e.status
        except sigwire.SigwireTimeout as e:
            print("timed out:", e.timeout_kind)
            raise

    async def main() -> int:
        async with sigwire.AsyncClient(base_url, "client-1", SECRET) as aclient:
            return (await aclient.get("/v1/orders", query={"limit": "10"}, timeout=5.0)).status

    return status + asyncio.run(main())


if __name__ == "__main__":
    sent, canonical = client_side()
    print(canonical.splitlines()[0], server_side(sent))
    v = Verifier({"client-1": SECRET})
    asgi_app(v), wsgi_app(v), http_clients()
