"""Type stubs for the Rust extension ``sigwire._native`` (re-exported by ``sigwire``)."""

from types import ModuleType
from typing import Any, Callable, Dict, Final, List, Mapping, Optional, Sequence, Tuple, Union, final

from ._types import BodyLike, ClientBody, HeadersLike, ReplayStore, SecretLike

__all__ = [
    "BodyHasher",
    "BodyDigest",
    "Signer",
    "Verifier",
    "KeyStore",
    "InMemoryReplayStore",
    "HttpClient",
    "PendingCall",
    "ReplayTicket",
    "Prechecked",
    "Audience",
    "Rejection",
    "rejection",
    "request_url",
    "check_declared_length",
    "_profiles",
    "SERVER_TIME_HEADER",
    "SCHEME",
    "DEFAULT_WINDOW",
    "DEFAULT_REPLAY_CAPACITY",
    "MIN_SECRET_LEN",
    "LARGE_BODY_THRESHOLD",
    "__version__",
    "ERROR_CODES",
    "ERROR_STATUS",
]

#: The native half of ``sigwire.profiles`` (typed there, in ``profiles.py``).
_profiles: ModuleType

SERVER_TIME_HEADER: Final[str]
SCHEME: Final[str]
DEFAULT_WINDOW: Final[int]
DEFAULT_REPLAY_CAPACITY: Final[int]
MIN_SECRET_LEN: Final[int]
LARGE_BODY_THRESHOLD: Final[int]
ERROR_CODES: Final[Tuple[str, ...]]
ERROR_STATUS: Final[Dict[str, int]]
__version__: Final[str]

@final
class BodyHasher:
    """An incremental body digest (``update`` pieces, then ``finish``)."""

    def __new__(cls, algorithm: Optional[str] = "hmac-sha256") -> "BodyHasher": ...
    def update(self, data: BodyLike) -> None:
        """Adds the next piece of the body."""
    def finish(self) -> BodyDigest:
        """The digest of every piece added; the hasher cannot be used afterwards."""
    @property
    def size(self) -> int:
        """Bytes added so far."""
    @property
    def algorithm(self) -> str:
        """``"hmac-sha256"`` or ``"hmac-sha512"``."""

@final
class BodyDigest:
    """A finished body digest: pass it as ``body=`` to sign or verify a body not in memory."""

    @property
    def algorithm(self) -> str:
        """The algorithm name the digest belongs to."""
    @property
    def hex(self) -> str:
        """The digest, lowercase hex."""
    @property
    def size(self) -> int:
        """The body's length in bytes."""

@final
class Signer:
    """Signs HTTP requests for one key id with ``sigwire-v1``.

    ``secret`` (at least 16 bytes) is copied into Rust memory and never shown by ``repr()`` or
    any exception. Raises ``InvalidKeyId``, ``InvalidSecret``, ``UnsupportedAlgorithm`` or
    ``InvalidRequest`` (a bad header name in ``signed_headers``).
    """

    def __new__(
        cls,
        key_id: str,
        secret: SecretLike,
        algorithm: Optional[str] = "hmac-sha256",
        signed_headers: Optional[Sequence[str]] = None,
        *,
        signed_header_policy: Optional[str] = "listed",
    ) -> "Signer": ...
    def sign(
        self,
        method: str,
        url: str,
        headers: Optional[HeadersLike] = ...,
        body: Union[BodyLike, BodyDigest, None] = ...,
        *,
        timestamp: Optional[int] = ...,
        nonce: Optional[str] = ...,
    ) -> Dict[str, str]:
        """Signs a request; returns the headers to add (``{"Authorization": ...}``)."""
    def canonical_string(
        self,
        method: str,
        url: str,
        headers: Optional[HeadersLike] = ...,
        body: Union[BodyLike, BodyDigest, None] = ...,
        *,
        timestamp: Optional[int] = ...,
        nonce: Optional[str] = ...,
    ) -> str:
        """The canonical string that would be signed (no secret in it), for debugging."""
    @property
    def key_id(self) -> str:
        """The key id."""
    @property
    def algorithm(self) -> str:
        """``"hmac-sha256"`` or ``"hmac-sha512"``."""
    @property
    def signed_headers(self) -> List[str]:
        """The extra signed header names given at construction."""
    @property
    def signed_header_policy(self) -> str:
        """``"listed"`` or ``"all-end-to-end"``."""

