#!/usr/bin/env python3
"""Differential fuzzing: random valid and adversarial sign/verify operations, seeded.

    python3 tests/conformance/fuzz.py [--seed N] [--count 10000] [--out FILE.jsonl]

Prints the seed (chosen at random when not given) on stderr; the same seed and count always give
the same file. Feed it to every runtime with `tests/conformance/run FILE.jsonl`: the runtimes must
agree on every operation (the fuzzer does not predict answers, the runtimes check each other).

What is generated:
* sign: every method (standard, extension, lowercase, invalid); URLs with unicode, reserved,
  percent-encoded (valid, needless, invalid) characters in path and query, repeated keys, empty
  pieces, `+`, `=` in values, fragments, IPv4/IPv6/name hosts, ports (default, odd, invalid),
  credentials; empty, text, binary and large bodies; odd header spacing, case and repetition, Host
  headers that match or not, control and non-ASCII bytes; both algorithms, unsupported ones,
  bad key ids, short secrets, bad nonces and timestamps, extra signed headers.
* verify: requests signed (with the plain-Python implementation of SPEC.md) then left intact,
  changed in ways the canonical form ignores (must still verify) or tampered with; rewritten in
  the ways SPEC §4.2 refuses because some server reads the two forms differently (`+` vs `%2B` vs
  `%20`, swapped repeated names, reordered pairs, `a` vs `a=`, raw vs escaped `; , : =`, a raw `\`
  in the path, `http` vs `https`, method case, a signed header split over two lines); malformed
  Authorization headers (syntax, order, duplicates, quoting, whitespace, every parameter's rule);
  missing and repeated Authorization lines; stale and edge timestamps; unknown, retired and
  rotated keys; replayed nonces; at most one configuration error per operation.

Standard library only (Python 3.9+).
"""

from __future__ import annotations

import argparse
import base64
import hmac as _hmac
import json
import os
import random
import sys
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "spec_reimpl"))
import sigwire_spec as spec  # noqa: E402

ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"
UNRESERVED = ALPHA + DIGITS + "-._~"
KEY_ID_CHARS = ALPHA + DIGITS + "-._~+/=:@"
NONCE_CHARS = ALPHA + DIGITS + "-_"
TCHAR = ALPHA + DIGITS + "!#$%&'*+-.^_`|~"
HEXL = "0123456789abcdef"

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"]
EXTENSION_METHODS = ["PURGE", "PROPFIND", "M-SEARCH", "MKCOL", "x!#$%&'*+-.^_`|~", "A" * 32, "get", "Post", "pAtCh"]
BAD_METHODS = ["", "GET ", " GET", "G ET", "G\tET", "GÉT", "A" * 33, "GET\n", "(GET)", "GET/1", "ゲット", "GE\"T", "GET,POST"]

UNICODE = ["é", "ü", "ß", "中文", "😀", "\u0301", "Å", "\u00a0", "\u200b", "Ω", "ﬁ", "𝔘", "\u2028", "ǅ", "İ"]
RESERVED = list(":@!$&'()*+,;=[]/?")
OTHER_PRINTABLE = list(" \"<>\\^`{|}%")
CONTROL = ["\t", "\n", "\r", "\x00", "\x01", "\x1f", "\x7f"]
PCT_INTERESTING = ["%41", "%7e", "%7E", "%2f", "%2F", "%20", "%25", "%3F", "%3f", "%23", "%26", "%3D", "%2B",
                   "%2b", "%00", "%ff", "%FF", "%C3%A9", "%c3%a9", "%5F", "%2D", "%2E", "%30", "%61", "%7F", "%80"]
PCT_BAD = ["%", "%G1", "%2", "%%", "%zz", "%2G", "%-1", "%\u00e9"]


