"""Type aliases and protocols shared by the public API."""

from __future__ import annotations

import os
from typing import IO, Any, Iterable, Mapping, Protocol, Tuple, Union, runtime_checkable

__all__ = ["BodyLike", "ClientBody", "HeadersLike", "SecretLike", "ReplayStore"]

#: A request body: the exact bytes sent. ``str`` is signed as its UTF-8 encoding.
BodyLike = Union[bytes, bytearray, memoryview, str]

#: A body of ``sigwire.Client``: in memory (:data:`BodyLike`), or never whole in memory — a path
#: (``os.PathLike``: hashed once, streamed from disk by each attempt), a file object or an
#: iterator of chunks (read once, hashed while spooled to an unnamed temporary file).
ClientBody = Union[BodyLike, "os.PathLike[str]", IO[Any], Iterable[Union[bytes, str]]]

#: Header lines: a mapping (``dict``, ``requests``' ``CaseInsensitiveDict``, ``httpx.Headers``,
#: whose repeated lines are kept) or an iterable of ``(name, value)`` pairs. ``bytes`` names and
#: values are read as Latin-1.
HeadersLike = Union[
    Mapping[str, str],
    Mapping[bytes, bytes],
    Iterable[Tuple[str, str]],
    Iterable[Tuple[bytes, bytes]],
]

#: A secret: at least 16 bytes; ``str`` is taken as UTF-8.
SecretLike = Union[bytes, bytearray, memoryview, str]


@runtime_checkable
class ReplayStore(Protocol):
    """What a custom replay store implements (e.g. one shared through Redis).

    ``check_and_record`` records ``(key_id, nonce)`` until ``expires_at`` (Unix seconds,
    inclusive) and returns ``True`` when the pair is new, ``False`` when it was already recorded
    and has not expired. It must never forget a nonce before ``expires_at``; when it cannot
    record it must raise (the request is then refused with ``ReplayStoreUnavailable``), never
    return ``True``. Returning anything but a ``bool`` is treated as a failure.
    """

    def check_and_record(self, key_id: str, nonce: str, expires_at: int, now: int) -> bool:
        """Records the pair; ``True`` if new, ``False`` if a replay."""
        ...
