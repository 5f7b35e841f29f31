"""The Python API: signer, verifier, key rotation, replay stores, exceptions, repr hygiene."""

from __future__ import annotations

import pickle
from typing import List, Tuple

import pytest

import sigwire
from conftest import NONCE, NOW, OTHER_SECRET, SECRET

URL = "https://api.example.com/v1/payments?dry_run=true&limit=5"
BODY = b'{"amount":"100.00","currency":"EUR"}'
HEADERS = {"Content-Type": "application/json", "X-Request-Id": "req-1"}


def signed(signer: sigwire.Signer, ts: int = NOW, nonce: str = NONCE, body: bytes = BODY) -> List[Tuple[str, str]]:
    auth = signer.sign("POST", URL, HEADERS, body, timestamp=ts, nonce=nonce)
    return list(HEADERS.items()) + list(auth.items())


def test_sign_returns_authorization_only() -> None:
    out = sigwire.Signer("client-1", SECRET).sign("POST", URL, HEADERS, BODY)
    assert list(out) == ["Authorization"]
    auth = out["Authorization"]
    assert auth.startswith('HMAC apiKey="client-1", algorithm="hmac-sha256", timestamp="')
    assert 'signedHeaders="host;content-type"' in auth


def test_fresh_nonce_and_time_each_call() -> None:
    s = sigwire.Signer("client-1", SECRET)
    a, b = s.sign("GET", URL)["Authorization"], s.sign("GET", URL)["Authorization"]
    assert a != b
    nonce = a.split('nonce="')[1].split('"')[0]
    assert len(nonce) == 22


def test_fixed_timestamp_and_nonce_are_deterministic() -> None:
    s = sigwire.Signer("client-1", SECRET)
    assert s.sign("POST", URL, HEADERS, BODY, timestamp=NOW, nonce=NONCE) == s.sign(
        "POST", URL, HEADERS, BODY, timestamp=NOW, nonce=NONCE
    )


def test_canonical_string_layout() -> None:
    s = sigwire.Signer("client-1", SECRET, signed_headers=["X-Request-Id"])
    lines = s.canonical_string("POST", URL, HEADERS, BODY, timestamp=NOW, nonce=NONCE).split("\n")
    assert lines[:10] == [
        "sigwire-v1",
        "hmac-sha256",
        "client-1",
        str(NOW),
        NONCE,
        "POST",
        "https",
        "/v1/payments",
        "dry_run=true&limit=5",
        "host;content-type;x-request-id",
    ]
    assert lines[10:13] == ["host:api.example.com", "content-type:application/json", "x-request-id:req-1"]
    assert len(lines[13]) == 64
    # The method is case-sensitive (SPEC §4.2): "post" is signed as sent.
    assert s.canonical_string("post", URL, HEADERS, BODY, timestamp=NOW, nonce=NONCE).split("\n")[5] == "post"


def test_sha512() -> None:
    s = sigwire.Signer("client-1", SECRET, "hmac-sha512")
    assert s.algorithm == "hmac-sha512"
    auth = s.sign("GET", URL)["Authorization"]
    assert len(auth.split('signature="')[1].rstrip('"')) == 128
    v = sigwire.Verifier({"client-1": SECRET})
    assert v.verify("GET", URL, [("Authorization", auth)]) == "client-1"


def test_precheck_reads_the_claim_and_the_body_algorithm() -> None:
    v = sigwire.Verifier({"client-1": SECRET})
    for algorithm in ("hmac-sha256", "hmac-sha512"):
        headers = signed(sigwire.Signer("client-1", SECRET, algorithm))
        pre = v.precheck("POST", URL, headers, now=NOW)
        assert isinstance(pre, sigwire.Prechecked)
        assert (pre.key_id, pre.scheme, pre.timestamp, pre.body_algorithm) == ("client-1", "sigwire-v1", NOW, algorithm)
        assert "client-1" in repr(pre) and SECRET.decode() not in repr(pre)
    # Any layout the core accepts reads the same (the parameters reordered, spacing changed).
    auth = dict(signed(sigwire.Signer("client-1", SECRET, "hmac-sha512")))["Authorization"]
    params = auth[len("HMAC ") :].split(", ")
    shuffled = "HMAC  " + " ,\t".join(reversed(params))
    pre = v.precheck("POST", URL, {**HEADERS, "Authorization": shuffled}, now=NOW)
    assert pre.body_algorithm == "hmac-sha512"


