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

For each HTTP request it reads the raw body once, verifies method, URL (``raw_path`` and query
string as received), headers and body, then passes the untouched body on. The verified key id
is in ``scope["sigwire.key_id"]`` and ``request.state.sigwire_key_id``. A failure is answered
with the error's status (401; 400 for ``invalid_request``; 503 for
``replay_store_unavailable``), ``{"error": "<code>"}`` and the ``X-Sigwire-Server-Time`` header;
the app is not called.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Iterable, List, MutableMapping, Tuple

from ._errors import SigwireError
from ._native import Verifier
from ._server import KEY_ID, default_port, failure, wire_text

__all__ = ["SigwireMiddleware", "KEY_ID", "key_id_of"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def key_id_of(scope: Scope) -> str:
    """The key id verified for this request (``KeyError`` if the middleware did not run)."""
    return str(scope[KEY_ID])


def request_url(scope: Scope) -> str:
    """The absolute URL the client sent: scheme, ``Host`` header, raw path and query string."""
    scheme = str(scope.get("scheme") or "http")
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


class SigwireMiddleware:
    """Verifies every HTTP request before the wrapped ASGI app sees it.

    ``SigwireMiddleware(app, verifier, exempt_paths=(), offload_threshold=1 MiB)``: requests
    whose ``scope["path"]`` is in ``exempt_paths`` (e.g. ``"/health"``) pass unverified; bodies
    of ``offload_threshold`` bytes or more are verified in a worker thread under asyncio.
    Lifespan and WebSocket scopes pass through.
    """

    def __init__(
        self,
        app: ASGIApp,
        verifier: Verifier,
        exempt_paths: Iterable[str] = (),
        offload_threshold: int = 1 << 20,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.exempt_paths = frozenset(exempt_paths)
        self.offload_threshold = offload_threshold

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
        if scope["type"] != "http" or scope.get("path") in self.exempt_paths:
            await self.app(scope, receive, send)
            return

        chunks: List[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left before sending its body
            chunks.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)

        headers: List[Tuple[str, str]] = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in scope.get("headers") or ()
        ]
        try:
            key_id = await self._verify(str(scope["method"]), request_url(scope), headers, body)
        except SigwireError as err:
            status, resp_headers, payload = failure(err, self.verifier)
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in resp_headers],
                }
            )
            await send({"type": "http.response.body", "body": payload})
            return

        scope = dict(scope)
        scope[KEY_ID] = key_id
        state = dict(scope.get("state") or {})
        state["sigwire_key_id"] = key_id
        scope["state"] = state

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
