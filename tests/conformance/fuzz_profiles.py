#!/usr/bin/env python3
"""Differential fuzzing of the signing profiles: random profile operations, seeded.

    python3 tests/conformance/fuzz_profiles.py [--seed N] [--count 3000] [--out FILE.jsonl]
                                               [--signer COMMAND]

Prints the seed (chosen at random when not given) on stderr; the same seed, count and signer
always give the same file. Feed it to every runtime with `tests/conformance/run FILE.jsonl`: the
runtimes must agree byte for byte on every operation (the fuzzer predicts no answer).

What is generated (README "Profile operations"):
* profile_sign under every request profile (aws-sigv4 in headers and presigned, generic and S3
  rules, session tokens, UNSIGNED-PAYLOAD; rfc9421 with random component lists, labels and
  nonces; binance, coinbase, kraken, okx, bybit): methods (standard, lowercase, odd), paths with
  reserved, unicode, percent-encoded (needless, lowercase, invalid) characters, dot segments and
  `//`; query parameters with `~ = + %`, repeated and empty names and values; header spacing, case
  and repetition; empty, JSON, form, unicode and binary bodies; bad credentials and settings.
* profile_verify (aws-sigv4, rfc9421): requests signed by the signer runtime (default: the Rust
  adapter), then kept intact or changed: a tampered method, path, query, header, body or
  signature, a clock far off, an unknown key, a wrong secret, a dropped signature header.
* profile_sign_response / profile_verify_response (rfc9421): statuses (and a few outside
  100-999), header components, `Content-Digest`, labels, nonces, unsupported `;req` components;
  responses signed by the signer runtime, kept intact or changed (status, body, header, clock,
  key, secret, dropped or mangled signature headers).
* webhook_sign (stripe, github, slack, standard, sigwire): one to three secrets (`whsec_` for
  Standard Webhooks, sometimes malformed), bodies, timestamps, message ids (sometimes missing).
* webhook_verify: deliveries signed by the signer runtime, kept or changed (body byte, stale or
  future timestamp, rotated secrets, header name case, missing or repeated header, extra or
  unknown signature entries, tolerance 0).

Standard library only (Python 3.9+).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import subprocess
import sys
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from protocol import dump_line  # noqa: E402
from runtimes import discover  # noqa: E402

ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
DIGITS = "0123456789"
UNRESERVED = ALPHA + DIGITS + "-._~"
RESERVED = ":@!$&'()*+,;=/"
UNICODE = ["é", "ü", "中文", "😀", "\u00a0", "Ω", "ß", "\u0301"]
PCT = ["%41", "%7e", "%7E", "%2F", "%2f", "%20", "%25", "%2B", "%3D", "%26", "%C3%A9", "%c3%a9", "%00", "%ff"]
PCT_BAD = ["%", "%G1", "%2", "%zz"]
REGIONS = ["us-east-1", "eu-west-3", "ap-southeast-2", "us-gov-west-1", "cn-north-1"]
SERVICES = ["service", "s3", "execute-api", "dynamodb", "sts", "iam", "lambda"]
RFC_COMPONENTS = ["@method", "@authority", "@path", "@query", "@target-uri", "@scheme", "@request-target",
                  "content-digest", "content-type", "x-custom", "date"]
#: `@query-param` identifiers, parsed by the core's `Component::parse` in every runtime: the
#: unquoted and the `Signature-Input` (quoted) spelling and an escaped quote.
QUERY_PARAM_COMPONENTS = ['@query-param;name="a"', '@query-param;name="b%20c"', '@query-param;name="x"',
                          '"@query-param";name="a"', '@query-param;name="q\\"x"']
#: Malformed identifiers (every runtime must refuse them alike), added to 5% of component lists.
BAD_COMPONENTS = ['@query-param;name=a', '@query-param', '@query-param;name="x";sf', '@method;sf', '@nope',
                  'Content-Type', '"@path']
#: Component strings on which the runtimes are known to disagree (README "Known disagreements"):
#: generated only with --known-disagreements. None at present.
KNOWN_DISAGREEMENT_COMPONENTS: List[str] = []
#: Components of a signed response: `@status` and header fields; a response signer drops derived
#: request components (`@method`, `@path`) from its list.
RESPONSE_COMPONENTS = ["@status", "content-digest", "content-type", "x-custom", "date", "cache-control", "@method", "@path"]
#: `;req` (a component of the request a response answers, RFC 9421 §2.4) is not supported: every
#: runtime must refuse it alike.
REQ_COMPONENTS = ['"@method";req', 'content-type;req', '"@authority";req', '@query-param;name="a";req']
STATUSES = [200, 200, 200, 201, 204, 301, 304, 400, 401, 404, 429, 500, 503, 100, 999]
BAD_STATUSES = [0, 42, 99, 1000, 65535]
EXCHANGES = ["binance", "coinbase", "kraken", "okx", "bybit"]
PROVIDERS = ["stripe", "github", "slack", "standard", "sigwire"]
REQUEST_PROFILES = ["aws-sigv4", "aws-sigv4", "rfc9421"] + EXCHANGES


class Gen:
    """One random source and the building blocks of profile operations."""

    def __init__(self, seed: int, known_disagreements: bool = False):
        self.r = random.Random(seed)
        self.components = RFC_COMPONENTS + QUERY_PARAM_COMPONENTS + (KNOWN_DISAGREEMENT_COMPONENTS if known_disagreements else [])

    def p(self, prob: float) -> bool:
        return self.r.random() < prob

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def text(self, chars: str, lo: int, hi: int) -> str:
        return "".join(self.pick(chars) for _ in range(self.r.randint(lo, hi)))

    def rbytes(self, n: int) -> bytes:
        return bytes(self.r.getrandbits(8) for _ in range(n))

    # ---- requests ------------------------------------------------------------------------

    def method(self) -> str:
        if self.p(0.05):
            return self.pick(["get", "Post", "PROPFIND", "M-SEARCH", "", "GET ", "GÉT"])
        return self.pick(["GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD"])

    def chunk(self, in_query: bool, bad: float = 0.03) -> str:
        out = []
        for _ in range(self.r.randint(0, 8)):
            k = self.r.random()
            if k < 0.55:
                out.append(self.pick(UNRESERVED))
            elif k < 0.70:
                c = self.pick(RESERVED)
                out.append(self.pick("~+:@!$'()*,;/") if in_query and c in "&=" else c)
            elif k < 0.82:
                out.append(self.pick(PCT))
            elif k < 0.92:
                out.append(self.pick(UNICODE))
            elif k < 0.97:
                out.append(self.pick(" \"<>^`{|}") if self.p(0.3) else self.pick("~=+%"[:3]))
            elif self.p(bad * 30):
                out.append(self.pick(PCT_BAD))
        return "".join(out)

    def url(self) -> str:
        scheme = self.pick(["https"] * 8 + ["http", "HTTPS"])
        host = self.pick(["example.amazonaws.com", "bucket.s3.amazonaws.com", "api.binance.com", "API.Example.COM",
                          "h", "127.0.0.1", "[::1]", "api-public.sandbox.exchange.coinbase.com"])
        port = self.pick([""] * 8 + [":443", ":8080", ":80"])
        shape = self.r.random()
        if shape < 0.08:
            path = ""
        elif shape < 0.15:
            path = "/"
        elif shape < 0.25:
            path = self.pick(["/a/./b/../c", "//a//b/", "/./", "/..", "/a%2Fb", "/~user", "/%7Euser", "/a b",
                              "/a+b", "/@:!$&'()*,;=", "/0/0/0/", "/" + "x" * 300])
        else:
            path = "/" + "/".join(self.chunk(False) for _ in range(self.r.randint(1, 5))) + ("/" if self.p(0.2) else "")
        query = ""
        if self.p(0.6):
            names = [self.chunk(True) or "a" for _ in range(self.r.randint(1, 3))] + ["a", "b c", "x"]
            pieces = []
            for _ in range(self.r.randint(0, 6)):
                form = self.r.random()
                name = self.pick(names)
                value = self.chunk(True)
                if form < 0.6:
                    pieces.append(name + "=" + value)
                elif form < 0.7:
                    pieces.append(name)
                elif form < 0.78:
                    pieces.append(name + "=")
                elif form < 0.84:
                    pieces.append("=" + value)
                elif form < 0.92:
                    pieces.append(name + "=" + value + "=" + value)
                else:
                    pieces.append(name + "=a+b~c%2Bd%7e")
            query = "?" + "&".join(pieces)
        frag = "#" + self.chunk(True) if self.p(0.04) else ""
        return scheme + "://" + host + port + path + query + frag

    def headers(self, body: bytes) -> List[List[str]]:
        hs: List[List[str]] = []
        for _ in range(self.r.randint(0, 4)):
            name = self.pick(["X-Custom", "x-custom", "X-Amz-Meta-Note", "Content-Type", "Date", "Accept",
                              "x-request-id", "X-Multi", "X-Empty", "Host", "Range"])
            value = self.pick(["a", "  spaced   out  ", "", "application/json", "text/plain; charset=utf-8",
                               "Mon, 30 Nov 2026 10:00:00 GMT", "bytes=0-9", "a,b", "\tTab\t", "é", "x" * 100,
                               self.text(UNRESERVED + " ", 0, 20)])
            hs.append([name, value])
        if body and self.p(0.3):
            hs.append(["Content-Type", self.pick(["application/json", "application/x-www-form-urlencoded"])])
        return hs

    def body(self, method: str) -> bytes:
        if method in ("GET", "HEAD", "DELETE") and self.p(0.8):
            return b""
        kind = self.r.random()
        if kind < 0.2:
            return b""
        if kind < 0.5:
            return json.dumps({"symbol": "BTC-USD", "size": "0.01", "note": self.chunk(True)}, ensure_ascii=self.p(0.5)).encode()
        if kind < 0.75:
            return "&".join("%s=%s" % (self.chunk(True) or "k", self.chunk(True)) for _ in range(self.r.randint(1, 4))).encode()
        if kind < 0.9:
            return self.text(UNRESERVED + " é中", 1, 60).encode()
        return self.rbytes(self.r.randint(1, 64))

    def request(self, method: Optional[str] = None) -> Dict[str, Any]:
        m = method or self.method()
        body = self.body(m)
        return {"method": m, "url": self.url(), "headers": self.headers(body),
                "body_b64": base64.b64encode(body).decode()}

    # ---- credentials ---------------------------------------------------------------------

    def aws_creds(self) -> Dict[str, Any]:
        c: Dict[str, Any] = {"access_key_id": self.pick(["AKIDEXAMPLE", "ASIA" + self.text(ALPHA.upper() + DIGITS, 16, 16),
                                                         "AKIA" + self.text(ALPHA.upper() + DIGITS, 16, 16)]),
                             "secret_access_key": self.text(ALPHA + DIGITS + "+/", 40, 40)}
        if self.p(0.03):
            c[self.pick(["access_key_id", "secret_access_key"])] = self.pick(["", "a b", "é"])
        if self.p(0.25):
            c["session_token"] = self.text(ALPHA + DIGITS + "+/=", 20, 120)
        return c

    def aws_settings(self) -> Dict[str, Any]:
        service = self.pick(SERVICES)
        s: Dict[str, Any] = {"region": self.pick(REGIONS), "service": service,
                             "s3": service == "s3" if self.p(0.85) else self.p(0.5)}
        if self.p(0.02):
            s[self.pick(["region", "service"])] = self.pick(["", "us/east", "a b"])
        if self.p(0.2):
            s["unsigned_payload"] = True
        return s

    def b64_secret(self) -> str:
        if self.p(0.03):
            return self.pick(["not base64!", "", "YWJj=", "===="])
        return base64.b64encode(self.rbytes(self.pick([32, 64]))).decode()

    def secret_hex(self) -> str:
        return self.rbytes(self.pick([32, 32, 16, 64, 0 if self.p(0.1) else 1])).hex()

    # ---- operations ----------------------------------------------------------------------

    def profile_sign(self, id_: str, profile: Optional[str] = None, for_verify: bool = False) -> Dict[str, Any]:
        profile = profile or self.pick(REQUEST_PROFILES)
        op: Dict[str, Any] = {"op": "profile_sign", "id": id_, "profile": profile}
        if profile == "aws-sigv4":
            op["credentials"] = self.aws_creds()
            op["settings"] = self.aws_settings()
            if self.p(0.3):
                op["settings"]["presign_expires"] = (self.pick([1, 60, 3600, 86400, 604800]) if self.p(0.94)
                                                     else self.pick([0, 604801]))
                op["settings"].pop("unsigned_payload", None)
            op["time"] = self.r.randint(1_300_000_000, 2_000_000_000)
            op.update(self.request())
        elif profile == "rfc9421":
            op["credentials"] = self.rfc9421_creds()
            settings: Dict[str, Any] = {}
            if self.p(0.3):
                settings["label"] = self.pick(["sig1", "sig-b25", "a", "Bad Label", ""])
            if self.p(0.6):
                settings["components"] = self.r.sample(self.components, self.r.randint(1, 6))
                if self.p(0.05):
                    settings["components"].insert(self.r.randint(0, len(settings["components"])), self.pick(BAD_COMPONENTS))
                if for_verify and self.p(0.7):  # what a verifier requires by default, in random order
                    settings["components"] = list(dict.fromkeys(
                        self.r.sample(["@method", "@authority", "@path"] + settings["components"], 3 + len(settings["components"]))))
            op["settings"] = settings
            op["time"] = self.r.randint(1_600_000_000, 1_900_000_000)
            op["nonce"] = self.pick([None, None, self.text(UNRESERVED, 8, 24), "a\"b"])
            op.update(self.request())
            if "settings" in op and any(c in ("x-custom", "date", "content-type") for c in settings.get("components", [])) and self.p(0.7):
                op["headers"].append(["X-Custom", "v"])
                op["headers"].append(["Date", "Tue, 20 Apr 2021 02:07:55 GMT"])
                op["headers"].append(["Content-Type", "application/json"])
        else:
            plain = profile in ("binance", "okx", "bybit")
            op["credentials"] = {"api_key": self.text(ALPHA + DIGITS, 8, 64) if self.p(0.97) else "",
                                 "secret": (self.text(ALPHA + DIGITS, 16, 64) if self.p(0.97) else "") if plain else self.b64_secret()}
            if profile in ("coinbase", "okx") and self.p(0.95):
                op["credentials"]["passphrase"] = self.text(ALPHA + DIGITS + "!@#", 4, 20)
            op["settings"] = {}
            op["time"] = self.r.randint(1_500_000_000_000, 1_900_000_000_000)
            if profile == "kraken":
                req = self.request("POST" if self.p(0.9) else None)
                if self.p(0.85):
                    nonce = str(self.r.randint(1, 2**53 - 1)) if self.p(0.95) else self.pick(["", "12a", "-1"])
                    extra = "&".join("%s=%s" % (self.chunk(True) or "k", self.chunk(True)) for _ in range(self.r.randint(0, 3)))
                    body = ("nonce=" + nonce + ("&" + extra if extra else "")).encode()
                    req["body_b64"] = base64.b64encode(body).decode()
                op.update(req)
            else:
                op.update(self.request())
        return op

    def rfc9421_creds(self) -> Dict[str, Any]:
        return {"key_id": self.pick(["test-shared-secret", "k1", "key with space", "ключ", ""])
                if self.p(0.2) else "key-" + self.text(DIGITS, 1, 3), "secret_hex": self.secret_hex()}

    def response_sign(self, id_: str) -> Dict[str, Any]:
        op: Dict[str, Any] = {"op": "profile_sign_response", "id": id_, "profile": "rfc9421",
                              "credentials": self.rfc9421_creds()}
        settings: Dict[str, Any] = {}
        if self.p(0.3):
            settings["label"] = self.pick(["sig1", "sig-b24", "a", "Bad Label", ""])
        if self.p(0.6):
            settings["components"] = self.r.sample(RESPONSE_COMPONENTS, self.r.randint(1, 4))
            if self.p(0.05):
                settings["components"].insert(self.r.randint(0, len(settings["components"])),
                                              self.pick(BAD_COMPONENTS + REQ_COMPONENTS))
        op["settings"] = settings
        op["time"] = self.r.randint(1_600_000_000, 1_900_000_000)
        op["nonce"] = self.pick([None, None, self.text(UNRESERVED, 8, 24), "a\"b"])
        op["status"] = self.pick(STATUSES) if self.p(0.96) else self.pick(BAD_STATUSES)
        body = self.body(self.pick(["GET", "POST"]))
        op["headers"] = self.headers(body)
        if any(c in ("x-custom", "date", "content-type", "cache-control") for c in settings.get("components", [])) and self.p(0.8):
            op["headers"] += [["X-Custom", "v"], ["Date", "Tue, 20 Apr 2021 02:07:55 GMT"],
                              ["Content-Type", "application/json"], ["Cache-Control", "max-age=60,  private"]]
        op["body_b64"] = base64.b64encode(body).decode()
        return op

    def response_verify(self, id_: str, sign_op: Dict[str, Any], answer: Dict[str, Any]) -> Dict[str, Any]:
        creds = sign_op["credentials"]
        op: Dict[str, Any] = {"op": "profile_verify_response", "id": id_, "profile": "rfc9421",
                              "keys": [{"key_id": creds["key_id"], "secret": creds["secret_hex"]}],
                              "settings": {k: v for k, v in (("label", sign_op["settings"].get("label")),) if v is not None},
                              "now": sign_op["time"], "status": sign_op["status"],
                              "headers": [list(h) for h in answer["headers"]], "body_b64": sign_op["body_b64"]}
        if self.p(0.25):
            # A list with @status is what a response must cover (a list without it is a request's).
            extra = self.r.sample(["content-digest", "content-type", "x-custom"], self.r.randint(0, 2))
            op["settings"]["required_components"] = self.r.sample(["@status"] + extra, 1 + len(extra))
        if self.p(0.1):
            op["settings"][self.pick(["max_age", "max_ahead"])] = self.pick([0, 1, 60, 3600])
        if self.p(0.5):
            return op  # intact
        kind = self.r.randrange(9)
        if kind == 0:
            op["status"] = self.pick([s for s in STATUSES if s != op["status"]] + BAD_STATUSES[:2])
        elif kind == 1:
            body = base64.b64decode(op["body_b64"])
            body = body[:-1] + bytes([body[-1] ^ 1]) if body else b"x"
            op["body_b64"] = base64.b64encode(body).decode()
        elif kind == 2 and op["headers"]:
            h = self.pick(op["headers"])
            h[1] = h[1] + "x" if self.p(0.7) else h[1].upper()
        elif kind == 3:
            op["now"] = max(0, op["now"] + self.pick([1, -1, 59, 61, 299, 301, -61, 3600, -3600]))
        elif kind == 4:
            op["keys"][0]["key_id"] += "x"
        elif kind == 5:
            op["keys"][0]["secret"] = self.secret_hex() or "00"
        elif kind == 6:
            names = {"signature", "signature-input", "content-digest"}
            op["headers"] = [h for h in op["headers"] if not (h[0].lower() in names and self.p(0.7))]
        elif kind == 7:
            for h in op["headers"]:
                if h[0].lower() in ("signature", "signature-input", "content-digest") and self.p(0.7):
                    h[1] = self.mangle(h[1])
        else:
            op["settings"]["label"] = self.pick(["sig2", "sig1", "other"])
        return op

    def webhook_secrets(self, provider: str) -> List[str]:
        n = 1 if provider in ("github", "slack") and self.p(0.9) else self.r.randint(1, 3)
        out = []
        for _ in range(n):
            if provider == "standard":
                out.append("whsec_" + base64.b64encode(self.rbytes(self.pick([24, 32]))).decode()
                           if self.p(0.95) else self.pick(["whsec_", "whsec_!!", "nope", ""]))
            else:
                out.append(("whsec_" if provider == "stripe" else "") + self.text(ALPHA + DIGITS, 8, 40)
                           if self.p(0.97) else "")
        return out

    def webhook_body(self) -> bytes:
        k = self.r.random()
        if k < 0.6:
            return json.dumps({"id": "evt_" + self.text(ALPHA + DIGITS, 8, 8), "type": "charge.succeeded",
                               "data": {"note": self.chunk(True)}}, ensure_ascii=self.p(0.5),
                              indent=self.pick([None, 2])).encode()
        if k < 0.8:
            return ("token=x&team_id=T1&text=" + self.chunk(True)).encode()
        if k < 0.9:
            return b""
        return self.rbytes(self.r.randint(1, 80))

    def webhook_sign(self, id_: str, provider: Optional[str] = None) -> Dict[str, Any]:
        provider = provider or self.pick(PROVIDERS)
        op = {"op": "webhook_sign", "id": id_, "provider": provider if self.p(0.99) else "paypal",
              "secrets": self.webhook_secrets(provider), "body_b64": base64.b64encode(self.webhook_body()).decode(),
              "timestamp": self.r.randint(1_600_000_000, 1_900_000_000)}
        if provider in ("standard", "sigwire") and self.p(0.95) or self.p(0.3):
            op["msg_id"] = "msg_" + self.text(ALPHA + DIGITS, 4, 24)
        return op

    # ---- verification from signed material ---------------------------------------------

    def request_verify(self, id_: str, sign_op: Dict[str, Any], answer: Dict[str, Any]) -> Dict[str, Any]:
        profile = sign_op["profile"]
        creds = sign_op["credentials"]
        op: Dict[str, Any] = {"op": "profile_verify", "id": id_, "profile": profile, "method": sign_op["method"],
                              "url": answer["url"], "headers": [list(h) for h in answer["headers"]],
                              "body_b64": sign_op["body_b64"], "now": sign_op["time"]}
        if profile == "aws-sigv4":
            s = sign_op["settings"]
            op["keys"] = [{"key_id": creds["access_key_id"], "secret": creds["secret_access_key"]}]
            op["settings"] = {"region": s["region"], "service": s["service"], "s3": s["s3"]}
            if "presign_expires" in s:
                op["body_b64"] = ""
        else:
            op["keys"] = [{"key_id": creds["key_id"], "secret": creds["secret_hex"]}]
            op["settings"] = {k: v for k, v in (("label", sign_op["settings"].get("label")),) if v is not None}
            if self.p(0.2):
                # 0 components: an empty list requires nothing (absent means the defaults).
                op["settings"]["required_components"] = self.r.sample(["@method", "@authority", "@path", "@query", '@query-param;name="a"'], self.r.randint(0, 3))
        if self.p(0.5):
            return op  # intact
        self.request_change(op, profile)
        return op

    def request_change(self, op: Dict[str, Any], profile: str) -> None:
        kind = self.r.randrange(10)
        if kind == 0:
            op["method"] = "PUT" if op["method"] != "PUT" else "POST"
        elif kind == 1:
            base, q, rest = op["url"].partition("?")
            op["url"] = base + self.pick(["/", "x", "%2F", "/.", "//"]) + q + rest
        elif kind == 2:
            op["url"] += self.pick(["&a=1", "&a", "&x=%2B", "&+"]) if "?" in op["url"] else "?a=1"
        elif kind == 3:
            body = base64.b64decode(op["body_b64"]) + b"x"
            op["body_b64"] = base64.b64encode(body).decode()
        elif kind == 4 and op["headers"]:
            h = self.pick(op["headers"])
            h[1] = h[1] + "x" if self.p(0.7) else h[1].upper()
        elif kind == 5:
            op["now"] += self.pick([1, -1, 60, -60, 299, 301, 900, 901, -901, 3600, 86400 * 8])
            op["now"] = max(0, op["now"])
        elif kind == 6:
            op["keys"][0]["key_id"] += "x"
        elif kind == 7:
            op["keys"][0]["secret"] = (self.secret_hex() or "00") if profile == "rfc9421" else self.text(ALPHA, 40, 40)
            if self.p(0.5):  # rotation: the right key after a wrong one is not how lookups work; keep distinct ids
                op["keys"].append({"key_id": op["keys"][0]["key_id"] + "-old", "secret": op["keys"][0]["secret"]})
        elif kind == 8:
            names = {"authorization", "signature", "signature-input", "x-amz-date", "x-amz-security-token", "content-digest"}
            op["headers"] = [h for h in op["headers"] if not (h[0].lower() in names and self.p(0.7))]
        else:
            for h in op["headers"]:
                if h[0].lower() in ("authorization", "signature", "signature-input") and self.p(0.7):
                    h[1] = self.mangle(h[1])
            if "X-Amz-Signature=" in op["url"] and self.p(0.7):
                op["url"] = op["url"].replace("X-Amz-Signature=", "X-Amz-Signature=0", 1)

    def mangle(self, v: str) -> str:
        k = self.r.randrange(6)
        if k == 0 and v:
            i = self.r.randrange(len(v))
            return v[:i] + self.pick("0aZ=,;:\" ") + v[i + 1:]
        if k == 1:
            return v[: len(v) // 2]
        if k == 2:
            return v + self.pick([",", " ", ";x=1", ", extra"])
        if k == 3:
            return v.replace(",", ", ", 1)
        if k == 4:
            return v.lower()
        return ""

    def webhook_verify(self, id_: str, sign_op: Dict[str, Any], answer: Dict[str, Any]) -> Dict[str, Any]:
        op: Dict[str, Any] = {"op": "webhook_verify", "id": id_, "provider": sign_op["provider"],
                              "secrets": list(sign_op["secrets"]), "headers": [list(h) for h in answer["headers"]],
                              "body_b64": sign_op["body_b64"], "now": sign_op["timestamp"], "tolerance": 300}
        if self.p(0.2):
            op["headers"].insert(0, ["Content-Type", "application/json"])
        if self.p(0.4):
            return op
        kind = self.r.randrange(10)
        if kind == 0:
            body = base64.b64decode(op["body_b64"])
            if body:
                i = self.r.randrange(len(body))
                body = body[:i] + bytes([body[i] ^ 1]) + body[i + 1:]
            else:
                body = b" "
            op["body_b64"] = base64.b64encode(body).decode()
        elif kind == 1:
            op["now"] = max(0, op["now"] + self.pick([300, 301, -300, -301, 10_000, -10_000]))
        elif kind == 2:
            op["tolerance"] = self.pick([0, 1, 5])
            op["now"] += self.pick([0, 1, 2, 6])
        elif kind == 3:  # rotation: a new secret first, the signing one later
            op["secrets"] = self.webhook_secrets(op["provider"])[:1] + op["secrets"]
        elif kind == 4:
            op["secrets"] = self.webhook_secrets(op["provider"])
        elif kind == 5:
            for h in op["headers"]:
                h[0] = self.pick([h[0].lower(), h[0].upper(), h[0]])
        elif kind == 6 and op["headers"]:
            del op["headers"][self.r.randrange(len(op["headers"]))]
        elif kind == 7 and op["headers"]:
            h = self.pick(op["headers"])
            op["headers"].append([h[0], h[1] if self.p(0.5) else self.mangle(h[1])])
        elif kind == 8 and op["headers"]:
            h = self.pick(op["headers"])
            h[1] = self.pick([h[1] + ",v1=" + "0" * 64, h[1] + " v1,AAAA", h[1] + ",v0=abc", "t=1,v1=" + "a" * 64,
                              h[1].replace("v1", "v2"), " " + h[1] + " ", self.mangle(h[1])])
        else:
            op["now"] = 0 if self.p(0.5) else 2**53 - 1
        return op


def sign_batch(signer: List[str], ops: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Every op's answer from the signer runtime (one process, one batch)."""
    if not ops:
        return []
    payload = b"".join(dump_line(o) for o in ops)
    proc = subprocess.run(signer, input=payload, stdout=subprocess.PIPE, check=True)
    answers = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
    if len(answers) != len(ops):
        raise SystemExit("fuzz_profiles: the signer gave %d answers for %d operations" % (len(answers), len(ops)))
    return answers


