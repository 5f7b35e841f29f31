"""Unit tests of the independent Python implementation, each derived from an example or rule
stated in SPEC.md (section numbers given)."""

import hashlib
import hmac
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import sigwire_spec as sw  # noqa: E402
from sigwire_spec import SpecError  # noqa: E402

KEY = "key-1"
SECRET_HEX = "00112233445566778899aabbccddeeff"
NONCE = "AAAAAAAAAAAAAAAAAAAAAA"  # 22 chars of base64url
TS = 1700000000
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def cs(url="https://api.example.com/", method="GET", headers=(), body=b"", signed=None, alg="hmac-sha256", ts=TS, nonce=NONCE, key=KEY):
    return sw.canonical_string(key, alg, ts, nonce, method, url, [list(h) for h in headers], body, signed)


def lines(**kw):
    return cs(**kw).split("\n")


def path_of(url):
    return lines(url=url)[7]


def query_of(url):
    return lines(url=url)[8]


def host_of(url):
    ls = lines(url=url)
    return ls[10]


def code_of(fn, *a, **kw):
    with pytest.raises(SpecError) as ei:
        fn(*a, **kw)
    return ei.value.code


# ---- §4 layout ---------------------------------------------------------------------------


def test_canonical_layout_no_final_lf():
    s = cs()
    assert s == "\n".join([
        "sigwire-v1", "hmac-sha256", KEY, str(TS), NONCE, "GET", "https", "/", "", "host",
        "host:api.example.com", EMPTY_SHA256,
    ])
    assert not s.endswith("\n")


def test_sha512_digest_and_signature_length():
    s = cs(alg="hmac-sha512")
    assert s.split("\n")[-1] == hashlib.sha512(b"").hexdigest()
    _, sig, _ = sw.sign(KEY, SECRET_HEX, "hmac-sha512", TS, NONCE, "GET", "https://a.example/", [], b"")
    assert len(sig) == 128


# ---- §1 credentials ----------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["hmac-md5", "hmac-sha1", "HMAC-SHA256", "sha256", ""])
def test_unsupported_algorithms(alg):
    assert code_of(cs, alg=alg) == "unsupported_algorithm"


def test_default_algorithm_is_sha256():
    assert sw.canonical_string(KEY, None, TS, NONCE, "GET", "https://a.example/", [], b"").split("\n")[1] == "hmac-sha256"


def test_short_secret_refused():
    assert code_of(sw.sign, KEY, "00" * 15, None, TS, NONCE, "GET", "https://a.example/", [], b"") == "invalid_secret"
    sw.sign(KEY, "00" * 16, None, TS, NONCE, "GET", "https://a.example/", [], b"")


@pytest.mark.parametrize("kid", ["", "a" * 129, "a b", "é", "a,b", 'a"b'])
def test_bad_key_id(kid):
    assert code_of(cs, key=kid) == "invalid_key_id"


def test_key_id_full_alphabet_accepted():
    kid = "Az09-._~+/=:@"
    assert lines(key=kid)[2] == kid
    assert lines(key="k" * 128)[2] == "k" * 128


# ---- §2 timestamp, nonce ------------------------------------------------------------------


@pytest.mark.parametrize("nonce", ["A" * 15, "A" * 129, "A" * 21 + "=", "A" * 21 + "+", "A" * 21 + "/"])
def test_bad_nonce(nonce):
    assert code_of(cs, nonce=nonce) == "invalid_request"


def test_nonce_generation():
    n = sw.new_nonce()
    assert len(n) == 22 and all(c in sw.NONCE_CHARS for c in n)


def test_timestamp_zero_ok_leading_zero_not():
    assert lines(ts=0)[3] == "0"
    assert lines(ts="999999999999")[3] == "999999999999"
    assert code_of(cs, ts="01") == "invalid_request"
    assert code_of(cs, ts="1234567890123") == "invalid_request"


# ---- §3.1 method -------------------------------------------------------------------------


def test_method_case_sensitive():
    assert lines(method="get")[5] == "get"
    assert cs(method="get") != cs(method="GET")
    assert lines(method="M-Search")[5] == "M-Search"


def test_scheme_is_signed():
    assert lines(url="HTTP://a.example/")[6] == "http"
    assert lines(url="https://a.example/")[6] == "https"
    assert cs(url="http://a.example/") != cs(url="https://a.example/")


@pytest.mark.parametrize("m", ["", "G ET", "GET\n", "A" * 33, "GÉT", "GET(x)"])
def test_bad_method(m):
    assert code_of(cs, method=m) == "invalid_request"


# ---- §3.2 URL ------------------------------------------------------------------------------


