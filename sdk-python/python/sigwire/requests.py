"""``requests`` integration: ``HmacAuth`` signs each prepared request.

::

    import requests
    from sigwire.requests import HmacAuth

    session = requests.Session()
    session.auth = HmacAuth("client-1", secret)
    session.post("https://api.example.com/v1/payments", json={"amount": "100.00"})

It signs the final URL (after ``params=`` encoding) and the exact body bytes sent (after ``json=``
or ``data=`` serialisation). Streamed bodies are never read into memory: a binary file that can
seek is hashed from its current position and sent from there; anything read once (a generator,
a pipe, a socket file, a text file) is hashed while it is spooled to an unnamed temporary file,
which is what ``requests`` then sends (and re-sends on a retry), with its ``Content-Length``.
Install with ``pip install sigwire[requests]``.

Redirects: a followed redirect is re-sent by ``requests`` with the original signature, which
the server refuses for the new URL; for signed APIs pass ``allow_redirects=False`` and sign the new request.
"""

from __future__ import annotations

import io
from typing import IO, Any, Iterable, Optional, Sequence, Union, cast

import requests
from requests.auth import AuthBase

from ._auth import make_signer
from ._native import BodyDigest, Signer
from ._spool import hash_seekable, is_stream_body, spool_iterable
from ._types import SecretLike

__all__ = ["HmacAuth"]


def _body(r: requests.PreparedRequest, algorithm: str) -> Union[bytes, bytearray, memoryview, BodyDigest, None]:
    """What to sign for ``r``'s body: the bytes, or the digest of a streamed body (then
    ``r.body`` is what will be sent: the file at the hashed position, or the spool)."""
    body = r.body
    if isinstance(body, str):
        r.body = body = body.encode("utf-8")
        _set_length(r, len(body))
    if not is_stream_body(body):
        return cast(Optional[Union[bytes, bytearray, memoryview]], body)
    if not isinstance(body, io.TextIOBase) and callable(getattr(body, "read", None)):
        hashed = hash_seekable(cast(IO[bytes], body), algorithm)
        if hashed is not None:
            digest = hashed[0]
            _set_length(r, digest.size)
            return digest
    spool = spool_iterable(cast(Iterable[Any], body), algorithm)
    r.body = spool  # type: ignore[assignment]  # sent with read(), like a file
    _set_length(r, spool.size)
    return spool.digest


def _set_length(r: requests.PreparedRequest, length: int) -> None:
    """Send with exactly this ``Content-Length`` (never chunked)."""
    r.headers.pop("Transfer-Encoding", None)
    r.headers["Content-Length"] = str(length)


class HmacAuth(AuthBase):
    """A ``requests`` auth that adds a ``sigwire-v1`` ``Authorization`` header.

    ``HmacAuth(key_id, secret, algorithm=None, signed_headers=None, *, signed_header_policy=None)``
    or ``HmacAuth(signer)``. ``signed_header_policy="all-end-to-end"`` signs every header the
    request carries when it is signed (hop-by-hop ones excepted), so one added on the path fails.
    """

    def __init__(
        self,
        key_id: Union[str, Signer],
        secret: Optional[SecretLike] = None,
        algorithm: Optional[str] = None,
        signed_headers: Optional[Sequence[str]] = None,
        *,
        signed_header_policy: Optional[str] = None,
    ) -> None:
        self.signer = make_signer(key_id, secret, algorithm, signed_headers, signed_header_policy)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        """Signs ``r`` in place (called by ``requests`` once the request is prepared)."""
        body = _body(r, self.signer.algorithm)
        r.headers.update(self.signer.sign(r.method or "GET", r.url or "", r.headers, body))
        return r

    def __repr__(self) -> str:
        return f"HmacAuth({self.signer!r})"
