"""The core's ``wire`` and two-step verification through the binding (issue 11, Python side).

The middleware no longer mirrors the core: rejections, the URL rebuild and the declared-length
check come from ``core::wire``; an asynchronous store claims nonces between ``authenticate`` and
its own record, without a synchronous callback.
"""

from __future__ import annotations

import json

import pytest

import sigwire
from sigwire import _native

from conftest import NONCE, NOW, SECRET

URL = "https://api.example.com/v1/pay"
SIGNER = sigwire.Signer("client-1", SECRET)


def signed(nonce: str = NONCE) -> dict:  # type: ignore[type-arg]
    return SIGNER.sign("POST", URL, None, b"{}", timestamp=NOW, nonce=nonce)


# --- two-step ----------------------------------------------------------------------------------


def test_authenticate_records_nothing_and_commit_claims_once() -> None:
    v = sigwire.Verifier({"client-1": SECRET}, window=300)
    ticket = v.authenticate("POST", URL, signed(), b"{}", now=NOW + 5)
    assert (ticket.key_id, ticket.scheme, ticket.timestamp, ticket.nonce) == ("client-1", "sigwire-v1", NOW, NONCE)
    assert (ticket.expires_at, ticket.authenticated_at, ticket.replay) == (NOW + 300, NOW + 5, "random_nonce")
    assert "client-1" in repr(ticket) and SECRET.decode() not in repr(ticket)
    # Nothing recorded yet: authenticating again works.
    again = v.authenticate("POST", URL, signed(), b"{}", now=NOW + 5)
    assert v.commit(ticket) == "client-1"
    with pytest.raises(sigwire.ReplayedNonce) as info:
        v.commit(again)
    assert info.value.server_time == NOW + 5
    with pytest.raises(sigwire.ReplayedNonce):
        v.verify("POST", URL, signed(), b"{}", now=NOW + 6)


def test_authenticate_raises_every_check_but_replay() -> None:
    v = sigwire.Verifier({"client-1": SECRET})
    with pytest.raises(sigwire.SignatureMismatch):
        v.authenticate("POST", URL, signed(), b"{changed}", now=NOW)
    with pytest.raises(sigwire.StaleTimestamp) as info:
        v.authenticate("POST", URL, signed(), b"{}", now=NOW + 301)
    assert info.value.skew_seconds == -301 and info.value.server_time == NOW + 301
    with pytest.raises(sigwire.MissingAuthorization):
        v.authenticate("POST", URL, {}, b"{}", now=NOW)


def test_a_python_store_is_used_by_commit_only() -> None:
    calls = []

    class Store:
        def check_and_record(self, key_id: str, nonce: str, expires_at: int, now: int) -> bool:
            calls.append((key_id, nonce, expires_at, now))
            return len(calls) == 1

    v = sigwire.Verifier({"client-1": SECRET}, replay_store=Store())
    ticket = v.authenticate("POST", URL, signed(), b"{}", now=NOW)
    assert calls == []
    assert v.commit(ticket) == "client-1"
    assert calls == [("client-1", NONCE, NOW + 300, NOW)]
    with pytest.raises(sigwire.ReplayedNonce):
        v.commit(ticket)


# --- wire ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "scheme, authority, target, url",
    [
        ("https", "API.example.com:443", "/v1/x?a=1", "https://api.example.com/v1/x?a=1"),
        ("HTTP", "example.com:80", "", "http://example.com/"),
        ("http", "[::1]:8080", "/a%2Fb", "http://[::1]:8080/a%2Fb"),
    ],
)
def test_request_url_is_the_cores(scheme: str, authority: str, target: str, url: str) -> None:
    assert _native.request_url(scheme, authority, target) == url


@pytest.mark.parametrize("args", [("ftp", "a.example", "/"), ("http", "a b", "/"), ("http", "a.example", "x"),
                                  ("http", "a.example", "/#f")])
def test_request_url_refuses_what_cannot_be_signed(args: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(sigwire.InvalidRequest):
        _native.request_url(*args)


def test_declared_length() -> None:
    assert _native.check_declared_length([], 10, NOW) == (None, None)
    assert _native.check_declared_length(["10", " 10 "], 10, NOW) == (10, None)
    for values, status in [(["11"], 413), (["1", "2"], 400), (["-1"], 400), (["0x10"], 400), ([""], 400)]:
        length, rejection = _native.check_declared_length(values, 10, NOW)
        assert length is None and rejection is not None, values
        assert (rejection.status, rejection.server_time) == (status, NOW)


@pytest.mark.parametrize(
    "code, status",
    [("signature_mismatch", 401), ("invalid_request", 400), ("replay_store_unavailable", 503),
     ("body_too_large", 413), ("misdirected_request", 421)],
)
def test_rejections_are_the_cores(code: str, status: int) -> None:
    r = _native.rejection(code, NOW)
    assert (r.status, r.code, json.loads(r.body)) == (status, code, {"error": code})
    assert r.headers == [("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                         ("X-Sigwire-Server-Time", str(NOW))]
    with pytest.raises(ValueError):
        _native.rejection("not_a_code", NOW)