def test_ipv6_canonical():
    assert host_of("http://[0:0::1]/") == "host:[::1]"
    assert host_of("http://[2001:DB8:0:0:1:0:0:1]/") == "host:[2001:db8::1:0:0:1]"
    assert host_of("http://[2001:db8:0:1:1:1:1:1]/") == "host:[2001:db8:0:1:1:1:1:1]"  # single 0 not compressed
    assert host_of("http://[::FFFF:192.0.2.1]:8080/") == "host:[::ffff:192.0.2.1]:8080"
    assert host_of("http://[::ffff:c000:0201]/") == "host:[::ffff:192.0.2.1]"
    assert host_of("https://[::1]:443/") == "host:[::1]"


@pytest.mark.parametrize("url", ["http://[fe80::1%25eth0]/", "http://[fe80::1%eth0]/", "http://[::1/", "http://[1.2.3.4]/", "http://[::1]x/", "http://[v1.x]/"])
def test_bad_ipv6(url):
    assert code_of(cs, url=url) == "invalid_request"


def test_host_lowercased_and_default_port_dropped():
    assert host_of("HTTPS://API.Example.COM:443/x") == "host:api.example.com"
    assert host_of("http://api.example.com:80/") == "host:api.example.com"
    assert host_of("http://api.example.com:443/") == "host:api.example.com:443"
    assert host_of("https://api.example.com:80/") == "host:api.example.com:80"
    assert host_of("http://api.example.com:00080/") == "host:api.example.com"
    assert host_of("http://api.example.com:08080/") == "host:api.example.com:8080"
    assert host_of("http://api.example.com:/") == "host:api.example.com"
    assert host_of("http://10.0.0.1:8443/") == "host:10.0.0.1:8443"


@pytest.mark.parametrize("url", [
    "ftp://a.example/", "https:/a.example/", "https//a.example/", "a.example/",
    "https://user:pw@a.example/", "https://@a.example/",
    "https://a.example:0/", "https://a.example:65536/", "https://a.example:123456/", "https://a.example:8a/",
    "https:///path", "https://:443/", "https://bücher.example/", "https://a b.example/", "https://a" + "a" * 253 + "/",
    "https://a.example/\x00", "https://a.example/a\tb", "https://a.example/\x7f", "https://a.example/?a=\r\n",
    "https://a.example/%", "https://a.example/%2", "https://a.example/%zz", "https://a.example/?a=%g1",
])
def test_bad_urls(url):
    assert code_of(cs, url=url) == "invalid_request"


def test_fragment_never_signed():
    assert cs(url="https://a.example/p?q=1#frag") == cs(url="https://a.example/p?q=1")
    assert cs(url="https://a.example#x") == cs(url="https://a.example/")
    assert query_of("https://a.example/p#f?x=1") == ""


# ---- §3.3 / §3.4 percent-encoding, path, query ---------------------------------------------


def test_percent_examples():
    assert path_of("https://a.example/%7e") == "/~"
    assert path_of("https://a.example/%7E") == "/~"
    assert path_of("https://a.example/%2f") == "/%2F"
    assert path_of("https://a.example/%2b") == "/%2B"
    assert path_of("https://a.example/%20") == "/%20"
    assert path_of("https://a.example/%41") == "/A"


def test_escape_examples():
    assert path_of("https://a.example/ !'()*@$é") == "/%20%21%27%28%29%2A%40%24%C3%A9"
    assert query_of("https://a.example/?a=b/c") == "a=b%2Fc"
    assert path_of("https://a.example/b/c") == "/b/c"


def test_kept_as_sent_delimiters():
    # raw + , : ; = stay raw; their escapes stay escaped (uppercase)
    assert path_of("https://a.example/+,:;=") == "/+,:;="
    assert path_of("https://a.example/%2b%2c%3a%3b%3d") == "/%2B%2C%3A%3B%3D"
    assert query_of("https://a.example/?q=a+b") == "q=a+b"
    assert query_of("https://a.example/?q=a%2Bb") == "q=a%2Bb"
    assert query_of("https://a.example/?q=a b") == "q=a%20b"
    assert len({query_of("https://a.example/?q=a" + s + "b") for s in ("+", "%2B", "%20")}) == 3
    assert query_of("https://a.example/?a=1;b=2") == "a=1;b=2"


def test_backslash():
    assert code_of(cs, url="https://a.example/a\\b") == "invalid_request"
    assert path_of("https://a.example/a%5cb") == "/a%5Cb"
    assert query_of("https://a.example/?p=a\\b") == "p=a%5Cb"


