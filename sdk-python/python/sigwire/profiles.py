"""Signing profiles: the HMAC schemes of APIs people already call, signed by the Rust core.

Every byte that is signed or compared is decided by ``sigwire_core::profiles`` (the same code the
Node, browser and Kotlin SDKs call); this module only converts arguments, reads the clock and
raises typed errors. Wire formats: ``docs/profiles/``.

Exchanges (time in Unix milliseconds, default now)::

    from sigwire import profiles
    binance = profiles.Binance(api_key, secret)
    signed = binance.sign("POST", "https://api.binance.com/api/v3/order?symbol=BTCUSDT&side=BUY")
    requests.post(signed.url, headers=dict(signed.headers))

AWS SigV4 (headers or a presigned URL)::

    aws = profiles.AwsSigV4(akid, secret, "eu-west-1", "s3", s3=True)
    url = aws.presign("GET", "https://bucket.s3.eu-west-1.amazonaws.com/report.pdf", expires_in=900)

Webhooks (the raw body bytes, never a re-serialised JSON value)::

    event = profiles.verify_webhook("stripe", endpoint_secret, request.headers, raw_body)

Errors are ``ProfileError`` subclasses (a ``SigwireError``) with a stable ``code``
(``signature_mismatch``, ``webhook_timestamp_out_of_tolerance``, …). Secrets are copied into Rust
memory (zeroized on drop) and never appear in a ``repr`` or an exception message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
    Type,
    Union,
)

from . import _errors, _native
from ._types import BodyLike, HeadersLike, SecretLike

__all__ = [
    "ProfileError",
    "InvalidRequest",
    "InvalidCredentials",
    "InvalidSettings",
    "MissingHeader",
    "MissingSignature",
    "MalformedSignature",
    "UnsupportedAlgorithm",
    "UnknownKey",
    "CredentialScopeMismatch",
    "TimestampOutOfTolerance",
    "WebhookTimestampOutOfTolerance",
    "SignatureExpired",
    "DigestMismatch",
    "InsufficientCoverage",
    "SignatureMismatch",
    "ReplayedNonce",
    "ERROR_CODES",
    "Param",
    "SignedRequest",
    "AwsSignedRequest",
    "Rfc9421SignedRequest",
    "SignedResponse",
    "Binance",
    "Coinbase",
    "Kraken",
    "Okx",
    "Bybit",
    "AwsSigV4",
    "AwsSigV4Verifier",
    "AwsVerified",
    "Rfc9421",
    "Rfc9421Verifier",
    "Rfc9421Verified",
    "WebhookEvent",
    "Webhook",
    "StripeWebhook",
    "GithubWebhook",
    "SlackWebhook",
    "StandardWebhook",
    "SigwireWebhook",
    "verify_webhook",
    "sign_webhook",
    "WEBHOOK_PROVIDERS",
]

# The native half (sigwire._native._profiles): private, so it is typed here as Any and every
# value it returns is converted to a typed value at once.
_n: Any = getattr(_native, "_profiles")

#: Every profile machine code with the HTTP status a server answers with.
ERROR_CODES: Dict[str, int] = {str(k): int(v) for k, v in _n.ERROR_STATUS.items()}

#: The webhook providers ``verify_webhook`` and ``sign_webhook`` accept.
WEBHOOK_PROVIDERS = ("stripe", "github", "slack", "standard", "sigwire")


# ------------------------------------------------------------------------------------------------
# Errors


class ProfileError(_errors.SigwireError):
    """Base of every signing-profile error; ``code`` is the stable machine code."""

    code = "profile_error"
    http_status = 401


class InvalidRequest(ProfileError, _errors.InvalidRequest):
    """The request cannot be signed or verified as given (``invalid_request``)."""

    code = "invalid_request"
    http_status = 400


class InvalidCredentials(ProfileError, ValueError):
    """A credential is unusable: empty, bad base64, missing passphrase (``invalid_credentials``)."""

    code = "invalid_credentials"
    http_status = 500


class InvalidSettings(ProfileError, ValueError):
    """A setting is out of range, e.g. a presigned URL valid > 7 days (``invalid_settings``)."""

    code = "invalid_settings"
    http_status = 500


class MissingHeader(ProfileError):
    """A header the scheme requires is absent (``missing_header``)."""

    code = "missing_header"


class MissingSignature(ProfileError):
    """The request or webhook carries no signature (``missing_signature``)."""

    code = "missing_signature"


class MalformedSignature(ProfileError):
    """The signature header breaks the scheme's syntax (``malformed_signature``)."""

    code = "malformed_signature"