@final
class KeyStore:
    """Secrets per key id, with rotation; secrets stay in Rust memory."""

    def __new__(cls) -> "KeyStore": ...
    def insert(self, key_id: str, secret: SecretLike, not_after: Optional[int] = ...) -> None:
        """Adds a secret to ``key_id``, active until ``not_after`` (inclusive) or forever."""
    def rotate(self, key_id: str, new_secret: SecretLike, old_not_after: int) -> None:
        """Adds ``new_secret`` and retires the existing secrets after ``old_not_after``."""
    def remove(self, key_id: str) -> bool:
        """Removes ``key_id``; returns whether it existed."""
    def active_count(self, key_id: str, now: Optional[int] = ...) -> int:
        """How many secrets of ``key_id`` are active at ``now`` (default: the current time)."""

@final
class InMemoryReplayStore:
    """A bounded in-memory replay store for one process; refuses rather than forgets."""

    def __new__(cls, capacity: int = ...) -> "InMemoryReplayStore": ...
    def check_and_record(self, key_id: str, nonce: str, expires_at: int, now: int) -> bool:
        """Records the pair until ``expires_at``; ``True`` if new, ``False`` if a replay."""
    @property
    def capacity(self) -> int:
        """The most live nonces held at once."""
    def __len__(self) -> int: ...

@final
class Verifier:
    """Verifies signed requests: syntax, window, key lookup with rotation, signature, replay."""

    def __new__(
        cls,
        keys: Union[KeyStore, Mapping[str, Union[SecretLike, Sequence[SecretLike]]]],
        window: int = 300,
        replay_store: Optional[Union[InMemoryReplayStore, ReplayStore]] = ...,
        *,
        require_signed_headers: Optional[Sequence[str]] = None,
    ) -> "Verifier": ...
    def verify(
        self,
        method: str,
        url: str,
        headers: Optional[HeadersLike] = ...,
        body: Union[BodyLike, BodyDigest, None] = ...,
        *,
        now: Optional[int] = ...,
    ) -> str:
        """Verifies a received request; returns the key id, or raises a ``SigwireError``."""
    def precheck(
        self,
        method: str,
        url: str,
        headers: Optional[HeadersLike] = ...,
        *,
        now: Optional[int] = ...,
    ) -> "Prechecked":
        """The header-only checks, before the body is read: the claimed key id and body digest."""
    def authenticate(
        self,
        method: str,
        url: str,
        headers: Optional[HeadersLike] = ...,
        body: Union[BodyLike, BodyDigest, None] = ...,
        *,
        now: Optional[int] = ...,
    ) -> "ReplayTicket":
        """Every check except replay; claim the ticket's nonce yourself or :meth:`commit` it."""
    def commit(self, ticket: "ReplayTicket") -> str:
        """Claims the ticket's nonce in this verifier's replay store; returns the key id."""
    def settle(self, ticket: "ReplayTicket", outcome: str) -> str:
        """Step two with your own store's answer: ``"fresh"``, ``"replayed"``, ``"unavailable"`` or ``"before_epoch"``."""
    def now(self) -> int:
        """The verifier's current Unix time, for the ``X-Sigwire-Server-Time`` header."""
    @property
    def require_signed_headers(self) -> List[str]:
        """Header names that must be signed when present (lowercased)."""
    @property
    def window(self) -> int:
        """The timestamp window in seconds."""
    @property
    def keys(self) -> KeyStore:
        """The key store this verifier reads (rotate keys through it, live)."""
    @property
    def replay_store(self) -> Optional[Union[InMemoryReplayStore, ReplayStore]]:
        """The replay store given at construction, or ``None`` for the built-in one."""

@final
class ReplayTicket:
    """An authenticated request waiting for its nonce to be claimed (``Verifier.authenticate``)."""

    @property
    def key_id(self) -> str:
        """The key id whose secret signed the request."""
    @property
    def scheme(self) -> str:
        """The scheme, e.g. ``"sigwire-v1"``."""
    @property
    def timestamp(self) -> int:
        """The signing time, Unix seconds."""
    @property
    def nonce(self) -> Optional[str]:
        """The nonce to claim (``None``: nothing to claim)."""
    @property
    def expires_at(self) -> int:
        """Keep the nonce until this Unix time, inclusive."""
    @property
    def authenticated_at(self) -> int:
        """The verifier time of the authentication."""
    @property
    def replay(self) -> str:
        """``"random_nonce"``, ``"increasing_nonce"`` or ``"none"``."""