def test_path_rules():
    assert path_of("https://a.example") == "/"
    assert path_of("https://a.example?x=1") == "/"
    assert path_of("https://a.example/a%2Fb") == "/a%2Fb"
    assert path_of("https://a.example/a%2Fb") != path_of("https://a.example/a/b")
    assert path_of("https://a.example/a/./b") == "/a/./b"
    assert path_of("https://a.example/a/../b") == "/a/../b"
    assert path_of("https://a.example//a") == "//a"
    assert path_of("https://a.example/a") != path_of("https://a.example/a/")


def test_query_rules():
    assert query_of("https://a.example/?a") == "a"
    assert query_of("https://a.example/?a") != query_of("https://a.example/?a=")
    assert query_of("https://a.example/?") == ""
    assert query_of("https://a.example/?&") == ""
    assert query_of("https://a.example/?a=1&&b=2") == "a=1&b=2"
    # the order sent is kept, repeated names included
    assert query_of("https://a.example/?b=2&a=1") == "b=2&a=1"
    assert query_of("https://a.example/?a=2&a=1&a=1") == "a=2&a=1&a=1"
    assert query_of("https://a.example/?role=user&role=admin") != query_of("https://a.example/?role=admin&role=user")
    assert query_of("https://a.example/?a=b=c") == "a=b=c"
    assert query_of("https://a.example/?a=b%3dc") == "a=b%3Dc"
    assert query_of("https://a.example/?a%3Db=c") == "a%3Db=c"
    assert query_of("https://a.example/?x=%26") == "x=%26"
    assert query_of("https://a.example/?%7e=%7E") == "~=~"


# ---- §3.5 headers ---------------------------------------------------------------------------


def test_repeated_signed_header_refused():
    assert code_of(cs, headers=[("X-A", "1"), ("x-a", "2")], signed=["x-a"]) == "invalid_request"
    assert "x-a:1, 2" in cs(headers=[("x-a", "1, 2")], signed=["x-a"]).split("\n")
    # not signed: not examined
    assert cs(headers=[("X-A", "1"), ("x-a", "2")]) == cs()


def test_header_value_trimmed_inner_kept():
    assert "x-a:a \t b" in lines(headers=[("x-a", " \t a \t b\t ")], signed=["X-A"])


def test_content_type_auto_signed_only_with_body():
    ls = lines(method="POST", headers=[("Content-Type", "application/json")], body=b"{}")
    assert ls[9] == "host;content-type"
    assert ls[11] == "content-type:application/json"
    assert ls[-1] == hashlib.sha256(b"{}").hexdigest()
    ls = lines(method="POST", headers=[("Content-Type", "application/json")], body=b"")
    assert ls[9] == "host"
    ls = lines(method="POST", body=b"x")
    assert ls[9] == "host"


def test_signed_header_order_and_dedup():
    ls = lines(body=b"x", headers=[("content-type", "t"), ("x-b", "b"), ("x-a", "a")], signed=["X-B", "host", "x-a", "x-b", "Content-Type"])
    assert ls[9] == "host;content-type;x-b;x-a"
    assert ls[10:14] == ["host:api.example.com", "content-type:t", "x-b:b", "x-a:a"]


def test_signed_header_errors():
    assert code_of(cs, signed=["x-missing"]) == "invalid_request"
    assert code_of(cs, headers=[("authorization", "x")], signed=["authorization"]) == "invalid_request"
    assert code_of(cs, signed=["bad name"]) == "invalid_request"
    hs = [("x-%d" % i, "v") for i in range(32)]
    assert code_of(cs, headers=hs, signed=[n for n, _ in hs]) == "invalid_request"  # 33 names
    assert len(lines(headers=hs[:31], signed=[n for n, _ in hs[:31]])[9].split(";")) == 32


@pytest.mark.parametrize("value", ["a\rb", "a\nb", "a\x00b", "a\x7fb", "é"])
def test_bad_signed_header_values(value):
    assert code_of(cs, headers=[("x-a", value)], signed=["x-a"]) == "invalid_request"


def test_unsigned_headers_not_examined():
    assert cs(headers=[("x-a", "é\r\n")]) == cs()


def test_host_header_must_match():
    base = cs(url="https://api.example.com/")
    assert cs(url="https://api.example.com/", headers=[("Host", "API.example.com")]) == base
    assert cs(url="https://api.example.com/", headers=[("Host", "api.example.com:443")]) == base
    assert code_of(cs, url="https://api.example.com/", headers=[("Host", "other.example.com")]) == "invalid_request"
    assert code_of(cs, url="https://api.example.com/", headers=[("Host", "api.example.com:8443")]) == "invalid_request"
    assert cs(url="http://[::1]:8080/", headers=[("host", "[0:0::1]:8080")]) == cs(url="http://[::1]:8080/")