class UnsupportedAlgorithm(ProfileError, _errors.UnsupportedAlgorithm):
    """The signature names an algorithm the profile does not accept (``unsupported_algorithm``)."""

    code = "unsupported_algorithm"


class UnknownKey(ProfileError, _errors.UnknownKey):
    """The key (access key id, ``keyid``) is not known (``unknown_key``)."""

    code = "unknown_key"


class CredentialScopeMismatch(ProfileError):
    """The SigV4 scope (date, region, service) differs (``credential_scope_mismatch``)."""

    code = "credential_scope_mismatch"


class TimestampOutOfTolerance(ProfileError):
    """The request time is outside the verifier's window (``timestamp_out_of_tolerance``)."""

    code = "timestamp_out_of_tolerance"


class WebhookTimestampOutOfTolerance(ProfileError):
    """The webhook time is outside the tolerance (``webhook_timestamp_out_of_tolerance``)."""

    code = "webhook_timestamp_out_of_tolerance"


class SignatureExpired(ProfileError):
    """A presigned URL or RFC 9421 ``expires`` has passed (``signature_expired``)."""

    code = "signature_expired"


class DigestMismatch(ProfileError):
    """``x-amz-content-sha256`` or ``Content-Digest`` does not match the body (``digest_mismatch``)."""

    code = "digest_mismatch"


class InsufficientCoverage(ProfileError):
    """The signature does not cover a component the verifier requires (``insufficient_coverage``)."""

    code = "insufficient_coverage"


class SignatureMismatch(ProfileError, _errors.SignatureMismatch):
    """The signature is wrong (``signature_mismatch``): usually the bytes sent differ from those
    signed (a re-serialised JSON body, a re-encoded query)."""

    code = "signature_mismatch"


class ReplayedNonce(ProfileError, _errors.ReplayedNonce):
    """The nonce was seen before (``replayed_nonce``)."""

    code = "replayed_nonce"


_BY_CODE: Dict[str, Type[ProfileError]] = {
    cls.code: cls
    for cls in (
        InvalidRequest,
        InvalidCredentials,
        InvalidSettings,
        MissingHeader,
        MissingSignature,
        MalformedSignature,
        UnsupportedAlgorithm,
        UnknownKey,
        CredentialScopeMismatch,
        TimestampOutOfTolerance,
        WebhookTimestampOutOfTolerance,
        SignatureExpired,
        DigestMismatch,
        InsufficientCoverage,
        SignatureMismatch,
        ReplayedNonce,
    )
}


def _from_profile_error(code: str, message: str) -> ProfileError:
    """Called by the native module: the exception for a core ``ProfileError``."""
    cls = _BY_CODE.get(code)
    if cls is None:  # a code newer than this module: still typed, still carries the code
        err = ProfileError(message)
        err.code = code
        return err
    return cls(message)


# ------------------------------------------------------------------------------------------------
# Results


class Param(NamedTuple):
    """One header or query parameter a profile adds. ``sensitive`` values grant access (a
    signature, a session token, a passphrase) and are hidden by ``repr``."""

    name: str
    value: str
    sensitive: bool = False

    def __repr__(self) -> str:
        shown = "[redacted]" if self.sensitive else repr(self.value)
        return f"Param({self.name!r}, {shown}, sensitive={self.sensitive})"


_new_param = tuple.__new__


def _params(raw: Sequence[Tuple[str, str, bool]]) -> Tuple[Param, ...]:
    # tuple.__new__ directly: Param._make's keyword handling is most of its cost.
    if not raw:
        return ()
    return tuple([_new_param(Param, t) for t in raw])


