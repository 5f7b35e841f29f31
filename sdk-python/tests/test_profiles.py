"""sigwire.profiles through Python: the providers' own examples (the same ones the Rust tests in
core/tests/profiles_*.rs pin), values computed independently with the stdlib where a provider
publishes none, bad input as typed errors, and no secret in any repr or message."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import pickle
import threading
from typing import List

import pytest

import sigwire
from sigwire import profiles
from sigwire.profiles import (
    AwsSigV4,
    AwsSigV4Verifier,
    Binance,
    Bybit,
    Coinbase,
    Kraken,
    Okx,
    Rfc9421,
    Rfc9421Verifier,
    sign_webhook,
    verify_webhook,
)

# Binance API docs, "SIGNED (TRADE, USER_DATA AND MARGIN) Endpoint security", HMAC keys.
BINANCE_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
BINANCE_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
# Kraken docs, "Spot REST API authentication": the worked example's private key.
KRAKEN_SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
# AWS S3 documentation examples.
S3_AKID = "AKIAIOSFODNN7EXAMPLE"
S3_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
S3_T = 1_369_353_600
# RFC 9421 B.1.5 test-shared-secret.
RFC_SECRET = base64.b64decode(
    "uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ=="
)
RFC_CREATED = 1_618_884_473


def hmac_hex(key: bytes, msg: bytes) -> str:
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def hmac_b64(key: bytes, msg: bytes) -> str:
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


# ------------------------------------------------------------------------------------------------
# Exchanges


def test_binance_documented_examples() -> None:
    b = Binance(BINANCE_KEY, BINANCE_SECRET)
    url = "https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
    # Example 1: everything in the query.
    s = b.sign("POST", url, timestamp_ms=1_499_827_319_559)
    assert s.url == (
        url + "&recvWindow=5000&timestamp=1499827319559"
        "&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    )
    assert s.header("X-MBX-APIKEY") == BINANCE_KEY
    assert s.method == "POST" and s.body == b""
    # Example 3: query + body, the body already has timestamp and recvWindow.
    s = b.sign(
        "POST",
        "https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
        {"Content-Type": "application/x-www-form-urlencoded"},
        b"quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
        timestamp_ms=1_600_000_000_000,
    )
    assert [p.name for p in s.query_params] == ["signature"]
    assert s.url.endswith("&signature=0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77")
    assert s.header("Content-Type") == "application/x-www-form-urlencoded"
    # The non-ASCII example: the percent-encoded query is signed as sent.
    s = b.sign(
        "POST",
        "https://api.binance.com/api/v3/order?symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96"
        "&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1",
        timestamp_ms=1_499_827_319_559,
    )
    assert s.url.endswith("signature=e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3")


def test_binance_settings_and_refusal() -> None:
    b = Binance("k", "s", recv_window=None)
    s = b.sign("GET", "https://h/x", timestamp_ms=5)
    assert s.url == "https://h/x?timestamp=5&signature=" + hmac_hex(b"s", b"timestamp=5")
    with pytest.raises(profiles.InvalidRequest) as e:
        b.sign("GET", "https://h/x?a=1&signature=00", timestamp_ms=5)
    assert e.value.code == "invalid_request" and e.value.http_status == 400
    # A profile's InvalidRequest is also the package's InvalidRequest and a ValueError.
    assert isinstance(e.value, sigwire.InvalidRequest) and isinstance(e.value, ValueError)


def test_kraken_documented_example_and_nonces() -> None:
    k = Kraken("key", KRAKEN_SECRET)
    body = k.body(
        [("ordertype", "limit"), ("pair", "XBTUSD"), ("price", "37500"), ("type", "buy"), ("volume", "1.25")],
        nonce=1_616_492_376_594,
    )
    assert body == "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
    s = k.sign("POST", "https://api.kraken.com/0/private/AddOrder", None, body)
    assert s.header("API-Sign") == (
        "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
    )
    assert s.header("API-Key") == "key" and s.body == body.encode()
    with pytest.raises(profiles.InvalidRequest):
        k.sign("POST", "https://api.kraken.com/0/private/Balance", None, b"x=1")
    # Strictly increasing, also from several threads in the same millisecond.
    seen: List[int] = []
    lock = threading.Lock()

    def take() -> None:
        got = [k.next_nonce(1_700_000_000_000) for _ in range(500)]
        assert got == sorted(got) and len(set(got)) == len(got)
        with lock:
            seen.extend(got)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 2000
    assert k.next_nonce(0) > max(seen)  # a clock going backwards never lowers it
    assert k.body({"a": "b c"}).split("&", 1)[1] == "a=b%20c"


def test_coinbase_okx_bybit_match_the_documented_prehash() -> None:
    secret_b64 = base64.b64encode(b"coinbase secret bytes").decode()
    url = "https://api.exchange.coinbase.com/orders?status=open&limit=2"
    body = b'{"size":"0.01","price":"0.100","side":"buy","product_id":"BTC-USD"}'
    s = Coinbase("ck", secret_b64, "pp").sign("post", url, None, body, timestamp_ms=1_700_000_000_999)
    prehash = b"1700000000POST/orders?status=open&limit=2" + body
    assert s.header("CB-ACCESS-SIGN") == hmac_b64(b"coinbase secret bytes", prehash)
    assert s.header("CB-ACCESS-TIMESTAMP") == "1700000000"
    assert s.header("CB-ACCESS-PASSPHRASE") == "pp" and s.header("CB-ACCESS-KEY") == "ck"

    ts_ms = 1_607_418_537_715
    iso = datetime.datetime.fromtimestamp(ts_ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "715Z"
    assert iso == "2020-12-08T09:08:57.715Z"
    o = Okx("ok", "okx-secret", "pw", simulated_trading=True)
    s = o.sign("GET", "https://www.okx.com/api/v5/account/balance?ccy=BTC", timestamp_ms=ts_ms)
    assert s.header("OK-ACCESS-TIMESTAMP") == iso
    assert s.header("OK-ACCESS-SIGN") == hmac_b64(b"okx-secret", (iso + "GET/api/v5/account/balance?ccy=BTC").encode())
    assert s.header("x-simulated-trading") == "1"

    by = Bybit("bk", "bybit-secret", recv_window=20000)
    s = by.sign("GET", "https://api.bybit.com/v5/order/realtime?category=linear&symbol=BTCUSDT", timestamp_ms=ts_ms)
    assert s.header("X-BAPI-SIGN") == hmac_hex(
        b"bybit-secret", f"{ts_ms}bk20000category=linear&symbol=BTCUSDT".encode()
    )
    post = b'{"category":"linear","symbol":"BTCUSDT"}'
    s = by.sign("POST", "https://api.bybit.com/v5/order/create", {"Content-Type": "application/json"}, post, timestamp_ms=ts_ms)
    assert s.header("X-BAPI-SIGN") == hmac_hex(b"bybit-secret", f"{ts_ms}bk20000".encode() + post)
    assert (s.header("X-BAPI-RECV-WINDOW"), s.header("X-BAPI-SIGN-TYPE")) == ("20000", "2")


def test_exchange_bad_credentials_are_typed() -> None:
    with pytest.raises(profiles.InvalidCredentials) as e:
        Kraken("k", "not base64!")
    assert e.value.code == "invalid_credentials"
    with pytest.raises(profiles.InvalidCredentials):
        Binance("", "s")
    with pytest.raises(profiles.InvalidCredentials):
        Binance("k", "")
    with pytest.raises(profiles.InvalidCredentials):  # the passphrase is required
        Okx("k", "s", None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Binance("k", b"bytes")  # type: ignore[arg-type]
    with pytest.raises(profiles.InvalidRequest):  # Binance signs text bodies
        Binance("k", "s").sign("POST", "https://h/x", None, b"\xff\xfe")
    with pytest.raises(profiles.InvalidRequest):
        Binance("k", "s").sign("GET", "not a url")


# ------------------------------------------------------------------------------------------------
# AWS SigV4


def test_sigv4_s3_documented_presigned_url_and_verifier() -> None:
    aws = AwsSigV4(S3_AKID, S3_SECRET, "us-east-1", "s3", s3=True)
    url = aws.presign("GET", "https://examplebucket.s3.amazonaws.com/test.txt", expires_in=86_400, timestamp=S3_T)
    assert url.endswith("&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    assert "X-Amz-Expires=86400" in url
    v = AwsSigV4Verifier("us-east-1", "s3", {S3_AKID: S3_SECRET}, s3=True)
    ok = v.verify("GET", url, now=S3_T + 86_400)
    assert ok.presigned and ok.access_key_id == S3_AKID and ok.signed_at == S3_T
    with pytest.raises(profiles.SignatureExpired):
        v.verify("GET", url, now=S3_T + 86_401)
    with pytest.raises(profiles.SignatureMismatch) as e:
        v.verify("GET", url.replace("test.txt", "test2.txt"), now=S3_T)
    assert isinstance(e.value, sigwire.SignatureMismatch)
    with pytest.raises(profiles.InvalidSettings):
        aws.presign("GET", "https://examplebucket.s3.amazonaws.com/test.txt", expires_in=604_801)


def test_sigv4_s3_documented_get_object_in_headers() -> None:
    aws = AwsSigV4(S3_AKID, S3_SECRET, "us-east-1", "s3", s3=True)
    s = aws.sign("GET", "https://examplebucket.s3.amazonaws.com/test.txt", {"Range": "bytes=0-9"}, timestamp=S3_T)
    auth = s.header("Authorization")
    assert auth is not None and auth.endswith(
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )
    assert "\nhost;range;x-amz-content-sha256;x-amz-date\n" in s.canonical_request
    assert s.string_to_sign.startswith("AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n")
    assert s.header("Range") == "bytes=0-9"


def test_sigv4_what_is_sent_first_then_the_signed_stages() -> None:
    # sign() computes the URL and header lines; the params and stages come on first read, from
    # the converted arguments (not the caller's objects, which may change or be one-shot).
    aws = AwsSigV4(S3_AKID, S3_SECRET, "eu-west-1", "execute-api", "TOKEN/abc==")
    headers = {"Content-Type": "application/json", "X-Amz-Date": "replaced"}
    s = aws.sign("POST", "https://api.example.com/v1/x?b=2&a=1", headers, bytearray(b'{"k":1}'), timestamp=S3_T)
    assert [n for n, _ in s.headers] == ["Content-Type", "X-Amz-Date", "X-Amz-Security-Token", "Authorization"]
    assert s.header("X-Amz-Date") == "20130524T000000Z" and s.body == b'{"k":1}'
    headers["Content-Type"] = "text/plain"  # after signing: must not change the stages
    lines = iter([("Content-Type", "application/json"), ("X-Amz-Date", "replaced")])
    t = aws.sign("POST", "https://api.example.com/v1/x?b=2&a=1", lines, b'{"k":1}', timestamp=S3_T)
    for r in (s, t):
        assert r.canonical_request.startswith("POST\n/v1/x\na=1&b=2\ncontent-type:application/json\nhost:api.example.com\n")
        creq_hash = hashlib.sha256(r.canonical_request.encode()).hexdigest()
        assert r.string_to_sign == f"AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/eu-west-1/execute-api/aws4_request\n{creq_hash}"
        k = b"AWS4" + S3_SECRET.encode()
        for part in (b"20130524", b"eu-west-1", b"execute-api", b"aws4_request"):
            k = hmac.new(k, part, hashlib.sha256).digest()
        assert (r.header("Authorization") or "").endswith("Signature=" + hmac_hex(k, r.string_to_sign.encode()))
        assert [(p.name, p.sensitive) for p in r.header_params] == [
            ("X-Amz-Date", False), ("X-Amz-Security-Token", True), ("Authorization", True)
        ]
        assert r.query_params == ()
    assert s == t and "TOKEN/abc" not in repr(s) and "Signature=" not in repr(s)
    # A copy or a pickle holds the whole result.
    u = aws.sign("GET", "https://api.example.com/", timestamp=S3_T)
    back = pickle.loads(pickle.dumps(u))
    assert back == u and back.string_to_sign == u.string_to_sign and "_rest" not in vars(back)
    with pytest.raises(AttributeError):
        getattr(u, "no_such_field")


def test_sigv4_auth_headers_are_the_headers_sign_sets() -> None:
    # auth_headers: only what signing sets, equal to sign()'s instructions for the same request,
    # each replacing a caller header of the same name; the S3 documentation's GET Object.
    aws = AwsSigV4(S3_AKID, S3_SECRET, "us-east-1", "s3", s3=True)
    url = "https://examplebucket.s3.amazonaws.com/test.txt"
    added = aws.auth_headers("GET", url, {"Range": "bytes=0-9"}, timestamp=S3_T)
    assert list(added) == ["X-Amz-Date", "x-amz-content-sha256", "Authorization"]
    assert added["Authorization"].endswith(
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )
    assert added["x-amz-content-sha256"] == hashlib.sha256(b"").hexdigest()
    generic = AwsSigV4("AKID", "secret", "eu-west-1", "execute-api", "the-session-token")
    for body in (b'{"k":1}', bytearray(b'{"k":1}'), memoryview(b'{"k":1}'), '{"k":1}'):
        headers = [("Content-Type", "application/json"), ("x-amz-date", "stale")]
        added = generic.auth_headers("POST", "https://api.example.com/a?x=1", headers, body, timestamp=1_700_000_000)
        signed = generic.sign("POST", "https://api.example.com/a?x=1", headers, body, timestamp=1_700_000_000)
        assert added == {p.name: p.value for p in signed.header_params}
        assert list(added) == ["X-Amz-Date", "X-Amz-Security-Token", "Authorization"]
    # Unsigned payload and no headers or body at all.
    unsigned = generic.auth_headers("PUT", "https://api.example.com/u", None, b"data", timestamp=1_700_000_000, unsigned_payload=True)
    plain = generic.sign("PUT", "https://api.example.com/u", None, b"data", timestamp=1_700_000_000, unsigned_payload=True)
    assert unsigned["Authorization"] == plain.header("Authorization")
    assert generic.auth_headers("GET", "https://api.example.com/")["X-Amz-Date"].endswith("Z")
    # Now is read natively: the date is today's (UTC), within a few seconds of time.time().
    before = datetime.datetime.now(datetime.timezone.utc)
    stamp = datetime.datetime.strptime(
        AwsSigV4("AKID", "secret", "r", "s").auth_headers("GET", "https://h.example/")["X-Amz-Date"], "%Y%m%dT%H%M%SZ"
    ).replace(tzinfo=datetime.timezone.utc)
    assert abs((stamp - before).total_seconds()) < 5
    # Bad input: typed errors, no secret in them.
    with pytest.raises(TypeError):
        generic.auth_headers("POST", "https://api.example.com/", None, 5)  # type: ignore[arg-type]
    with pytest.raises(profiles.InvalidRequest) as bad:
        generic.auth_headers("GET", "not a url")
    assert "secret" not in str(bad.value)
    with pytest.raises(profiles.InvalidRequest):
        generic.auth_headers("GET", "https://api.example.com/", {"Bad Name": "x"})


def test_sigv4_generic_service_round_trip_with_session_token() -> None:
    aws = AwsSigV4("AKID", "secret", "eu-west-1", "execute-api", "the-session-token")
    body = json.dumps({"a": 1}).encode()
    s = aws.sign("POST", "https://api.example.com/a/./b?x=1", {"Content-Type": "application/json"}, body, timestamp=1_700_000_000)
    assert s.header("X-Amz-Security-Token") == "the-session-token"
    assert s.header("X-Amz-Date") == "20231114T221320Z"
    # Independently: the signing key chain and the string to sign as documented.
    k = b"AWS4secret"
    for part in (b"20231114", b"eu-west-1", b"execute-api", b"aws4_request"):
        k = hmac.new(k, part, hashlib.sha256).digest()
    creq_hash = hashlib.sha256(s.canonical_request.encode()).hexdigest()
    assert s.string_to_sign.endswith(creq_hash)
    auth = s.header("Authorization") or ""
    assert auth.endswith("Signature=" + hmac_hex(k, s.string_to_sign.encode()))
    assert "\n/a/b\n" in s.canonical_request  # generic services normalise dot segments
    with pytest.raises(profiles.InvalidCredentials):
        AwsSigV4("AK/ID", "secret", "r", "s")
    with pytest.raises(profiles.InvalidSettings):
        AwsSigV4("AKID", "secret", "", "s")


# ------------------------------------------------------------------------------------------------
# RFC 9421

RFC_HEADERS = [
    ("Host", "example.com"),
    ("Date", "Tue, 20 Apr 2021 02:07:55 GMT"),
    ("Content-Type", "application/json"),
    ("Content-Length", "18"),
]


def test_rfc9421_b25_hmac_example_and_verify() -> None:
    signer = Rfc9421("test-shared-secret", RFC_SECRET, label="sig-b25", components=["date", "@authority", "content-type"])
    s = signer.sign(
        "POST", "https://example.com/foo?param=Value&Pet=dog", RFC_HEADERS, b'{"hello": "world"}', created=RFC_CREATED
    )
    assert s.header("Signature") == "sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:"
    assert s.header("Signature-Input") == (
        'sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"'
    )
    assert s.signature_base == (
        '"date": Tue, 20 Apr 2021 02:07:55 GMT\n"@authority": example.com\n"content-type": application/json\n'
        '"@signature-params": ("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"'
    )
    assert s.header("Content-Digest") is None
    v = Rfc9421Verifier({"test-shared-secret": RFC_SECRET}, required_components=["@authority"])
    got = v.verify(s.method, s.url, s.headers, s.body, now=RFC_CREATED + 10)
    assert (got.label, got.key_id, got.created) == ("sig-b25", "test-shared-secret", RFC_CREATED)
    assert got.components == ("date", "@authority", "content-type")
    tampered = [(n, "text/plain" if n == "Content-Type" else v_) for n, v_ in s.headers]
    with pytest.raises(profiles.SignatureMismatch):
        v.verify(s.method, s.url, tampered, s.body, now=RFC_CREATED + 10)
    with pytest.raises(profiles.TimestampOutOfTolerance):
        v.verify(s.method, s.url, s.headers, s.body, now=RFC_CREATED + 301)
    with pytest.raises(profiles.InsufficientCoverage):  # the default requires @method and @path
        Rfc9421Verifier({"test-shared-secret": RFC_SECRET}).verify(s.method, s.url, s.headers, s.body, now=RFC_CREATED)
    with pytest.raises(profiles.UnknownKey):
        Rfc9421Verifier({"other": RFC_SECRET}, required_components=["@authority"]).verify(
            s.method, s.url, s.headers, s.body, now=RFC_CREATED
        )


def test_rfc9421_default_components_digest_and_responses() -> None:
    key = b"0123456789abcdef0123456789abcdef"
    signer = Rfc9421("k1", key, expires_in=60, tag="app", include_alg=True)
    body = b'{"hello": "world"}'
    s = signer.sign("POST", "https://api.example.com/v1/items?x=1", None, body, created=1_700_000_000, nonce="n-1")
    assert s.header("Content-Digest") == "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
    # The signature is HMAC-SHA256 over the signature base, checked with the stdlib.
    sig = s.header("Signature") or ""
    assert sig == "sig1=:" + hmac_b64(key, s.signature_base.encode()) + ":"
    v = Rfc9421Verifier({"k1": key})
    got = v.verify(s.method, s.url, s.headers, s.body, now=1_700_000_030)
    assert (got.nonce, got.tag, got.expires) == ("n-1", "app", 1_700_000_060)
    with pytest.raises(profiles.DigestMismatch):
        v.verify(s.method, s.url, s.headers, b'{"hello": "World"}', now=1_700_000_030)
    with pytest.raises(profiles.SignatureExpired):
        Rfc9421Verifier({"k1": key}, max_age=1000).verify(s.method, s.url, s.headers, s.body, now=1_700_000_061)

    r = signer.sign_response(200, [("Content-Type", "application/json")], b"{}", created=1_700_000_000)
    assert r.status == 200 and (r.header("Signature-Input") or "").startswith('sig1=("@status" "content-digest")')
    got = v.verify_response(200, r.headers, b"{}", now=1_700_000_001)
    assert got.components == ("@status", "content-digest")
    with pytest.raises(profiles.SignatureMismatch):
        v.verify_response(201, r.headers, b"{}", now=1_700_000_001)


def test_rfc9421_query_param_components_in_both_spellings() -> None:
    # RFC 9421 section 2.2.8: `@query-param;name="Pet"` is the decoded-then-form-encoded value;
    # the core's Component::parse reads it, and the quoted Signature-Input spelling too.
    signer = Rfc9421("k1", RFC_SECRET, components=["@method", '@query-param;name="Pet"', '"@query-param";name="b c"'])
    url = "https://example.com/foo?param=Value&Pet=dog&b%20c=x+y"
    s = signer.sign("GET", url, None, b"", created=1_700_000_000)
    assert '"@query-param";name="Pet": dog\n' in s.signature_base
    assert '"@query-param";name="b c": x%20y\n' in s.signature_base
    assert s.signature_base.endswith(
        '"@signature-params": ("@method" "@query-param";name="Pet" "@query-param";name="b c");created=1700000000;keyid="k1"'
    )
    v = Rfc9421Verifier({"k1": RFC_SECRET}, required_components=['@query-param;name="Pet"'])
    got = v.verify(s.method, s.url, s.headers, s.body, now=1_700_000_001)
    assert got.components == ("@method", '@query-param;name="Pet"', '@query-param;name="b c"')
    with pytest.raises(profiles.SignatureMismatch):
        v.verify(s.method, url.replace("dog", "cat"), s.headers, s.body, now=1_700_000_001)
    for bad in ("@query-param", "@query-param;name=Pet", '@query-param;name="x";sf'):
        with pytest.raises(profiles.MalformedSignature):
            Rfc9421("k1", RFC_SECRET, components=[bad])


def test_rfc9421_bad_input() -> None:
    with pytest.raises(profiles.InvalidCredentials):
        Rfc9421("k", b"")
    with pytest.raises(profiles.MalformedSignature):
        Rfc9421("k", b"secret", components=["@nope"])
    with pytest.raises(profiles.InvalidSettings):
        Rfc9421("k", b"secret", label="Bad Label").sign("GET", "https://h/", created=1)
    with pytest.raises(profiles.MissingSignature):
        Rfc9421Verifier({"k": b"secret"}).verify("GET", "https://h/", now=1)


# ------------------------------------------------------------------------------------------------
# Webhooks


def test_github_documented_example() -> None:
    body = b"Hello, World!"
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert sign_webhook("github", "It's a Secret to Everybody", body) == {"X-Hub-Signature-256": expected}
    ev = verify_webhook(
        "github", "It's a Secret to Everybody", {"X-Hub-Signature-256": expected, "X-GitHub-Delivery": "d-1"}, body
    )
    assert (ev.provider, ev.id, ev.timestamp, ev.secret_index) == ("github", "d-1", None, 0)
    with pytest.raises(profiles.SignatureMismatch):
        verify_webhook("github", "It's a Secret to Everybody", {"X-Hub-Signature-256": expected}, body + b" ")


def test_slack_documented_example() -> None:
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = {
        "X-Slack-Request-Timestamp": "1531420618",
        "X-Slack-Signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    }
    wh = profiles.SlackWebhook("8f742231b10e8888abcd99yyyzzz85a5")
    assert wh.verify(headers, body, now=1_531_420_618 + 300).timestamp == 1_531_420_618
    assert wh.sign(body, timestamp=1_531_420_618) == headers
    with pytest.raises(profiles.WebhookTimestampOutOfTolerance) as e:
        wh.verify(headers, body, now=1_531_420_618 + 301)
    assert e.value.code == "webhook_timestamp_out_of_tolerance" and e.value.http_status == 401


def test_standard_webhooks_reference_example() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    assert sign_webhook("standard", secret, body, timestamp=1_614_265_330, id="msg_p5jXN8AQM9LWM0D4loKWxJek") == headers
    # Rotation: the second secret matches.
    ev = verify_webhook("standard", ["whsec_" + base64.b64encode(b"old").decode(), secret], headers, body, now=1_614_265_330)
    assert (ev.id, ev.secret_index) == ("msg_p5jXN8AQM9LWM0D4loKWxJek", 1)
    with pytest.raises(profiles.InvalidCredentials):
        verify_webhook("standard", "whsec_!!!", headers, body)
    with pytest.raises(profiles.InvalidRequest):
        sign_webhook("standard", secret, body, id="has.dot")


def test_stripe_as_documented_and_raw_bytes_only() -> None:
    secret = "whsec_test_secret"
    payload = b'{\n  "id": "evt_1", "object": "event"\n}'
    t = 1_700_000_000
    expected_v1 = hmac_hex(secret.encode(), f"{t}.".encode() + payload)
    h = sign_webhook("stripe", secret, payload, timestamp=t)
    assert h == {"Stripe-Signature": f"t={t},v1={expected_v1}"}
    wh = profiles.StripeWebhook(["whsec_rolled_away", secret])
    ev = wh.verify(h, payload, now=t + 5)
    assert (ev.timestamp, ev.secret_index) == (t, 1)
    reserialised = json.dumps(json.loads(payload)).encode()
    with pytest.raises(profiles.SignatureMismatch):
        wh.verify(h, reserialised, now=t)
    with pytest.raises(profiles.MalformedSignature):
        wh.verify({"Stripe-Signature": f"t={t}"}, payload, now=t)
    with pytest.raises(profiles.MissingHeader):
        wh.verify({}, payload, now=t)
    with pytest.raises(profiles.WebhookTimestampOutOfTolerance):
        verify_webhook("stripe", secret, h, payload, now=t + 61, tolerance=60)


def test_sigwire_webhook_form() -> None:
    secret = b"0123456789abcdef0123456789abcdef"
    body = b'{"event":"paid"}'
    h = sign_webhook("sigwire", secret, body, timestamp=1_700_000_000, id="evt-1")
    signed = b"sigwire-webhook-v1\nevt-1\n1700000000\n" + body
    assert h["Sigwire-Webhook-Signature"] == "v1=" + hmac_hex(secret, signed)
    ev = profiles.SigwireWebhook(secret).verify(h, body, now=1_700_000_000)
    assert ev.id == "evt-1"


def test_webhook_bad_input_is_typed() -> None:
    with pytest.raises(profiles.InvalidSettings):
        verify_webhook("nope", "s", {}, b"")
    with pytest.raises(profiles.InvalidCredentials):
        profiles.StripeWebhook("")
    with pytest.raises(profiles.InvalidCredentials):
        verify_webhook("stripe", [], {"Stripe-Signature": "t=1,v1=00"}, b"")
    with pytest.raises(TypeError):
        verify_webhook("stripe", "s", "not headers", b"")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        verify_webhook("stripe", "s", {}, 42)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------
# Errors and secrets


def test_every_core_code_has_a_class() -> None:
    assert set(profiles.ERROR_CODES) == set(profiles._BY_CODE)
    for code, status in profiles.ERROR_CODES.items():
        err = profiles._from_profile_error(code, "m")
        assert err.code == code and err.http_status == status
        assert isinstance(err, profiles.ProfileError) and isinstance(err, sigwire.SigwireError)
        assert err.public_body() == b'{"error":"' + code.encode() + b'"}'
        assert type(pickle.loads(pickle.dumps(err))) is type(err)


SECRETS = [
    BINANCE_SECRET,
    "okx-secret-value-xyz",
    "passphrase-value-xyz",
    "bybit-secret-value-xyz",
    "aws-secret-value-xyz",
    "aws-session-token-xyz",
    "rfc9421-secret-value-xyz",
    "webhook-secret-value-xyz",
]


def test_no_secret_in_repr_or_messages() -> None:
    texts: List[str] = []
    objs = [
        Binance("k", BINANCE_SECRET),
        Okx("k", "okx-secret-value-xyz", "passphrase-value-xyz"),
        Bybit("k", "bybit-secret-value-xyz"),
        AwsSigV4("AKID", "aws-secret-value-xyz", "r", "s", "aws-session-token-xyz"),
        AwsSigV4Verifier("r", "s", {"AKID": "aws-secret-value-xyz"}),
        Rfc9421("k", "rfc9421-secret-value-xyz"),
        Rfc9421Verifier({"k": "rfc9421-secret-value-xyz"}),
        profiles.StripeWebhook("webhook-secret-value-xyz"),
    ]
    texts += [repr(o) for o in objs] + [str(o) for o in objs]
    # Signed requests: repr hides signatures, tokens and passphrases.
    okx = objs[1].sign("GET", "https://h/x", timestamp_ms=1)  # type: ignore[attr-defined]
    aws = objs[3].sign("GET", "https://h/x", timestamp=1)  # type: ignore[attr-defined]
    presigned = AwsSigV4("AKID", "aws-secret-value-xyz", "r", "s", "aws-session-token-xyz").presign(
        "GET", "https://h/x", timestamp=1
    )
    texts += [repr(okx), repr(aws), repr(okx.header_params), repr(aws.query_params)]
    assert "passphrase-value-xyz" not in repr(okx) and okx.header("OK-ACCESS-PASSPHRASE") == "passphrase-value-xyz"
    assert "aws-session-token-xyz" not in repr(aws) and (okx.header("OK-ACCESS-SIGN") or "") not in repr(okx)
    assert "X-Amz-Signature" in presigned
    # Error messages from every failing path.
    attempts = [
        lambda: Okx("k", "okx-secret-value-xyz", None),  # type: ignore[arg-type]
        lambda: Kraken("k", "webhook-secret-value-xyz!"),
        lambda: AwsSigV4Verifier("r", "s", {"AKID": "aws-secret-value-xyz"}).verify("GET", "https://h/x", now=1),
        lambda: verify_webhook("stripe", "webhook-secret-value-xyz", {"Stripe-Signature": "t=1,v1=zz"}, b""),
        lambda: verify_webhook("standard", "whsec_webhook-secret-value-xyz", {}, b""),
        lambda: Rfc9421("rfc9421-secret-value-xyz\n", "rfc9421-secret-value-xyz"),
    ]
    for attempt in attempts:
        with pytest.raises(profiles.ProfileError) as e:
            attempt()
        texts += [str(e.value), repr(e.value)]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, (secret, text)


def test_every_public_item_is_documented_and_examples_run() -> None:
    import doctest
    import inspect

    for name in profiles.__all__:
        obj = getattr(profiles, name)
        if inspect.isclass(obj) or inspect.isroutine(obj):
            assert obj.__doc__, name
    result = doctest.testmod(profiles, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 1 and result.failed == 0