# ---- §5 signature and header ------------------------------------------------------------


def test_sign_and_authorization_format():
    c, sig, auth = sw.sign(KEY, SECRET_HEX, "hmac-sha256", TS, NONCE, "get", "https://api.example.com/x", [], b"")
    assert sig == hmac.new(bytes.fromhex(SECRET_HEX), c.encode("ascii"), hashlib.sha256).hexdigest()
    assert auth == 'HMAC apiKey="key-1", algorithm="hmac-sha256", timestamp="%d", nonce="%s", signedHeaders="host", signature="%s"' % (TS, NONCE, sig)


# ---- §5.1 / §6 verification --------------------------------------------------------------


URL = "https://api.example.com/v1/items?b=2&a=1"


def signed_request(body=b"", headers=(), signed=None, ts=TS, nonce=NONCE, alg="hmac-sha256", secret=SECRET_HEX):
    headers = [list(h) for h in headers]
    _, _, auth = sw.sign(KEY, secret, alg, ts, nonce, "POST", URL, headers, body, signed)
    return headers + [["Authorization", auth]], auth


def keys(**kw):
    k = {"key_id": KEY, "secret_hex": SECRET_HEX}
    k.update(kw)
    return [k]


def test_verify_roundtrip_and_replay():
    hs, _ = signed_request(body=b'{"a":1}', headers=[("Content-Type", "application/json")])
    seen = []
    assert sw.verify("POST", URL, hs, b'{"a":1}', keys(), TS, 300, seen) == KEY
    assert seen == [{"key_id": KEY, "nonce": NONCE}]
    assert code_of(sw.verify, "POST", URL, hs, b'{"a":1}', keys(), TS, 300, seen) == "replayed_nonce"


def test_verify_equivalences():
    hs, _ = signed_request()
    # wire request rewritten in legitimate ways: scheme and host case, default port, escape case,
    # needless escapes of unreserved bytes, empty query pieces, fragment
    assert sw.verify("POST", "HTTPS://API.EXAMPLE.COM:443/v1/%69tems?b=2&&a=1#f", hs, b"", keys(), TS, 300, []) == KEY


@pytest.mark.parametrize("method,url", [
    ("post", URL),  # method case
    ("POST", "http://api.example.com/v1/items?b=2&a=1"),  # scheme
    ("POST", "https://api.example.com/v1/items?a=1&b=2"),  # pair order
    ("POST", "https://api.example.com/v1/items?b=2&a=1&"),  # (control: equivalent, see below)
])
def test_verify_rewrites_that_change_meaning(method, url):
    hs, _ = signed_request()
    if url.endswith("&"):
        assert sw.verify(method, url, hs, b"", keys(), TS, 300, []) == KEY
    else:
        assert code_of(sw.verify, method, url, hs, b"", keys(), TS, 300, []) == "signature_mismatch"


def test_verify_errors():
    hs, auth = signed_request()
    assert code_of(sw.verify, "POST", URL, [], b"", keys(), TS, 300, []) == "missing_authorization"
    assert code_of(sw.verify, "POST", URL, hs + [["authorization", auth]], b"", keys(), TS, 300, []) == "malformed_authorization"
    e = pytest.raises(SpecError, sw.verify, "POST", URL, hs, b"", keys(), TS - 301, 300, []).value
    assert (e.code, e.skew) == ("stale_timestamp", 301)
    e = pytest.raises(SpecError, sw.verify, "POST", URL, hs, b"", keys(), TS + 301, 300, []).value
    assert (e.code, e.skew) == ("stale_timestamp", -301)
    assert sw.verify("POST", URL, hs, b"", keys(), TS + 300, 300, []) == KEY
    assert code_of(sw.verify, "POST", URL, hs, b"", [{"key_id": "other", "secret_hex": SECRET_HEX}], TS, 300, []) == "unknown_key"
    assert code_of(sw.verify, "POST", URL, hs, b"", keys(not_after=TS - 1), TS, 300, []) == "unknown_key"
    assert sw.verify("POST", URL, hs, b"", keys(not_after=TS), TS, 300, []) == KEY
    assert code_of(sw.verify, "POST", URL, hs, b"x", keys(), TS, 300, []) == "signature_mismatch"
    assert code_of(sw.verify, "POST", URL, hs, b"", keys(secret_hex="ff" * 16), TS, 300, []) == "signature_mismatch"
    assert code_of(sw.verify, "POST", "https://api.example.com/%zz", hs, b"", keys(), TS, 300, []) == "invalid_request"
    assert code_of(sw.verify, "POST", URL, hs, b"", keys(), TS, -1, []) == "invalid_config"


