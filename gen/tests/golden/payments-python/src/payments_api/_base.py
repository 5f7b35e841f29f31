"""Glue between the generated operations and the ``sigwire`` runtime (generated; do not edit).

Signing, retries, timeouts and clock-skew correction are the runtime's (``sigwire.Client`` /
``sigwire.AsyncClient``); this module only serialises parameters and bodies as OpenAPI says,
maps HTTP errors to ``ApiError`` subclasses and walks pages.
"""

from __future__ import annotations

import json as _json
import os
import uuid
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
)
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    import sigwire

__all__ = [
    "ApiError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "MissingCredentials",
    "FileTuple",
]

#: A file in a multipart body: bytes, or ``(filename, bytes)``, or ``(filename, bytes, content_type)``.
FileTuple = Union[bytes, Tuple[str, bytes], Tuple[str, bytes, str]]

Pairs = List[Tuple[str, str]]


class MissingCredentials(ValueError):
    """A signed operation was called without a key id and secret (constructor or environment)."""


class ApiError(Exception):
    """The API answered with an error status (4xx/5xx).

    Attributes:
        status: the HTTP status.
        headers: the response headers (lower-case names).
        body: the parsed JSON body when it is JSON, else the raw bytes.
        operation: the operation id that failed.
    """

    status: int
    headers: Dict[str, str]
    body: object
    operation: str

    def __init__(self, status: int, headers: Dict[str, str], body: object, operation: str) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.operation = operation
        detail = ""
        if isinstance(body, dict):
            for key in ("message", "error", "detail", "title"):
                value = body.get(key)
                if isinstance(value, str):
                    detail = f": {value[:200]}"
                    break
        super().__init__(f"{operation} failed with HTTP {status}{detail}")


class BadRequestError(ApiError):
    """HTTP 400."""


class AuthenticationError(ApiError):
    """HTTP 401."""


class PermissionDeniedError(ApiError):
    """HTTP 403."""


class NotFoundError(ApiError):
    """HTTP 404."""


class ConflictError(ApiError):
    """HTTP 409."""


class UnprocessableEntityError(ApiError):
    """HTTP 422."""


class RateLimitError(ApiError):
    """HTTP 429."""


class InternalServerError(ApiError):
    """HTTP 5xx."""


_BY_STATUS = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def api_error(status: int, headers: Dict[str, str], raw: bytes, operation: str) -> ApiError:
    """The ``ApiError`` subclass for ``status``, with the body parsed when it is JSON."""
    body: object = raw
    if raw:
        try:
            body = _json.loads(raw)
        except ValueError:
            body = raw
    cls = _BY_STATUS.get(status, InternalServerError if status >= 500 else ApiError)
    return cls(status, headers, body, operation)


def env(prefix: str, name: str) -> Optional[str]:
    """``os.environ[prefix + "_" + name]`` or ``None``."""
    return os.environ.get(f"{prefix}_{name}")


# --- parameter serialisation (OpenAPI style/explode) -------------------------------------


