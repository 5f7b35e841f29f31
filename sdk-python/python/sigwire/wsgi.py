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

It reads the raw body once (``Content-Length`` bytes, or to the end when the server marks the
input terminated), verifies, and hands the app an untouched copy in ``wsgi.input``. The URL is
rebuilt from ``RAW_URI``/``REQUEST_URI`` when the server provides it (Werkzeug, Gunicorn), else
from ``SCRIPT_NAME``/``PATH_INFO`` re-encoded and ``QUERY_STRING``. Failures are answered with
the error's status, ``{"error": "<code>"}`` and ``X-Sigwire-Server-Time``.

Limitation: WSGI servers join repeated header lines themselves (Werkzeug with ``","``), so a
*signed* header sent on several lines may not verify; send signed headers once.
"""

from __future__ import annotations

import io
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import quote

from ._errors import InvalidRequest, SigwireError
from ._native import Verifier
from ._server import KEY_ID, default_port, failure, status_line, wire_text

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


def _read_body(environ: Environ) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length: Optional[str] = environ.get("CONTENT_LENGTH")
    if length:
        try:
            remaining = int(length)
        except ValueError:
            raise InvalidRequest("Content-Length is not a number") from None
        if remaining < 0:
            raise InvalidRequest("Content-Length is negative")
        chunks = []
        while remaining > 0:
            chunk = stream.read(min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)
    if environ.get("wsgi.input_terminated"):
        return bytes(stream.read())
    return b""


class SigwireMiddleware:
    """Verifies every request before the wrapped WSGI app sees it.

    ``SigwireMiddleware(app, verifier, exempt_paths=())``: requests whose ``PATH_INFO`` is in
    ``exempt_paths`` pass unverified. The verified key id is in ``environ["sigwire.key_id"]``.
    """

    def __init__(self, app: WSGIApp, verifier: Verifier, exempt_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.verifier = verifier
        self.exempt_paths = frozenset(exempt_paths)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point."""
        if environ.get("PATH_INFO") in self.exempt_paths:
            return self.app(environ, start_response)
        try:
            body = _read_body(environ)
            key_id = self.verifier.verify(
                str(environ.get("REQUEST_METHOD", "GET")), request_url(environ), request_headers(environ), body
            )
        except SigwireError as err:
            status, headers, payload = failure(err, self.verifier)
            start_response(status_line(status), headers)
            return [payload]
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ[KEY_ID] = key_id
        return self.app(environ, start_response)
