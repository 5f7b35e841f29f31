"""Bad input from Python is always a typed exception, never a crash."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import sigwire
from conftest import NONCE, NOW, SECRET

URL = "https://api.example.com/v1/orders?limit=10"
TYPED = (TypeError, ValueError, OverflowError, sigwire.SigwireError)


@pytest.fixture
def s() -> sigwire.Signer:
    return sigwire.Signer("client-1", SECRET)


@pytest.fixture
def v() -> sigwire.Verifier:
    return sigwire.Verifier({"client-1": SECRET})


@pytest.mark.parametrize(
    "args",
    [
        (None, SECRET),
        ("client-1", None),
        (1, SECRET),
        ("client-1", 12345),
        ("client-1", ["a"]),
        (b"client-1", SECRET),
    ],
)
def test_signer_constructor_types(args: tuple) -> None:
    with pytest.raises(TypeError):
        sigwire.Signer(*args)


def test_signer_constructor_values() -> None:
    with pytest.raises(sigwire.InvalidKeyId):
        sigwire.Signer("client-\udc80", SECRET)
    with pytest.raises(sigwire.InvalidKeyId):
        sigwire.Signer("é", SECRET)
    with pytest.raises(sigwire.InvalidKeyId):
        sigwire.Signer("x" * 129, SECRET)
    with pytest.raises(sigwire.InvalidSecret):
        sigwire.Signer("k", "secret-with-lone-\udc80-surrogate")
    with pytest.raises(sigwire.UnsupportedAlgorithm):
        sigwire.Signer("k", SECRET, "hmac-\ud800")
    with pytest.raises(TypeError):
        sigwire.Signer("k", SECRET, 256)
    with pytest.raises(TypeError):
        sigwire.Signer("k", SECRET, signed_headers="x-a")  # a str is not a list of names
    with pytest.raises(TypeError):
        sigwire.Signer("k", SECRET, signed_headers=[None])


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.sign(None, URL),
        lambda s: s.sign("GET", None),
        lambda s: s.sign(b"GET", URL),
        lambda s: s.sign("GET", URL.encode()),
        lambda s: s.sign("GET", URL, 5),
        lambda s: s.sign("GET", URL, "Content-Type: x"),
        lambda s: s.sign("GET", URL, b"raw"),
        lambda s: s.sign("GET", URL, [("only-name",)]),
        lambda s: s.sign("GET", URL, [("a", "b", "c")]),
        lambda s: s.sign("GET", URL, [("x-a", None)]),
        lambda s: s.sign("GET", URL, {None: "v"}),
        lambda s: s.sign("GET", URL, {"x-a": 1}),
        lambda s: s.sign("GET", URL, [1, 2]),
        lambda s: s.sign("GET", URL, None, 12),
        lambda s: s.sign("GET", URL, None, ["a"]),
        lambda s: s.sign("GET", URL, None, object()),
        lambda s: s.sign("GET", URL, timestamp="now"),
        lambda s: s.sign("GET", URL, timestamp=-1),
        lambda s: s.sign("GET", URL, timestamp=2**70),
        lambda s: s.sign("GET", URL, nonce=5),
    ],
)
def test_sign_wrong_types(s: sigwire.Signer, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TYPED):
        call(s)


@pytest.mark.parametrize(
    "method,url,headers,body",
    [
        ("GET", "https://api.example.com/\udc80", None, b""),
        ("GET", "https://api.example.com/?q=\ud800", None, b""),
        ("G\udc80T", URL, None, b""),
        ("GET", URL, [("X-A\udc80", "1")], b""),
        ("GET", URL, [("X-A", "\udc80")], b""),
        ("POST", URL, None, "lone \udc80 surrogate"),
        ("GET", "ftp://api.example.com/", None, b""),
        ("GET", "https://user@api.example.com/", None, b""),
        ("GET", "https://bücher.example/", None, b""),
        ("GET", "not a url", None, b""),
        ("", URL, None, b""),
        ("GET", URL, [("Host", "other.example.com")], b""),
        ("GET", "https://api.example.com/%zz", None, b""),
        ("GET", "https://api.example.com/\x00", None, b""),
        ("GET", "https://[::1%eth0]/", None, b""),
        ("GET", "https://api.example.com:99999/", None, b""),
    ],
)
def test_sign_invalid_requests(s: sigwire.Signer, method: str, url: str, headers: object, body: object) -> None:
    with pytest.raises(sigwire.InvalidRequest):
        s.sign(method, url, headers, body)  # type: ignore[arg-type]


def test_non_ascii_header_names_and_values(s: sigwire.Signer) -> None:
    # Unsigned headers are not examined: signing works and ignores them.
    ok = s.sign("GET", URL, [("X-Ünïcode", "välue"), ("X-Ok", "ü")], timestamp=NOW, nonce=NONCE)
    assert ok == s.sign("GET", URL, timestamp=NOW, nonce=NONCE)
    # Signed ones are refused, typed.
    with pytest.raises(sigwire.InvalidRequest):
        sigwire.Signer("k", SECRET, signed_headers=["x-ünïcode"])
    with pytest.raises(sigwire.InvalidRequest):
        sigwire.Signer("k", SECRET, signed_headers=["x-ok"]).sign("GET", URL, [("X-Ok", "ü")])
    with pytest.raises(sigwire.InvalidRequest):
        sigwire.Signer("k", SECRET, signed_headers=["x-ok"]).sign("GET", URL, [("X-Ok", "a\r\nb")])


def test_huge_inputs(s: sigwire.Signer, v: sigwire.Verifier) -> None:
    big_value = "v" * (1 << 20)
    many = [(f"X-H{i}", "x") for i in range(5000)]
    auth = s.sign("GET", URL, [("X-Big", big_value)] + many)
    assert v.verify("GET", URL, [("X-Big", big_value)] + many + list(auth.items())) == "client-1"
    with pytest.raises(sigwire.InvalidRequest):
        sigwire.Signer("k", SECRET, signed_headers=["x-big"]).sign("GET", URL, [("X-Big", "é" * 100_000)])
    with pytest.raises(sigwire.InvalidRequest):
        sigwire.Signer("k", SECRET, signed_headers=[f"x-h{i}" for i in range(40)])
    with pytest.raises(sigwire.MalformedAuthorization):
        v.verify("GET", URL, [("Authorization", "HMAC " + "a" * 100_000)])
    with pytest.raises(sigwire.InvalidRequest):
        s.sign("GET", "https://" + "a" * 300 + ".example/")
    with pytest.raises(sigwire.InvalidRequest):  # the core caps URLs at 16 KiB
        s.sign("GET", "https://api.example.com/" + "é/" * 200_000)


@pytest.mark.parametrize(
    "call",
    [
        lambda v: v.verify(None, URL, []),
        lambda v: v.verify("GET", None, []),
        lambda v: v.verify("GET", URL, 5),
        lambda v: v.verify("GET", URL, [("Authorization", None)]),
        lambda v: v.verify("GET", URL, [], 3.5),
        lambda v: v.verify("GET", URL, [], b"", now=-5),
        lambda v: v.verify("GET", URL, [], b"", now="later"),
        lambda v: v.verify("GET", "https://api.example.com/\udc80", [("Authorization", "HMAC x")]),
        lambda v: v.verify("GET", URL, [("Authorization", "HMAC \udc80")]),
        lambda v: v.verify("GET", URL, [("Authorization", "HMAC apiKey=\"é\"")]),
    ],
)
def test_verify_bad_input(v: sigwire.Verifier, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TYPED):
        call(v)


@pytest.mark.parametrize(
    "keys",
    [None, 5, "secret", b"secret", [("k", SECRET)], {"k": None}, {"k": 5}, {5: SECRET}, {"k": [SECRET, None]}],
)
def test_verifier_bad_keys(keys: object) -> None:
    with pytest.raises(TYPED):
        sigwire.Verifier(keys)  # type: ignore[arg-type]


def test_verifier_bad_options() -> None:
    with pytest.raises(TYPED):
        sigwire.Verifier({"k": SECRET}, window="300")  # type: ignore[arg-type]
    with pytest.raises(OverflowError):
        sigwire.Verifier({"k": SECRET}, window=2**80)
    with pytest.raises(TypeError):
        sigwire.Verifier({"k": SECRET}, replay_store=object())  # type: ignore[arg-type]
    with pytest.raises(sigwire.InvalidKeyId):
        sigwire.Verifier({"bad id": SECRET})
    with pytest.raises(sigwire.InvalidSecret):
        sigwire.Verifier({"k": b"short"})


def test_keystore_bad_input() -> None:
    keys = sigwire.KeyStore()
    for call in [
        lambda: keys.insert(None, SECRET),
        lambda: keys.insert("k", None),
        lambda: keys.insert("k", SECRET, not_after=-1),
        lambda: keys.insert("k", SECRET, not_after="x"),
        lambda: keys.rotate("k", SECRET, None),
        lambda: keys.remove(None),
        lambda: keys.active_count(None),
        lambda: keys.insert("k\udc80", SECRET),
    ]:
        with pytest.raises(TYPED):
            call()


def test_released_memoryview(s: sigwire.Signer) -> None:
    view = memoryview(b"abc")
    view.release()
    with pytest.raises(ValueError):
        s.sign("POST", URL, None, view)


def test_no_crash_in_subprocess() -> None:
    """A battery of hostile calls in a child interpreter exits cleanly (no abort/segfault)."""
    code = textwrap.dedent(
        """
        import sigwire
        s = sigwire.Signer("k", b"0123456789abcdef")
        v = sigwire.Verifier({"k": b"0123456789abcdef"})
        junk = [None, 0, -1, 2**100, 1.5, "", "\\udc80", b"\\xff", bytearray(b"\\x00"), [], {}, (), object(),
                [("a",)], {"\\udc80": "x"}, memoryview(b"x")]
        n = 0
        for a in junk:
            for b in junk:
                for fn in (lambda: s.sign(a, b), lambda: s.sign("GET", "https://h/", a, b),
                           lambda: v.verify(a, b), lambda: v.verify("GET", "https://h/", a, b),
                           lambda: sigwire.Signer(a, b), lambda: sigwire.Verifier(a, b)):
                    try:
                        fn()
                    except (TypeError, ValueError, OverflowError, sigwire.SigwireError):
                        n += 1
        print("ok", n)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok ")