def _redacted_headers(headers: Sequence[Tuple[str, str]], added: Sequence[Param]) -> str:
    secret_names = {p.name.lower() for p in added if p.sensitive}
    shown = [(n, "[redacted]" if n.lower() in secret_names else v) for n, v in headers]
    return repr(shown)


@dataclass(repr=False)
class SignedRequest:
    """A signed request: send ``method`` to ``url`` with ``headers`` and exactly ``body``.

    ``header_params`` and ``query_params`` are what signing added (the instructions), in order.
    ``repr`` hides sensitive values.
    """

    method: str
    url: str
    headers: List[Tuple[str, str]]
    body: bytes
    header_params: Tuple[Param, ...]
    query_params: Tuple[Param, ...]

    def header(self, name: str) -> Optional[str]:
        """The value of header ``name`` (case-insensitive) after signing, or ``None``."""
        lower = name.lower()
        return next((v for n, v in self.headers if n.lower() == lower), None)

    def __repr__(self) -> str:
        url = self.url
        for p in self.query_params:
            if p.sensitive:
                url = url.split("?", 1)[0] + "?[redacted]"
                break
        return (
            f"{type(self).__name__}(method={self.method!r}, url={url!r}, "
            f"headers={_redacted_headers(self.headers, self.header_params)}, "
            f"body=<{len(self.body)} bytes>)"
        )


#: The fields of an :class:`AwsSignedRequest` that :meth:`AwsSigV4.sign` leaves for their first read.
_AWS_LATER = frozenset(("header_params", "query_params", "canonical_request", "string_to_sign"))


@dataclass(repr=False)
class AwsSignedRequest(SignedRequest):
    """A SigV4-signed request with the intermediate stages, for debugging a
    ``SignatureDoesNotMatch``: compare ``canonical_request`` with the one AWS returns. The
    canonical request holds the session token, if any: do not log it.

    :meth:`AwsSigV4.sign` computes only what is sent (``url``, ``headers``); ``header_params``,
    ``query_params`` and the two stages are derived on the first read of any of them, by signing
    the same request again at the same time (the same bytes: SigV4 has no nonce)."""

    canonical_request: str
    string_to_sign: str

    if not TYPE_CHECKING:  # typed as the fields above; mypy must not see a catch-all

        def __getattr__(self, name: str) -> Any:
            # Called only for a missing attribute: the fields left for later are derived once
            # (the native `rest` signs the same converted request again at the same time).
            rest = self.__dict__.pop("_rest", None) if name in _AWS_LATER else None
            if rest is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            hparams, qparams, creq, sts = rest.finish(self.body)
            self.__dict__.update(
                header_params=_params(hparams),
                query_params=_params(qparams),
                canonical_request=creq,
                string_to_sign=sts,
            )
            return self.__dict__[name]

    def __getstate__(self) -> Dict[str, Any]:
        # Pickle and copy the whole result: derive what was left for later first.
        _ = self.canonical_request
        return dict(self.__dict__)


@dataclass(repr=False)
class Rfc9421SignedRequest(SignedRequest):
    """An RFC 9421-signed request and the exact signature base that was MACed."""

    signature_base: str = ""


@dataclass(repr=False)
class SignedResponse:
    """An RFC 9421-signed response: send ``headers`` with the body that was signed."""

    status: int
    headers: List[Tuple[str, str]]
    header_params: Tuple[Param, ...]
    signature_base: str

    def header(self, name: str) -> Optional[str]:
        """The value of header ``name`` (case-insensitive), or ``None``."""
        lower = name.lower()
        return next((v for n, v in self.headers if n.lower() == lower), None)

    def __repr__(self) -> str:
        return (
            f"SignedResponse(status={self.status}, "
            f"headers={_redacted_headers(self.headers, self.header_params)})"
        )


def _as_bytes(body: Optional[BodyLike]) -> bytes:
    if type(body) is bytes:
        return body
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)


