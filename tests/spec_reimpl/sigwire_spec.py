"""Independent reimplementation of the `sigwire-v1` wire format, written from SPEC.md alone.

Standard library only (Python 3.9+). Section numbers in comments refer to SPEC.md.

Public API:
    canonical_string(key_id, algorithm, timestamp, nonce, method, url, headers, body,
                     signed_headers=None) -> str
    sign(key_id, secret_hex, algorithm, timestamp, nonce, method, url, headers, body,
         signed_headers=None) -> (canonical_string, signature_hex, authorization_value)
    verify(method, url, headers, body, keys, now, window, seen_nonces) -> key_id

Errors are raised as SpecError(code), `code` being one of the §7 machine codes. A
`stale_timestamp` error also carries `.skew` (timestamp - now, in seconds).

Interpretation choices where SPEC.md is silent are marked "CHOICE:" below.
"""

import base64
import hashlib
import hmac
import ipaddress
import secrets
import time

SCHEME = "sigwire-v1"
DEFAULT_ALGORITHM = "hmac-sha256"
DEFAULT_WINDOW = 300

# §1: algorithm -> (hashlib constructor, signature hex length)
ALGORITHMS = {
    "hmac-sha256": (hashlib.sha256, 64),
    "hmac-sha512": (hashlib.sha512, 128),
}

_ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"
_HEX = "0123456789abcdefABCDEF"
_LOWER_HEX = "0123456789abcdef"
KEY_ID_CHARS = frozenset(_ALPHA + _DIGITS + "-._~+/=:@")  # §1
NONCE_CHARS = frozenset(_ALPHA + _DIGITS + "-_")  # §2
TOKEN_CHARS = frozenset(_ALPHA + _DIGITS + "!#$%&'*+-.^_`|~")  # RFC 9110 tchar (§3.1)
HOST_CHARS = frozenset(_ALPHA + _DIGITS + "-._~")  # §3.2 step 3
UNRESERVED = frozenset((_ALPHA + _DIGITS + "-._~").encode("ascii"))  # §3.3
KEPT_AS_SENT = frozenset(b"+,:;=")  # §3.3: raw stays raw, escaped stays escaped


class SpecError(Exception):
    """Raised with one of the stable machine codes of SPEC §7."""

    def __init__(self, code, skew=None):
        super().__init__(code if skew is None else "%s (skew=%d)" % (code, skew))
        self.code = code
        self.skew = skew


# ---------------------------------------------------------------------------
# small helpers


def _ascii_lower(s):
    """Lowercase only A-Z (spec 'Key words')."""
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def _is_token(s):
    return len(s) >= 1 and all(c in TOKEN_CHARS for c in s)


def _valid_key_id(key_id):  # §1
    return isinstance(key_id, str) and 1 <= len(key_id) <= 128 and all(c in KEY_ID_CHARS for c in key_id)


def _valid_timestamp_text(ts):  # §2
    return (
        isinstance(ts, str)
        and 1 <= len(ts) <= 12
        and all(c in _DIGITS for c in ts)
        and (ts == "0" or ts[0] != "0")
    )


def _valid_nonce(nonce):  # §2
    return isinstance(nonce, str) and 16 <= len(nonce) <= 128 and all(c in NONCE_CHARS for c in nonce)


def _timestamp_text(timestamp):
    """Accept an int or its decimal text; return the §2 text or raise.

    CHOICE: §2 does not name the error code for a bad timestamp given to a signer; like a bad
    caller-supplied nonce (which §2 says is `invalid_request`) it is reported as `invalid_request`.
    """
    if isinstance(timestamp, bool):
        raise SpecError("invalid_request")
    if isinstance(timestamp, int):
        if timestamp < 0:
            raise SpecError("invalid_request")
        timestamp = str(timestamp)
    if not _valid_timestamp_text(timestamp):
        raise SpecError("invalid_request")
    return timestamp


def _check_algorithm(algorithm):
    if algorithm is None:
        algorithm = DEFAULT_ALGORITHM
    if algorithm not in ALGORITHMS:  # exact, lowercase (§1)
        raise SpecError("unsupported_algorithm")
    return algorithm