def test_properties() -> None:
    s = sigwire.Signer("client-1", SECRET, signed_headers=["x-a", "X-B"])
    assert (s.key_id, s.algorithm, s.signed_headers) == ("client-1", "hmac-sha256", ["x-a", "X-B"])
    v = sigwire.Verifier({"k": SECRET}, window=30)
    assert v.window == 30
    assert isinstance(v.keys, sigwire.KeyStore)
    assert v.replay_store is None
    assert abs(v.now() - __import__("time").time()) < 5


def test_headers_forms_sign_alike() -> None:
    s = sigwire.Signer("client-1", SECRET, signed_headers=["x-request-id"])
    ref = s.sign("POST", URL, HEADERS, BODY, timestamp=NOW, nonce=NONCE)
    forms = [
        list(HEADERS.items()),
        tuple(HEADERS.items()),
        [[k, v] for k, v in HEADERS.items()],
        [(k.encode(), v.encode()) for k, v in HEADERS.items()],
        iter(HEADERS.items()),
        {k.upper(): v for k, v in HEADERS.items()},
    ]
    for form in forms:
        assert s.sign("POST", URL, form, BODY, timestamp=NOW, nonce=NONCE) == ref, form


def test_signed_header_on_several_lines_is_refused() -> None:
    # SPEC §4.2: first-line readers and joining readers would see different values.
    s = sigwire.Signer("client-1", SECRET, signed_headers=["x-a"])
    with pytest.raises(sigwire.InvalidRequest):
        s.canonical_string("GET", URL, [("X-A", "1"), ("x-a", "2")], timestamp=NOW, nonce=NONCE)
    one = s.canonical_string("GET", URL, [("X-A", "1, 2")], timestamp=NOW, nonce=NONCE)
    assert "x-a:1, 2" in one


def test_body_none_is_empty() -> None:
    s = sigwire.Signer("client-1", SECRET)
    assert s.sign("GET", URL, None, None, timestamp=NOW, nonce=NONCE) == s.sign(
        "GET", URL, timestamp=NOW, nonce=NONCE
    )


def test_memoryview_slices_and_strides() -> None:
    s = sigwire.Signer("client-1", SECRET)
    data = b"0123456789" * 10
    ref = s.sign("POST", URL, HEADERS, data[10:50], timestamp=NOW, nonce=NONCE)
    assert s.sign("POST", URL, HEADERS, memoryview(data)[10:50], timestamp=NOW, nonce=NONCE) == ref
    assert s.sign("POST", URL, HEADERS, memoryview(bytearray(data))[10:50], timestamp=NOW, nonce=NONCE) == ref
    strided = memoryview(data)[::2]
    assert s.sign("POST", URL, HEADERS, strided, timestamp=NOW, nonce=NONCE) == s.sign(
        "POST", URL, HEADERS, data[::2], timestamp=NOW, nonce=NONCE
    )
    import array

    arr = array.array("I", [1, 2, 3])
    assert s.sign("POST", URL, HEADERS, memoryview(arr), timestamp=NOW, nonce=NONCE) == s.sign(
        "POST", URL, HEADERS, arr.tobytes(), timestamp=NOW, nonce=NONCE
    )


def test_str_body_is_utf8() -> None:
    s = sigwire.Signer("client-1", SECRET)
    text = '{"name":"Zoë ✓"}'
    assert s.sign("POST", URL, HEADERS, text, timestamp=NOW, nonce=NONCE) == s.sign(
        "POST", URL, HEADERS, text.encode("utf-8"), timestamp=NOW, nonce=NONCE
    )