def _signed(
    cls: Type[SignedRequest], method: str, body: Optional[BodyLike], raw: Any, **extra: Any
) -> Any:
    url, headers, hparams, qparams = raw
    # The fields set directly (the generated __init__ only assigns them), as one new instance
    # dict: this runs per signature (0.4 us less than __init__'s keyword path per SigV4 sign).
    fields = {
        "method": method,
        "url": url,
        "headers": headers,
        "body": _as_bytes(body),
        "header_params": _params(hparams),
        "query_params": _params(qparams),
    }
    if extra:
        fields.update(extra)
    signed = cls.__new__(cls)
    signed.__dict__ = fields
    return signed


def _now() -> int:
    return int(time.time())


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


# ------------------------------------------------------------------------------------------------
# Exchanges


class _Exchange:
    """An exchange preset: ``sign(method, url, headers=None, body=None, *, timestamp_ms=None)``."""

    _kind = ""

    def __init__(self, native: Any) -> None:
        self._native = native

    @property
    def api_key(self) -> str:
        """The API key (not secret)."""
        return str(self._native.api_key)

    def sign(
        self,
        method: str,
        url: str,
        headers: Optional[HeadersLike] = None,
        body: Optional[BodyLike] = None,
        *,
        timestamp_ms: Optional[int] = None,
    ) -> SignedRequest:
        """Signs the request exactly as it will be sent (query as written, raw body bytes).

        ``timestamp_ms`` is the signing time in Unix milliseconds (default: now). Returns the
        request to send: ``url`` may have gained query parameters, ``headers`` the key and
        signature headers. Raises ``InvalidRequest`` (e.g. a body that is not UTF-8).
        """
        ts = _now_ms() if timestamp_ms is None else timestamp_ms
        raw = self._native.sign(method, url, headers, body, ts)
        result: SignedRequest = _signed(SignedRequest, method, body, raw)
        return result

    def __repr__(self) -> str:
        return f"{type(self).__name__}(api_key={self.api_key!r})"


class Binance(_Exchange):
    """Binance (spot ``/api/v3``, futures): ``recvWindow`` and ``timestamp`` appended to the
    query unless present, ``signature`` last; ``X-MBX-APIKEY``. ``recv_window=None`` adds none.

    >>> b = Binance("my-api-key", "my-secret")
    >>> b.sign("GET", "https://api.binance.com/api/v3/openOrders?symbol=BTCUSDT",
    ...        timestamp_ms=1_700_000_000_000).url.split("&signature=")[0]
    'https://api.binance.com/api/v3/openOrders?symbol=BTCUSDT&recvWindow=5000&timestamp=1700000000000'
    """

    def __init__(self, api_key: str, secret: str, *, recv_window: Optional[int] = 5000) -> None:
        super().__init__(_n._Exchange("binance", api_key, secret, recv_window=recv_window))


class Coinbase(_Exchange):
    """Coinbase Exchange (``CB-ACCESS-*``): the base64 secret as issued, and the passphrase.
    Signs at whole seconds of ``timestamp_ms``."""

    def __init__(self, api_key: str, secret: str, passphrase: str) -> None:
        super().__init__(_n._Exchange("coinbase", api_key, secret, passphrase=passphrase))


class Kraken(_Exchange):
    """Kraken spot REST (``API-Key``, ``API-Sign``): the base64 secret as issued.

    The nonce lives in the form body: build it with :meth:`body`, which takes a strictly
    increasing nonce from this object (safe across threads; keep one ``Kraken`` per API key).
    """

    def __init__(self, api_key: str, secret: str) -> None:
        super().__init__(_n._Exchange("kraken", api_key, secret))

    def next_nonce(self, now_ms: Optional[int] = None) -> int:
        """The next nonce: ``max(now_ms, previous + 1)``."""
        return int(self._native.next_nonce(_now_ms() if now_ms is None else now_ms))

    def body(
        self, params: Union[Mapping[str, str], Sequence[Tuple[str, str]]] = (), *, nonce: Optional[int] = None
    ) -> str:
        """The form body ``nonce=<n>&k=v…`` to send and sign (values percent-encoded)."""
        pairs = list(params.items()) if isinstance(params, Mapping) else list(params)
        n = self.next_nonce() if nonce is None else nonce
        return str(_n._Exchange.kraken_body(n, pairs))