def scalar(value: object) -> str:
    """A parameter value as text: booleans in lower case, containers as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return _json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def query(out: Pairs, name: str, value: object, style: str, explode: bool) -> None:
    """Appends the pairs of one query (or form-body) parameter; ``None`` adds nothing."""
    if value is None:
        return
    if isinstance(value, (list, tuple)):
        items = [scalar(v) for v in value if v is not None]
        if style == "form" and explode:
            out.extend((name, v) for v in items)
        else:
            sep = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
            out.append((name, sep.join(items)))
        return
    if isinstance(value, dict):
        entries = [(str(k), scalar(v)) for k, v in value.items() if v is not None]
        if style == "deepObject":
            out.extend((f"{name}[{k}]", v) for k, v in entries)
        elif explode:
            out.extend(entries)
        else:
            out.append((name, ",".join(f"{k},{v}" for k, v in entries)))
        return
    out.append((name, scalar(value)))


def simple(value: object, explode: bool = False) -> str:
    """``simple`` style (path and header parameters)."""
    if isinstance(value, (list, tuple)):
        return ",".join(scalar(v) for v in value)
    if isinstance(value, dict):
        sep = "=" if explode else ","
        return ",".join(f"{k}{sep}{scalar(v)}" for k, v in value.items())
    return scalar(value)


def path_param(name: str, value: object, style: str, explode: bool) -> str:
    """One path parameter, percent-encoded, in ``simple``, ``label`` or ``matrix`` style."""
    text = quote(simple(value, explode), safe=",=")
    if style == "label":
        return "." + text
    if style == "matrix":
        return f";{name}={text}"
    return text


def cookie_header(cookies: Pairs) -> str:
    """A ``Cookie`` header value."""
    return "; ".join(f"{k}={quote(v, safe='')}" for k, v in cookies)


# --- bodies ------------------------------------------------------------------------------


def form_body(value: object) -> bytes:
    """``application/x-www-form-urlencoded`` bytes of an object."""
    pairs: Pairs = []
    if isinstance(value, Mapping):
        for k, v in value.items():
            query(pairs, str(k), v, "form", True)
    return urlencode(pairs).encode("ascii")


def multipart_body(value: object) -> Tuple[bytes, str]:
    """``multipart/form-data`` bytes of an object and the content type with its boundary.

    ``bytes`` values and ``(filename, bytes[, content_type])`` tuples become file parts;
    other values are sent as text (containers as JSON).
    """
    boundary = "sigwire-" + uuid.uuid4().hex
    chunks: List[bytes] = []
    items = value.items() if isinstance(value, Mapping) else []
    for key, v in items:
        if v is None:
            continue
        for part in v if isinstance(v, list) and v and not isinstance(v[0], (str, int, float, bool)) else [v]:
            disposition = f'form-data; name="{_quote_name(str(key))}"'
            ctype = "text/plain; charset=utf-8"
            if isinstance(part, (bytes, bytearray)):
                data = bytes(part)
                disposition += f'; filename="{_quote_name(str(key))}"'
                ctype = "application/octet-stream"
            elif isinstance(part, tuple) and len(part) in (2, 3) and isinstance(part[1], (bytes, bytearray)):
                data = bytes(part[1])
                disposition += f'; filename="{_quote_name(str(part[0]))}"'
                ctype = str(part[2]) if len(part) == 3 else "application/octet-stream"
            else:
                data = scalar(part).encode("utf-8")
            head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {ctype}\r\n\r\n"
            chunks.append(head.encode("utf-8") + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _quote_name(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"').replace("\r", " ").replace("\n", " ")


class Request:
    """One prepared call: method, path, query pairs, headers, body bytes or JSON."""

    __slots__ = ("method", "path", "query", "headers", "body", "json", "signed", "operation", "accept")

    def __init__(self, method: str, path: str, operation: str, signed: Optional[int], accept: str) -> None:
        self.method = method
        self.path = path
        self.operation = operation
        self.signed = signed
        self.accept = accept
        self.query: Pairs = []
        self.headers: Pairs = []
        self.body: Optional[bytes] = None
        self.json: object = None

    def set_body(self, encoding: str, content_type: str, value: object) -> None:
        """Encodes the body (``json``, ``form``, ``multipart``, ``binary`` or ``text``)."""
        if value is None:
            return
        if encoding == "json":
            self.json = value
            if content_type != "application/json":
                self.headers.append(("Content-Type", content_type))
        elif encoding == "form":
            self.body = form_body(value)
            self.headers.append(("Content-Type", content_type))
        elif encoding == "multipart":
            self.body, ctype = multipart_body(value)
            self.headers.append(("Content-Type", ctype))
        elif isinstance(value, str):
            self.body = value.encode("utf-8")
            self.headers.append(("Content-Type", content_type))
        elif isinstance(value, (bytes, bytearray, memoryview)):
            self.body = bytes(value)
            self.headers.append(("Content-Type", content_type))
        else:
            raise TypeError(f"{self.operation}: the body must be bytes or str")

    def add_headers(self, extra: Optional[Mapping[str, str]]) -> None:
        """Adds per-call headers."""
        if extra:
            self.headers.extend((str(k), str(v)) for k, v in extra.items())

    def encoded_body(self) -> Optional[bytes]:
        """The body bytes (JSON serialised compactly, as the runtime does)."""
        if self.json is not None:
            return _json.dumps(self.json, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return self.body


def decode(encoding: str, status: int, headers: Dict[str, str], body: bytes) -> Any:
    """The response value: parsed JSON, text, bytes, or ``None`` without content."""
    if encoding == "none" or status == 204:
        return None
    if encoding == "json":
        return _json.loads(body) if body else None
    if encoding == "text":
        return body.decode("utf-8", errors="replace")
    return body


def headers_dict(pairs: Sequence[Tuple[str, str]]) -> Dict[str, str]:
    """Response header pairs as a dict (lower-case names, repeated values joined)."""
    out: Dict[str, str] = {}
    for name, value in pairs:
        name = name.lower()
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def http_error(exc: "sigwire.HttpStatusError", operation: str) -> ApiError:
    """The runtime's ``HttpStatusError`` as an ``ApiError``."""
    return api_error(exc.status, headers_dict(exc.headers), exc.body, operation)


