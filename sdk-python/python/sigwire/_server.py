"""What the ASGI and WSGI middleware share: the failure response and the request's URL."""

from __future__ import annotations

from http import HTTPStatus
from typing import List, Optional, Tuple

from ._errors import SigwireError
from ._native import SERVER_TIME_HEADER, Verifier

#: Where the verified key id is put: ASGI ``scope[KEY_ID]``, WSGI ``environ[KEY_ID]``.
KEY_ID = "sigwire.key_id"


def failure(err: SigwireError, verifier: Verifier) -> Tuple[int, List[Tuple[str, str]], bytes]:
    """Status, headers and JSON body answering a failed verification.

    The body is only ``{"error": "<code>"}``; the server's time goes in ``X-Sigwire-Server-Time``
    so a client with a skewed clock can correct it.
    """
    body = err.public_body()
    now: Optional[int] = err.server_time
    if now is None:
        now = verifier.now()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        (SERVER_TIME_HEADER, str(now)),
    ]
    return err.http_status, headers, body


def status_line(status: int) -> str:
    """``"401 Unauthorized"`` for 401."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Error"


def default_port(scheme: str, port: int) -> bool:
    """Whether ``port`` is the default for ``scheme``."""
    return (scheme, port) in (("http", 80), ("https", 443))


def wire_text(raw: bytes) -> str:
    """Request-target bytes as text: UTF-8, with invalid bytes kept as lone surrogates so that
    the core refuses them with ``InvalidRequest`` instead of guessing."""
    return raw.decode("utf-8", "surrogateescape")