class Okx(_Exchange):
    """OKX v5 (``OK-ACCESS-*``, ISO 8601 millisecond timestamp); ``simulated_trading`` adds
    ``x-simulated-trading: 1``."""

    def __init__(
        self, api_key: str, secret: str, passphrase: str, *, simulated_trading: bool = False
    ) -> None:
        super().__init__(
            _n._Exchange(
                "okx", api_key, secret, passphrase=passphrase, simulated_trading=simulated_trading
            )
        )


class Bybit(_Exchange):
    """Bybit v5 (``X-BAPI-*``): query (GET/DELETE) or raw body (POST/PUT) signed."""

    def __init__(self, api_key: str, secret: str, *, recv_window: int = 5000) -> None:
        super().__init__(_n._Exchange("bybit", api_key, secret, recv_window=recv_window))


# ------------------------------------------------------------------------------------------------
# AWS SigV4


class AwsSigV4:
    """AWS Signature Version 4 for one set of credentials, region and service.

    ``s3=True`` applies the S3 rules (single path encoding, no normalisation,
    ``x-amz-content-sha256``). ``sign_session_token=False`` adds the token after signing.
    """

    def __init__(
        self,
        access_key_id: str,
        secret_access_key: str,
        region: str,
        service: str,
        session_token: Optional[str] = None,
        *,
        s3: bool = False,
        sign_session_token: bool = True,
    ) -> None:
        self._native: Any = _n._AwsSigV4(
            access_key_id,
            secret_access_key,
            region,
            service,
            session_token=session_token,
            s3=s3,
            sign_session_token=sign_session_token,
        )
        self._scope = (region, service)
        # auth_headers is the native method itself (the same signature as the def below, which
        # documents and types it; no Python frame per call: it is the fastest way to sign).
        self.__dict__["auth_headers"] = self._native.auth_headers

    @property
    def access_key_id(self) -> str:
        """The access key id (not secret)."""
        return str(self._native.access_key_id)

    def sign(
        self,
        method: str,
        url: str,
        headers: Optional[HeadersLike] = None,
        body: Optional[BodyLike] = None,
        *,
        timestamp: Optional[int] = None,
        unsigned_payload: bool = False,
    ) -> AwsSignedRequest:
        """Signs in headers (``Authorization``, ``X-Amz-Date``, …) at ``timestamp`` (Unix
        seconds, default now). ``unsigned_payload`` signs ``UNSIGNED-PAYLOAD``."""
        data = _as_bytes(body)
        # timestamp None: the native side reads the clock.
        signed_url, lines, rest = self._native.sign_headers(
            method, url, headers, data, timestamp, unsigned_payload
        )
        signed = AwsSignedRequest.__new__(AwsSignedRequest)
        signed.__dict__ = {
            "method": method,
            "url": signed_url,
            "headers": lines,
            "body": data,
            "_rest": rest,
        }
        return signed

    def auth_headers(
        self,
        method: str,
        url: str,
        headers: Optional[HeadersLike] = None,
        body: Optional[BodyLike] = None,
        *,
        timestamp: Optional[int] = None,
        unsigned_payload: bool = False,
    ) -> Dict[str, str]:
        """Signs in headers like :meth:`sign` and returns only the headers signing sets:
        ``X-Amz-Date`` and ``Authorization``, plus ``X-Amz-Security-Token`` with a session token
        and ``x-amz-content-sha256`` under the S3 rules. Set each on the request you send,
        replacing any header of the same name (as botocore's ``SigV4Auth.add_auth`` does), and
        send exactly ``body``.

        The fastest way to sign: one native call and one small dict, no
        :class:`AwsSignedRequest` (use :meth:`sign` for the signed header list, the parameters
        and the canonical request)::

            headers = {"Content-Type": "application/json"}
            headers.update(aws.auth_headers("POST", url, headers, body))
            requests.post(url, headers=headers, data=body)
        """
        # Reached only through the class (instances bind the native method in __init__).
        result: Dict[str, str] = self._native.auth_headers(
            method, url, headers, body, timestamp=timestamp, unsigned_payload=unsigned_payload
        )
        return result

    def presign(
        self,
        method: str,
        url: str,
        headers: Optional[HeadersLike] = None,
        *,
        expires_in: int = 3600,
        timestamp: Optional[int] = None,
        body: Optional[BodyLike] = None,
    ) -> str:
        """A presigned URL valid ``expires_in`` seconds (1 to 604800). Without ``body`` the
        payload is ``UNSIGNED-PAYLOAD`` (the S3 convention)."""
        ts = _now() if timestamp is None else timestamp
        raw, _creq, _sts = self._native.sign(
            method, url, headers, body, ts, unsigned_payload=body is None, presign_expires=expires_in
        )
        return str(raw[0])

    def __repr__(self) -> str:
        region, service = self._scope
        return f"AwsSigV4(access_key_id={self.access_key_id!r}, region={region!r}, service={service!r})"