def _secret_bytes(secret):
    if isinstance(secret, str):
        try:
            secret = bytes.fromhex(secret)
        except ValueError:
            raise SpecError("invalid_secret")
    if not isinstance(secret, (bytes, bytearray)) or len(secret) < 16:  # §1
        raise SpecError("invalid_secret")
    return bytes(secret)


# ---------------------------------------------------------------------------
# §3.1 method


def canonical_method(method):
    # §3.1: case-sensitive, kept exactly as sent.
    if not isinstance(method, str) or not _is_token(method) or len(method) > 32:
        raise SpecError("invalid_request")
    return method


# ---------------------------------------------------------------------------
# §3.2 URL, host, port


def _rfc5952(addr_bytes):
    """RFC 5952 text of a 16-byte IPv6 address (lowercase, longest zero run as ::, first on tie,
    a single zero group is not compressed, IPv4-mapped as ::ffff:a.b.c.d).

    Written by hand because str(ipaddress.IPv6Address) renders IPv4-mapped addresses
    differently across Python versions.
    """
    if addr_bytes[:10] == b"\x00" * 10 and addr_bytes[10:12] == b"\xff\xff":
        return "::ffff:" + ".".join(str(b) for b in addr_bytes[12:])
    groups = [(addr_bytes[i] << 8) | addr_bytes[i + 1] for i in range(0, 16, 2)]
    best_start, best_len = -1, 0
    i = 0
    while i < 8:
        if groups[i] == 0:
            j = i
            while j < 8 and groups[j] == 0:
                j += 1
            if j - i > best_len:
                best_start, best_len = i, j - i
            i = j
        else:
            i += 1
    parts = ["%x" % g for g in groups]
    if best_len >= 2:
        left = ":".join(parts[:best_start])
        right = ":".join(parts[best_start + best_len:])
        return left + "::" + right
    return ":".join(parts)


def _canonical_ipv6(inner):
    # "no zone identifier"; Python >= 3.9 would otherwise accept "%scope".
    if "%" in inner or not inner:
        raise SpecError("invalid_request")
    if not all(c in _HEX or c in ":." for c in inner):
        raise SpecError("invalid_request")
    try:
        addr = ipaddress.IPv6Address(inner)
    except ValueError:
        raise SpecError("invalid_request")
    return "[" + _rfc5952(addr.packed) + "]"


def _canonical_port(port_text, scheme):
    """§3.2 step 4. Returns '' (no port / default port) or ':<decimal>'."""
    if port_text == "":
        return ""
    if not (1 <= len(port_text) <= 5) or not all(c in _DIGITS for c in port_text):
        raise SpecError("invalid_request")
    port = int(port_text)
    if not (1 <= port <= 65535):
        raise SpecError("invalid_request")
    default = 80 if scheme == "http" else 443
    if port == default:
        return ""
    return ":%d" % port


def canonical_host(authority, scheme):
    """§3.2 steps 2-4 applied to an authority text (or a Host header value)."""
    if "@" in authority:
        raise SpecError("invalid_request")
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            raise SpecError("invalid_request")
        host = _canonical_ipv6(authority[1:close])
        rest = authority[close + 1:]
        if rest == "":
            port = ""
        elif rest.startswith(":"):
            port = _canonical_port(rest[1:], scheme)
        else:
            raise SpecError("invalid_request")
    else:
        colon = authority.find(":")
        if colon >= 0:
            name, port_text = authority[:colon], authority[colon + 1:]
        else:
            name, port_text = authority, ""
        if not (1 <= len(name) <= 253) or not all(c in HOST_CHARS for c in name):
            raise SpecError("invalid_request")
        host = _ascii_lower(name)
        port = _canonical_port(port_text, scheme)
    return host + port