@final
class Prechecked:
    """What ``Verifier.precheck`` learned from the request line and headers alone."""

    @property
    def key_id(self) -> str:
        """The key id the request claims (known to the key store, not yet proven)."""
    @property
    def scheme(self) -> str:
        """The scheme, e.g. ``"sigwire-v1"``."""
    @property
    def timestamp(self) -> int:
        """The signing time, Unix seconds."""
    @property
    def body_algorithm(self) -> Optional[str]:
        """``"hmac-sha256"`` or ``"hmac-sha512"``: the digest to hash a streamed body with."""

@final
class Rejection:
    """A failure response of ``core::wire``: status, code, server time, headers, body."""

    @property
    def status(self) -> int:
        """The HTTP status."""
    @property
    def code(self) -> str:
        """The machine code."""
    @property
    def server_time(self) -> int:
        """The ``X-Sigwire-Server-Time`` value."""
    @property
    def headers(self) -> List[Tuple[str, str]]:
        """The response headers."""
    @property
    def body(self) -> bytes:
        """``b'{"error":"<code>"}'``."""

@final
class Audience:
    """The authorities (``host[:port]``) a server serves, canonical for one scheme."""

    def __new__(cls, authorities: Sequence[str], scheme: str = "http") -> "Audience": ...
    def allows(self, authority: str) -> bool:
        """Whether a received ``Host`` is one of them."""
    @property
    def authorities(self) -> List[str]:
        """The canonical authorities."""
    @property
    def scheme(self) -> str:
        """``"http"`` or ``"https"``."""

def rejection(code: str, server_time: int) -> Rejection:
    """The rejection for a machine code (``ValueError`` for an unknown one)."""

def request_url(scheme: str, authority: str, path_and_query: str) -> str:
    """The absolute URL a client signed, rebuilt from what the server received."""

def check_declared_length(
    values: Sequence[str], limit: int, now: int
) -> Tuple[Optional[int], Optional[Rejection]]:
    """The declared ``Content-Length`` (or a 413/400 rejection) before any byte is read."""

_RawResponse = Tuple[int, List[Tuple[str, str]], bytes, str, int]

@final
class PendingCall:
    """A call started with ``HttpClient.start``; ``cancel()`` aborts it."""

    def cancel(self) -> None:
        """Aborts the call (its callback is then never invoked). Idempotent."""
    def done(self) -> bool:
        """Whether the call has finished or was aborted."""

@final
class HttpClient:
    """The native HTTP client under ``sigwire.Client`` and ``sigwire.AsyncClient`` (use those)."""

    def __new__(
        cls,
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
        connect_timeout: Optional[float] = ...,
        attempt_timeout: Optional[float] = ...,
        total_timeout: Optional[float] = ...,
        max_attempts: int = 3,
        base_delay: float = 0.1,
        max_delay: float = 5.0,
        max_retry_after: float = 30.0,
        idempotency_keys: bool = True,
        max_redirects: int = 5,
        clock_skew_correction: bool = True,
        clock_skew_threshold: float = 2.0,
        max_clock_skew: float = 86400.0,
    ) -> "HttpClient": ...
    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Optional[Any] = None,
        query: Optional[Any] = None,
        body: Optional[ClientBody] = None,
        idempotency_key: Optional[str] = None,
        timeout: Optional[float] = None,
        total_timeout: Optional[float] = None,
        sign: bool = True,
    ) -> _RawResponse:
        """Sends a request and waits with the GIL released; ``(status, headers, body, url, attempts)``.

        ``timeout``/``total_timeout``: ``None`` keeps the client's limit, ``inf`` means none.
        """
    def start(
        self,
        callback: Callable[[bool, Any], None],
        method: str,
        path: str,
        *,
        headers: Optional[Any] = None,
        query: Optional[Any] = None,
        body: Optional[ClientBody] = None,
        idempotency_key: Optional[str] = None,
        timeout: Optional[float] = None,
        total_timeout: Optional[float] = None,
        sign: bool = True,
    ) -> PendingCall:
        """Starts a request; ``callback(ok, value)`` is called once from a runtime thread."""
    @property
    def base_url(self) -> str:
        """The base URL."""
    @property
    def key_id(self) -> str:
        """The key id."""
    @property
    def clock_offset(self) -> int:
        """The clock offset now applied when signing (server minus local, seconds)."""
