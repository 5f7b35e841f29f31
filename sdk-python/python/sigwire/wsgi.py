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

It first checks what needs no body: a declared ``Content-Length`` over ``body_limit`` (413
``body_too_large``), then :meth:`Verifier.precheck` (a missing, malformed or stale
``Authorization``, an unknown key): these are answered before a byte of ``wsgi.input`` is read.
Then it reads the raw body in chunks (``Content-Length`` bytes, or to the end when the server marks
the input terminated, e.g. a chunked body), refusing it with 413 as soon as it passes
``body_limit``, verifies, and hands the app the same bytes in ``wsgi.input`` (one buffer, never
copied). The URL is rebuilt from ``RAW_URI``/``REQUEST_URI`` when the server provides it
(Werkzeug, Gunicorn), else from ``SCRIPT_NAME``/``PATH_INFO`` re-encoded and ``QUERY_STRING``.
Failures are answered with the error's status, ``{"error": "<code>"}`` and
``X-Sigwire-Server-Time``, the same answer as the Rust layer, the ASGI and the Node middleware.

Limitation: WSGI servers join repeated header lines themselves (Werkzeug with ``","``), so a
*signed* header sent on several lines may not verify; send signed headers once.
"""

from __future__ import annotations

import io
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote

from ._errors import SigwireError
from ._native import Verifier
from ._server import (
    DEFAULT_BODY_LIMIT,
    KEY_ID,
    READ_CHUNK,
    Refused,
    body_too_large,
    check_body_limit,
    declared_length,
    default_port,
    failure,
    status_line,
    wire_text,
)

__all__ = ["SigwireMiddleware", "KEY_ID"]

Environ = Dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def _latin1_to_text(value: str) -> str:
    """WSGI "bytes as Latin-1" strings back to the text the client sent (UTF-8)."""
    return wire_text(value.encode("latin-1", "replace"))


def request_url(environ: Environ) -> str:
    """The absolute URL the client sent."""
    scheme = str(environ.get("wsgi.url_scheme", "http"))
    host = environ.get("HTTP_HOST")
    if not host:
        name, port = str(environ.get("SERVER_NAME", "localhost")), str(environ.get("SERVER_PORT", ""))
        host = name if not port.isdigit() or default_port(scheme, int(port)) else f"{name}:{port}"
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        target = _latin1_to_text(str(raw))
        if not target.startswith("/"):  # absolute-form request target
            slash = target.find("/", target.find("//") + 2) if "//" in target else -1
            target = target[slash:] if slash >= 0 else "/"
        return f"{scheme}://{host}{target}"
    path = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))
    path = quote(path.encode("latin-1", "replace"), safe="/!$&'()*+,;=:@~")
    query = str(environ.get("QUERY_STRING", ""))
    return f"{scheme}://{host}{path or '/'}" + (f"?{_latin1_to_text(query)}" if query else "")


def request_headers(environ: Environ) -> List[Tuple[str, str]]:
    """Header lines from the ``HTTP_*``, ``CONTENT_TYPE`` and ``CONTENT_LENGTH`` keys."""
    out: List[Tuple[str, str]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            out.append((key[5:].replace("_", "-").lower(), str(value)))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            out.append((key.replace("_", "-").lower(), str(value)))
    return out


def _read_body(environ: Environ, declared: Optional[int], limit: int, verifier: Verifier) -> io.BytesIO:
    """The body read in chunks into one buffer: ``declared`` bytes, or to the end of a terminated
    input (a chunked body); :class:`Refused` (413) as soon as it passes ``limit``."""
    out = io.BytesIO()
    stream = environ.get("wsgi.input")
    if stream is None:
        return out
    if declared is not None:
        remaining = declared  # at most `limit`: declared_length refused more
        while remaining > 0:
            chunk = stream.read(min(remaining, READ_CHUNK))
            if not chunk:
                break
            out.write(chunk)
            remaining -= len(chunk)
    elif environ.get("wsgi.input_terminated"):
        while True:
            # One byte more than the limit allows tells an oversized body without reading it all.
            chunk = stream.read(min(READ_CHUNK, limit + 1 - out.tell()))
            if not chunk:
                break
            out.write(chunk)
            if out.tell() > limit:
                raise Refused(body_too_large(verifier))
    out.seek(0)
    return out


class SigwireMiddleware:
    """Verifies every request before the wrapped WSGI app sees it.

    ``SigwireMiddleware(app, verifier, exempt_paths=(), body_limit=1 MiB)``: requests whose
    ``PATH_INFO`` is in ``exempt_paths`` pass unverified; bodies over ``body_limit`` bytes get 413
    ``body_too_large``. The verified key id is in ``environ["sigwire.key_id"]``.
    """

    def __init__(
        self,
        app: WSGIApp,
        verifier: Verifier,
        exempt_paths: Iterable[str] = (),
        body_limit: int = DEFAULT_BODY_LIMIT,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.exempt_paths = frozenset(exempt_paths)
        self.body_limit = check_body_limit(body_limit)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point."""
        if environ.get("PATH_INFO") in self.exempt_paths:
            return self.app(environ, start_response)
        method = str(environ.get("REQUEST_METHOD", "GET"))
        try:
            url, headers = request_url(environ), request_headers(environ)
            length = environ.get("CONTENT_LENGTH")
            # Before a byte of the body: the declared length, then the header-only checks.
            declared = declared_length([str(length)] if length else [], self.body_limit, self.verifier)
            self.verifier.precheck(method, url, headers)
            body = _read_body(environ, declared, self.body_limit, self.verifier)
            with body.getbuffer() as view:
                key_id = self.verifier.verify(method, url, headers, view)
        except Refused as refused:
            status, answer_headers, payload = refused.answer
            start_response(status_line(status), answer_headers)
            return [payload]
        except SigwireError as err:
            status, answer_headers, payload = failure(err, self.verifier)
            start_response(status_line(status), answer_headers)
            return [payload]
        environ["wsgi.input"] = body
        environ["CONTENT_LENGTH"] = str(len(body.getbuffer()))
        environ[KEY_ID] = key_id
        return self.app(environ, start_response)