@dataclass(frozen=True)
class AwsVerified:
    """What a verified SigV4 request proved."""

    access_key_id: str
    signed_headers: Tuple[str, ...]
    presigned: bool
    signed_at: int


class AwsSigV4Verifier:
    """Verifies SigV4 requests (headers or presigned URLs) for one region and service.

    ``credentials`` maps access key ids to secret access keys.
    """

    def __init__(
        self,
        region: str,
        service: str,
        credentials: Mapping[str, str],
        *,
        s3: bool = False,
        max_clock_skew: int = 900,
    ) -> None:
        self._native: Any = _n._AwsSigV4Verifier(
            region, service, dict(credentials), s3=s3, max_clock_skew=max_clock_skew
        )
        self._scope = (region, service, len(credentials))

    def verify(
        self,
        method: str,
        url: str,
        headers: Optional[HeadersLike] = None,
        body: Optional[BodyLike] = None,
        *,
        now: Optional[int] = None,
    ) -> AwsVerified:
        """Verifies at ``now`` (Unix seconds, default now); raises a ``ProfileError``."""
        akid, signed, presigned, at = self._native.verify(
            method, url, headers, body, _now() if now is None else now
        )
        return AwsVerified(str(akid), tuple(str(h) for h in signed), bool(presigned), int(at))

    def __repr__(self) -> str:
        region, service, n = self._scope
        return f"AwsSigV4Verifier(region={region!r}, service={service!r}, keys={n})"


# ------------------------------------------------------------------------------------------------
# RFC 9421


class Rfc9421:
    """RFC 9421 HTTP Message Signatures, ``hmac-sha256``, for requests and responses.

    ``components`` are identifiers as written in ``Signature-Input`` (default ``@method
    @authority @path @query content-digest``; ``@query-param;name="x"`` is accepted).
    """

    def __init__(
        self,
        key_id: str,
        secret: SecretLike,
        *,
        label: Optional[str] = None,
        components: Optional[Sequence[str]] = None,
        expires_in: Optional[int] = None,
        include_alg: bool = False,
        tag: Optional[str] = None,
    ) -> None:
        self._native: Any = _n._Rfc9421(
            key_id,
            secret,
            label=label,
            components=None if components is None else list(components),
            expires_in=expires_in,
            include_alg=include_alg,
            tag=tag,
        )
        self._key_id = key_id

    def sign(
        self,
        method: str,
        url: str,
        headers: Optional[HeadersLike] = None,
        body: Optional[BodyLike] = None,
        *,
        created: Optional[int] = None,
        nonce: Optional[str] = None,
    ) -> Rfc9421SignedRequest:
        """Signs a request: adds ``Content-Digest`` (when covered), ``Signature-Input`` and
        ``Signature``. ``created`` is Unix seconds (default now)."""
        raw, base = self._native.sign_request(
            method, url, headers, body, _now() if created is None else created, nonce
        )
        result: Rfc9421SignedRequest = _signed(
            Rfc9421SignedRequest, method, body, raw, signature_base=str(base)
        )
        return result

    def sign_response(
        self,
        status: int,
        headers: Optional[HeadersLike] = None,
        body: Optional[BodyLike] = None,
        *,
        created: Optional[int] = None,
        nonce: Optional[str] = None,
    ) -> SignedResponse:
        """Signs a response (``@status`` plus the header components of the settings)."""
        lines, hparams, base = self._native.sign_response(
            status, headers, body, _now() if created is None else created, nonce
        )
        return SignedResponse(
            status=int(status),
            headers=[(str(n), str(v)) for n, v in lines],
            header_params=_params(hparams),
            signature_base=str(base),
        )

    def __repr__(self) -> str:
        return f"Rfc9421(key_id={self._key_id!r})"