def parse_url(url):
    """Return (scheme, canonical_host_value, raw_path_bytes, raw_query_bytes_or_None)."""
    if not isinstance(url, str):
        raise SpecError("invalid_request")
    try:
        raw = url.encode("utf-8")
    except UnicodeEncodeError:
        raise SpecError("invalid_request")
    # "A byte below 0x21 other than space, or the byte 0x7F, anywhere in the URL"
    for b in raw:
        if (b < 0x21 and b != 0x20) or b == 0x7F:
            raise SpecError("invalid_request")
    colon = url.find(":")
    if colon < 0:
        raise SpecError("invalid_request")
    scheme = _ascii_lower(url[:colon])
    if scheme not in ("http", "https"):
        raise SpecError("invalid_request")
    rest = url[colon + 1:]
    if not rest.startswith("//"):
        raise SpecError("invalid_request")
    rest = rest[2:]
    # authority: up to the first '/', '?' or '#'
    end = len(rest)
    for ch in "/?#":
        p = rest.find(ch)
        if 0 <= p < end:
            end = p
    authority, rest = rest[:end], rest[end:]
    host = canonical_host(authority, scheme)
    # drop the fragment
    h = rest.find("#")
    if h >= 0:
        rest = rest[:h]
    q = rest.find("?")
    if q >= 0:
        path, query = rest[:q], rest[q + 1:]
    else:
        path, query = rest, None
    return scheme, host, path.encode("utf-8"), None if query is None else query.encode("utf-8")


# ---------------------------------------------------------------------------
# §3.3 / §3.4 percent-encoding, path, query


def _normalise(component, in_path):
    out = []
    i, n = 0, len(component)
    while i < n:
        b = component[i]
        if b == 0x25:  # '%'
            if i + 2 < n and chr(component[i + 1]) in _HEX and chr(component[i + 2]) in _HEX:
                d = int(component[i + 1:i + 3].decode("ascii"), 16)
                out.append(chr(d) if d in UNRESERVED else "%%%02X" % d)
                i += 3
                continue
            raise SpecError("invalid_request")
        if in_path and b == 0x5C:  # a raw backslash in a path is refused
            raise SpecError("invalid_request")
        if b in UNRESERVED or b in KEPT_AS_SENT or (in_path and b == 0x2F):
            out.append(chr(b))
        else:
            out.append("%%%02X" % b)
        i += 1
    return "".join(out)


def canonical_path(raw_path):
    p = _normalise(raw_path, in_path=True)
    return p if p else "/"


def canonical_query(raw_query):
    """§3.4: pieces in the order sent, empty ones dropped, `name` and `name=value` kept apart."""
    if raw_query is None:
        return ""
    out = []
    for piece in raw_query.split(b"&"):
        if piece == b"":
            continue
        eq = piece.find(b"=")
        if eq >= 0:
            out.append(_normalise(piece[:eq], in_path=False) + "=" + _normalise(piece[eq + 1:], in_path=False))
        else:
            out.append(_normalise(piece, in_path=False))
    return "&".join(out)


# ---------------------------------------------------------------------------
# §3.5 headers


def _header_values(headers, lname):
    """Raw values of every field line whose lowercased name is `lname`, in order."""
    return [v for (n, v) in headers if isinstance(n, str) and _ascii_lower(n) == lname]


def _has_header(headers, lname):
    return bool(_header_values(headers, lname))


def _trim(value):
    return value.strip(" \t")


def _check_value(value):
    if not isinstance(value, str):
        raise SpecError("invalid_request")
    for c in value:
        o = ord(c)
        if not (o == 0x09 or o == 0x20 or 0x21 <= o <= 0x7E):
            raise SpecError("invalid_request")


def _header_line_value(headers, lname):
    values = _header_values(headers, lname)
    if len(values) > 1:  # §3.5: a signed header must be sent on one field line
        raise SpecError("invalid_request")
    for v in values:
        _check_value(v)
    return _trim(values[0])


def signed_header_names(headers, body, extra=None):
    """§3.5 'signed headers' list as a signer builds it."""
    names = ["host"]
    if len(body) > 0 and _has_header(headers, "content-type"):
        names.append("content-type")
    for name in extra or []:
        if not isinstance(name, str) or not _is_token(name):
            raise SpecError("invalid_request")
        lname = _ascii_lower(name)
        if lname not in names:
            names.append(lname)
    return names


def _header_lines(headers, host_value, scheme, names):
    if "authorization" in names:  # "authorization can never be signed"
        raise SpecError("invalid_request")
    if len(names) > 32:
        raise SpecError("invalid_request")
    # A Host header, if present, must agree with the URL host after the same host rules.
    host_values = _header_values(headers, "host")
    if host_values:
        if len(host_values) > 1:  # "a single field line"
            raise SpecError("invalid_request")
        _check_value(host_values[0])
        if canonical_host(_trim(host_values[0]), scheme) != host_value:
            raise SpecError("invalid_request")
    lines = []
    for name in names:
        if name == "host":
            lines.append("host:" + host_value)
            continue
        if not _has_header(headers, name):
            raise SpecError("invalid_request")
        lines.append(name + ":" + _header_line_value(headers, name))
    return lines