def generate(seed: int, count: int, signer: List[str], known_disagreements: bool = False) -> List[Dict[str, Any]]:
    g = Gen(seed, known_disagreements)
    slots: List[Any] = []  # an op, or (kind, id, sign_op) to build from the signer's answer
    pending: List[Dict[str, Any]] = []
    for n in range(count):
        id_ = "pfuzz-%d-%05d" % (seed, n)
        x = g.r.random()
        if x < 0.36:
            slots.append(g.profile_sign(id_))
        elif x < 0.40:
            slots.append(g.response_sign(id_))
        elif x < 0.60:
            base = g.profile_sign(id_ + "-s", g.pick(["aws-sigv4", "aws-sigv4", "rfc9421"]), for_verify=True)
            slots.append(("profile", id_, base))
            pending.append(base)
        elif x < 0.65:
            base = g.response_sign(id_ + "-s")
            slots.append(("response", id_, base))
            pending.append(base)
        elif x < 0.78:
            slots.append(g.webhook_sign(id_))
        else:
            base = g.webhook_sign(id_ + "-s", g.pick(PROVIDERS))
            base["provider"] = base["provider"] if base["provider"] in PROVIDERS else "stripe"
            if base["provider"] in ("standard", "sigwire") and "msg_id" not in base:
                base["msg_id"] = "msg_1"
            slots.append(("webhook", id_, base))
            pending.append(base)
    answers = {a["id"]: a for a in sign_batch(signer, pending)}
    ops = []
    for slot in slots:
        if isinstance(slot, dict):
            ops.append(slot)
            continue
        kind, id_, base = slot
        ans = answers[base["id"]]
        if "error" in ans or "unsupported" in ans:
            ops.append(base)  # the signer refused it: keep the sign operation itself
        elif kind == "profile":
            ops.append(g.request_verify(id_, base, ans))
        elif kind == "response":
            ops.append(g.response_verify(id_, base, ans))
        else:
            ops.append(g.webhook_verify(id_, base, ans))
    return ops


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, help="random seed (default: a random one, printed)")
    ap.add_argument("--count", type=int, default=3000, help="operations to generate (default %(default)s)")
    ap.add_argument("--out", default="-", help="output file (default: stdout)")
    ap.add_argument("--signer", help="the runtime that signs the material of verify operations "
                                     "(default: the rust adapter, $SIGWIRE_RUST_ADAPTER when set)")
    ap.add_argument("--known-disagreements", action="store_true",
                    help="also generate the inputs of README's known disagreements (they fail until fixed)")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    if args.signer:
        signer = args.signer.split()
    elif os.environ.get("SIGWIRE_RUST_ADAPTER"):
        signer = [os.environ["SIGWIRE_RUST_ADAPTER"]]
    else:
        signer = discover()["rust"]
    print("fuzz_profiles: seed %d, %d operations (reproduce: %s --seed %d --count %d)" % (
        seed, args.count, os.path.relpath(__file__), seed, args.count), file=sys.stderr)
    ops = generate(seed, args.count, signer, args.known_disagreements)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="ascii")
    with out:
        for op in ops:
            out.write(json.dumps(op, ensure_ascii=True, separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