@dataclass(frozen=True)
class Rfc9421Verified:
    """What a verified RFC 9421 signature proved (check ``nonce`` against a replay store)."""

    label: str
    key_id: str
    created: int
    expires: Optional[int]
    nonce: Optional[str]
    tag: Optional[str]
    components: Tuple[str, ...]


def _rfc9421_verified(raw: Any) -> Rfc9421Verified:
    label, key_id, created, expires, nonce, tag, comps = raw
    return Rfc9421Verified(
        str(label),
        str(key_id),
        int(created),
        None if expires is None else int(expires),
        None if nonce is None else str(nonce),
        None if tag is None else str(tag),
        tuple(str(c) for c in comps),
    )


class Rfc9421Verifier:
    """Verifies RFC 9421 ``hmac-sha256`` signatures; ``keys`` maps ``keyid`` to secret.

    ``required_components`` overrides what a request (default ``@method @authority @path``) or,
    when it lists ``@status``, a response (default ``@status``) signature must cover. ``created``
    must be within ``max_age`` seconds past and ``max_ahead`` seconds future.
    """

    def __init__(
        self,
        keys: Mapping[str, SecretLike],
        *,
        label: Optional[str] = None,
        required_components: Optional[Sequence[str]] = None,
        max_age: int = 300,
        max_ahead: int = 60,
    ) -> None:
        self._native: Any = _n._Rfc9421Verifier(
            dict(keys),
            label=label,
            required_components=None if required_components is None else list(required_components),
            max_age=max_age,
            max_ahead=max_ahead,
        )
        self._n_keys = len(keys)

    def verify(
        self,
        method: str,
        url: str,
        headers: Optional[HeadersLike] = None,
        body: Optional[BodyLike] = None,
        *,
        now: Optional[int] = None,
    ) -> Rfc9421Verified:
        """Verifies a request at ``now`` (Unix seconds, default now)."""
        return _rfc9421_verified(
            self._native.verify_request(method, url, headers, body, _now() if now is None else now)
        )

    def verify_response(
        self,
        status: int,
        headers: Optional[HeadersLike] = None,
        body: Optional[BodyLike] = None,
        *,
        now: Optional[int] = None,
    ) -> Rfc9421Verified:
        """Verifies a response at ``now`` (Unix seconds, default now)."""
        return _rfc9421_verified(
            self._native.verify_response(status, headers, body, _now() if now is None else now)
        )

    def __repr__(self) -> str:
        return f"Rfc9421Verifier(keys={self._n_keys})"


# ------------------------------------------------------------------------------------------------
# Webhooks

WebhookSecrets = Union[SecretLike, Sequence[SecretLike]]


def _secret_list(secret: WebhookSecrets) -> List[SecretLike]:
    if isinstance(secret, (str, bytes, bytearray, memoryview)):
        return [secret]
    return list(secret)


@dataclass(frozen=True)
class WebhookEvent:
    """A verified webhook: the signed timestamp (if the scheme has one), the message id (for
    de-duplication: Standard Webhooks, Sigwire, GitHub's ``X-GitHub-Delivery``) and which secret
    matched."""

    provider: str
    timestamp: Optional[int]
    id: Optional[str]
    secret_index: int