def test_round_trip_and_replay() -> None:
    s = sigwire.Signer("client-1", SECRET)
    v = sigwire.Verifier({"client-1": SECRET})
    h = signed(s, ts=v.now(), nonce="BBBBBBBBBBBBBBBBBBBBBB")
    assert v.verify("POST", URL, h, BODY) == "client-1"
    with pytest.raises(sigwire.ReplayedNonce) as info:
        v.verify("POST", URL, h, BODY)
    assert info.value.code == "replayed_nonce" and info.value.http_status == 401


def test_tampering_is_mismatch() -> None:
    s = sigwire.Signer("client-1", SECRET)
    v = sigwire.Verifier({"client-1": SECRET})
    h = signed(s)
    for method, url, body in [
        ("PUT", URL, BODY),
        ("POST", URL.replace("limit=5", "limit=6"), BODY),
        ("POST", URL, BODY.replace(b"100", b"900")),
        ("POST", URL.replace("/payments", "/Payments"), BODY),
    ]:
        with pytest.raises(sigwire.SignatureMismatch):
            v.verify(method, url, h, body, now=NOW)


def test_stale_timestamp_skew_both_ways() -> None:
    s = sigwire.Signer("client-1", SECRET)
    v = sigwire.Verifier({"client-1": SECRET}, window=300)
    with pytest.raises(sigwire.StaleTimestamp) as info:
        v.verify("POST", URL, signed(s, ts=NOW - 301), BODY, now=NOW)
    assert info.value.skew_seconds == -301 and info.value.server_time == NOW
    with pytest.raises(sigwire.StaleTimestamp) as info:
        v.verify("POST", URL, signed(s, ts=NOW + 400), BODY, now=NOW)
    assert info.value.skew_seconds == 400
    assert v.verify("POST", URL, signed(s, ts=NOW + 300), BODY, now=NOW) == "client-1"


def test_unknown_key_and_missing_authorization() -> None:
    v = sigwire.Verifier({"client-1": SECRET})
    with pytest.raises(sigwire.UnknownKey):
        v.verify("POST", URL, signed(sigwire.Signer("client-2", SECRET)), BODY, now=NOW)
    with pytest.raises(sigwire.MissingAuthorization):
        v.verify("POST", URL, HEADERS, BODY, now=NOW)
    with pytest.raises(sigwire.MalformedAuthorization):
        v.verify("POST", URL, [("Authorization", "Bearer x")], BODY, now=NOW)


def test_key_rotation() -> None:
    keys = sigwire.KeyStore()
    keys.insert("client-1", SECRET)
    v = sigwire.Verifier(keys)
    keys.rotate("client-1", OTHER_SECRET, old_not_after=NOW + 10)
    assert keys.active_count("client-1", now=NOW) == 2
    assert keys.active_count("client-1", now=NOW + 11) == 1
    old, new = sigwire.Signer("client-1", SECRET), sigwire.Signer("client-1", OTHER_SECRET)
    assert v.verify("POST", URL, signed(old, nonce="C" * 22), BODY, now=NOW) == "client-1"
    assert v.verify("POST", URL, signed(new, nonce="D" * 22), BODY, now=NOW) == "client-1"
    with pytest.raises(sigwire.SignatureMismatch):
        v.verify("POST", URL, signed(old, ts=NOW + 11, nonce="E" * 22), BODY, now=NOW + 11)
    assert v.verify("POST", URL, signed(new, ts=NOW + 11, nonce="F" * 22), BODY, now=NOW + 11) == "client-1"
    assert keys.remove("client-1") is True and keys.remove("client-1") is False
    with pytest.raises(sigwire.UnknownKey):
        v.verify("POST", URL, signed(new, nonce="G" * 22), BODY, now=NOW)


