"""``requests`` integration: ``HmacAuth`` signs each prepared request.

::

    import requests
    from sigwire.requests import HmacAuth

    session = requests.Session()
    session.auth = HmacAuth("client-1", secret)
    session.post("https://api.example.com/v1/payments", json={"amount": "100.00"})

It signs the final URL (after ``params=`` encoding) and the exact body bytes sent (after ``json=``
or ``data=`` serialisation). Streamed bodies (files, generators) are read into memory first so
that what is signed is what is sent. Install with ``pip install sigwire[requests]``.

Redirects: a followed redirect is re-sent by ``requests`` with the original signature, which
the server refuses for the new URL; for signed APIs pass ``allow_redirects=False`` and sign the new request.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union, cast

import requests
from requests.auth import AuthBase

from ._auth import make_signer
from ._native import Signer
from ._types import SecretLike

__all__ = ["HmacAuth"]


def _body_bytes(body: object) -> Union[bytes, bytearray, memoryview, None]:
    """The body as bytes, or ``None`` when ``requests`` will send it as it is."""
    if body is None or isinstance(body, (bytes, bytearray, memoryview)):
        return None
    if isinstance(body, str):
        return body.encode("utf-8")
    read = getattr(body, "read", None)
    if callable(read):
        data = read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    chunks = []
    for chunk in body:  # type: ignore[attr-defined]
        chunks.append(chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk))
    return b"".join(chunks)


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
        replaced = _body_bytes(r.body)
        if replaced is not None:
            # Send exactly the bytes that are signed, with a matching Content-Length.
            r.body = bytes(replaced)
            r.headers.pop("Transfer-Encoding", None)
            r.headers["Content-Length"] = str(len(replaced))
        body = cast(Optional[Union[bytes, bytearray, memoryview]], r.body)
        r.headers.update(self.signer.sign(r.method or "GET", r.url or "", r.headers, body))
        return r

    def __repr__(self) -> str:
        return f"HmacAuth({self.signer!r})"
