"""What the ASGI and WSGI middleware share: the audience check, the rejection response, the body
limit, the request's URL and the claim in a shared (Redis) store.

The response, the declared-length check, the URL rebuild and the audience are the core's
(``core::wire`` through ``sigwire._native``), so an oversized, misdirected or badly signed
request gets the same answer from the Rust tower layer, the gateway, the Node middleware and
these. Only the 429 answers of the rate limiter (codes the core does not know) are built here, with
the core's headers.
"""

from __future__ import annotations

import ipaddress
from http import HTTPStatus
from typing import IO, TYPE_CHECKING, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from ._errors import SigwireError
from ._native import Audience, BodyDigest, BodyHasher, Prechecked, Verifier
from ._spool import CHUNK, new_spool
from ._native import check_declared_length as _check_declared_length
from ._native import rejection as _rejection
from ._native import request_url as _request_url

if TYPE_CHECKING:
    from ._native import Rejection
    from .redis import Decision

#: Where the verified key id is put: ASGI ``scope[KEY_ID]``, WSGI ``environ[KEY_ID]``.
KEY_ID = "sigwire.key_id"

#: Default body limit of the middleware, as the Rust layer's: 1 MiB.
DEFAULT_BODY_LIMIT = 1 << 20

#: Default spool threshold of the middleware, as the Rust layer's: a body past 1 MiB is hashed
#: while it is written to an unnamed temporary file instead of being kept in memory.
DEFAULT_SPOOL_THRESHOLD = 1 << 20

#: The machine code of the 413 answer when a body exceeds the limit.
BODY_TOO_LARGE = "body_too_large"

#: The machine code of the 421 answer when the ``Host`` is not a declared authority.
MISDIRECTED_REQUEST = "misdirected_request"

#: Bytes asked for per read of a WSGI input stream.
READ_CHUNK = 64 * 1024

Answer = Tuple[int, List[Tuple[str, str]], bytes]

#: ``authorities=`` of the middleware: one ``host[:port]`` or several.
Authorities = Union[str, Iterable[str], None]


def _answer(r: "Rejection") -> Answer:
    body = bytes(r.body)
    return r.status, [*r.headers, ("Content-Length", str(len(body)))], body


def rejection(code: str, server_time: int) -> Answer:
    """Status, headers and body of a refusal (``core::wire::Rejection``): ``{"error": "<code>"}``
    and nothing else, ``Cache-Control: no-store`` and the server's time in
    ``X-Sigwire-Server-Time`` so a client with a skewed clock can correct it."""
    return _answer(_rejection(code, server_time))


def failure(err: SigwireError, verifier: Verifier) -> Answer:
    """The answer to a failed verification (the error's status and code)."""
    now: Optional[int] = err.server_time
    return rejection(err.code, verifier.now() if now is None else now)


def body_too_large(verifier: Verifier) -> Answer:
    """413 ``body_too_large``: the declared or received body exceeds the limit."""
    return rejection(BODY_TOO_LARGE, verifier.now())


def invalid_request(verifier: Verifier) -> Answer:
    """400 ``invalid_request``: the request cannot be verified at all (bad ``Content-Length``,
    no or several ``Host`` lines)."""
    return rejection("invalid_request", verifier.now())


def limited(code: str, decision: "Decision", server_time: int) -> Answer:
    """429 ``rate_limited`` / ``too_many_failures`` with ``Retry-After``, ``RateLimit-Policy`` and
    ``RateLimit`` (the gateway's answer), and the core's other rejection headers."""
    body = ('{"error":"%s"}' % code).encode("ascii")
    base = _rejection("invalid_request", server_time).headers
    return 429, [*base, *decision.headers(), ("Content-Length", str(len(body)))], body


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


def check_spool_threshold(threshold: int) -> int:
    """A valid ``spool_threshold`` option (a non-negative ``int``)."""
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
        raise TypeError("spool_threshold must be a non-negative int (bytes)")
    return threshold


def spool_algorithm(pre: Prechecked) -> str:
    """The digest to hash a spooled body with: the one the request's signature covers, as
    :meth:`Verifier.precheck` read it from the ``Authorization`` header (``hmac-sha256`` for a
    scheme that names none; its verification then needs the bytes and fails on a digest)."""
    return pre.body_algorithm or "hmac-sha256"