def verify_webhook(
    provider: str,
    secret: WebhookSecrets,
    headers: HeadersLike,
    body: BodyLike,
    *,
    tolerance: int = 300,
    now: Optional[int] = None,
) -> WebhookEvent:
    """Verifies a webhook from ``provider`` (``stripe``, ``github``, ``slack``, ``standard``,
    ``sigwire``) over the raw body bytes as received.

    ``secret`` is one secret or a list (rotation). Standard Webhooks reads a ``str`` secret as
    ``whsec_<base64>``. Raises ``MissingHeader``, ``MalformedSignature``,
    ``WebhookTimestampOutOfTolerance`` or ``SignatureMismatch``.
    """
    ts, mid, index = _n.verify_webhook(
        provider, _secret_list(secret), headers, body, _now() if now is None else now, tolerance
    )
    return WebhookEvent(
        provider, None if ts is None else int(ts), None if mid is None else str(mid), int(index)
    )


def sign_webhook(
    provider: str,
    secret: WebhookSecrets,
    body: BodyLike,
    *,
    timestamp: Optional[int] = None,
    id: Optional[str] = None,
) -> Dict[str, str]:
    """The headers a provider would send with ``body`` (for tests and for sending webhooks).
    ``standard`` and ``sigwire`` need a message ``id``."""
    lines = _n.sign_webhook(
        provider, _secret_list(secret), body, _now() if timestamp is None else timestamp, id
    )
    return {str(n): str(v) for n, v in lines}


class Webhook:
    """A webhook endpoint's secrets for one provider: ``verify(headers, body)``, ``sign(body)``."""

    provider = ""

    def __init__(self, provider: str, secret: WebhookSecrets, *, tolerance: int = 300) -> None:
        self.provider = provider
        self._secrets = _secret_list(secret)
        self.tolerance = tolerance
        # Convert each secret once, so a bad one fails here, not at the first delivery.
        for s in self._secrets or [b""]:
            sign_webhook(provider, [s], b"", timestamp=0, id="check")

    def verify(self, headers: HeadersLike, body: BodyLike, *, now: Optional[int] = None) -> WebhookEvent:
        """Verifies a delivery (see :func:`verify_webhook`)."""
        return verify_webhook(
            self.provider, self._secrets, headers, body, tolerance=self.tolerance, now=now
        )

    def sign(
        self, body: BodyLike, *, timestamp: Optional[int] = None, id: Optional[str] = None
    ) -> Dict[str, str]:
        """Signs a delivery (see :func:`sign_webhook`)."""
        return sign_webhook(self.provider, self._secrets, body, timestamp=timestamp, id=id)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(provider={self.provider!r}, secrets={len(self._secrets)})"


class StripeWebhook(Webhook):
    """Stripe (``Stripe-Signature: t=…,v1=…``); the ``whsec_…`` endpoint secret as given."""

    def __init__(self, secret: WebhookSecrets, *, tolerance: int = 300) -> None:
        super().__init__("stripe", secret, tolerance=tolerance)


class GithubWebhook(Webhook):
    """GitHub (``X-Hub-Signature-256``); no timestamp is signed: de-duplicate on ``id``."""

    def __init__(self, secret: WebhookSecrets) -> None:
        super().__init__("github", secret)


class SlackWebhook(Webhook):
    """Slack request signing (``X-Slack-Signature: v0=…``, ``X-Slack-Request-Timestamp``)."""

    def __init__(self, secret: WebhookSecrets, *, tolerance: int = 300) -> None:
        super().__init__("slack", secret, tolerance=tolerance)


class StandardWebhook(Webhook):
    """Standard Webhooks (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``)."""

    def __init__(self, secret: WebhookSecrets, *, tolerance: int = 300) -> None:
        super().__init__("standard", secret, tolerance=tolerance)


class SigwireWebhook(Webhook):
    """The Sigwire webhook form (``Sigwire-Webhook-*``, docs/profiles/sigwire-webhook.md)."""

    def __init__(self, secret: WebhookSecrets, *, tolerance: int = 300) -> None:
        super().__init__("sigwire", secret, tolerance=tolerance)
