"""WSGI middleware (Flask, Django, any WSGI app) verifying ``sigwire-v1`` requests.

::

    from flask import Flask, request
    from sigwire import Verifier
    from sigwire.wsgi import SigwireMiddleware

    app = Flask(__name__)
    app.wsgi_app = SigwireMiddleware(app.wsgi_app, Verifier({"client-1": secret}))

    @app.post("/v1/payments")
    def pay() -> dict:
        return {"key_id": request.environ["sigwire.key_id"]}

With ``authorities=`` (one ``host[:port]`` or a list, as clients sign them) or
``loopback_authorities=True``, a ``Host`` the service does not serve gets 421
``misdirected_request`` first: a request signed for another service that shares the key is never
accepted here. Then it checks what needs no body: a declared ``Content-Length`` over ``body_limit`` (413
``body_too_large``), then :meth:`Verifier.precheck` (a missing, malformed or stale
``Authorization``, an unknown key): these are answered before a byte of ``wsgi.input`` is read.
Then it reads the raw body in chunks (``Content-Length`` bytes, or to the end when the server marks
the input terminated, e.g. a chunked body), refusing it with 413 as soon as it passes
``body_limit``, verifies, and hands the app the same bytes in ``wsgi.input`` (past
``spool_threshold`` the body is hashed while spooled to an unnamed temporary file and verified by
its digest, so memory stays bounded). The URL is rebuilt from ``RAW_URI``/``REQUEST_URI`` when the server provides it
(Werkzeug, Gunicorn), else from ``SCRIPT_NAME``/``PATH_INFO`` re-encoded and ``QUERY_STRING``.
Failures are answered with the error's status, ``{"error": "<code>"}`` and
``X-Sigwire-Server-Time``, the same answer as the Rust layer, the ASGI and the Node middleware.

``store=`` a :class:`sigwire.redis.RedisStore` claims nonces in a Redis shared with
``sigwire-gateway`` and other services (authenticate here, claim there), applies its rate limits
(429 with ``Retry-After`` and ``RateLimit`` headers) and fails closed (503
``replay_store_unavailable``).

Limitation: WSGI servers join repeated header lines themselves (Werkzeug with ``","``), so a
*signed* header sent on several lines may not verify; send signed headers once.
"""

from __future__ import annotations

import inspect
import io
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import quote

from ._errors import ReplayedNonce, SigwireError
from ._native import Prechecked, Verifier
from ._server import (
    DEFAULT_BODY_LIMIT,
    DEFAULT_SPOOL_THRESHOLD,
    KEY_ID,
    READ_CHUNK,
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
    status_line,
    wire_text,
)
from ._server import request_url as _wire_url
from .redis import Decision, RateLimited

__all__ = ["SigwireMiddleware", "KEY_ID"]

Environ = Dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def _latin1_to_text(value: str) -> str:
    """WSGI "bytes as Latin-1" strings back to the text the client sent (UTF-8)."""
    return wire_text(value.encode("latin-1", "replace"))


def _host(environ: Environ) -> str:
    host = environ.get("HTTP_HOST")
    if host:
        return str(host)
    name, port = str(environ.get("SERVER_NAME", "localhost")), str(environ.get("SERVER_PORT", ""))
    return f"{name}:{port}" if port.isdigit() else name


def request_url(environ: Environ) -> str:
    """The absolute URL the client sent, rebuilt by the core (``InvalidRequest`` when it cannot
    be)."""
    scheme = str(environ.get("wsgi.url_scheme", "http"))
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        target = _latin1_to_text(str(raw))
        if not target.startswith("/"):  # absolute-form request target
            slash = target.find("/", target.find("//") + 2) if "//" in target else -1
            target = target[slash:] if slash >= 0 else "/"
    else:
        path = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))
        path = quote(path.encode("latin-1", "replace"), safe="/!$&'()*+,;=:@~")
        query = str(environ.get("QUERY_STRING", ""))
        target = (path or "/") + (f"?{_latin1_to_text(query)}" if query else "")
    return _wire_url(scheme, _host(environ), target)