class BodySpool:
    """A request body as it arrives: in memory up to ``threshold`` bytes, past it in an unnamed
    temporary file, hashed (with the request's algorithm) from the first byte once it spools.
    :class:`Refused` (413) as soon as it passes ``limit``. :attr:`signed_body` is what to verify
    (the bytes, or the digest); :meth:`chunks` gives the bytes back only after that;
    :meth:`close` frees the file (it has no name on disk, so nothing is left on any path)."""

    def __init__(self, algorithm: str, threshold: int, limit: int, verifier: Verifier) -> None:
        self.algorithm = algorithm
        self.threshold = threshold
        self.limit = limit
        self.verifier = verifier
        self.memory = bytearray()
        self.file: Optional[IO[bytes]] = None
        self.hasher: Optional[BodyHasher] = None
        self.size = 0

    def write(self, chunk: bytes) -> None:
        """Appends the next piece of the body."""
        if not chunk:
            return
        if self.size + len(chunk) > self.limit:
            raise Refused(body_too_large(self.verifier))
        self.size += len(chunk)
        if self.file is None and self.size <= self.threshold:
            self.memory += chunk
            return
        if self.file is None or self.hasher is None:
            self.file, self.hasher = new_spool(), BodyHasher(self.algorithm)
            self.hasher.update(self.memory)
            self.file.write(self.memory)
            self.memory = bytearray()
        self.hasher.update(chunk)
        self.file.write(chunk)

    @property
    def spooled(self) -> bool:
        """Whether the body went to a temporary file."""
        return self.file is not None

    def signed_body(self) -> Union[bytes, BodyDigest]:
        """What the verifier checks: the bytes in memory, or the spooled body's digest."""
        if self.hasher is None:
            return bytes(self.memory)
        return self.hasher.finish()

    def stream(self) -> IO[bytes]:
        """The spooled file, rewound (call only when :attr:`spooled`)."""
        assert self.file is not None
        self.file.flush()
        self.file.seek(0)
        return self.file

    def chunks(self) -> Iterator[bytes]:
        """The body again, in pieces of at most 256 KiB, from the start."""
        if self.file is None:
            yield bytes(self.memory)
            return
        file = self.stream()
        while True:
            piece = file.read(CHUNK)
            if not piece:
                return
            yield piece

    def close(self) -> None:
        """Frees the temporary file (idempotent)."""
        if self.file is not None:
            self.file.close()


def declared_length(values: Iterable[str], limit: int, verifier: Verifier) -> Optional[int]:
    """The declared ``Content-Length`` checked before any byte is read
    (``core::wire::check_declared_length``): :class:`Refused` with 413 above ``limit``, with 400
    when it is not a decimal number or several lines disagree."""
    declared, refused = _check_declared_length(list(values), limit, verifier.now())
    if refused is not None:
        raise Refused(_answer(refused))
    return declared


def status_line(status: int) -> str:
    """``"401 Unauthorized"`` for 401."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Error"


def wire_text(raw: bytes) -> str:
    """Request-target bytes as text: UTF-8, with invalid bytes kept as lone surrogates so that
    the core refuses them with ``InvalidRequest`` instead of guessing."""
    return raw.decode("utf-8", "surrogateescape")


def request_url(scheme: str, host: str, target: str) -> str:
    """The URL the client signed (``core::wire::request_url``): ``scheme://host`` canonical (host
    lowercased, default port dropped) and the request target as received. ``InvalidRequest``
    when it cannot be rebuilt."""
    return _request_url(scheme, host, target or "/")


def _is_loopback(authority: str) -> bool:
    """``localhost``, an IPv4 loopback or ``[::1]``, any port (as the Rust layer's)."""
    if authority.startswith("["):
        host = authority[1:].split("]", 1)[0] if "]" in authority else ""
    else:
        host = authority.rsplit(":", 1)[0] if ":" in authority else authority
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class AudiencePolicy:
    """The authorities a service serves (the Rust layer's ``.authorities()`` and
    ``.loopback_authorities()``): a request whose ``Host`` is another gets 421
    ``misdirected_request`` before anything else is checked, so a request signed for service A is
    never accepted by service B when the two share a key. Invalid authorities raise
    ``InvalidConfig`` here, at start-up."""

    def __init__(self, authorities: Authorities, loopback: bool) -> None:
        if isinstance(authorities, str):
            authorities = [authorities]
        listed = None if authorities is None else [str(a) for a in authorities]
        # One canonical list per scheme (the default port differs).
        self.audiences = None if listed is None else {s: Audience(listed, s) for s in ("http", "https")}
        self.loopback = bool(loopback)

    @property
    def active(self) -> bool:
        """Whether any authority was declared."""
        return self.audiences is not None or self.loopback

    def check(self, scheme: str, hosts: Sequence[str], verifier: Verifier) -> None:
        """:class:`Refused` with 421 when the one ``Host`` is not served, 400 without exactly one."""
        if not self.active:
            return
        if len(hosts) != 1:
            raise Refused(invalid_request(verifier))
        host = hosts[0]
        if self.audiences is not None and not self.audiences.get(scheme, self.audiences["http"]).allows(host):
            raise Refused(rejection(MISDIRECTED_REQUEST, verifier.now()))
        if self.loopback and not _is_loopback(host.strip(" \t")):
            raise Refused(rejection(MISDIRECTED_REQUEST, verifier.now()))

