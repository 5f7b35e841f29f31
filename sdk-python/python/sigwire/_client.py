"""``Client`` and ``AsyncClient``: the Rust HTTP runtime (``sigwire-client``) from Python.

Both forward to ``sigwire._native.HttpClient``: every attempt is signed right before it is
sent, retried with backoff (``POST``/``PATCH`` only with an ``Idempotency-Key``, generated once
per call), ``Retry-After`` is honoured, the signing clock is corrected from the server's time,
redirects to another origin never carry ``Authorization``. Options and defaults are those of
the Rust client; errors are ``SigwireError`` subclasses (see ``sigwire._errors``).
"""

from __future__ import annotations

import asyncio
import json as _json
import math
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ._native import HttpClient
from ._types import ClientBody, HeadersLike, SecretLike

__all__ = ["Client", "AsyncClient", "Response", "QueryLike"]

#: Query parameters: a mapping or a sequence of ``(name, value)`` pairs of ``str``.
QueryLike = Union[Mapping[str, str], Sequence[Tuple[str, str]]]

_Raw = Tuple[int, List[Tuple[str, str]], bytes, str, int]


class Response:
    """A response with a status below 400, body already read.

    Attributes:
        status: the HTTP status.
        headers: the response headers, names in lower case (repeated headers joined by ``", "``).
        header_list: every header line as ``(name, value)``, in order.
        body: the body bytes.
        url: the URL that answered (after redirects).
        attempts: attempts the call took (1 when the first one succeeded).
    """

    def __init__(self, raw: _Raw) -> None:
        self.status, self.header_list, self.body, self.url, self.attempts = raw
        headers: Dict[str, str] = {}
        for name, value in self.header_list:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        self.headers = headers

    def text(self, encoding: str = "utf-8") -> str:
        """The body decoded (UTF-8 by default); raises ``UnicodeDecodeError``."""
        return self.body.decode(encoding)

    def json(self) -> Any:
        """The body parsed as JSON; raises ``json.JSONDecodeError`` (a ``ValueError``)."""
        return _json.loads(self.body)

    def __repr__(self) -> str:
        return f"<Response [{self.status}] {len(self.body)} bytes>"


def _encode(body: Optional[ClientBody], json: Any, headers: Optional[HeadersLike]) -> Tuple[Optional[ClientBody], Any]:
    """``json=`` to body bytes and a ``Content-Type`` header (unless one is given)."""
    if json is None:
        return body, headers
    if body is not None:
        raise TypeError("pass either body or json, not both")
    data = _json.dumps(json, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    lines: List[Tuple[Any, Any]] = []
    if headers is not None:
        lines = list(headers.items()) if isinstance(headers, Mapping) else [(n, v) for n, v in headers]
    if not any(str(name).lower() == "content-type" for name, _ in lines):
        lines.append(("Content-Type", "application/json"))
    return data, lines


def _content(body: Optional[ClientBody], content: Optional[ClientBody]) -> Optional[ClientBody]:
    """``content=`` is another name for ``body=`` (as in httpx)."""
    if content is None:
        return body
    if body is not None:
        raise TypeError("pass either body or content, not both")
    return content


class _Base:
    """Options shared by ``Client`` and ``AsyncClient``."""

    _native: HttpClient

    def __init__(
        self,
        base_url: str,
        key_id: Optional[str] = None,
        secret: Optional[SecretLike] = None,
        *,
        algorithm: str = "hmac-sha256",
        signed_headers: Optional[Sequence[str]] = None,
        signed_header_policy: Optional[str] = None,
        profile: Optional[Any] = None,
        sensitive_headers: Optional[Sequence[str]] = None,
        default_headers: Optional[HeadersLike] = None,
        user_agent: Optional[str] = None,
        connect_timeout: Optional[float] = 10.0,
        attempt_timeout: Optional[float] = 30.0,
        total_timeout: Optional[float] = 60.0,
        max_attempts: int = 3,
        base_delay: float = 0.1,
        max_delay: float = 5.0,
        max_retry_after: float = 30.0,
        idempotency_keys: bool = True,
        max_redirects: int = 5,
        clock_skew_correction: bool = True,
        clock_skew_threshold: float = 2.0,
        max_clock_skew: float = 86400.0,
    ) -> None:
        self._native = HttpClient(
            base_url,
            key_id,
            secret,
            algorithm=algorithm,
            signed_headers=signed_headers,
            signed_header_policy=signed_header_policy,
            profile=profile,
            sensitive_headers=sensitive_headers,
            default_headers=default_headers,
            user_agent=user_agent,
            connect_timeout=connect_timeout,
            attempt_timeout=attempt_timeout,
            total_timeout=total_timeout,
            max_attempts=max_attempts,
            base_delay=base_delay,
            max_delay=max_delay,
            max_retry_after=max_retry_after,
            idempotency_keys=idempotency_keys,
            max_redirects=max_redirects,
            clock_skew_correction=clock_skew_correction,
            clock_skew_threshold=clock_skew_threshold,
            max_clock_skew=max_clock_skew,
        )

    @property
    def base_url(self) -> str:
        """The base URL."""
        return self._native.base_url

    @property
    def key_id(self) -> str:
        """The key id (the secret is never exposed)."""
        return self._native.key_id

    @property
    def clock_offset(self) -> int:
        """The clock offset applied when signing (server minus local time, seconds)."""
        return self._native.clock_offset

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, key_id={self.key_id!r})"