def test_not_after_and_mapping_with_lists() -> None:
    keys = sigwire.KeyStore()
    keys.insert("k", SECRET, not_after=NOW)
    v = sigwire.Verifier(keys)
    s = sigwire.Signer("k", SECRET)
    assert v.verify("POST", URL, signed(s, nonce="H" * 22), BODY, now=NOW) == "k"
    with pytest.raises(sigwire.UnknownKey):
        v.verify("POST", URL, signed(s, ts=NOW + 1, nonce="I" * 22), BODY, now=NOW + 1)

    v2 = sigwire.Verifier({"k": [OTHER_SECRET, SECRET], "j": "a-str-secret-of-24-bytes"})
    assert v2.keys.active_count("k", now=NOW) == 2
    assert v2.verify("POST", URL, signed(s), BODY, now=NOW) == "k"
    j = sigwire.Signer("j", "a-str-secret-of-24-bytes")
    assert v2.verify("POST", URL, signed(j), BODY, now=NOW) == "j"


def test_replay_store_capacity_and_sharing() -> None:
    store = sigwire.InMemoryReplayStore(capacity=2)
    assert store.capacity == 2 and len(store) == 0
    s = sigwire.Signer("k", SECRET)
    v1 = sigwire.Verifier({"k": SECRET}, replay_store=store)
    v2 = sigwire.Verifier({"k": SECRET}, replay_store=store)
    assert v2.replay_store is store
    h = signed(s, nonce="J" * 22)
    assert v1.verify("POST", URL, h, BODY, now=NOW) == "k"
    with pytest.raises(sigwire.ReplayedNonce):
        v2.verify("POST", URL, h, BODY, now=NOW)
    v1.verify("POST", URL, signed(s, nonce="K" * 22), BODY, now=NOW)
    with pytest.raises(sigwire.ReplayStoreUnavailable) as info:
        v1.verify("POST", URL, signed(s, nonce="L" * 22), BODY, now=NOW)
    assert info.value.http_status == 503
    assert len(store) == 2


class DictStore:
    """A replay store written in Python (the sigwire.ReplayStore protocol)."""

    def __init__(self) -> None:
        self.seen: dict = {}
        self.calls: list = []

    def check_and_record(self, key_id: str, nonce: str, expires_at: int, now: int) -> bool:
        self.calls.append((key_id, nonce, expires_at, now))
        if (key_id, nonce) in self.seen:
            return False
        self.seen[(key_id, nonce)] = expires_at
        return True


def test_python_replay_store() -> None:
    store = DictStore()
    assert isinstance(store, sigwire.ReplayStore)
    v = sigwire.Verifier({"k": SECRET}, window=60, replay_store=store)
    s = sigwire.Signer("k", SECRET)
    h = signed(s, nonce="M" * 22)
    assert v.verify("POST", URL, h, bytearray(BODY), now=NOW) == "k"
    assert store.calls == [("k", "M" * 22, NOW + 60, NOW)]
    with pytest.raises(sigwire.ReplayedNonce):
        v.verify("POST", URL, h, BODY, now=NOW)


def test_python_replay_store_fails_closed() -> None:
    class Broken:
        def check_and_record(self, *args: object) -> bool:
            raise ConnectionError("redis is down")

    class Lying:
        def check_and_record(self, *args: object) -> object:
            return "yes"

    s = sigwire.Signer("k", SECRET)
    with pytest.raises(sigwire.ReplayStoreUnavailable) as info:
        sigwire.Verifier({"k": SECRET}, replay_store=Broken()).verify("POST", URL, signed(s), BODY, now=NOW)
    assert isinstance(info.value.__cause__, ConnectionError)
    with pytest.raises(sigwire.ReplayStoreUnavailable):
        sigwire.Verifier({"k": SECRET}, replay_store=Lying()).verify("POST", URL, signed(s), BODY, now=NOW)


