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

For each HTTP request it first checks what needs no body: a declared ``Content-Length`` over
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
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Iterable, List, MutableMapping, Optional, Tuple

from ._errors import SigwireError
from ._native import Verifier
from ._server import (
    DEFAULT_BODY_LIMIT,
    KEY_ID,
    Answer,
    Refused,
    body_too_large,
    check_body_limit,
    declared_length,
    default_port,
    failure,
    wire_text,
)

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


def request_url(scope: Scope) -> str:
    """The absolute URL the client sent: scheme, ``Host`` header, raw path and query string
    (``ws``/``wss`` read as ``http``/``https``: the upgrade is an HTTP request)."""
    scheme = str(scope.get("scheme") or "http")
    scheme = _HTTP_SCHEME.get(scheme, scheme)
    host = None
    for name, value in scope.get("headers") or ():
        if name.lower() == b"host":
            host = value.decode("latin-1")
            break
    if host is None:
        server = scope.get("server")
        if server and server[1] is not None and not default_port(scheme, int(server[1])):
            host = f"{server[0]}:{server[1]}"
        else:
            host = str(server[0]) if server else "localhost"
    raw_path = scope.get("raw_path")
    if raw_path:
        path = wire_text(bytes(raw_path))
    else:
        from urllib.parse import quote

        path = quote(str(scope.get("root_path", "")) + str(scope.get("path", "/")), safe="/!$&'()*+,;=:@~")
    query = scope.get("query_string") or b""
    url = f"{scheme}://{host}{path}"
    return f"{url}?{wire_text(bytes(query))}" if query else url


def _scope_headers(scope: Scope) -> List[Tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope.get("headers") or ()]


def _with_key_id(scope: Scope, key_id: str) -> Scope:
    scope = dict(scope)
    scope[KEY_ID] = key_id
    state = dict(scope.get("state") or {})
    state["sigwire_key_id"] = key_id
    scope["state"] = state
    return scope


async def _respond(send: Send, answer: Answer) -> None:
    status, headers, payload = answer
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in headers],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class SigwireMiddleware:
    """Verifies every HTTP request and WebSocket upgrade before the wrapped ASGI app sees it.

    ``SigwireMiddleware(app, verifier, exempt_paths=(), offload_threshold=1 MiB,
    body_limit=1 MiB, verify_websockets=True)``: requests whose ``scope["path"]`` is in
    ``exempt_paths`` (e.g. ``"/health"``) pass unverified; bodies over ``body_limit`` bytes get
    413 ``body_too_large`` (read no further); bodies of ``offload_threshold`` bytes or more are
    verified in a worker thread under asyncio. ``verify_websockets=False`` lets WebSocket
    connections through unverified. Lifespan scopes pass through.
    """

    def __init__(
        self,
        app: ASGIApp,
        verifier: Verifier,
        exempt_paths: Iterable[str] = (),
        offload_threshold: int = 1 << 20,
        body_limit: int = DEFAULT_BODY_LIMIT,
        verify_websockets: bool = True,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.exempt_paths = frozenset(exempt_paths)
        self.offload_threshold = offload_threshold
        self.body_limit = check_body_limit(body_limit)
        self.verify_websockets = bool(verify_websockets)

    async def _verify(self, method: str, url: str, headers: List[Tuple[str, str]], body: bytes) -> str:
        """Verifies inline, or in a worker thread for large bodies under asyncio (hashing
        releases the GIL, so the event loop keeps serving other requests meanwhile)."""
        if len(body) >= self.offload_threshold:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not asyncio (e.g. trio): verify inline
                pass
            else:
                return await loop.run_in_executor(None, self.verifier.verify, method, url, headers, body)
        return self.verifier.verify(method, url, headers, body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point."""
        kind = scope["type"]
        if kind == "websocket" and self.verify_websockets and scope.get("path") not in self.exempt_paths:
            await self._websocket(scope, receive, send)
            return
        if kind != "http" or scope.get("path") in self.exempt_paths:
            await self.app(scope, receive, send)
            return

        method, url, headers = str(scope["method"]), request_url(scope), _scope_headers(scope)
        try:
            # Before a byte of the body: the declared length, then the header-only checks.
            declared_length(
                (v for n, v in headers if n.lower() == "content-length"), self.body_limit, self.verifier
            )
            self.verifier.precheck(method, url, headers)
            body = await self._read_body(receive)
            if body is None:
                return  # the client left before sending its whole body
            key_id = await self._verify(method, url, headers, body)
        except Refused as refused:
            await _respond(send, refused.answer)
            return
        except SigwireError as err:
            await _respond(send, failure(err, self.verifier))
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(_with_key_id(scope, key_id), replay, send)

    async def _read_body(self, receive: Receive) -> Optional[bytes]:
        """The body as it arrives, refused (:class:`Refused`, 413) as soon as it passes the limit;
        ``None`` when the client disconnects first."""
        buf = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            if len(buf) + len(chunk) > self.body_limit:
                raise Refused(body_too_large(self.verifier))
            buf += chunk
            if not message.get("more_body", False):
                return bytes(buf)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Verifies the upgrade request (a GET without body) before the app sees the connection."""
        try:
            key_id = self.verifier.verify("GET", request_url(scope), _scope_headers(scope), b"")
        except SigwireError as err:
            message = await receive()  # websocket.connect: the handshake is ours to answer
            if message["type"] != "websocket.connect":
                return
            status, headers, payload = failure(err, self.verifier)
            if "websocket.http.response" in (scope.get("extensions") or {}):
                await send(
                    {
                        "type": "websocket.http.response.start",
                        "status": status,
                        "headers": [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in headers],
                    }
                )
                await send({"type": "websocket.http.response.body", "body": payload})
            else:
                # Closing before accepting makes the server refuse the handshake (403).
                await send({"type": "websocket.close", "code": 1008})
            return
        await self.app(_with_key_id(scope, key_id), receive, send)