def test_verify_key_rotation():
    hs, _ = signed_request()
    ks = [{"key_id": KEY, "secret_hex": "ee" * 16}, {"key_id": KEY, "secret_hex": SECRET_HEX}]
    assert sw.verify("POST", URL, hs, b"", ks, TS, 300, []) == KEY


def _with_auth(auth):
    return [["Authorization", auth]]


def _good_auth():
    return signed_request()[1]


@pytest.mark.parametrize("mutate", [
    lambda a: a.replace("HMAC ", "HMAC\t"),
    lambda a: a.replace("HMAC ", "HMAC"),
    lambda a: a.replace("HMAC ", "Bearer "),
    lambda a: a + ",",
    lambda a: a + ', extra="x"',
    lambda a: a + ', nonce="%s"' % NONCE,
    lambda a: a.replace('apiKey="key-1", ', ""),
    lambda a: a.replace("apiKey=", "apikey="),
    lambda a: a.replace('apiKey="key-1"', 'apiKey=key-1'),
    lambda a: a.replace('apiKey="key-1"', 'apiKey="key\\-1"'),
    lambda a: a.replace('apiKey="key-1"', 'apiKey = "key-1"'),
    lambda a: a.replace('timestamp="%d"' % TS, 'timestamp="0%d"' % TS),
    lambda a: a.replace('nonce="%s"' % NONCE, 'nonce="short"'),
    lambda a: a.replace('signedHeaders="host"', 'signedHeaders="Host"'),
    lambda a: a.replace('signedHeaders="host"', 'signedHeaders="x-a"'),
    lambda a: a.replace('signedHeaders="host"', 'signedHeaders="host;host"'),
    lambda a: a.replace('signedHeaders="host"', 'signedHeaders=""'),
    lambda a: a.replace('signature="', 'signature="A'),
    lambda a: a[:-2] + 'A"',
    lambda a: a[:-2] + '"',
    lambda a: a.replace(", ", ",,"),
    lambda a: a.replace('apiKey="key-1"', 'apiKey="k\u00e9y"'),
])
def test_malformed_authorization(mutate):
    a = mutate(_good_auth())
    assert a != _good_auth()
    assert code_of(sw.verify, "POST", URL, _with_auth(a), b"", keys(), TS, 300, []) == "malformed_authorization"


@pytest.mark.parametrize("mutate", [
    lambda a: a.replace("HMAC ", "hmac   "),
    lambda a: "  \t" + a + " \t",
    lambda a: a.replace(", ", "\t,\t"),
    lambda a: a.replace(", ", ","),
])
def test_tolerated_authorization_forms(mutate):
    a = mutate(_good_auth())
    assert sw.verify("POST", URL, _with_auth(a), b"", keys(), TS, 300, []) == KEY


def test_params_any_order():
    a = _good_auth()
    params = a[len("HMAC "):].split(", ")
    reordered = "HMAC " + ", ".join(reversed(params))
    assert sw.verify("POST", URL, _with_auth(reordered), b"", keys(), TS, 300, []) == KEY


@pytest.mark.parametrize("alg", ["hmac-md5", "hmac-sha1", "HMAC-SHA256"])
def test_unsupported_algorithm_in_header(alg):
    a = _good_auth().replace('algorithm="hmac-sha256"', 'algorithm="%s"' % alg)
    assert code_of(sw.verify, "POST", URL, _with_auth(a), b"", keys(), TS, 300, []) == "unsupported_algorithm"


def test_content_type_required_in_signed_headers():
    body = b"x"
    headers = [["Content-Type", "text/plain"]]
    _, _, auth = sw.sign(KEY, SECRET_HEX, None, TS, NONCE, "POST", URL, [], body)  # signed without content-type
    assert 'signedHeaders="host"' in auth
    assert code_of(sw.verify, "POST", URL, headers + _with_auth(auth), body, keys(), TS, 300, []) == "malformed_authorization"


def test_authorization_longer_than_4096_bytes():
    long_names = ["x-" + "a" * 2100, "x-" + "b" * 2100]
    headers = [[n, "v"] for n in long_names]
    hs, auth = signed_request(headers=headers, signed=long_names)
    assert len(auth) > 4096
    assert code_of(sw.verify, "POST", URL, hs, b"", keys(), TS, 300, []) == "malformed_authorization"


def test_sha512_roundtrip():
    hs, auth = signed_request(alg="hmac-sha512")
    assert 'algorithm="hmac-sha512"' in auth
    assert sw.verify("POST", URL, hs, b"", keys(), TS, 300, []) == KEY