# ---------------------------------------------------------------------------
# §4 canonical string


def _build(key_id, algorithm, ts_text, nonce, method, url, headers, body, names):
    digest_fn = ALGORITHMS[algorithm][0]
    m = canonical_method(method)
    scheme, host, raw_path, raw_query = parse_url(url)
    path = canonical_path(raw_path)
    query = canonical_query(raw_query)
    header_lines = _header_lines(headers, host, scheme, names)
    lines = [SCHEME, algorithm, key_id, ts_text, nonce, m, scheme, path, query, ";".join(names)]
    lines += header_lines
    lines.append(digest_fn(bytes(body)).hexdigest())
    return "\n".join(lines)


def canonical_string(key_id, algorithm, timestamp, nonce, method, url, headers, body, signed_headers=None):
    algorithm = _check_algorithm(algorithm)
    if not _valid_key_id(key_id):
        raise SpecError("invalid_key_id")
    ts_text = _timestamp_text(timestamp)
    if not _valid_nonce(nonce):
        raise SpecError("invalid_request")
    headers = [tuple(h) for h in headers]
    body = bytes(body or b"")
    names = signed_header_names(headers, body, signed_headers)
    return _build(key_id, algorithm, ts_text, nonce, method, url, headers, body, names)


def _mac(algorithm, secret, canonical):
    return hmac.new(secret, canonical.encode("ascii"), ALGORITHMS[algorithm][0]).hexdigest()


