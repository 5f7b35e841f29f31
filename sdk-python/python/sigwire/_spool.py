"""Bodies that are never whole in memory: hashed with the core's :class:`BodyHasher` while
they are read, and, when they cannot be read twice, spooled to an unnamed temporary file.

Used by the ``requests``/``httpx`` auth integrations (a file or iterator upload) and by the
ASGI/WSGI middleware (an upload past ``spool_threshold``). A temporary file from
``tempfile.TemporaryFile`` has no name on disk (unlinked at once on POSIX), so nothing is left
behind on any path, crash included.
"""

from __future__ import annotations

import tempfile
from typing import IO, Any, AsyncIterator, Iterable, Iterator, Optional, Tuple, Union

from ._errors import InvalidRequest
from ._native import BodyDigest, BodyHasher

__all__ = ["SpoolFile", "chunk_bytes", "hash_seekable", "is_stream_body", "spool_iterable"]

#: Bytes read per step from a file or a spool.
CHUNK = 256 * 1024


def chunk_bytes(chunk: Any) -> Union[bytes, bytearray, memoryview]:
    """One piece of a streamed body as bytes (``str`` as UTF-8); ``InvalidRequest`` for anything
    else, naming only its type."""
    if isinstance(chunk, (bytes, bytearray, memoryview)):
        return chunk
    if isinstance(chunk, str):
        return chunk.encode("utf-8")
    raise InvalidRequest(
        f"a streamed body must give bytes, bytearray, memoryview or str, not {type(chunk).__name__}"
    )


def is_stream_body(body: object) -> bool:
    """Whether ``body`` is a file object or an iterator of chunks (not in-memory bytes/str)."""
    if body is None or isinstance(body, (bytes, bytearray, memoryview, str)):
        return False
    return callable(getattr(body, "read", None)) or hasattr(body, "__iter__")


def hash_seekable(file: IO[Any], algorithm: str) -> Optional[Tuple[BodyDigest, int]]:
    """The digest of a seekable file from its current position to its end, the position
    restored afterwards (so it is sent from where it was); ``None`` when it cannot seek."""
    try:
        if not file.seekable():
            return None
        start = file.tell()
    except (AttributeError, OSError, ValueError):
        return None
    hasher = BodyHasher(algorithm)
    while True:
        piece = file.read(CHUNK)
        if not piece:
            break
        hasher.update(chunk_bytes(piece))
    file.seek(start)
    return hasher.finish(), start


class SpoolFile:
    """A streamed body spooled to an unnamed temporary file, with its digest: iterate it (sync
    or async) as many times as needed, each time from the start; :meth:`close` frees it."""

    def __init__(self, file: IO[bytes], digest: BodyDigest) -> None:
        self.file = file
        self.digest = digest

    @property
    def size(self) -> int:
        """The body's length in bytes."""
        return self.digest.size

    def __iter__(self) -> Iterator[bytes]:
        self.file.seek(0)
        while True:
            piece = self.file.read(CHUNK)
            if not piece:
                return
            yield piece

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self:
            yield piece

    def read(self, n: int = -1) -> bytes:
        """File-like ``read`` (``requests`` streams a body with ``read``)."""
        return self.file.read(n)

    def rewind(self) -> None:
        """Back to the first byte."""
        self.file.seek(0)

    def close(self) -> None:
        """Frees the temporary file."""
        self.file.close()

    def __del__(self) -> None:
        try:
            self.file.close()
        except Exception:  # interpreter shutdown
            pass


def new_spool() -> IO[bytes]:
    """An unnamed temporary file (no path on disk)."""
    return tempfile.TemporaryFile(prefix="sigwire-spool-")


def spool_iterable(body: Union[IO[Any], Iterable[Any]], algorithm: str) -> SpoolFile:
    """Reads a file object (``read(n)``) or an iterator of chunks once, hashing it into an
    unnamed temporary file. ``InvalidRequest`` for a chunk that is not bytes or str; an
    exception from the body itself propagates (the spool is closed first)."""
    hasher = BodyHasher(algorithm)
    spool = new_spool()
    try:
        read = getattr(body, "read", None)
        pieces: Iterable[Any] = iter(lambda: read(CHUNK), b"") if callable(read) else body
        for piece in pieces:
            if not piece:
                if callable(read):
                    break  # a text file's "" at its end
                continue
            data = chunk_bytes(piece)
            hasher.update(data)
            spool.write(data)
        spool.flush()
        spool.seek(0)
        return SpoolFile(spool, hasher.finish())
    except BaseException:
        spool.close()
        raise


async def spool_async_iterable(body: AsyncIterator[Any], algorithm: str) -> SpoolFile:
    """:func:`spool_iterable` for an async iterator of chunks."""
    hasher = BodyHasher(algorithm)
    spool = new_spool()
    try:
        async for piece in body:
            if not piece:
                continue
            data = chunk_bytes(piece)
            hasher.update(data)
            spool.write(data)
        spool.flush()
        spool.seek(0)
        return SpoolFile(spool, hasher.finish())
    except BaseException:
        spool.close()
        raise

