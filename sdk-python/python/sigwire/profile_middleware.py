"""ASGI and WSGI middleware verifying requests signed with a profile (AWS SigV4, RFC 9421).

::

    from fastapi import FastAPI, Request
    from sigwire import profiles
    from sigwire.profile_middleware import ProfileMiddleware

    app = FastAPI()
    app.add_middleware(
        ProfileMiddleware,
        verifier=profiles.AwsSigV4Verifier("eu-west-1", "execute-api", {"AKID": secret}),
    )

    @app.post("/v1/orders")
    async def create(request: Request) -> dict:
        return {"akid": request.state.sigwire_profile.access_key_id}

The body is read whole (up to ``body_limit`` bytes, 413 ``body_too_large`` past it), the request
is verified over the URL, headers and exact bytes as received, and the untouched body is passed
on. The verifier's result (``AwsVerified`` or ``Rfc9421Verified``) is in
``scope["sigwire.profile"]`` / ``request.state.sigwire_profile`` (WSGI:
``environ["sigwire.profile"]``). A failure is answered with the error's HTTP status and
``{"error": "<code>"}``; the app is not called. Paths in ``exempt_paths`` pass unverified.

Webhook verifiers need no middleware: call ``profiles.verify_webhook`` (or a ``Webhook``) on
the raw body in the handler (``await request.body()`` in FastAPI/Starlette).
"""

from __future__ import annotations

import io
import json
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Iterable, List, MutableMapping, Optional, Protocol, Tuple, Union

from . import asgi as _asgi
from . import wsgi as _wsgi
from ._server import DEFAULT_BODY_LIMIT
from .profiles import AwsVerified, ProfileError, Rfc9421Verified

__all__ = ["ProfileVerifier", "ProfileMiddleware", "ProfileWSGIMiddleware", "PROFILE_KEY"]

#: Where the verified result is stored in the ASGI scope or WSGI environ.
PROFILE_KEY = "sigwire.profile"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Environ = Dict[str, Any]
StartResponse = Callable[..., Any]
Verified = Union[AwsVerified, Rfc9421Verified]


class ProfileVerifier(Protocol):
    """``profiles.AwsSigV4Verifier`` or ``profiles.Rfc9421Verifier``."""

    def verify(
        self, method: str, url: str, headers: Any = None, body: Any = None, *, now: Optional[int] = None
    ) -> Verified:
        """Verifies one request; raises a ``ProfileError``."""


def _answer(status: int, code: str) -> Tuple[int, List[Tuple[str, str]], bytes]:
    body = json.dumps({"error": code}).encode()
    return status, [("content-type", "application/json"), ("content-length", str(len(body)))], body


def _failure(err: ProfileError) -> Tuple[int, List[Tuple[str, str]], bytes]:
    return _answer(int(err.http_status), str(err.code))


def _configure(
    middleware: Union["ProfileMiddleware", "ProfileWSGIMiddleware"],
    verifier: ProfileVerifier,
    body_limit: int,
    exempt_paths: Iterable[str],
) -> None:
    """The options both middlewares share, checked once."""
    if not callable(getattr(verifier, "verify", None)):
        raise TypeError("verifier must be a profiles.AwsSigV4Verifier or Rfc9421Verifier")
    if body_limit < 0:
        raise ValueError("body_limit must be >= 0")
    middleware.verifier = verifier
    middleware.body_limit = body_limit
    middleware.exempt_paths = frozenset(exempt_paths)


class ProfileMiddleware:
    """ASGI middleware (Starlette, FastAPI, any ASGI app) verifying each HTTP request with
    ``verifier``. Non-HTTP scopes (lifespan, WebSocket) pass through."""

    verifier: ProfileVerifier
    body_limit: int
    exempt_paths: FrozenSet[str]

    def __init__(
        self,
        app: Callable[[Scope, Receive, Send], Awaitable[None]],
        verifier: ProfileVerifier,
        *,
        body_limit: int = DEFAULT_BODY_LIMIT,
        exempt_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        _configure(self, verifier, body_limit, exempt_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        body = await self._read_body(receive)
        if body is None:
            await self._respond(send, _answer(413, "body_too_large"))
            return
        try:
            url = _asgi.request_url(scope)
            verified = self.verifier.verify(
                str(scope["method"]), url, _asgi._scope_headers(scope), body
            )
        except ProfileError as err:
            await self._respond(send, _failure(err))
            return
        scope[PROFILE_KEY] = verified
        state = dict(scope.get("state") or {})
        state["sigwire_profile"] = verified
        scope["state"] = state
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _read_body(self, receive: Receive) -> Optional[bytes]:
        chunks: List[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = bytes(message.get("body") or b"")
            size += len(chunk)
            if size > self.body_limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    @staticmethod
    async def _respond(send: Send, answer: Tuple[int, List[Tuple[str, str]], bytes]) -> None:
        status, headers, body = answer
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(n.encode("latin-1"), v.encode("latin-1")) for n, v in headers],
            }
        )
        await send({"type": "http.response.body", "body": body})


class ProfileWSGIMiddleware:
    """WSGI middleware (Flask, Django, any WSGI app) verifying each request with ``verifier``;
    the app reads the verified body from ``wsgi.input`` as usual."""

    verifier: ProfileVerifier
    body_limit: int
    exempt_paths: FrozenSet[str]

    def __init__(
        self,
        app: Callable[[Environ, StartResponse], Iterable[bytes]],
        verifier: ProfileVerifier,
        *,
        body_limit: int = DEFAULT_BODY_LIMIT,
        exempt_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        _configure(self, verifier, body_limit, exempt_paths)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in self.exempt_paths:
            return self.app(environ, start_response)
        try:
            declared = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self._respond(start_response, _answer(400, "invalid_request"))
        if declared > self.body_limit or declared < 0:
            return self._respond(start_response, _answer(413, "body_too_large"))
        body = environ["wsgi.input"].read(declared) if declared else b""
        try:
            verified = self.verifier.verify(
                str(environ.get("REQUEST_METHOD", "GET")),
                _wsgi.request_url(environ),
                _wsgi.request_headers(environ),
                body,
            )
        except ProfileError as err:
            return self._respond(start_response, _failure(err))
        environ[PROFILE_KEY] = verified
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)

    @staticmethod
    def _respond(
        start_response: StartResponse, answer: Tuple[int, List[Tuple[str, str]], bytes]
    ) -> Iterable[bytes]:
        status, headers, body = answer
        reason = {400: "Bad Request", 401: "Unauthorized", 413: "Payload Too Large"}.get(status, "Error")
        start_response(f"{status} {reason}", headers)
        return [body]