def new_nonce():
    """§2: 16 CSPRNG bytes, base64url without padding (22 characters)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode("ascii")


def authorization_value(key_id, algorithm, ts_text, nonce, names, signature):
    return (
        'HMAC apiKey="%s", algorithm="%s", timestamp="%s", nonce="%s", signedHeaders="%s", signature="%s"'
        % (key_id, algorithm, ts_text, nonce, ";".join(names), signature)
    )


def sign(key_id, secret_hex, algorithm, timestamp, nonce, method, url, headers, body, signed_headers=None):
    """Return (canonical_string, signature_hex, Authorization header value).

    `secret_hex` is the secret as hex text (or raw bytes). `timestamp`/`nonce` of None are
    filled from the clock / CSPRNG.
    """
    secret = _secret_bytes(secret_hex)
    algorithm = _check_algorithm(algorithm)
    if timestamp is None:
        timestamp = int(time.time())
    if nonce is None:
        nonce = new_nonce()
    cs = canonical_string(key_id, algorithm, timestamp, nonce, method, url, headers, body, signed_headers)
    sig = _mac(algorithm, secret, cs)
    body = bytes(body or b"")
    names = signed_header_names([tuple(h) for h in headers], body, signed_headers)
    return cs, sig, authorization_value(key_id, algorithm, _timestamp_text(timestamp), nonce, names, sig)


# ---------------------------------------------------------------------------
# §5.1 parsing


PARAM_NAMES = ("apiKey", "algorithm", "timestamp", "nonce", "signedHeaders", "signature")


def parse_authorization(value, body_nonempty, has_content_type):
    """Parse one Authorization field value per §5.1. Returns a dict of the six params.

    CHOICE (order of checks, not fixed by §5.1): structure first, then every per-value rule
    that does not depend on the algorithm (malformed_authorization), then the algorithm
    (unsupported_algorithm), then the signature length which depends on it.
    """
    bad = SpecError("malformed_authorization")
    if not isinstance(value, str):
        raise bad
    value = _trim(value)
    if any(ord(c) > 0x7F for c in value):
        raise bad
    if len(value.encode("ascii")) > 4096:
        raise bad
    # scheme token "HMAC", case-insensitive, then one or more spaces
    if len(value) < 5 or _ascii_lower(value[:4]) != "hmac" or value[4] != " ":
        raise bad
    i = 4
    while i < len(value) and value[i] == " ":
        i += 1
    params = {}
    n = len(value)
    while True:
        # name
        eq = value.find("=", i)
        if eq < 0:
            raise bad
        name = value[i:eq]
        if name not in PARAM_NAMES or name in params:
            raise bad
        i = eq + 1
        if i >= n or value[i] != '"':
            raise bad
        close = value.find('"', i + 1)
        if close < 0:
            raise bad
        pval = value[i + 1:close]
        if "\\" in pval:
            raise bad
        params[name] = pval
        i = close + 1
        # separator: optional spaces/tabs, ',' , optional spaces/tabs ; or the end
        while i < n and value[i] in " \t":
            i += 1
        if i == n:
            break
        if value[i] != ",":
            raise bad
        i += 1
        while i < n and value[i] in " \t":
            i += 1
        if i == n:  # trailing comma
            raise bad
    if len(params) != 6:
        raise bad

    if not _valid_key_id(params["apiKey"]):
        raise bad
    if not _is_token(params["algorithm"]):
        raise bad
    if not _valid_timestamp_text(params["timestamp"]):
        raise bad
    if not _valid_nonce(params["nonce"]):
        raise bad
    # SPEC §5.1 order: syntax and own rules, then the algorithm, then the signature length and
    # the signedHeaders rules.
    sig = params["signature"]
    if not sig or not all(c in _LOWER_HEX for c in sig):
        raise bad
    alg = params["algorithm"]
    if not _is_token(alg):
        raise bad
    if alg not in ALGORITHMS:
        raise SpecError("unsupported_algorithm")
    if len(sig) != ALGORITHMS[alg][1]:
        raise bad
    sh = params["signedHeaders"]
    names = sh.split(";")
    if not (1 <= len(names) <= 32):
        raise bad
    for nm in names:
        if not _is_token(nm) or _ascii_lower(nm) != nm:
            raise bad
    if len(set(names)) != len(names) or "host" not in names or "authorization" in names:
        raise bad
    if body_nonempty and has_content_type and "content-type" not in names:
        raise bad
    params["signedHeaders"] = names
    return params


# ---------------------------------------------------------------------------
# §6 verification


def verify(method, url, headers, body, keys, now, window=None, seen_nonces=None):
    """Verify a request per §6. Returns the key id or raises SpecError.

    keys: list of {"key_id", "secret_hex", "not_after" (optional)}.
    seen_nonces: the replay store, a list of {"key_id", "nonce"}; a successful verification
    appends to it.
    """
    if window is None:
        window = DEFAULT_WINDOW
    if not isinstance(window, int) or isinstance(window, bool) or window < 0:
        raise SpecError("invalid_config")
    if seen_nonces is None:
        seen_nonces = []
    # configuration checks (§7 invalid_key_id / invalid_secret)
    store = []
    for k in keys:
        if not _valid_key_id(k.get("key_id")):
            raise SpecError("invalid_key_id")
        store.append((k["key_id"], _secret_bytes(k["secret_hex"]), k.get("not_after")))

    headers = [tuple(h) for h in headers]
    body = bytes(body or b"")

    # 1. parse
    auth_lines = _header_values(headers, "authorization")
    if not auth_lines:
        raise SpecError("missing_authorization")
    if len(auth_lines) > 1:
        raise SpecError("malformed_authorization")
    p = parse_authorization(auth_lines[0], len(body) > 0, _has_header(headers, "content-type"))

    # 2. timestamp window
    skew = int(p["timestamp"]) - now
    if abs(skew) > window:
        raise SpecError("stale_timestamp", skew=skew)

    # 3. key lookup
    key_id = p["apiKey"]
    secrets_ = [s for (kid, s, not_after) in store if kid == key_id and (not_after is None or not now > not_after)]
    if not secrets_:
        raise SpecError("unknown_key")

    # 4. signature. CHOICE: the canonical string uses signedHeaders exactly in the order the
    # header lists them (§5.1 does not require `host` first).
    cs = _build(key_id, p["algorithm"], p["timestamp"], p["nonce"], method, url, headers, body, p["signedHeaders"])
    expected = p["signature"].encode("ascii")
    ok = False
    for s in secrets_:
        if hmac.compare_digest(_mac(p["algorithm"], s, cs).encode("ascii"), expected):
            ok = True
    if not ok:
        raise SpecError("signature_mismatch")

    # 5. replay
    for entry in seen_nonces:
        if entry.get("key_id") == key_id and entry.get("nonce") == p["nonce"]:
            raise SpecError("replayed_nonce")
    seen_nonces.append({"key_id": key_id, "nonce": p["nonce"]})
    return key_id
