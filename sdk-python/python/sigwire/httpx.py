"""``httpx`` integration: ``HmacAuth`` signs each request, with sync and async clients.

::

    import httpx
    from sigwire.httpx import HmacAuth

    with httpx.Client(auth=HmacAuth("client-1", secret)) as client:
        client.post("https://api.example.com/v1/payments", json={"amount": "100.00"})

    async with httpx.AsyncClient(auth=HmacAuth("client-1", secret)) as client:
        await client.get("https://api.example.com/v1/orders", params={"limit": 10})

It signs the final URL (after ``params=`` encoding), the headers being sent (``Host`` included)
and the exact body bytes (after ``json=``/``data=`` serialisation; streamed bodies are read
first). Install with ``pip install sigwire[httpx]``.

Redirects: a followed redirect is re-sent by ``httpx`` with the original signature, which
the server refuses for the new URL; for signed APIs keep ``follow_redirects=False`` (httpx's default) and sign the new request.
"""

from __future__ import annotations

from typing import Generator, Optional, Sequence, Union

import httpx

from ._auth import make_signer
from ._native import Signer
from ._types import SecretLike

__all__ = ["HmacAuth"]


class HmacAuth(httpx.Auth):
    """An ``httpx.Auth`` that adds a ``sigwire-v1`` ``Authorization`` header.

    ``HmacAuth(key_id, secret, algorithm=None, signed_headers=None, *, signed_header_policy=None)``
    or ``HmacAuth(signer)``. ``signed_header_policy="all-end-to-end"`` signs every header the
    request carries when it is signed (hop-by-hop ones excepted), so one added on the path fails.
    Works with ``httpx.Client`` and ``httpx.AsyncClient``.
    """

    requires_request_body = True

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

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Signs ``request`` (its body was read by httpx because ``requires_request_body``)."""
        signed = self.signer.sign(request.method, str(request.url), request.headers.multi_items(), request.content)
        request.headers.update(signed)
        yield request

    def __repr__(self) -> str:
        return f"HmacAuth({self.signer!r})"
