"""What the ASGI and WSGI middleware share: the rejection response, the body limit and the
request's URL.

Every answer has the shape of the Rust tower layer's and the Node middleware's (``core::wire``):
the status, ``{"error": "<code>"}`` as JSON, ``Cache-Control: no-store`` and the server time in
``X-Sigwire-Server-Time``, so an oversized or badly signed request gets the same answer from every
stack.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Iterable, List, Optional, Tuple

from ._errors import SigwireError
from ._native import SERVER_TIME_HEADER, Verifier

#: Where the verified key id is put: ASGI ``scope[KEY_ID]``, WSGI ``environ[KEY_ID]``.
KEY_ID = "sigwire.key_id"


#: Default body limit of the middleware, as the Rust layer's: 1 MiB.
DEFAULT_BODY_LIMIT = 1 << 20

#: The machine code of the 413 answer when a body exceeds the limit.
BODY_TOO_LARGE = "body_too_large"

#: Bytes asked for per read of a WSGI input stream.
READ_CHUNK = 64 * 1024

Answer = Tuple[int, List[Tuple[str, str]], bytes]


def rejection(status: int, code: str, server_time: int) -> Answer:
    """Status, headers and body of a refusal: ``{"error": "<code>"}`` and nothing else, so
    nothing about keys or the expected signature leaks; the server's time goes in
    ``X-Sigwire-Server-Time`` so a client with a skewed clock can correct it."""
    body = ('{"error":"%s"}' % code).encode("ascii")
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        (SERVER_TIME_HEADER, str(server_time)),
    ]
    return status, headers, body


def failure(err: SigwireError, verifier: Verifier) -> Answer:
    """The answer to a failed verification (the error's status and code)."""
    now: Optional[int] = err.server_time
    if now is None:
        now = verifier.now()
    return rejection(err.http_status, err.code, now)


def body_too_large(verifier: Verifier) -> Answer:
    """413 ``body_too_large``: the declared or received body exceeds the limit."""
    return rejection(413, BODY_TOO_LARGE, verifier.now())


def invalid_request(verifier: Verifier) -> Answer:
    """400 ``invalid_request``: the request cannot be verified at all (bad ``Content-Length``)."""
    return rejection(400, "invalid_request", verifier.now())


class Refused(Exception):
    """Raised inside the middleware to answer at once with :attr:`answer`."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer[0])
        self.answer = answer


def check_body_limit(limit: int) -> int:
    """A valid ``body_limit`` option (a non-negative ``int``)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise TypeError("body_limit must be a non-negative int (bytes)")
    return limit


def declared_length(values: Iterable[str], limit: int, verifier: Verifier) -> Optional[int]:
    """The declared ``Content-Length`` checked before any byte is read: :class:`Refused` with 413
    above ``limit``, with 400 when it is not a decimal number or several lines disagree."""
    declared: Optional[int] = None
    for value in values:
        value = value.strip(" \t")
        if not value or len(value) > 20 or not all("0" <= c <= "9" for c in value):
            raise Refused(invalid_request(verifier))
        n = int(value)
        if declared is not None and declared != n:
            raise Refused(invalid_request(verifier))
        declared = n
    if declared is not None and declared > limit:
        raise Refused(body_too_large(verifier))
    return declared


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