class Gen:
    """One random source and the building blocks of operations."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)

    # ---- small helpers ---------------------------------------------------------------------

    def p(self, prob: float) -> bool:
        return self.r.random() < prob

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def text(self, chars: str, lo: int, hi: int) -> str:
        return "".join(self.pick(chars) for _ in range(self.r.randint(lo, hi)))

    def weighted(self, table: List[Tuple[float, Any]]):
        total = sum(w for w, _ in table)
        x = self.r.random() * total
        for w, v in table:
            x -= w
            if x < 0:
                return v
        return table[-1][1]

    def case_mix(self, s: str) -> str:
        mode = self.r.randrange(4)
        if mode == 0:
            return s
        if mode == 1:
            return s.lower()
        if mode == 2:
            return s.upper()
        return "".join(c.upper() if self.p(0.5) else c.lower() for c in s)

    # ---- credentials, time, nonce ----------------------------------------------------------

    def key_id(self, bad: bool = False) -> str:
        if bad:
            return self.pick(["", "k" * 129, "key id", "ключ", 'k"1', "k,1", "k\t1", "k\n", "k%1", "k;1",
                              "k#", "k" * 64 + "\u00e9"])
        return self.weighted([(5, lambda: "key-" + self.text(DIGITS, 1, 3)),
                              (3, lambda: self.text(KEY_ID_CHARS, 1, 40)),
                              (1, lambda: self.text(KEY_ID_CHARS, 120, 128)),
                              (1, lambda: self.pick(["k", "AKIDEXAMPLE", "team/svc:prod@eu", "a+b=c", "~.~"]))])()

    def secret_hex(self, bad: bool = False) -> str:
        n = self.r.randint(0, 15) if bad else self.weighted([(6, 32), (2, 16), (2, 64), (1, self.r.randint(17, 200))])
        return bytes(self.r.getrandbits(8) for _ in range(n)).hex()

    def algorithm(self, bad: bool = False) -> str:
        if bad:
            return self.pick(["HMAC-SHA256", "hmac-sha1", "hmac-md5", "", "hmac-sha384", "hmac-sha256 ", "sha256",
                              "Hmac-Sha512", "hmac_sha256", "hmac-sha512\x00"])
        return self.pick(["hmac-sha256", "hmac-sha512"])

    def timestamp(self) -> int:
        return self.weighted([(85, lambda: self.r.randint(1_600_000_000, 1_800_000_000)),
                              (2, lambda: 0), (1, lambda: 1), (2, lambda: 999_999_999_999),
                              (2, lambda: 1_000_000_000_000), (2, lambda: self.r.randint(0, 2**53 - 1)),
                              (2, lambda: 2**53 - 1), (2, lambda: self.r.randint(1, 99_999))])()

    def nonce(self, adversarial: float = 0.06) -> str:
        if self.p(adversarial):
            return self.pick([self.text(NONCE_CHARS, 15, 15), self.text(NONCE_CHARS, 129, 140), "",
                              self.text(NONCE_CHARS, 10, 20) + "=", self.text(NONCE_CHARS, 16, 20) + "+/",
                              self.text(NONCE_CHARS, 16, 20) + "é", "AAAA AAAAAAAAAAAAAAAAA", "A" * 16 + "\n"])
        if self.p(0.8):
            return base64.urlsafe_b64encode(bytes(self.r.getrandbits(8) for _ in range(16))).rstrip(b"=").decode()
        return self.text(NONCE_CHARS, 16, 128)

    # ---- URL ---------------------------------------------------------------------------------

    def host(self, bad: float) -> str:
        if self.p(bad):
            return self.pick(["", "exa mple.com", "bücher.example", "a" * 254, "host_name.example", "ex!ample.com",
                              "[::1", "[:::1]", "[1:2:3:4:5:6:7:8:9]", "[g::1]", "[]", "[fe80::1%25eth0]",
                              "[::1]x", "[1.2.3.4]", "[::ffff:1.2.3]", "::1", "a\u200bb.com", "[v1.x]", "%41.com",
                              "[1::2::3]", "[:1::]", "[1:]", "[::1:]", "[1:2:3:4:5:6:7:8::]", "[::ffff:01.2.3.4]",
                              "[::ffff:1.2.3.04]", "[::ffff:256.1.1.1]", "[00000::1]", "[::1%eth0]", "[::1%25]",
                              "[1:2:3:4:5:6:7:1.2.3.4]", "[::1.2.3.4.5]", "[1:2:3:4:5:6:7]", "[::ffff:1.2.3.4:1]",
                              "[ ::1]", "[::1 ]", "[::FFFF:1.2.3.4x]", "[[::1]]", "[::1]:", "[::1]:99999"])
        kind = self.weighted([(70, "name"), (10, "ipv4"), (15, "ipv6"), (5, "odd")])
        if kind == "name":
            labels = [self.text(ALPHA + DIGITS + "-", 1, 12) for _ in range(self.r.randint(1, 4))]
            return self.case_mix(".".join(labels))
        if kind == "ipv4":
            return ".".join(str(self.r.randint(0, 255)) for _ in range(4))
        if kind == "odd":
            return self.pick(["localhost", "a", "~", "_", "a" * 253, "xn--bcher-kva.example", "127.000.000.001",
                              "-", "..", "API.EXAMPLE.COM.", "1", "a_b~c-d.e"])
        return "[" + self.ipv6() + "]"

    def ipv6(self) -> str:
        fixed = ["::1", "0:0::1", "2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "::ffff:192.0.2.1",
                 "::192.0.2.1", "1:0:0:2:0:0:0:3", "1:0:0:0:2:0:0:3", "::", "1::", "::ffff:0:0", "0::ffff:c000:201",
                 "fe80::", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:0:0:2::3", "FFFF::FFFF", "1:2:3:4:5:6:1.2.3.4",
                 "0:0:0:0:0:ffff:1.2.3.4", "64:ff9b::1.2.3.4", "0:0:0:0:0:0:0:0", "1:0:2:0:3:0:4:0",
                 "::1.2.3.4", "::0.0.0.1", "::ffff:0.0.0.0", "0:0:0:0:0:0:0:1", "0001::0001", "1:0::0:2",
                 "0:0:0:0:0:ffff:0:0", "::ffff:ffff:ffff", "::fffe:1.2.3.4", "2001:db8:0:0:1:0:0:1",
                 "2001:db8::1:0:0:1", "::ffff:c000:0201", "FE80::A:b:C:d"]
        if self.p(0.5):
            return self.pick(fixed)
        groups = [0 if self.p(0.4) else self.r.getrandbits(self.pick([4, 8, 16])) for _ in range(8)]
        parts = [self.pick(["%x", "%X", "%04x", "%02x"]) % g for g in groups]
        if self.p(0.6):  # compress some zero run (not necessarily the longest)
            runs = [(i, j) for i in range(8) for j in range(i + 1, 9) if all(g == 0 for g in groups[i:j])]
            if runs:
                i, j = self.pick(runs)
                return ":".join(parts[:i]) + "::" + ":".join(parts[j:])
        return ":".join(parts)

    def port(self, scheme: str, bad: float) -> Optional[str]:
        if self.p(bad):
            return self.pick(["0", "65536", "99999", "123456", "8a", "-1", " 80", "+80", "0x50", "８０"])
        return self.weighted([(70, None), (5, ""), (8, "443" if scheme.lower() == "https" else "80"),
                              (3, "80" if scheme.lower() == "https" else "443"),
                              (8, str(self.r.randint(1, 65535))), (3, "0" * self.r.randint(1, 3) + "8080"),
                              (2, "65535"), (1, "00000443"[: self.r.randint(4, 5)])])

    def piece(self, in_query: bool, bad: float, max_len: int = 10) -> str:
        """A run of path or query characters drawn from every class."""
        out = []
        for _ in range(self.r.randint(0, max_len)):
            kind = self.weighted([(55, "unreserved"), (12, "reserved"), (10, "pct"), (8, "unicode"), (6, "other"),
                                  (bad * 25, "badpct"), (bad * 12, "control")])
            if kind == "unreserved":
                out.append(self.pick(UNRESERVED))
            elif kind == "reserved":
                c = self.pick(RESERVED)
                if in_query and c in "&=":
                    c = self.pick("+:@!$'()*,;/?")
                if not in_query and c == "?":
                    c = "@"
                out.append(c)
            elif kind == "pct":
                out.append(self.pick(PCT_INTERESTING) if self.p(0.6) else "%" + self.case_mix("%02x" % self.r.randrange(256)))
            elif kind == "unicode":
                out.append(self.pick(UNICODE))
            elif kind == "other":
                c = self.pick(OTHER_PRINTABLE[:-1])  # a lone "%" is in badpct
                if c == "\\" and not in_query and self.p(0.8):
                    c = "%5C"  # a raw backslash in a path is refused (SPEC §3.3): keep most paths signable
                out.append(c)
            elif kind == "badpct":
                out.append(self.pick(PCT_BAD))
            else:
                out.append(self.pick(CONTROL))
        return "".join(out)

    def url_parts(self, bad: float) -> Dict[str, Any]:
        scheme = self.pick(["https"] * 6 + ["http"] * 3 + ["HTTPS", "Http"])
        parts: Dict[str, Any] = {"scheme": scheme, "sep": "://", "userinfo": None, "host": self.host(bad),
                                 "port": self.port(scheme, bad), "path": "", "query": None, "fragment": None}
        if self.p(bad):
            kind = self.r.randrange(4)
            if kind == 0:
                parts["scheme"] = self.pick(["ftp", "", "ws", "https+x", "h ttp", "file"])
            elif kind == 1:
                parts["sep"] = self.pick([":/", ":", ":///", "//", ":\\\\"])
            else:
                parts["userinfo"] = self.pick(["user", "user:pass", "", "a%40b"])
        # path
        shape = self.weighted([(10, "empty"), (5, "slash"), (70, "segments"), (15, "odd")])
        if shape == "slash":
            parts["path"] = "/"
        elif shape == "segments":
            segs = [self.piece(False, bad) for _ in range(self.r.randint(1, 6))]
            parts["path"] = "/" + "/".join(segs) + ("/" if self.p(0.2) else "")
        elif shape == "odd":
            parts["path"] = self.pick(["/a/./b/../c", "//a//b/", "/.", "/..", "/./", "/a%2Fb/c", "/%2e%2E/x", "/~u",
                                       "/%7Eu", "/" + "a/" * 60, "/" + "x" * 2000, "/%", "/a b", "/a+b", "/@:!$&'()*,;="])
        # query
        if self.p(0.55):
            pieces = []
            names = [self.piece(True, bad, 6) for _ in range(self.r.randint(1, 4))]
            for _ in range(self.r.randint(0, 8)):
                form = self.weighted([(60, "pair"), (10, "bare"), (8, "empty"), (5, "eq"), (5, "emptyname"),
                                      (7, "multi_eq"), (5, "plus")])
                name = self.pick(names) if self.p(0.5) else self.piece(True, bad, 6)  # repeated keys
                value = self.piece(True, bad, 8)
                pieces.append({"pair": name + "=" + value, "bare": name, "empty": "", "eq": name + "=",
                               "emptyname": "=" + value, "multi_eq": name + "=" + value + "=" + value,
                               "plus": name + "=a+b+" + value}[form])
            parts["query"] = "&".join(pieces)
        if self.p(0.08):
            parts["fragment"] = self.piece(True, 0.0, 8) + self.pick(["", "?x=1", "#", "/a&b=c"])
        if self.p(0.03):  # a whole URL with a tricky structure (equivalence edits then do not apply)
            parts["whole"] = self.pick(self.ODD_URLS)
        return parts

    ODD_URLS = ["https://a?b", "https://a#", "https://a#b/c?d", "https://a:?x", "https://a:/", "https://[::1]:/",
                "HTTPS://A", "https://a/b?c#d?e", "http://a:80/", "https://a:443", "https://a:0443", "https://a:00000",
                "https://a.:8080", "https://a/?", "https://a/?&", "https://a/?=", "https://a/?==", "https://a/?a&a=",
                "https://a/?%", "https://a//?//", "http://[0:0::1]:8080/x", "http://[::ffff:192.0.2.1]/",
                "https://a:65535", "https://a:65536", "https://a/#?x=1", "https://", "https:///x", "https://?x",
                "https://#", "http://a b/", "http://a\\b/", "http://a/b c?d e", "https://a/\u00e9?\u00e9=\u00e9"]

    @staticmethod
    def render(parts: Dict[str, Any]) -> str:
        if parts.get("whole") is not None:
            return parts["whole"]
        url = parts["scheme"] + parts["sep"]
        if parts["userinfo"] is not None:
            url += parts["userinfo"] + "@"
        url += parts["host"]
        if parts["port"] is not None:
            url += ":" + parts["port"]
        url += parts["path"]
        if parts["query"] is not None:
            url += "?" + parts["query"]
        if parts["fragment"] is not None:
            url += "#" + parts["fragment"]
        return url

    # ---- headers and body --------------------------------------------------------------------

    def spaced(self, value: str) -> str:
        return self.weighted([(60, value), (8, "  " + value), (8, value + "  "), (6, "\t" + value + "\t"),
                              (4, " \t " + value + "\t "), (4, value.replace(" ", "   ")), (3, value.replace(" ", "\t"))])

    def header_value(self, bad: float) -> str:
        if self.p(bad):
            return self.pick(["a\r\nb", "a\nb", "a\rb", "\x00", "é", "a\x7fb", "x\u2028y", "\x01", "caf\u00e9", "\x1f",
                              "v\x0b", "ok\x0c"])
        return self.weighted([(30, lambda: self.text(ALPHA + DIGITS + "-", 1, 24)),
                              (10, lambda: ""), (10, lambda: " "),
                              (20, lambda: self.text(ALPHA + DIGITS + " ,;=/:\"'()!#$%&*+.?@[]^_`{|}~\\-", 1, 40)),
                              (5, lambda: self.text("\t ", 1, 3)),
                              (5, lambda: "a, b,c ,  d"),
                              (3, lambda: "x" * self.r.randint(100, 3000))])()

    def header_name(self, bad: float) -> str:
        if self.p(bad):
            return self.pick(["X Bad", "", "X:Y", "Ä", "x\ty", "x\ny", "(x)", "x@y", "x,y", "x;y", "x=y", "x/y",
                              "[x]", "x\"y", "x{y}", "é-header", "x\x00y"])
        return self.case_mix(self.pick(["X-Request-Id", "Accept", "X-Custom", "Date", "X-Trace", "Content-Encoding",
                                        "User-Agent", "X-Empty", "Idempotency-Key", "X-A", "x-b", "Cookie",
                                        "If-Match", "X-Amz-Meta-Data"]) if self.p(0.85) else self.text(TCHAR, 1, 20))

    def headers(self, parts: Dict[str, Any], bad: float) -> List[List[str]]:
        hs: List[List[str]] = []
        if self.p(0.45):
            ct = self.pick(["application/json", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
                            "application/octet-stream", "multipart/form-data; boundary=x", ""])
            hs.append([self.case_mix("Content-Type"), self.spaced(ct)])
        for _ in range(self.weighted([(30, 0), (30, 1), (20, 2), (10, 3), (6, 5), (4, 8)])):
            name = self.header_name(bad)
            hs.append([name, self.spaced(self.header_value(bad))])
            if self.p(0.15):  # repeated field line, maybe with another case
                hs.append([self.case_mix(name), self.spaced(self.header_value(bad))])
        if self.p(0.12):  # a Host header that agrees (another form of the same host) or not
            host = parts["host"]
            good = self.case_mix(host) + ("" if parts["port"] in (None, "") else ":" + parts["port"])
            if self.p(0.3) and parts["port"] is None:
                good += ":" + ("443" if parts["scheme"].lower() == "https" else "80")
            if host.startswith("[") and self.p(0.5):
                good = self.pick(["[0:0::1]", "[::1]", "[0000::0001]", "[::ffff:192.0.2.1]", "[::FFFF:C000:201]"]) + good[len(host):]
            value = good if self.p(0.6) else self.pick(["other.example", host + ":1", "", host + ", " + host, "[::2]"])
            hs.append([self.case_mix("Host"), self.spaced(value)])
            if self.p(0.1):
                hs.append(["host", good])
        if self.p(0.03):
            hs.append([self.case_mix("Authorization"), "Bearer x"])
        self.r.shuffle(hs)
        return hs

    def body(self) -> bytes:
        kind = self.weighted([(35, "empty"), (22, "json"), (12, "binary"), (10, "utf8"), (8, "form"), (5, "medium"),
                              (1, "large"), (7, "small")])
        rb = lambda n: bytes(self.r.getrandbits(8) for _ in range(n))  # noqa: E731
        if kind == "empty":
            return b""
        if kind == "json":
            return json.dumps({"amount": "%d.%02d" % (self.r.randint(0, 9999), self.r.randint(0, 99)),
                               "note": self.text(ALPHA + " ", 0, 30)}, separators=self.pick([(",", ":"), (", ", ": ")])).encode()
        if kind == "binary":
            return rb(self.r.randint(1, 512))
        if kind == "utf8":
            return "".join(self.pick(UNICODE + list(ALPHA)) for _ in range(self.r.randint(1, 40))).encode("utf-8")
        if kind == "form":
            return ("user=%s&pass=%s+x%%20y" % (self.text(ALPHA, 1, 8), self.text(ALPHA, 1, 8))).encode()
        if kind == "medium":
            return rb(self.r.randint(1024, 16384))
        if kind == "large":
            return self.r.randbytes(self.r.randint(64 * 1024, 256 * 1024))
        return self.pick([b"\x00", b" ", b"\n", b"\xff", b"0", b"\r\n\r\n"])

    def extra_signed(self, hs: List[List[str]]) -> Optional[List[str]]:
        if not self.p(0.3):
            return None
        present = [n for n, _ in hs]
        names: List[str] = []
        for _ in range(self.r.randint(0, 3)):
            if present and self.p(0.85):
                names.append(self.case_mix(self.pick(present)))
        if self.p(0.12):
            names.append(self.pick(["x-absent", "Host", "content-type", "HOST", "authorization", "Authorization",
                                    "bad name", "", "x:y", "é"]))
        if self.p(0.05):
            names += ["x-h%d" % i for i in range(self.r.randint(30, 34))]
        if names and self.p(0.05):
            names.append(names[0])
        return names

    # ---- operations ----------------------------------------------------------------------------

    def method(self, bad: float) -> str:
        if self.p(bad):
            return self.pick(BAD_METHODS)
        return self.pick(METHODS) if self.p(0.85) else self.pick(EXTENSION_METHODS)

    def sign_op(self, id_: str) -> Dict[str, Any]:
        bad = self.weighted([(50, 0.0), (35, 0.04), (15, 0.15)])
        parts = self.url_parts(bad)
        hs = self.headers(parts, bad)
        op: Dict[str, Any] = {
            "op": "sign", "id": id_, "key_id": self.key_id(), "secret_hex": self.secret_hex(),
            "algorithm": self.algorithm(), "timestamp": self.timestamp(), "nonce": self.nonce(),
            "method": self.method(bad), "url": self.render(parts), "headers": hs,
            "body_b64": base64.b64encode(self.body()).decode(),
        }
        extra = self.extra_signed(hs)
        if extra is not None:
            op["signed_headers"] = extra
        defect = self.weighted([(90, None), (3, "key_id"), (3, "secret"), (4, "algorithm")])
        if defect == "key_id":
            op["key_id"] = self.key_id(bad=True)
        elif defect == "secret":
            op["secret_hex"] = self.secret_hex(bad=True)
        elif defect == "algorithm":
            op["algorithm"] = self.algorithm(bad=True)
        return op

    def verify_op(self, id_: str) -> Dict[str, Any]:
        bad = self.weighted([(75, 0.0), (20, 0.03), (5, 0.12)])
        parts = self.url_parts(bad)
        hs = self.headers(parts, bad)
        method = self.method(bad)
        body = self.body()
        kid, sec, alg = self.key_id(), self.secret_hex(), self.algorithm()
        ts = self.r.randint(1_600_000_000, 1_800_000_000) if self.p(0.95) else self.timestamp()
        nonce = self.nonce(adversarial=0.0)
        extra = self.extra_signed(hs) if self.p(0.5) else None
        mutation = self.weighted([(28, "none"), (14, "equivalent"), (12, "tamper"), (24, "syntax"), (5, "lines"),
                                  (6, "replay"), (7, "keys"), (2, "garbage"), (2, "resign-order"), (10, "meaning")])
        meaning = self.pick(MEANING_KINDS) if mutation == "meaning" else None
        if meaning is not None:
            extra = self.bait(parts, hs, meaning, extra)
        window = self.weighted([(80, 300), (8, self.r.randint(0, 1000)), (4, 0), (4, 1), (4, 10**9)])
        delta = self.weighted([(60, 0), (20, self.r.randint(-window, window)), (4, window), (4, -window),
                               (4, window + 1), (4, -window - 1), (4, self.r.choice([-1, 1]) * self.r.randint(10**6, 10**9))])
        # Every integer stays a JavaScript safe integer, now + window included (replay seeding).
        now = min(max(0, ts - delta), 2**53 - 1 - window)
        keys = [{"key_id": kid, "secret_hex": sec}]
        for _ in range(self.weighted([(60, 0), (30, 1), (10, 3)])):
            keys.append({"key_id": self.key_id(), "secret_hex": self.secret_hex()})
        self.r.shuffle(keys)
        op: Dict[str, Any] = {"op": "verify", "id": id_, "keys": keys, "now": now, "window": window,
                              "seen_nonces": [], "method": method, "url": self.render(parts), "headers": hs,
                              "body_b64": ""}

        # Sign with the spec implementation (a syntactically valid header with a random signature
        # when the request cannot be signed).
        try:
            _, sig, auth = spec.sign(kid, bytes.fromhex(sec), alg, ts, nonce, method, op["url"],
                                     [tuple(h) for h in hs], body, extra)
            names = auth.split('signedHeaders="', 1)[1].split('"', 1)[0].split(";")
        except spec.SpecError:
            names = ["host"] + (["content-type"] if body and any(n.lower() == "content-type" for n, _ in hs) else [])
            sig = "".join(self.pick(HEXL) for _ in range(64 if alg == "hmac-sha256" else 128))
        params = [["apiKey", kid], ["algorithm", alg], ["timestamp", str(ts)], ["nonce", nonce],
                  ["signedHeaders", ";".join(names)], ["signature", sig]]
        ctx = {"kid": kid, "sec": sec, "alg": alg, "ts": ts, "nonce": nonce, "body": body, "names": names}

        auth_value = None
        if meaning is not None:
            self.rewrite(op, parts, hs, meaning)
        elif mutation == "equivalent":
            body = self.equivalent(op, parts, hs, body)
        elif mutation == "tamper":
            body = self.tamper(op, parts, hs, body, params)
        elif mutation == "syntax":
            auth_value = self.syntax(params, ctx)
        elif mutation == "resign-order":
            auth_value = self.resign_reordered(op, params, ctx)
        elif mutation == "replay":
            other = self.key_id()
            op["seen_nonces"] = self.pick([[{"key_id": kid, "nonce": nonce}],
                                           [{"key_id": other, "nonce": nonce}, {"key_id": kid, "nonce": nonce}],
                                           [{"key_id": other, "nonce": nonce}],
                                           [{"key_id": kid, "nonce": self.nonce(0.0)}],
                                           [{"key_id": kid.upper(), "nonce": nonce}]])
        elif mutation == "keys":
            self.key_change(op, kid, sec)
        elif mutation == "garbage":
            auth_value = self.pick(["", " ", "HMAC", "HMAC ", "Bearer abc", "Basic dXNlcjpwYXNz", "HMAC a=\"b\"",
                                    self.text(TCHAR + " ,=\"", 1, 200), "HMAC" + " " * 5000 + "x"])
        if auth_value is None:
            auth_value = render_auth(params)
        # the Authorization field line(s)
        lines = [[self.pick(["Authorization"] * 6 + ["authorization", "AUTHORIZATION"]), auth_value]]
        if mutation == "lines":
            kind = self.r.randrange(4)
            if kind == 0:
                lines = []
            elif kind == 1:
                lines = lines + lines
            elif kind == 2:
                lines = lines + [["authorization", "HMAC x"]]
            else:
                lines = [["Authorization", ""]] + lines
        hs = [h for h in hs if h[0].lower() != "authorization" or self.p(0.2)]
        at = self.r.randint(0, len(hs))
        op["headers"] = hs[:at] + lines + hs[at:]
        op["body_b64"] = base64.b64encode(body).decode()
        defect = self.weighted([(95, None), (2, "window"), (1.5, "key_id"), (1.5, "secret")])
        if defect == "window":
            op["window"] = -self.r.randint(1, 1000)
        elif defect == "key_id":
            op["keys"].append({"key_id": self.key_id(bad=True), "secret_hex": self.secret_hex()})
        elif defect == "secret":
            op["keys"].append({"key_id": self.key_id(), "secret_hex": self.secret_hex(bad=True)})
        return op

    # ---- verify mutations ----------------------------------------------------------------------

    def equivalent(self, op, parts, hs, body):
        """Changes the canonical form ignores: the request must still verify."""
        kind = self.r.randrange(9)
        if kind == 0 and parts["query"] is not None:
            parts["query"] = self.pick(["&", "&&", ""]) + parts["query"] + self.pick(["&", ""])
        elif kind == 1 and parts["query"]:
            parts["query"] = "&&".join(parts["query"].split("&"))  # empty pieces, order kept
        elif kind == 2:
            parts["host"] = self.case_mix(parts["host"])
            parts["scheme"] = self.case_mix(parts["scheme"])
        elif kind == 3:
            parts["fragment"] = self.piece(True, 0.0, 6)
        elif kind == 4 and parts["port"] is None:
            parts["port"] = "443" if parts["scheme"].lower() == "https" else "80"
        elif kind == 5:
            parts["path"] = flip_percent_case(parts["path"])
            if parts["query"]:
                parts["query"] = flip_percent_case(parts["query"])
        elif kind == 6:
            parts["path"] = encode_letters(parts["path"], lambda: self.p(0.3))
        elif kind == 7:
            for h in hs:
                if self.p(0.5):
                    h[0] = self.case_mix(h[0])
                    h[1] = self.spaced(h[1])
        else:
            hs.append([self.header_name(0.0), self.header_value(0.0)])  # an unsigned header
        op["url"] = self.render(parts)
        return body

    def bait(self, parts, hs, kind, extra):
        """Before signing: put in the request what `rewrite` will change (SPEC §4.2's refusals)."""
        piece = {"plus-encoded": "email=alice%2Bbank@x.com", "plus-space": "note=a%20b", "encoded-plus": "tz=+01:00",
                 "pair-order": "a[0]=x&a[]=y", "repeated-order": "role=user&role=admin", "bare": "debug="}.get(kind)
        if piece is not None:
            parts["query"] = (parts["query"] + "&" if parts["query"] else "") + piece
        elif kind == "kept-delim":
            parts["path"] = (parts["path"] or "/") + self.pick(["x%3By", "x%2Cy", "x%3Acancel", "x%3Dy", "c%2B%2B"])
        elif kind == "backslash":
            parts["path"] = (parts["path"] or "/") + "a%5Cb"
        elif kind == "header-lines":
            hs.append([self.case_mix("X-Role"), "user"])
            extra = (extra or []) + ["x-role"]
        return extra

    def rewrite(self, op, parts, hs, kind):
        """After signing: the rewrite some server reads differently (must not verify)."""
        edits = {"plus-encoded": ("alice%2Bbank", "alice+bank"), "plus-space": ("note=a%20b", "note=a+b"),
                 "encoded-plus": ("tz=+01:00", self.pick(["tz=%2B01:00", "tz=%2b01:00", "tz=%2001:00"])),
                 "pair-order": ("a[0]=x&a[]=y", "a[]=y&a[0]=x"), "repeated-order": ("role=user&role=admin", "role=admin&role=user"),
                 "bare": ("debug=", "debug")}
        if kind in edits and parts["query"]:
            old, new = edits[kind]
            parts["query"] = replace_last(parts["query"], old, new)
        elif kind == "kept-delim":
            for old, new in (("x%3By", "x;y"), ("x%2Cy", "x,y"), ("x%3Acancel", "x:cancel"), ("x%3Dy", "x=y"), ("c%2B%2B", "c++")):
                if parts["path"].endswith(old):
                    parts["path"] = parts["path"][: -len(old)] + new
        elif kind == "backslash" and parts["path"].endswith("a%5Cb"):
            parts["path"] = parts["path"][:-5] + "a\\b"
        elif kind == "scheme":
            parts["scheme"] = "http" if parts["scheme"].lower() == "https" else "https"
        elif kind == "method-case":
            m = op["method"]
            op["method"] = m.lower() if m != m.lower() else m.upper()
        elif kind == "header-lines":
            hs.append([self.case_mix("x-role"), self.pick(["admin", "user"])])
        op["url"] = self.render(parts)

    def tamper(self, op, parts, hs, body, params):
        """A change the signature covers (usually: signature_mismatch)."""
        kind = self.r.randrange(8)
        if kind == 0 and body:
            i = self.r.randrange(len(body))
            body = body[:i] + bytes([body[i] ^ (1 << self.r.randrange(8))]) + body[i + 1:]
        elif kind == 1:
            body = body + self.pick([b"x", b"\x00", b" "])
        elif kind == 2:
            op["method"] = self.pick(["PUT", "GET", "DELETE"]) if op["method"] != "PUT" else "POST"
        elif kind == 3:
            parts["path"] = parts["path"] + self.pick(["/", "x", "%2F", "/."])
        elif kind == 4:
            parts["query"] = (parts["query"] + "&" if parts["query"] else "") + self.pick(["a=1", "a", "x=%2B", "+"])
        elif kind == 5 and len(hs) > 0:
            h = self.pick(hs)
            h[1] = h[1] + "x"
        elif kind == 6:
            sig = params[5][1]
            if sig:
                i = self.r.randrange(len(sig))
                params[5][1] = sig[:i] + self.pick([c for c in HEXL if c != sig[i]]) + sig[i + 1:]
        else:
            params[2][1] = str(int(params[2][1]) + self.pick([1, -1]))
        op["url"] = self.render(parts)
        return body

    def key_change(self, op, kid, sec):
        kind = self.r.randrange(7)
        now = op["now"]
        if kind == 0:  # the key id is unknown
            op["keys"] = [k for k in op["keys"] if k["key_id"] != kid] or [{"key_id": kid + "x", "secret_hex": sec}]
        elif kind == 1:  # retired
            for k in op["keys"]:
                if k["key_id"] == kid:
                    k["not_after"] = max(0, now - self.r.randint(1, 1000))
        elif kind == 2:  # retired exactly now: still active
            for k in op["keys"]:
                if k["key_id"] == kid:
                    k["not_after"] = now
        elif kind == 3:  # rotated: a new secret beside the old one (old active or retired)
            op["keys"].append({"key_id": kid, "secret_hex": self.secret_hex(),
                               "not_after": self.pick([None, now + 100, max(0, now - 1)])})
            if op["keys"][-1]["not_after"] is None:
                del op["keys"][-1]["not_after"]
        elif kind == 4:  # a wrong secret only
            for k in op["keys"]:
                if k["key_id"] == kid:
                    k["secret_hex"] = self.secret_hex()
        elif kind == 5:  # the same id in another case
            for k in op["keys"]:
                if k["key_id"] == kid:
                    k["key_id"] = kid.swapcase() if kid.swapcase() != kid else kid + "-"
        else:  # several secrets, the right one retired in the future
            for k in op["keys"]:
                if k["key_id"] == kid:
                    k["not_after"] = now + self.r.randint(0, 10)
            op["keys"].append({"key_id": kid, "secret_hex": self.secret_hex()})

    def syntax(self, params: List[List[str]], ctx: Dict[str, Any]) -> str:
        """A malformed (or oddly spelled but valid) Authorization header."""
        params = [list(p) for p in params]
        scheme, after, seps, trailing = "HMAC", " ", None, ""
        n_mut = self.weighted([(70, 1), (20, 2), (10, 3)])
        for _ in range(n_mut):
            kind = self.weighted([(6, "scheme"), (6, "after"), (8, "seps"), (4, "trailing"), (5, "order"),
                                  (5, "drop"), (5, "dup"), (4, "unknown"), (4, "rename"), (10, "quote"),
                                  (30, "value"), (5, "wrap"), (3, "long"), (3, "exact")])
            if kind == "scheme":
                scheme = self.pick(["hmac", "Hmac", "HMAC-SHA256", "Bearer", "", "HMA", "HMACX", "HMAC,"])
            elif kind == "after":
                after = self.pick(["  ", "\t", "", " \t", "   "])
            elif kind == "seps":
                seps = [self.pick([", ", ",", " , ", ",\t", "\t,\t", " ,", ";", "  ,  ", ", ,", " "]) for _ in params]
            elif kind == "trailing":
                trailing = self.pick([",", ", ", " ", "\t", ",x", ", "])
            elif kind == "order":
                self.r.shuffle(params)
            elif kind == "drop" and params:
                del params[self.r.randrange(len(params))]
            elif kind == "dup" and params:
                p = self.pick(params)
                params.insert(self.r.randrange(len(params) + 1), [p[0], self.pick([p[1], p[1] + "0"])])
            elif kind == "unknown":
                params.insert(self.r.randrange(len(params) + 1), [self.pick(["x", "realm", "keyId", "headers", ""]), "1"])
            elif kind == "rename" and params:
                p = self.pick(params)
                p[0] = self.pick([p[0].lower(), p[0].upper(), p[0] + " ", " " + p[0], p[0][:-1]])
            elif kind == "quote" and params:
                p = self.pick(params)
                p[1] = self.pick(['\x00Q', '"', "\\", "a\\\"b", "'", "UNQUOTED", " ", "\t"]) if self.p(0.3) else p[1]
                q = self.r.randrange(7)
                if q == 0:
                    p[0] = p[0] + " "
                elif q == 1:
                    p[0] = p[0] + '= "'  # renders name= "="value"
                elif q == 2:
                    p[1] = p[1] + '"'
                elif q == 3:
                    p[1] = '\\' + p[1]
                elif q == 4:
                    p.append("unquoted")
                elif q == 5:
                    p.append("single")
                else:
                    p[1] = " " + p[1] + " "
            elif kind == "value" and params:
                p = self.pick(params)
                p[1] = self.bad_value(p[0], p[1], ctx)
            elif kind == "wrap":
                scheme = self.pick([" ", "\t", "  \t"]) + scheme
                trailing = trailing + self.pick([" ", "\t", " \t "])
            elif kind == "long":
                seps = [", " + " " * self.r.randint(600, 1200) for _ in params]
            elif kind == "exact" and len(params) > 1:
                # total length right at the 4096-byte limit (after trimming)
                base = len(render_auth(params, scheme, after, None, ""))
                seps = [", "] * len(params)
                seps[1] = ", " + " " * max(0, self.pick([4095, 4096, 4097]) - base)
        return render_auth(params, scheme, after, seps, trailing)

    def bad_value(self, name: str, value: str, ctx: Dict[str, Any]) -> str:
        if name == "apiKey":
            return self.pick([self.key_id(bad=True), self.key_id(), value.upper(), value + " ", ""])
        if name == "algorithm":
            return self.pick(["HMAC-SHA256", "hmac-sha1", "hmac-md5", "hmac-sha512" if value == "hmac-sha256" else "hmac-sha256",
                              "x y", "", "hmac-sha384", "hmac-sha256\t", "hmac\u00e9"])
        if name == "timestamp":
            return self.pick(["0" + value, value + "0", "1e9", "-1", "", " " + value, "+" + value, "1" * 13, "0",
                              "999999999999", value[:-1], "0x10", "1.5", "١٢٣"])
        if name == "nonce":
            return self.pick([value[:15], value + "A" * 120, value + "=", value + "+", value[:-1] + "/", "", value + "é",
                              "A" * 16, "A" * 128, "A" * 129])
        if name == "signedHeaders":
            names = value.split(";")
            return self.pick(["", "HOST", ";".join(n for n in names if n != "host") or "x", value + ";authorization",
                              value + ";host", ";" + value, value + ";", value.replace(";", ";;"),
                              ";".join(["host"] + ["x-h%d" % i for i in range(32)]), value.upper(),
                              ";".join(reversed(names)), value + ";x-absent", "host;content-type",
                              value.replace("content-type", "").strip(";") or "host", value + ";bad name",
                              value + ";x\u00e9"])
        if name == "signature":
            return self.pick([value.upper(), value[:-1], value + "0", value[:64], value + value[:64], "",
                              value[:-1] + "g", "0" * len(value), value.replace("a", "A", 1), " " + value])
        return value + "x"

    def resign_reordered(self, op, params, ctx) -> Optional[str]:
        """Re-sign with the signed headers in another order (host not first): still valid."""
        names = list(ctx["names"])
        if len(names) < 2:
            return None
        self.r.shuffle(names)
        try:
            cs = spec._build(ctx["kid"], ctx["alg"], str(ctx["ts"]), ctx["nonce"], op["method"], op["url"],
                             [tuple(h) for h in op["headers"]], ctx["body"], names)
        except spec.SpecError:
            return None
        sig = _hmac.new(bytes.fromhex(ctx["sec"]), cs.encode("ascii"), spec.ALGORITHMS[ctx["alg"]][0]).hexdigest()
        params[4][1] = ";".join(names)
        params[5][1] = sig
        return None


MEANING_KINDS = ["plus-encoded", "plus-space", "encoded-plus", "pair-order", "repeated-order", "bare", "kept-delim",
                 "backslash", "scheme", "method-case", "header-lines"]


def replace_last(text: str, old: str, new: str) -> str:
    i = text.rfind(old)
    return text if i < 0 else text[:i] + new + text[i + len(old):]


def flip_percent_case(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "%" and i + 2 < len(text) and all(c in "0123456789abcdefABCDEF" for c in text[i + 1:i + 3]):
            out.append("%" + text[i + 1:i + 3].swapcase())
            i += 3
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def encode_letters(text: str, choose) -> str:
    """Percent-encode some letters outside existing escapes (canonically a no-op)."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "%":
            out.append(text[i:i + 3])
            i += 3
            continue
        out.append("%%%02X" % ord(text[i]) if text[i] in ALPHA and choose() else text[i])
        i += 1
    return "".join(out)


def render_auth(params, scheme="HMAC", after=" ", seps=None, trailing="") -> str:
    rendered = []
    for p in params:
        if len(p) == 3 and p[2] == "unquoted":
            rendered.append("%s=%s" % (p[0], p[1]))
        elif len(p) == 3 and p[2] == "single":
            rendered.append("%s='%s'" % (p[0], p[1]))
        else:
            rendered.append('%s="%s"' % (p[0], p[1]))
    out = ""
    for i, r in enumerate(rendered):
        if i:
            out += seps[i % len(seps)] if seps else ", "
        out += r
    return scheme + after + out + trailing


def generate(seed: int, count: int) -> List[Dict[str, Any]]:
    g = Gen(seed)
    ops = []
    for n in range(count):
        id_ = "fuzz-%d-%05d" % (seed, n)
        ops.append(g.sign_op(id_) if g.p(0.45) else g.verify_op(id_))
    return ops


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, help="random seed (default: a random one, printed)")
    ap.add_argument("--count", type=int, default=10000, help="operations to generate (default %(default)s)")
    ap.add_argument("--out", default="-", help="output file (default: stdout)")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print("fuzz: seed %d, %d operations (reproduce: %s --seed %d --count %d)" % (
        seed, args.count, os.path.relpath(__file__), seed, args.count), file=sys.stderr)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="ascii")
    with out:
        for op in generate(seed, args.count):
            out.write(json.dumps(op, ensure_ascii=True, separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