def test_every_core_code_has_its_exception() -> None:
    # The HTTP client's own errors (timeouts, connection, HTTP status, ...) live under ClientError;
    # submodules' own families (sigwire.profiles.ProfileError) are not core verification codes.
    classes = {
        c.code: c
        for c in sigwire.SigwireError.__subclasses__()
        if c is not sigwire.ClientError and not c.__module__.startswith("sigwire.")
    }
    assert set(classes) == set(sigwire.ERROR_CODES)
    for code, cls in classes.items():
        assert getattr(sigwire, cls.__name__) is cls
        assert cls.__module__ == "sigwire"
        assert cls.__doc__
        e = cls("message")
        assert e.code == code and str(e) == f"{code}: message"
    assert sigwire.InvalidRequest.http_status == 400
    assert sigwire.SignatureMismatch.http_status == 401
    assert issubclass(sigwire.InvalidSecret, ValueError)


def test_exceptions_pickle() -> None:
    e = sigwire.StaleTimestamp("late", skew_seconds=-400, server_time=NOW)
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is sigwire.StaleTimestamp
    assert (back.message, back.skew_seconds, back.server_time) == ("late", -400, NOW)


def test_secret_never_shown() -> None:
    secret = b"super-secret-value-0123456789"
    s = sigwire.Signer("client-1", secret, signed_headers=["x-a"])
    keys = sigwire.KeyStore()
    keys.insert("client-1", secret)
    v = sigwire.Verifier(keys)
    texts = [repr(s), str(s), repr(keys), repr(v), repr(sigwire.InMemoryReplayStore())]
    try:
        v.verify("GET", URL, [("Authorization", s.sign("GET", URL + "x")["Authorization"])])
    except sigwire.SigwireError as e:
        texts += [repr(e), str(e), e.message]
    for bad in [b"short", "short"]:
        with pytest.raises(sigwire.InvalidSecret) as info:
            sigwire.Signer("client-1", bad)
        texts += [repr(info.value), str(info.value)]
    joined = "\n".join(texts)
    assert "super-secret" not in joined and "short" not in joined.replace("shorter", "")
    assert "redacted" in repr(s) and "client-1" in repr(s)
    with pytest.raises(TypeError):
        pickle.dumps(s)
    with pytest.raises(TypeError):
        pickle.dumps(keys)
    assert not hasattr(s, "secret") and not hasattr(s, "__dict__")


def test_window_and_config_errors() -> None:
    with pytest.raises(sigwire.InvalidConfig):
        sigwire.Verifier({"k": SECRET}, window=-1)
    with pytest.raises(sigwire.UnsupportedAlgorithm):
        sigwire.Signer("k", SECRET, "hmac-md5")
    with pytest.raises(sigwire.UnsupportedAlgorithm):
        sigwire.Signer("k", SECRET, "HMAC-SHA256")
    with pytest.raises(sigwire.InvalidKeyId):
        sigwire.Signer("has space", SECRET)
    with pytest.raises(sigwire.InvalidRequest):
        sigwire.Signer("k", SECRET, signed_headers=["bad name"])
    with pytest.raises(sigwire.InvalidRequest):
        sigwire.Signer("k", SECRET).sign("GET", URL, nonce="too-short")
    with pytest.raises(sigwire.InvalidRequest):
        sigwire.Signer("k", SECRET, signed_headers=["x-missing"]).sign("GET", URL)
    with pytest.raises(sigwire.InvalidSecret):
        sigwire.Verifier({"k": []})


def test_signatures_show_documented_defaults() -> None:
    import inspect
    import sys

    assert inspect.signature(sigwire.Signer.sign).parameters["body"].default == b""
    assert inspect.signature(sigwire.Verifier.verify).parameters["body"].default == b""
    assert sigwire.DEFAULT_WINDOW == 300
    if sys.version_info >= (3, 10):  # abi3 classes expose their signature from CPython 3.10 on
        assert inspect.signature(sigwire.Signer).parameters["algorithm"].default == "hmac-sha256"
        assert inspect.signature(sigwire.Verifier).parameters["window"].default == 300
    # None means the default too.
    s = sigwire.Signer("k", SECRET, None)
    assert s.algorithm == "hmac-sha256"
