"""ASGI middleware (Starlette, FastAPI, any ASGI app) verifying ``sigwire-v1`` requests.

::

    from fastapi import FastAPI, Request
    from sigwire import Verifier
    from sigwire.asgi import SigwireMiddleware

    app = FastAPI()
    app.add_middleware(SigwireMiddleware, verifier=Verifier({"client-1": secret}))

    @app.post("/v1/payments")
    async def pay(request: Request) -> dict:
        return {"key_id": request.state.sigwire_key_id}

For each HTTP request it first checks who the request is for: with ``authorities=`` (one
``host[:port]`` or a list, as clients sign them) or ``loopback_authorities=True``, a ``Host`` the
service does not serve gets 421 ``misdirected_request`` — a request signed for another service that
shares the key is never accepted here (declare them whenever keys are shared). Then what needs no
body: a declared ``Content-Length`` over
``body_limit`` (413 ``body_too_large``), then :meth:`Verifier.precheck` (a missing, malformed or
stale ``Authorization``, an unknown key): these are answered at once, before a byte of the body is
read (so before a ``100 Continue`` is sent). Then it reads the body as it arrives, refusing it with
413 as soon as it passes ``body_limit`` (chunked bodies without a length too), verifies method, URL
(``raw_path`` and query string as received), headers and body, and passes the untouched body on.
The verified key id is in ``scope["sigwire.key_id"]`` and ``request.state.sigwire_key_id``. A
failure is answered with the error's status (401; 400 for ``invalid_request``; 413; 503 for
``replay_store_unavailable``), ``{"error": "<code>"}`` and the ``X-Sigwire-Server-Time`` header,
the same answer as the Rust layer and the Node middleware; the app is not called.

WebSocket connections are verified too: the upgrade request (a ``GET`` without body, its
``ws``/``wss`` scheme signed as ``http``/``https``) must be signed, or the connection is refused —
with the same status and body when the server supports the ASGI ``websocket.http.response``
extension, else with a close before accept (servers answer that with 403).
``verify_websockets=False`` lets WebSocket connections through unverified (then authenticate them
yourself). Lifespan scopes pass through.

``store=`` a :class:`sigwire.redis.AsyncRedisStore` (or a sync :class:`~sigwire.redis.RedisStore`)
claims nonces in a Redis shared with ``sigwire-gateway`` and other services instead of the
verifier's own replay store (the verifier authenticates, the store claims, awaited), applies its
rate limits (429 ``rate_limited`` / ``too_many_failures`` with ``Retry-After`` and ``RateLimit``
headers) and fails closed (503 ``replay_store_unavailable``).
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Awaitable, Callable, Iterable, List, MutableMapping, Optional, Tuple, Union

from ._errors import ReplayedNonce, SigwireError
from ._native import BodyDigest, Prechecked, ReplayTicket, Verifier
from ._server import (
    DEFAULT_BODY_LIMIT,
    DEFAULT_SPOOL_THRESHOLD,
    KEY_ID,
    Answer,
    Authorities,
    AudiencePolicy,
    BodySpool,
    Refused,
    check_body_limit,
    check_spool_threshold,
    declared_length,
    failure,
    limited,
    spool_algorithm,
    wire_text,
)
from ._server import request_url as _wire_url
from .redis import Decision, RateLimited

__all__ = ["SigwireMiddleware", "KEY_ID", "key_id_of"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def key_id_of(scope: Scope) -> str:
    """The key id verified for this request (``KeyError`` if the middleware did not run)."""
    return str(scope[KEY_ID])


#: The scheme a client signs for a WebSocket upgrade: the HTTP request's.
_HTTP_SCHEME = {"ws": "http", "wss": "https"}


def _scheme(scope: Scope) -> str:
    scheme = str(scope.get("scheme") or "http")
    return _HTTP_SCHEME.get(scheme, scheme)


def _hosts(scope: Scope) -> List[str]:
    return [value.decode("latin-1") for name, value in scope.get("headers") or () if name.lower() == b"host"]


def request_url(scope: Scope) -> str:
    """The absolute URL the client sent: scheme, ``Host`` header (else the server's address),
    raw path and query string, rebuilt by the core (``ws``/``wss`` read as ``http``/``https``:
    the upgrade is an HTTP request). ``InvalidRequest`` when it cannot be rebuilt."""
    hosts = _hosts(scope)
    if hosts:
        host = hosts[0]
    else:
        server = scope.get("server")
        if server and server[1] is not None:
            name = str(server[0])
            host = f"[{name}]:{server[1]}" if ":" in name else f"{name}:{server[1]}"
        else:
            host = str(server[0]) if server else "localhost"
    raw_path = scope.get("raw_path")
    if raw_path:
        path = wire_text(bytes(raw_path))
    else:
        from urllib.parse import quote

        path = quote(str(scope.get("root_path", "")) + str(scope.get("path", "/")), safe="/!$&'()*+,;=:@~")
    query = scope.get("query_string") or b""
    target = f"{path}?{wire_text(bytes(query))}" if query else path
    return _wire_url(_scheme(scope), host, target)


def _scope_headers(scope: Scope) -> List[Tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope.get("headers") or ()]


def _client_ip(scope: Scope) -> Optional[str]:
    client = scope.get("client")
    return str(client[0]) if client else None


def _with_key_id(scope: Scope, key_id: str) -> Scope:
    scope = dict(scope)
    scope[KEY_ID] = key_id
    state = dict(scope.get("state") or {})
    state["sigwire_key_id"] = key_id
    scope["state"] = state
    return scope


def _encode(headers: Iterable[Tuple[str, str]]) -> List[Tuple[bytes, bytes]]:
    return [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in headers]


async def _respond(send: Send, answer: Answer) -> None:
    status, headers, payload = answer
    await send({"type": "http.response.start", "status": status, "headers": _encode(headers)})
    await send({"type": "http.response.body", "body": payload})


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class SigwireMiddleware:
    """Verifies every HTTP request and WebSocket upgrade before the wrapped ASGI app sees it.

    ``SigwireMiddleware(app, verifier, exempt_paths=(), offload_threshold=1 MiB,
    body_limit=1 MiB, verify_websockets=True, authorities=None, loopback_authorities=False,
    store=None, spool_threshold=1 MiB)``: requests whose ``scope["path"]`` is in ``exempt_paths`` (e.g. ``"/health"``)
    pass unverified; with ``authorities`` (``"api.example.com"`` or a list of ``host[:port]``)
    or ``loopback_authorities=True``, any other ``Host`` gets 421 ``misdirected_request``
    (an invalid authority raises ``InvalidConfig`` here); bodies over ``body_limit`` bytes get
    413 ``body_too_large`` (read no further); bodies of ``offload_threshold`` bytes or more are
    verified in a worker thread under asyncio. ``verify_websockets=False`` lets WebSocket
    connections through unverified. ``store``: a shared replay store and rate limiter
    (:mod:`sigwire.redis`). Lifespan scopes pass through. A body past ``spool_threshold`` bytes
    (raise ``body_limit`` for large uploads) is hashed while it is written to an unnamed temporary
    file, verified by its digest, and only then read back to the app in 256 KiB messages: memory
    stays bounded whatever the upload's size, a tampered body gets 401 with the app never called,
    and the file is gone when the request ends (on every path).
    """

    def __init__(
        self,
        app: ASGIApp,
        verifier: Verifier,
        exempt_paths: Iterable[str] = (),
        offload_threshold: int = 1 << 20,
        body_limit: int = DEFAULT_BODY_LIMIT,
        verify_websockets: bool = True,
        authorities: Authorities = None,
        loopback_authorities: bool = False,
        store: Any = None,
        spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.exempt_paths = frozenset(exempt_paths)
        self.offload_threshold = offload_threshold
        self.body_limit = check_body_limit(body_limit)
        self.spool_threshold = check_spool_threshold(spool_threshold)
        self.verify_websockets = bool(verify_websockets)
        self.audience = AudiencePolicy(authorities, loopback_authorities)
        if store is not None and not hasattr(store, "claim"):
            raise TypeError("store must be a sigwire.redis.AsyncRedisStore or RedisStore")
        self.store = store

    async def _offload(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Runs ``fn`` inline, or in a worker thread for large bodies under asyncio (hashing
        releases the GIL, so the event loop keeps serving other requests meanwhile)."""
        body = args[3]
        if isinstance(body, (bytes, bytearray, memoryview)) and len(body) >= self.offload_threshold:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not asyncio (e.g. trio): verify inline
                pass
            else:
                return await loop.run_in_executor(None, fn, *args)
        return fn(*args)

    async def _record_failure(self, ip: Optional[str], key_id: Optional[str]) -> None:
        try:
            await _maybe_await(self.store.record_failure(ip, key_id, self.verifier.now()))
        except SigwireError:
            pass  # the refusal stands; a store that cannot count fails the next request closed

    async def _before_body(
        self, method: str, url: str, headers: List[Tuple[str, str]], ip: Optional[str]
    ) -> Prechecked:
        """The header-only checks (and, with a store, the failure budgets of the IP and the claimed
        key id, asked first); returns what they read (the claimed key id, the body digest)."""
        store = self.store
        if store is None:
            return self.verifier.precheck(method, url, headers)
        now = self.verifier.now()
        await _maybe_await(store.check_failures(ip, None, now))
        try:
            pre = self.verifier.precheck(method, url, headers)
        except SigwireError:
            await self._record_failure(ip, None)
            raise
        await _maybe_await(store.check_failures(None, pre.key_id, now))
        return pre

    async def _verify(
        self,
        method: str,
        url: str,
        headers: List[Tuple[str, str]],
        body: Union[bytes, BodyDigest],
        ip: Optional[str],
        claimed: Optional[str],
    ) -> Tuple[str, Optional[Decision]]:
        """The key id (and the rate-limit decision, with a store): one-step ``verify``, or with a
        store authenticate → claim in the store → take the key's rate limit."""
        if self.store is None:
            return await self._offload(self.verifier.verify, method, url, headers, body), None
        try:
            ticket: ReplayTicket = await self._offload(self.verifier.authenticate, method, url, headers, body)
        except SigwireError:
            await self._record_failure(ip, claimed)
            raise
        return await self._claim(ticket, ip)

    async def _claim(self, ticket: ReplayTicket, ip: Optional[str]) -> Tuple[str, Optional[Decision]]:
        store = self.store
        if ticket.nonce is None or ticket.replay != "random_nonce":
            key_id = self.verifier.commit(ticket)  # no random nonce: the verifier's own policy
        else:
            outcome = await _maybe_await(
                store.claim(ticket.key_id, ticket.nonce, ticket.timestamp, ticket.expires_at, ticket.authenticated_at)
            )
            try:  # the core decides (Verifier.settle): fresh, replayed, the store's epoch, unknown
                key_id = self.verifier.settle(ticket, outcome)
            except ReplayedNonce:  # the epoch rule's refusal is not the client's fault
                await self._record_failure(ip, ticket.key_id)
                raise
        return key_id, await _maybe_await(store.take(key_id, ticket.authenticated_at))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point."""
        kind = scope["type"]
        if kind == "websocket" and self.verify_websockets and scope.get("path") not in self.exempt_paths:
            await self._websocket(scope, receive, send)
            return
        if kind != "http" or scope.get("path") in self.exempt_paths:
            await self.app(scope, receive, send)
            return

        method, headers = str(scope["method"]), _scope_headers(scope)
        spool: Optional[BodySpool] = None
        answer: Optional[Answer] = None
        try:
            try:
                self.audience.check(_scheme(scope), _hosts(scope), self.verifier)
                url = request_url(scope)
                # Before a byte of the body: the declared length, then the header-only checks.
                declared_length(
                    (v for n, v in headers if n.lower() == "content-length"), self.body_limit, self.verifier
                )
                ip = _client_ip(scope)
                pre = await self._before_body(method, url, headers, ip)
                spool = await self._read_body(receive, spool_algorithm(pre))
                if spool is None:
                    return  # the client left before sending its whole body
                key_id, decision = await self._verify(method, url, headers, spool.signed_body(), ip, pre.key_id)
            except Refused as refused:
                answer = refused.answer
            except SigwireError as err:
                answer = failure(err, self.verifier)
            except RateLimited as err:
                answer = limited(err.code, err.decision, self.verifier.now())
            if answer is not None or spool is None:
                if answer is not None:
                    await _respond(send, answer)  # the app never sees a refused request or its body
                return
            await self._call_app(scope, receive, send, key_id, decision, spool)
        finally:
            if spool is not None:
                spool.close()  # a spooled body's temporary file has no name: nothing is left

    async def _call_app(
        self, scope: Scope, receive: Receive, send: Send, key_id: str, decision: Optional[Decision], spool: BodySpool
    ) -> None:
        """Calls the app with the verified body: its bytes as one message, or a spooled body
        read back from its temporary file in 256 KiB messages."""
        chunks = spool.chunks()
        pending = next(chunks, b"")
        done = False

        async def replay() -> Message:
            nonlocal pending, done
            if done:
                return await receive()
            piece, following = pending, next(chunks, None)
            if following is None:
                done = True
                return {"type": "http.request", "body": piece, "more_body": False}
            pending = following
            return {"type": "http.request", "body": piece, "more_body": True}

        out = send
        if decision is not None:
            extra = _encode(decision.headers())

            async def out(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message = dict(message)
                    message["headers"] = [*message.get("headers", []), *extra]
                await send(message)

        await self.app(_with_key_id(scope, key_id), replay, out)

    async def _read_body(self, receive: Receive, algorithm: str) -> Optional[BodySpool]:
        """The body as it arrives — in memory up to ``spool_threshold``, past it hashed while
        spooled to an unnamed temporary file — refused (:class:`Refused`, 413) as soon as it
        passes the limit; ``None`` when the client disconnects first."""
        spool = BodySpool(algorithm, self.spool_threshold, self.body_limit, self.verifier)
        try:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    spool.close()
                    return None
                spool.write(message.get("body", b""))
                if not message.get("more_body", False):
                    return spool
        except BaseException:
            spool.close()
            raise

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Verifies the upgrade request (a GET without body) before the app sees the connection."""
        answer: Optional[Answer] = None
        try:
            self.audience.check(_scheme(scope), _hosts(scope), self.verifier)
            url, headers, ip = request_url(scope), _scope_headers(scope), _client_ip(scope)
            pre = await self._before_body("GET", url, headers, ip)
            key_id, _ = await self._verify("GET", url, headers, b"", ip, pre.key_id)
        except Refused as refused:
            answer = refused.answer
        except SigwireError as err:
            answer = failure(err, self.verifier)
        except RateLimited as err:
            answer = limited(err.code, err.decision, self.verifier.now())
        if answer is not None:
            message = await receive()  # websocket.connect: the handshake is ours to answer
            if message["type"] != "websocket.connect":
                return
            status, headers, payload = answer
            if "websocket.http.response" in (scope.get("extensions") or {}):
                await send({"type": "websocket.http.response.start", "status": status, "headers": _encode(headers)})
                await send({"type": "websocket.http.response.body", "body": payload})
            else:
                # Closing before accepting makes the server refuse the handshake (403).
                await send({"type": "websocket.close", "code": 1008})
            return
        await self.app(_with_key_id(scope, key_id), receive, send)
