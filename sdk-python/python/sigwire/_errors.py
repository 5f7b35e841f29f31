"""Sigwire exceptions: one ``SigwireError`` subclass per stable machine code.

The Rust core decides every error; ``sigwire._native`` turns each one into the class registered
here for its code (one function, ``_from_core``). Messages never contain secrets.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple, Type

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


# Shown (and pickled) as ``sigwire.SignatureMismatch`` rather than ``sigwire._errors...``.
for _exc in (SigwireError, *_BY_CODE.values()):
    _exc.__module__ = "sigwire"