def request_headers(environ: Environ) -> List[Tuple[str, str]]:
    """Header lines from the ``HTTP_*``, ``CONTENT_TYPE`` and ``CONTENT_LENGTH`` keys."""
    out: List[Tuple[str, str]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            out.append((key[5:].replace("_", "-").lower(), str(value)))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            out.append((key.replace("_", "-").lower(), str(value)))
    return out


def _read_body(environ: Environ, declared: Optional[int], spool: BodySpool) -> BodySpool:
    """The body read in chunks into ``spool`` (memory, or past its threshold an unnamed temporary
    file, hashed): ``declared`` bytes, or to the end of a terminated input (a chunked body);
    :class:`Refused` (413) as soon as it passes the limit (the spool is closed then)."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return spool
    try:
        if declared is not None:
            remaining = declared  # at most the limit: declared_length refused more
            while remaining > 0:
                chunk = stream.read(min(remaining, READ_CHUNK))
                if not chunk:
                    break
                spool.write(chunk)
                remaining -= len(chunk)
        elif environ.get("wsgi.input_terminated"):
            while True:
                # One byte more than the limit allows tells an oversized body without reading it all.
                chunk = stream.read(min(READ_CHUNK, spool.limit + 1 - spool.size))
                if not chunk:
                    break
                spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    return spool


class _Closing:
    """The app's response iterable, closing the spooled body after the response (WSGI's
    ``close()`` convention), so its temporary file lives no longer than the request."""

    def __init__(self, result: Iterable[bytes], spool: BodySpool) -> None:
        self.result = result
        self.spool = spool

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.result)

    def close(self) -> None:
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            self.spool.close()


def _respond(start_response: StartResponse, answer: Answer) -> Iterable[bytes]:
    status, headers, payload = answer
    start_response(status_line(status), headers)
    return [payload]


class SigwireMiddleware:
    """Verifies every request before the wrapped WSGI app sees it.

    ``SigwireMiddleware(app, verifier, exempt_paths=(), body_limit=1 MiB, authorities=None,
    loopback_authorities=False, store=None, spool_threshold=1 MiB)``: requests whose ``PATH_INFO`` is in
    ``exempt_paths`` pass unverified; with ``authorities`` (``"api.example.com"`` or a list of
    ``host[:port]``) or ``loopback_authorities=True``, any other ``Host`` gets 421
    ``misdirected_request`` (an invalid authority raises ``InvalidConfig`` here); bodies over
    ``body_limit`` bytes get 413 ``body_too_large``; a body past ``spool_threshold`` (default
    1 MiB; raise ``body_limit`` for large uploads) is hashed while written to an unnamed temporary
    file, verified by its digest, and only then handed to the app as ``wsgi.input`` (the file is
    closed with the response: nothing is left on any path); ``store`` is a shared replay store and rate
    limiter (:class:`sigwire.redis.RedisStore`). The verified key id is in
    ``environ["sigwire.key_id"]``.
    """

    def __init__(
        self,
        app: WSGIApp,
        verifier: Verifier,
        exempt_paths: Iterable[str] = (),
        body_limit: int = DEFAULT_BODY_LIMIT,
        authorities: Authorities = None,
        loopback_authorities: bool = False,
        store: Any = None,
        spool_threshold: int = DEFAULT_SPOOL_THRESHOLD,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.exempt_paths = frozenset(exempt_paths)
        self.body_limit = check_body_limit(body_limit)
        self.spool_threshold = check_spool_threshold(spool_threshold)
        self.audience = AudiencePolicy(authorities, loopback_authorities)
        if store is not None and (not hasattr(store, "claim") or inspect.iscoroutinefunction(store.claim)):
            raise TypeError("store must be a synchronous sigwire.redis.RedisStore (WSGI cannot await)")
        self.store = store

    def _record_failure(self, ip: Optional[str], key_id: Optional[str]) -> None:
        try:
            self.store.record_failure(ip, key_id, self.verifier.now())
        except SigwireError:
            pass  # the refusal stands; a store that cannot count fails the next request closed

    def _spool(self, environ: Environ, declared: Optional[int], pre: Prechecked) -> BodySpool:
        spool = BodySpool(spool_algorithm(pre), self.spool_threshold, self.body_limit, self.verifier)
        return _read_body(environ, declared, spool)

    def _verify(self, environ: Environ, method: str, url: str, headers: List[Tuple[str, str]]) -> Tuple[str, BodySpool, Optional[Decision]]:
        """Header-only checks, the bounded body, then one-step ``verify`` or, with a store,
        authenticate → claim in the store → take the key's rate limit."""
        store = self.store
        ip = environ.get("REMOTE_ADDR") or None
        length = environ.get("CONTENT_LENGTH")
        # Before a byte of the body: the declared length, then the header-only checks.
        declared = declared_length([str(length)] if length else [], self.body_limit, self.verifier)
        if store is None:
            body = self._spool(environ, declared, self.verifier.precheck(method, url, headers))
            try:
                return self.verifier.verify(method, url, headers, body.signed_body()), body, None
            except BaseException:
                body.close()
                raise
        now = self.verifier.now()
        store.check_failures(ip, None, now)
        try:
            pre = self.verifier.precheck(method, url, headers)
        except SigwireError:
            self._record_failure(ip, None)
            raise
        store.check_failures(None, pre.key_id, now)
        body = self._spool(environ, declared, pre)
        try:
            return self._claim(ip, pre.key_id, method, url, headers, body)
        except BaseException:
            body.close()
            raise

    def _claim(
        self, ip: Optional[str], claimed: Optional[str], method: str, url: str, headers: List[Tuple[str, str]], body: BodySpool
    ) -> Tuple[str, BodySpool, Optional[Decision]]:
        store = self.store
        try:
            ticket = self.verifier.authenticate(method, url, headers, body.signed_body())
        except SigwireError:
            self._record_failure(ip, claimed)
            raise
        if ticket.nonce is None or ticket.replay != "random_nonce":
            key_id = self.verifier.commit(ticket)  # no random nonce: the verifier's own policy
        else:
            outcome = store.claim(ticket.key_id, ticket.nonce, ticket.timestamp, ticket.expires_at, ticket.authenticated_at)
            try:  # the core decides (Verifier.settle): fresh, replayed, the store's epoch, unknown
                key_id = self.verifier.settle(ticket, outcome)
            except ReplayedNonce:  # the epoch rule's refusal is not the client's fault
                self._record_failure(ip, ticket.key_id)
                raise
        return key_id, body, store.take(key_id, ticket.authenticated_at)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point."""
        if environ.get("PATH_INFO") in self.exempt_paths:
            return self.app(environ, start_response)
        method = str(environ.get("REQUEST_METHOD", "GET"))
        try:
            scheme = str(environ.get("wsgi.url_scheme", "http"))
            hosts = [str(environ["HTTP_HOST"])] if environ.get("HTTP_HOST") else []
            self.audience.check(scheme, hosts, self.verifier)
            url, headers = request_url(environ), request_headers(environ)
            key_id, body, decision = self._verify(environ, method, url, headers)
        except Refused as refused:
            return _respond(start_response, refused.answer)
        except SigwireError as err:
            return _respond(start_response, failure(err, self.verifier))
        except RateLimited as err:
            return _respond(start_response, limited(err.code, err.decision, self.verifier.now()))
        environ["wsgi.input"] = body.stream() if body.spooled else io.BytesIO(body.memory)
        environ["CONTENT_LENGTH"] = str(body.size)
        environ[KEY_ID] = key_id
        start = start_response
        if decision is not None:
            extra = decision.headers()

            def start_with_limits(status: str, headers: List[Tuple[str, str]], *exc: Any) -> Any:
                return start_response(status, [*headers, *extra], *exc)

            start = start_with_limits
        if not body.spooled:
            return self.app(environ, start)
        try:
            return _Closing(self.app(environ, start), body)
        except BaseException:
            body.close()
            raise
