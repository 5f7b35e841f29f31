"""Sigwire exceptions: one ``SigwireError`` subclass per stable machine code.

The Rust core decides every error; ``sigwire._native`` turns each one into the class registered
here for its code (one function, ``_from_core``). Messages never contain secrets.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple, Type

from . import _native

__all__ = [
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
    "ClientError",
    "SigwireTimeout",
    "ConnectError",
    "TransportError",
    "HttpStatusError",
    "ClockSkewTooLarge",
    "TooManyRedirects",
]


class SigwireError(Exception):
    """Base of every Sigwire error.

    Attributes:
        code: the stable machine code, e.g. ``"signature_mismatch"`` (same in every language).
        message: what went wrong and what to do; never contains a secret.
        http_status: what a server answers with (401, 400 for ``invalid_request``, 503 for
            ``replay_store_unavailable``, 500 for configuration errors).
        skew_seconds: for ``StaleTimestamp``, the request's timestamp minus the server's time.
        server_time: for verification errors, the verifier's Unix time (send it back in the
            ``X-Sigwire-Server-Time`` header so the client can correct its clock).
    """

    code: str = "sigwire_error"
    http_status: int = 500

    def __init__(
        self,
        message: str = "",
        *,
        skew_seconds: Optional[int] = None,
        server_time: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.skew_seconds = skew_seconds
        self.server_time = server_time

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code

    def __repr__(self) -> str:
        extra = ""
        if self.skew_seconds is not None:
            extra += f", skew_seconds={self.skew_seconds}"
        if self.server_time is not None:
            extra += f", server_time={self.server_time}"
        return f"{type(self).__name__}({self.message!r}{extra})"

    def __reduce__(self) -> Tuple[object, ...]:
        return (_rebuild, (type(self), self.message, self.skew_seconds, self.server_time))

    def public_body(self) -> bytes:
        """The JSON body a server answers with: ``{"error":"<code>"}`` (nothing else leaks)."""
        return b'{"error":"' + self.code.encode("ascii") + b'"}'


def _rebuild(
    cls: Type[SigwireError], message: str, skew_seconds: Optional[int], server_time: Optional[int]
) -> SigwireError:
    return cls(message, skew_seconds=skew_seconds, server_time=server_time)


class MissingAuthorization(SigwireError):
    """The request carries no ``Authorization`` header (``missing_authorization``)."""

    code = "missing_authorization"


class MalformedAuthorization(SigwireError):
    """The ``Authorization`` header breaks the ``sigwire-v1`` syntax (``malformed_authorization``)."""

    code = "malformed_authorization"


class UnsupportedAlgorithm(SigwireError, ValueError):
    """The algorithm is not offered; only ``hmac-sha256`` and ``hmac-sha512`` are
    (``unsupported_algorithm``)."""

    code = "unsupported_algorithm"


class UnknownKey(SigwireError):
    """The key id is unknown, or all its secrets are retired (``unknown_key``)."""

    code = "unknown_key"


class StaleTimestamp(SigwireError):
    """The timestamp is outside the verifier's window (``stale_timestamp``).

    ``skew_seconds`` is the request's timestamp minus the server's time (negative: too old).
    """

    code = "stale_timestamp"


class ReplayedNonce(SigwireError):
    """This nonce was already used with this key inside the window (``replayed_nonce``)."""

    code = "replayed_nonce"


class SignatureMismatch(SigwireError):
    """The signature does not match the request (``signature_mismatch``).

    Usually the bytes, URL or headers sent differ from those signed; compare
    ``Signer.canonical_string(...)`` on the client with the server's view.
    """

    code = "signature_mismatch"


class InvalidRequest(SigwireError, ValueError):
    """The request cannot be canonicalised: bad URL, header, nonce, lone surrogate, …
    (``invalid_request``)."""

    code = "invalid_request"


class InvalidSecret(SigwireError, ValueError):
    """A secret is shorter than 16 bytes or not bytes-like (``invalid_secret``)."""

    code = "invalid_secret"


class InvalidKeyId(SigwireError, ValueError):
    """A key id breaks the key id rules (``invalid_key_id``)."""

    code = "invalid_key_id"


class InvalidConfig(SigwireError, ValueError):
    """Another configuration error, e.g. a negative window (``invalid_config``)."""

    code = "invalid_config"


class ReplayStoreUnavailable(SigwireError):
    """The replay store could not record the nonce (full, unreachable, raised); the request is
    refused rather than accepted (``replay_store_unavailable``)."""

    code = "replay_store_unavailable"


class UnsignedHeader(SigwireError):
    """The request carries a header the verifier requires to be signed
    (``Verifier(require_signed_headers=[...])``) and the signature does not cover it
    (``unsigned_header``), e.g. ``X-HTTP-Method-Override`` added to a signed ``POST``."""

    code = "unsigned_header"


_BY_CODE: Dict[str, Type[SigwireError]] = {
    cls.code: cls
    for cls in (
        MissingAuthorization,
        MalformedAuthorization,
        UnsupportedAlgorithm,
        UnknownKey,
        StaleTimestamp,
        ReplayedNonce,
        SignatureMismatch,
        InvalidRequest,
        InvalidSecret,
        InvalidKeyId,
        InvalidConfig,
        ReplayStoreUnavailable,
        UnsignedHeader,
    )
}

# HTTP statuses come from the core, the single source of truth.
for _code, _cls in _BY_CODE.items():
    _cls.http_status = _native.ERROR_STATUS[_code]


def _from_core(
    code: str, message: str, skew_seconds: Optional[int], server_time: Optional[int]
) -> SigwireError:
    """Builds the exception for a core error (called from Rust; the only mapping)."""
    cls = _BY_CODE.get(code)
    if cls is None:  # a code newer than this Python layer: still typed, still coded
        err = SigwireError(message, skew_seconds=skew_seconds, server_time=server_time)
        err.code = code
        return err
    return cls(message, skew_seconds=skew_seconds, server_time=server_time)


class ClientError(SigwireError):
    """Base of the errors only the HTTP client (``sigwire.Client``/``AsyncClient``) raises.

    Its ``code`` is the client's stable error kind (the same in every language's client):
    ``timeout``, ``connect``, ``transport``, ``http_status``, ``clock_skew_too_large``,
    ``too_many_redirects``. ``attempts`` is how many attempts were made, where counted.
    A signature the server rejected is not a ``ClientError``: it raises the verifier's class for
    the server's machine code (``SignatureMismatch``, ``StaleTimestamp``, ``UnknownKey``, …).
    """

    code = "client_error"

    def __init__(self, message: str = "", *, attempts: Optional[int] = None, **attrs: Any) -> None:
        super().__init__(message)
        self.attempts = attempts
        self._attrs: Dict[str, Any] = dict(attrs, attempts=attempts)
        for name, value in attrs.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self._attrs.items() if k not in ("body", "headers"))
        return f"{type(self).__name__}({self.message!r}{extra})"

    def __reduce__(self) -> Tuple[object, ...]:
        return (_rebuild_client, (type(self), self.message, self._attrs))


def _rebuild_client(cls: Type[ClientError], message: str, attrs: Mapping[str, Any]) -> ClientError:
    return cls(message, **attrs)


class SigwireTimeout(ClientError, TimeoutError):
    """A time limit fired (``timeout``); ``timeout_kind`` is ``"connect"``, ``"attempt"`` or
    ``"total"``."""

    code = "timeout"
    timeout_kind: str


class ConnectError(ClientError, ConnectionError):
    """No connection could be established: refused, DNS, TLS handshake (``connect``)."""

    code = "connect"


class TransportError(ClientError, ConnectionError):
    """The connection failed after it was established, e.g. dropped mid-response (``transport``)."""

    code = "transport"


class HttpStatusError(ClientError):
    """The server answered 4xx/5xx, not as a signature rejection (``http_status``).

    ``status`` is the HTTP status, ``body`` the response body (``bytes``), ``headers`` the
    response headers as ``(name, value)`` pairs (names in lower case).
    """

    code = "http_status"
    status: int
    body: bytes
    headers: List[Tuple[str, str]]


class ClockSkewTooLarge(ClientError):
    """The measured offset to the server's clock exceeds what the client corrects
    (``clock_skew_too_large``); ``offset_seconds`` is server minus local time, ``max_seconds``
    the configured maximum."""

    code = "clock_skew_too_large"
    offset_seconds: int
    max_seconds: int


class TooManyRedirects(ClientError):
    """More redirects than ``max_redirects`` (``too_many_redirects``); ``limit`` is that limit."""

    code = "too_many_redirects"
    limit: int


_BY_KIND: Dict[str, Type[ClientError]] = {
    cls.code: cls
    for cls in (SigwireTimeout, ConnectError, TransportError, HttpStatusError, ClockSkewTooLarge, TooManyRedirects)
}


def _from_client(kind: str, message: str, attrs: Dict[str, Any]) -> SigwireError:
    """Builds the exception for a client error (called from Rust; the only mapping)."""
    if kind == "signature_rejected":
        # The same class the verifier raises for this code, with the server's clock if sent.
        return _from_core(attrs["code"], message, None, attrs.get("server_time"))
    if kind == "config":
        return InvalidConfig(message)
    if kind == "invalid_request":
        return InvalidRequest(message)
    cls = _BY_KIND.get(kind)
    if cls is None:  # `decode` or a kind newer than this Python layer: still typed, still coded
        generic = ClientError(message, **attrs)
        generic.code = kind
        return generic
    return cls(message, **attrs)


# Shown (and pickled) as ``sigwire.SignatureMismatch`` rather than ``sigwire._errors...``.
for _exc in (SigwireError, *_BY_CODE.values(), ClientError, *_BY_KIND.values()):
    _exc.__module__ = "sigwire"
