"""Hypothesis: sign/verify round trips over generated requests, tampering always detected,
canonical equivalences hold, and the native canonical string equals the independent pure-Python
implementation of SPEC.md in tests/spec_reimpl/ (same string, or the same error code)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional, Tuple

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import sigwire
from conftest import NONCE, NOW, SECRET

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "spec_reimpl"))
import sigwire_spec as spec  # noqa: E402

SETTINGS = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

TOKEN = "!#$%&'*+-.^_`|~abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
PATH_ALPHABET = st.sampled_from(
    list("abcXYZ019-._~!$&'()*+,;=:@ /?#[]é✓\"<>\\^`{|}") + ["%2F", "%7e", "%7E", "%41", "%20", "%2b", "%zz", "%"]
)

methods = st.one_of(st.sampled_from(["GET", "post", "Put", "DELETE", "PATCH"]), st.text(TOKEN, min_size=1, max_size=8))
hosts = st.sampled_from(["api.example.com", "API.Example.COM", "127.0.0.1", "[::1]", "[0:0::1]", "[2001:DB8::1]", "h"])
ports = st.sampled_from(["", ":", ":80", ":443", ":8080", ":0443"])
schemes = st.sampled_from(["https", "http", "HTTPS"])
segments = st.lists(st.lists(PATH_ALPHABET, max_size=6).map("".join), max_size=4)
QUERY_ALPHABET = PATH_ALPHABET.filter(lambda c: c != "#")
query_pieces = st.lists(
    st.tuples(st.lists(QUERY_ALPHABET, max_size=4).map("".join), st.sampled_from(["", "=", "=1", "=a+b", "=x=y", "=%2B"])),
    max_size=5,
)
header_names = st.sampled_from(["X-Request-Id", "x-a", "X-A", "Content-Type", "X-Empty", "Accept"])
header_values = st.text(st.sampled_from(list(" \tab1,;=\"é")), max_size=8)
headers_st = st.lists(st.tuples(header_names, header_values), max_size=5)
bodies = st.binary(max_size=300)


def build_url(scheme: str, host: str, port: str, segs: List[str], query: List[Tuple[str, str]]) -> str:
    url = f"{scheme}://{host}{port}" + "".join("/" + s for s in segs)
    if query:
        url += "?" + "&".join(k + v for k, v in query)
    return url


valid_urls = st.builds(
    build_url,
    schemes,
    hosts,
    ports,
    st.lists(st.text("abcXYZ019-._~!$'()*+,;=:@ é✓%", max_size=6).filter(lambda s: "%" not in s), max_size=4),
    st.lists(st.tuples(st.text("ab1 +é~", max_size=4), st.sampled_from(["", "=", "=1", "=a+b", "=x=y"])), max_size=5),
)
any_urls = st.builds(build_url, schemes, hosts, ports, segments, query_pieces)


@SETTINGS
@given(methods, valid_urls, headers_st, bodies, st.sampled_from(["hmac-sha256", "hmac-sha512"]))
def test_round_trip(method: str, url: str, headers: List[Tuple[str, str]], body: bytes, algorithm: str) -> None:
    signer = sigwire.Signer("client-1", SECRET, algorithm)
    try:
        auth = signer.sign(method, url, headers, body)
    except sigwire.InvalidRequest:
        assume(False)
        return
    verifier = sigwire.Verifier({"client-1": SECRET})
    received = headers + list(auth.items())
    assert verifier.verify(method, url, received, body) == "client-1"
    with pytest.raises(sigwire.ReplayedNonce):
        verifier.verify(method, url, received, body)
    tampered = body + b"!" if body else b"x"
    has_type = any(n.lower() == "content-type" for n, _ in headers)
    # A body added to a signed empty-body request with a Content-Type breaks the signedHeaders
    # rule (content-type must then be signed) before the signature is even checked.
    expected = sigwire.MalformedAuthorization if not body and has_type else sigwire.SignatureMismatch
    with pytest.raises(expected):
        sigwire.Verifier({"client-1": SECRET}).verify(method, url, received, tampered)


@SETTINGS
@given(valid_urls, bodies, st.integers(min_value=0, max_value=len(TOKEN) - 1))
def test_any_secret_change_is_mismatch(url: str, body: bytes, i: int) -> None:
    other = bytearray(SECRET)
    other[i % len(other)] ^= 1
    try:
        auth = sigwire.Signer("k", bytes(other)).sign("POST", url, None, body)
    except sigwire.InvalidRequest:
        assume(False)
        return
    with pytest.raises(sigwire.SignatureMismatch):
        sigwire.Verifier({"k": SECRET}).verify("POST", url, list(auth.items()), body)


@SETTINGS
@given(query_pieces, st.randoms())
def test_query_order_is_signed(pieces: List[Tuple[str, str]], rnd) -> None:  # type: ignore[no-untyped-def]
    # SPEC §4.2: query pieces keep the order they were sent in (frameworks take the first or the
    # last of repeated names), so a reordering that changes the query line changes the signature.
    s = sigwire.Signer("k", SECRET)
    shuffled = list(pieces)
    rnd.shuffle(shuffled)
    a = "https://h/p?" + "&".join(k + v for k, v in pieces)
    b = "https://h/p?" + "&".join(k + v for k, v in shuffled)
    try:
        ca = s.canonical_string("GET", a, timestamp=NOW, nonce=NONCE)
    except sigwire.InvalidRequest:
        with pytest.raises(sigwire.InvalidRequest):
            s.canonical_string("GET", b, timestamp=NOW, nonce=NONCE)
        return
    cb = s.canonical_string("GET", b, timestamp=NOW, nonce=NONCE)
    query_a, query_b = ca.split("\n")[8], cb.split("\n")[8]
    assert (ca == cb) == (query_a == query_b)
    if a == b:
        assert ca == cb


def _spec(method: str, url: str, headers: List[Tuple[str, str]], body: bytes, extra: Optional[List[str]]) -> str:
    try:
        return spec.canonical_string("client-1", "hmac-sha256", NOW, NONCE, method, url, headers, body, extra)
    except spec.SpecError as e:
        return "error:" + e.code


def _native(method: str, url: str, headers: List[Tuple[str, str]], body: bytes, extra: Optional[List[str]]) -> str:
    try:
        s = sigwire.Signer("client-1", SECRET, signed_headers=extra)
        return s.canonical_string(method, url, headers, body, timestamp=NOW, nonce=NONCE)
    except sigwire.SigwireError as e:
        return "error:" + e.code


@SETTINGS
@given(
    methods,
    any_urls,
    headers_st,
    st.one_of(st.just(b""), bodies),
    st.one_of(st.none(), st.lists(st.sampled_from(["x-a", "X-Request-Id", "accept", "x-empty"]), max_size=3, unique=True)),
)
def test_matches_independent_spec_implementation(
    method: str, url: str, headers: List[Tuple[str, str]], body: bytes, extra: Optional[List[str]]
) -> None:
    assert _native(method, url, headers, body, extra) == _spec(method, url, headers, body, extra)
