"""``httpx`` integration: ``HmacAuth`` signs each request, with sync and async clients.

::

    import httpx
    from sigwire.httpx import HmacAuth

    with httpx.Client(auth=HmacAuth("client-1", secret)) as client:
        client.post("https://api.example.com/v1/payments", json={"amount": "100.00"})

    async with httpx.AsyncClient(auth=HmacAuth("client-1", secret)) as client:
        await client.get("https://api.example.com/v1/orders", params={"limit": 10})

It signs the final URL (after ``params=`` encoding), the headers being sent (``Host`` included)
and the exact body bytes (after ``json=``/``data=`` serialisation). A streamed body (a file, a
generator, an async iterator, multipart ``files=``) is never read into memory: it is hashed
while it is spooled to an unnamed temporary file, which httpx then sends (and re-sends on a
retry) with its ``Content-Length``. Install with ``pip install sigwire[httpx]``.

Redirects: a followed redirect is re-sent by ``httpx`` with the original signature, which
the server refuses for the new URL; for signed APIs keep ``follow_redirects=False`` (httpx's default) and sign the new request.
"""

from __future__ import annotations

from typing import AsyncGenerator, AsyncIterator, Generator, Iterable, Iterator, Optional, Sequence, Union, cast

import httpx

from ._auth import make_signer
from ._native import BodyDigest, Signer
from ._spool import SpoolFile, spool_async_iterable, spool_iterable
from ._types import SecretLike

__all__ = ["HmacAuth"]


class _SpoolStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A spooled body as the request stream: read from the start by every send (retries too)."""

    def __init__(self, spool: SpoolFile) -> None:
        self.spool = spool

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.spool)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.spool:
            yield piece


def _replace_stream(request: httpx.Request, spool: SpoolFile) -> BodyDigest:
    """Sends ``spool`` with its exact ``Content-Length``; returns its digest to sign."""
    request.stream = _SpoolStream(spool)
    request.headers.pop("Transfer-Encoding", None)
    request.headers["Content-Length"] = str(spool.size)
    return spool.digest


class HmacAuth(httpx.Auth):
    """An ``httpx.Auth`` that adds a ``sigwire-v1`` ``Authorization`` header.

    ``HmacAuth(key_id, secret, algorithm=None, signed_headers=None, *, signed_header_policy=None)``
    or ``HmacAuth(signer)``. ``signed_header_policy="all-end-to-end"`` signs every header the
    request carries when it is signed (hop-by-hop ones excepted), so one added on the path fails.
    Works with ``httpx.Client`` and ``httpx.AsyncClient``.
    """

    requires_request_body = False  # streamed bodies are hashed while spooled, never read whole

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

    def _sign(self, request: httpx.Request, body: Union[bytes, BodyDigest]) -> None:
        signed = self.signer.sign(request.method, str(request.url), request.headers.multi_items(), body)
        request.headers.update(signed)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Signs ``request`` over its body bytes (read into memory: :meth:`sync_auth_flow` and
        :meth:`async_auth_flow`, which httpx calls, spool streamed bodies instead)."""
        self._sign(request, request.read())
        yield request

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Signs ``request`` for ``httpx.Client``: in-memory content as it is, a streamed body
        spooled while hashed."""
        stream = request.stream
        if isinstance(stream, httpx.ByteStream):
            self._sign(request, request.read())
        else:
            spool = spool_iterable(cast(Iterable[bytes], stream), self.signer.algorithm)
            self._sign(request, _replace_stream(request, spool))
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Signs ``request`` for ``httpx.AsyncClient`` (as :meth:`sync_auth_flow`)."""
        stream = request.stream
        if isinstance(stream, httpx.ByteStream):
            self._sign(request, await request.aread())
        else:
            if isinstance(stream, httpx.AsyncByteStream):
                spool = await spool_async_iterable(stream.__aiter__(), self.signer.algorithm)
            else:
                spool = spool_iterable(cast(Iterable[bytes], stream), self.signer.algorithm)
            self._sign(request, _replace_stream(request, spool))
        yield request

    def __repr__(self) -> str:
        return f"HmacAuth({self.signer!r})"
