"""Sigwire: sign and verify HMAC-authenticated HTTP requests (scheme ``sigwire-v1``).

Every language's Sigwire SDK calls the same Rust core, so they produce byte-identical signatures.

Client::

    import sigwire
    signer = sigwire.Signer("client-1", secret)
    headers = signer.sign("POST", url, {"Content-Type": "application/json"}, body)

Server::

    verifier = sigwire.Verifier({"client-1": secret})
    key_id = verifier.verify(method, url, headers, body)   # raises a SigwireError subclass

HTTP client (the Rust runtime: retries that re-sign, ``Idempotency-Key``, ``Retry-After``,
clock-skew correction, safe redirects)::

    with sigwire.Client("https://api.example.com", "client-1", secret) as client:
        order = client.post("/v1/orders", json={"amount": 100}).json()

``sigwire.AsyncClient`` is the same on asyncio (``await client.get(...)``).

HTTP integrations: ``sigwire.requests.HmacAuth``, ``sigwire.httpx.HmacAuth`` (clients),
``sigwire.asgi.SigwireMiddleware`` (Starlette/FastAPI) and ``sigwire.wsgi.SigwireMiddleware``
(Flask).
"""

from __future__ import annotations

from ._client import AsyncClient, Client, QueryLike, Response
from ._errors import (
    ClientError,
    ClockSkewTooLarge,
    ConnectError,
    HttpStatusError,
    SigwireTimeout,
    TooManyRedirects,
    TransportError,
    InvalidConfig,
    InvalidKeyId,
    InvalidRequest,
    InvalidSecret,
    MalformedAuthorization,
    MissingAuthorization,
    ReplayedNonce,
    ReplayStoreUnavailable,
    SignatureMismatch,
    SigwireError,
    StaleTimestamp,
    UnknownKey,
    UnsignedHeader,
    UnsupportedAlgorithm,
)
from ._native import (
    DEFAULT_REPLAY_CAPACITY,
    DEFAULT_WINDOW,
    ERROR_CODES,
    LARGE_BODY_THRESHOLD,
    MIN_SECRET_LEN,
    SCHEME,
    SERVER_TIME_HEADER,
    Audience,
    BodyDigest,
    BodyHasher,
    InMemoryReplayStore,
    KeyStore,
    Prechecked,
    ReplayTicket,
    Signer,
    Verifier,
)
from ._types import BodyLike, ClientBody, HeadersLike, ReplayStore, SecretLike

__version__: str = "0.1.0"

__all__ = [
    "Signer",
    "Verifier",
    "KeyStore",
    "InMemoryReplayStore",
    "ReplayStore",
    "ReplayTicket",
    "Prechecked",
    "Audience",
    "BodyHasher",
    "BodyDigest",
    "BodyLike",
    "ClientBody",
    "HeadersLike",
    "SecretLike",
    "SigwireError",
    "MissingAuthorization",
    "MalformedAuthorization",
    "UnsupportedAlgorithm",
    "UnknownKey",
    "StaleTimestamp",
    "ReplayedNonce",
    "SignatureMismatch",
    "InvalidRequest",
    "InvalidSecret",
    "InvalidKeyId",
    "InvalidConfig",
    "ReplayStoreUnavailable",
    "UnsignedHeader",
    "Client",
    "AsyncClient",
    "Response",
    "QueryLike",
    "ClientError",
    "SigwireTimeout",
    "ConnectError",
    "TransportError",
    "HttpStatusError",
    "ClockSkewTooLarge",
    "TooManyRedirects",
    "SERVER_TIME_HEADER",
    "SCHEME",
    "DEFAULT_WINDOW",
    "DEFAULT_REPLAY_CAPACITY",
    "MIN_SECRET_LEN",
    "LARGE_BODY_THRESHOLD",
    "ERROR_CODES",
]