def _call_kwargs(
    headers: Optional[HeadersLike],
    query: Optional[QueryLike],
    body: Optional[ClientBody],
    json: Any,
    idempotency_key: Optional[str],
    timeout: Union[float, None, "ellipsis"],  # noqa: F821
    total_timeout: Union[float, None, "ellipsis"],  # noqa: F821
    sign: bool,
) -> Dict[str, Any]:
    if isinstance(body, Mapping):
        raise TypeError("body must be bytes, str, a path, a file object or an iterator of bytes; pass a mapping as json=")
    body, headers = _encode(body, json, headers)
    kwargs: Dict[str, Any] = {
        "headers": headers, "query": query, "body": body, "idempotency_key": idempotency_key, "sign": bool(sign)
    }
    # The native call takes None as "the client's limit" and inf as "no limit".
    if timeout is not ...:
        kwargs["timeout"] = math.inf if timeout is None else timeout
    if total_timeout is not ...:
        kwargs["total_timeout"] = math.inf if total_timeout is None else total_timeout
    return kwargs


class Client(_Base):
    """A blocking HTTP client that signs every attempt with ``sigwire-v1``.

    ``Client(base_url, key_id, secret, **options)``, or ``Client(base_url, profile=signer)`` to
    sign with a ``sigwire.profiles`` signer (Binance, Coinbase, OKX, Bybit, AWS SigV4, RFC 9421)
    instead; paths are resolved under ``base_url``.
    Options (defaults as in every Sigwire client): ``algorithm="hmac-sha256"``,
    ``signed_headers``, ``signed_header_policy="listed"`` (``"all-end-to-end"``: sign every
    header set on the request, hop-by-hop ones excepted), ``sensitive_headers`` (dropped, with ``Authorization``, ``Cookie``,
    ``X-Api-Key``… and the body, on a redirect to another origin; a chain that left the
    origin is never signed again), ``default_headers``, ``user_agent``, ``connect_timeout=10``,
    ``attempt_timeout=30``, ``total_timeout=60`` (seconds; ``None``: no limit),
    ``max_attempts=3``, ``base_delay=0.1``, ``max_delay=5``, ``max_retry_after=30``,
    ``idempotency_keys=True``, ``max_redirects=5``, ``clock_skew_correction=True``,
    ``clock_skew_threshold=2``, ``max_clock_skew=86400``.

    Calls wait with the GIL released (other threads run) and can be interrupted with Ctrl-C.
    Errors: ``SigwireTimeout``, ``ConnectError``, ``TransportError``, ``HttpStatusError``,
    ``ClockSkewTooLarge``, ``TooManyRedirects``, or the verifier's class for a signature the
    server rejected (``SignatureMismatch``, ``StaleTimestamp``, …).

    >>> client = Client("https://api.example.com", "client-1", b"0123456789abcdef0123456789abcdef")
    >>> client
    Client(base_url='https://api.example.com/', key_id='client-1')
    """

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Optional[HeadersLike] = None,
        query: Optional[QueryLike] = None,
        body: Optional[ClientBody] = None,
        content: Optional[ClientBody] = None,
        json: Any = None,
        idempotency_key: Optional[str] = None,
        timeout: Union[float, None, "ellipsis"] = ...,  # noqa: F821
        total_timeout: Union[float, None, "ellipsis"] = ...,  # noqa: F821
        sign: bool = True,
    ) -> Response:
        """Sends a request and returns the ``Response`` (status below 400).

        ``body`` (or ``content``): bytes or ``str``, a path (``pathlib.Path``: hashed once,
        streamed from disk by each attempt), a file object or an iterator of ``bytes`` (read
        once, hashed while spooled to an unnamed temporary file that every attempt re-sends) —
        a large upload is never whole in memory.
        ``json`` is serialised (compact UTF-8) and sent with ``Content-Type: application/json``.
        ``timeout``/``total_timeout`` override the client's attempt/total limits for this call
        (``None``: no limit). ``sign=False`` sends this call without ``Authorization``
        (everything else unchanged), for endpoints that take no signature.
        """
        kwargs = _call_kwargs(headers, query, _content(body, content), json, idempotency_key, timeout, total_timeout, sign)
        return Response(self._native.request(method, path, **kwargs))

    def get(self, path: str, **kwargs: Any) -> Response:
        """A ``GET`` request (keyword arguments as for ``request``)."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Response:
        """A ``POST`` request (keyword arguments as for ``request``)."""
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Response:
        """A ``PUT`` request (keyword arguments as for ``request``)."""
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Response:
        """A ``PATCH`` request (keyword arguments as for ``request``)."""
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Response:
        """A ``DELETE`` request (keyword arguments as for ``request``)."""
        return self.request("DELETE", path, **kwargs)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        """Nothing to release (connections are pooled by the runtime); for symmetry."""


def _settle(future: "asyncio.Future[Response]", ok: bool, value: Any) -> None:
    """Completes ``future`` on its loop (unless it was cancelled meanwhile)."""
    if future.done():
        return
    if ok:
        future.set_result(Response(value))
    else:
        future.set_exception(value)


class AsyncClient(_Base):
    """The ``asyncio`` twin of ``Client``: same options, same defaults, same errors.

    Calls run on the extension's own runtime threads and complete an asyncio future through
    ``loop.call_soon_threadsafe``; cancelling the awaiting task aborts the call.

    >>> client = AsyncClient("https://api.example.com", "client-1", b"0123456789abcdef0123456789abcdef")
    >>> client.key_id
    'client-1'
    """

    async def request(
        self,
        method: str,
        path: str,
        *,
        headers: Optional[HeadersLike] = None,
        query: Optional[QueryLike] = None,
        body: Optional[ClientBody] = None,
        content: Optional[ClientBody] = None,
        json: Any = None,
        idempotency_key: Optional[str] = None,
        timeout: Union[float, None, "ellipsis"] = ...,  # noqa: F821
        total_timeout: Union[float, None, "ellipsis"] = ...,  # noqa: F821
        sign: bool = True,
    ) -> Response:
        """Sends a request and returns the ``Response``; arguments as for ``Client.request``."""
        kwargs = _call_kwargs(headers, query, _content(body, content), json, idempotency_key, timeout, total_timeout, sign)
        loop = asyncio.get_running_loop()
        future: "asyncio.Future[Response]" = loop.create_future()

        def done(ok: bool, value: Any) -> None:  # called on a runtime thread
            try:
                loop.call_soon_threadsafe(_settle, future, ok, value)
            except RuntimeError:  # the loop is closed: nobody is waiting any more
                pass

        pending = self._native.start(done, method, path, **kwargs)
        try:
            return await future
        finally:
            if not future.done() or future.cancelled():
                pending.cancel()

    async def get(self, path: str, **kwargs: Any) -> Response:
        """A ``GET`` request (keyword arguments as for ``request``)."""
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Response:
        """A ``POST`` request (keyword arguments as for ``request``)."""
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> Response:
        """A ``PUT`` request (keyword arguments as for ``request``)."""
        return await self.request("PUT", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> Response:
        """A ``PATCH`` request (keyword arguments as for ``request``)."""
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Response:
        """A ``DELETE`` request (keyword arguments as for ``request``)."""
        return await self.request("DELETE", path, **kwargs)

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def aclose(self) -> None:
        """Nothing to release (connections are pooled by the runtime); for symmetry."""