# --- pagination --------------------------------------------------------------------------


def dig(value: object, path: Sequence[str]) -> object:
    """``value[path[0]][path[1]]…``, or ``None`` where a key is missing."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _items(page: object, path: Sequence[str]) -> List[object]:
    found = dig(page, path) if path else page
    return list(found) if isinstance(found, list) else []


def next_link(page: object, headers: Mapping[str, str], path: Sequence[str]) -> Optional[str]:
    """The next page's URL from the body (``path``) or the ``Link`` header."""
    if path:
        found = dig(page, path)
        return found if isinstance(found, str) and found else None
    for part in headers.get("link", "").split(","):
        if 'rel="next"' in part or "rel=next" in part:
            start, end = part.find("<"), part.find(">")
            if 0 <= start < end:
                return part[start + 1 : end]
    return None


Fetch = Callable[[object], Tuple[object, Mapping[str, str]]]
AsyncFetch = Callable[[object], Awaitable[Tuple[object, Mapping[str, str]]]]


def paginate(style: str, fetch: Fetch, items: Sequence[str], next_path: Sequence[str], start: object, size: Optional[int]) -> Iterator[object]:
    """Walks every page: ``fetch(token)`` returns (page, headers) for a cursor, offset, page
    number or next URL (``None`` for the first page)."""
    token: object = None if style in ("cursor", "next-link") else start
    seen = 0
    while True:
        page, headers = fetch(token)
        batch = _items(page, items)
        yield from batch
        token, done = _advance(style, token, page, headers, batch, next_path, size)
        seen += 1
        if done or seen > 100_000:
            return


async def apaginate(style: str, fetch: AsyncFetch, items: Sequence[str], next_path: Sequence[str], start: object, size: Optional[int]) -> AsyncIterator[object]:
    """The asyncio twin of ``paginate``."""
    token: object = None if style in ("cursor", "next-link") else start
    seen = 0
    while True:
        page, headers = await fetch(token)
        batch = _items(page, items)
        for item in batch:
            yield item
        token, done = _advance(style, token, page, headers, batch, next_path, size)
        seen += 1
        if done or seen > 100_000:
            return


def _advance(
    style: str,
    token: object,
    page: object,
    headers: Mapping[str, str],
    batch: List[object],
    next_path: Sequence[str],
    size: Optional[int],
) -> Tuple[object, bool]:
    if style == "cursor":
        nxt = dig(page, next_path)
        return nxt, nxt is None or nxt == "" or nxt == token
    if style == "next-link":
        link = next_link(page, headers, next_path)
        return link, link is None or link == token
    if not batch or (size is not None and len(batch) < size):
        return token, True
    if style == "offset" and isinstance(token, int):
        return token + len(batch), False
    if isinstance(token, int):
        return token + 1, False
    return token, True
