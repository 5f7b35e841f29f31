"""A pure-Python sigwire-v1 (hmac, hashlib, urllib only): the benchmark's baseline.

Written to be reasonably fast (C-backed ``hmac.digest``, ``urllib.parse.quote``, precompiled
regular expressions) and to validate what the spec requires on the hot path, so the comparison
with the native SDK is fair. It is not part of the package.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from typing import Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import quote, unquote_to_bytes

Headers = Sequence[Tuple[str, str]]

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}$")
_NONCE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
_KEY_ID = re.compile(r"^[A-Za-z0-9\-._~+/=:@]{1,128}$")
_BAD_PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_VALUE_OK = re.compile(r"^[\t\x20-\x7e]*$")
_HOST = re.compile(r"^[A-Za-z0-9\-._~]{1,253}$")
_AUTH = re.compile(r'^HMAC +(.*)$', re.IGNORECASE | re.DOTALL)
_PARAM = re.compile(r'^[ \t]*([A-Za-z]+)="([^"\\]*)"[ \t]*$')
_DIGESTS = {"hmac-sha256": "sha256", "hmac-sha512": "sha512"}


class SpecError(Exception):
    """An error with a sigwire machine code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_KEPT_RAW = re.compile(r"([+,:;=])")


def _norm(component: str, in_path: bool = False) -> str:
    """SPEC §3.3: escapes normalised; raw ``+ , : ; =`` kept as sent; a raw ``\\`` in a path refused."""
    if _BAD_PCT.search(component) or (in_path and "\\" in component):
        raise SpecError("invalid_request")
    return "".join(
        p if len(p) == 1 and p in "+,:;=" else quote(unquote_to_bytes(p), safe="") for p in _KEPT_RAW.split(component)
    )


def _url_parts(url: str) -> Tuple[str, str, str, str]:
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in ("http", "https"):
        raise SpecError("invalid_request")
    rest = rest.partition("#")[0]
    end = len(rest)
    for ch in "/?":
        i = rest.find(ch)
        if 0 <= i < end:
            end = i
    authority, tail = rest[:end], rest[end:]
    if "@" in authority:
        raise SpecError("invalid_request")
    host, _, port = authority.partition(":")
    if not _HOST.match(host):
        raise SpecError("invalid_request")
    host = host.lower()
    if port:
        p = int(port)
        if not port.isdigit() or not 0 < p < 65536:
            raise SpecError("invalid_request")
        if (scheme, p) not in (("http", 80), ("https", 443)):
            host = f"{host}:{p}"
    path, _, query = tail.partition("?")
    path = "/".join(_norm(seg, True) for seg in path.split("/")) if path else "/"
    out = []
    for piece in query.split("&"):  # kept in the order sent (SPEC §4.2)
        if piece:
            name, eq, value = piece.partition("=")
            out.append(_norm(name) + eq + _norm(value))
    return scheme, host, path, "&".join(out)


def _names(headers: Headers, body: bytes, extra: Iterable[str]) -> List[str]:
    names = ["host"]
    if body and any(n.lower() == "content-type" for n, _ in headers):
        names.append("content-type")
    for n in extra:
        n = n.lower()
        if n not in names:
            names.append(n)
    return names


def canonical(
    key_id: str, algorithm: str, timestamp: int, nonce: str, method: str, url: str, headers: Headers,
    body: bytes, names: List[str],
) -> str:
    """The canonical string (SPEC §4)."""
    if not _TOKEN.match(method) or not _NONCE.match(nonce) or not _KEY_ID.match(key_id):
        raise SpecError("invalid_request")
    scheme, host, path, query = _url_parts(url)
    values: Dict[str, List[str]] = {}
    for n, v in headers:
        values.setdefault(n.lower(), []).append(v.strip(" \t"))
    lines = ["sigwire-v1", algorithm, key_id, str(timestamp), nonce, method, scheme, path, query, ";".join(names)]
    for n in names:
        if n == "host":
            lines.append(f"host:{host}")
            continue
        if n not in values or len(values[n]) > 1:  # a signed header on several lines is refused
            raise SpecError("invalid_request")
        v = values[n][0]
        if not _VALUE_OK.match(v):
            raise SpecError("invalid_request")
        lines.append(f"{n}:{v}")
    lines.append(hashlib.new(_DIGESTS[algorithm], body).hexdigest())
    return "\n".join(lines)


class Signer:
    """Pure-Python signer."""

    def __init__(self, key_id: str, secret: bytes, algorithm: str = "hmac-sha256", signed_headers: Sequence[str] = ()) -> None:
        self.key_id, self.secret, self.algorithm, self.extra = key_id, secret, algorithm, list(signed_headers)

    def sign(
        self, method: str, url: str, headers: Headers = (), body: bytes = b"", *,
        timestamp: Optional[int] = None, nonce: Optional[str] = None,
    ) -> Dict[str, str]:
        """The ``Authorization`` header for this request."""
        ts = int(time.time()) if timestamp is None else timestamp
        nonce = nonce or base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()
        names = _names(headers, body, self.extra)
        cs = canonical(self.key_id, self.algorithm, ts, nonce, method, url, headers, body, names)
        sig = hmac.digest(self.secret, cs.encode("ascii"), _DIGESTS[self.algorithm]).hex()
        return {
            "Authorization": f'HMAC apiKey="{self.key_id}", algorithm="{self.algorithm}", timestamp="{ts}", '
            f'nonce="{nonce}", signedHeaders="{";".join(names)}", signature="{sig}"'
        }


class Verifier:
    """Pure-Python verifier: window, keys, constant-time compare, replay dict."""

    def __init__(self, keys: Dict[str, bytes], window: int = 300) -> None:
        self.keys, self.window = keys, window
        self.seen: Dict[Tuple[str, str], int] = {}

    def verify(self, method: str, url: str, headers: Headers, body: bytes = b"", now: Optional[int] = None) -> str:
        """The key id, or ``SpecError``."""
        now = int(time.time()) if now is None else now
        auths = [v for n, v in headers if n.lower() == "authorization"]
        if not auths:
            raise SpecError("missing_authorization")
        m = _AUTH.match(auths[0].strip(" \t")) if len(auths) == 1 else None
        if m is None:
            raise SpecError("malformed_authorization")
        params: Dict[str, str] = {}
        for part in m.group(1).split(","):
            p = _PARAM.match(part)
            if p is None or p.group(1) in params:
                raise SpecError("malformed_authorization")
            params[p.group(1)] = p.group(2)
        if sorted(params) != ["algorithm", "apiKey", "nonce", "signature", "signedHeaders", "timestamp"]:
            raise SpecError("malformed_authorization")
        algorithm = params["algorithm"]
        if algorithm not in _DIGESTS:
            raise SpecError("unsupported_algorithm")
        ts = int(params["timestamp"])
        if abs(ts - now) > self.window:
            raise SpecError("stale_timestamp")
        secret = self.keys.get(params["apiKey"])
        if secret is None:
            raise SpecError("unknown_key")
        names = params["signedHeaders"].split(";")
        cs = canonical(params["apiKey"], algorithm, ts, params["nonce"], method, url, headers, body, names)
        expected = hmac.digest(secret, cs.encode("ascii"), _DIGESTS[algorithm]).hex()
        if not hmac.compare_digest(expected, params["signature"]):
            raise SpecError("signature_mismatch")
        key = (params["apiKey"], params["nonce"])
        if self.seen.get(key, -1) >= now:
            raise SpecError("replayed_nonce")
        self.seen[key] = ts + self.window
        return params["apiKey"]
