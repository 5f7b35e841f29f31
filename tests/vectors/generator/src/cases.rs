//! The readable list of cases. Each line is one vector; the expected values are computed by
//! `sigwire-core` and checked independently by `tests/spec_reimpl` (Python written from SPEC.md).

use crate::{Body, Neg, Pos, Tamper};

/// Every positive case: a request that signs to a fixed canonical string and signature.
pub fn positive() -> Vec<Pos> {
    let h = |n: &'static str, v: &'static str| (n, v);
    let json = Body::Text(r#"{"amount":"100.00","currency":"EUR"}"#);
    vec![
        // --- methods ---
        Pos::new("method-get", "plain GET, no query", "GET", "https://api.example.com/v1/orders"),
        Pos::new("method-head", "HEAD", "HEAD", "https://api.example.com/v1/orders"),
        Pos::new("method-post-json", "POST with a JSON body; content-type is signed by default", "POST", "https://api.example.com/v1/payments")
            .headers(&[h("Content-Type", "application/json")]).body(json.clone()),
        Pos::new("method-put", "PUT with a JSON body", "PUT", "https://api.example.com/v1/orders/42")
            .headers(&[h("Content-Type", "application/json")]).body(json.clone()),
        Pos::new("method-patch", "PATCH with a merge-patch body", "PATCH", "https://api.example.com/v1/orders/42")
            .headers(&[h("Content-Type", "application/merge-patch+json")]).body(Body::Text(r#"{"note":null}"#)),
        Pos::new("method-delete", "DELETE without body", "DELETE", "https://api.example.com/v1/orders/42"),
        Pos::new("method-options", "OPTIONS", "OPTIONS", "https://api.example.com/v1/orders"),
        Pos::new("method-trace", "TRACE", "TRACE", "https://api.example.com/"),
        Pos::new("method-lowercase", "methods are case-sensitive: `get` is signed as written, unlike `GET`", "get", "https://api.example.com/v1/orders"),
        Pos::new("method-extension", "an extension method token", "PURGE", "https://api.example.com/cache/item"),
        // --- bodies ---
        Pos::new("body-empty-post", "POST with an empty body: content-type not signed by default", "POST", "https://api.example.com/v1/ping")
            .headers(&[h("Content-Type", "application/json")]),
        Pos::new("body-form-urlencoded", "form body: `+` inside the body is just a body byte", "POST", "https://api.example.com/v1/login")
            .headers(&[h("Content-Type", "application/x-www-form-urlencoded")]).body(Body::Text("user=a+b&pass=x%20y")),
        Pos::new("body-binary-all-bytes", "binary body with every byte value 0..255", "PUT", "https://api.example.com/v1/blobs/1")
            .headers(&[h("Content-Type", "application/octet-stream")]).body(Body::AllBytes),
        Pos::new("body-no-content-type", "body without a Content-Type header: only host is signed", "POST", "https://api.example.com/v1/raw")
            .body(Body::Text("hello")),
        Pos::new("body-json-whitespace", "the exact JSON bytes sent, whitespace and key order included", "POST", "https://api.example.com/v1/payments")
            .headers(&[h("Content-Type", "application/json; charset=utf-8")]).body(Body::Text("{ \"b\": 1,\n  \"a\": [1, 2] }\n")),
        Pos::new("body-utf8", "UTF-8 text body", "POST", "https://api.example.com/v1/notes")
            .headers(&[h("Content-Type", "text/plain; charset=utf-8")]).body(Body::Text("Grüße, 世界 🌍")),
        Pos::new("body-1mib-sha256", "1 MiB body, SHA-256 digest", "PUT", "https://api.example.com/v1/uploads/big")
            .headers(&[h("Content-Type", "application/octet-stream")]).body(Body::Large).large(),
        Pos::new("body-1mib-sha512", "1 MiB body, SHA-512 digest", "PUT", "https://api.example.com/v1/uploads/big")
            .headers(&[h("Content-Type", "application/octet-stream")]).body(Body::Large).sha512().large(),
        // --- path ---
        Pos::new("path-empty", "empty path canonicalises to /", "GET", "https://api.example.com"),
        Pos::new("path-empty-with-query", "empty path with a query", "GET", "https://api.example.com?x=1"),
        Pos::new("path-trailing-slash", "trailing slash is significant (compare path-no-trailing-slash)", "GET", "https://api.example.com/v1/orders/"),
        Pos::new("path-no-trailing-slash", "no trailing slash", "GET", "https://api.example.com/v1/orders"),
        Pos::new("path-dot-segments", "dot segments are signed as written, never removed", "GET", "https://api.example.com/a/./b/../c"),
        Pos::new("path-double-slash", "slashes are never collapsed", "GET", "https://api.example.com//a//b/"),
        Pos::new("path-encoded-slash", "%2F in a segment stays %2F, distinct from /", "GET", "https://api.example.com/files/a%2Fb"),
        Pos::new("path-encoded-slash-lower", "%2f is written %2F", "GET", "https://api.example.com/files/a%2fb"),
        Pos::new("path-tilde", "~ is unreserved and stays", "GET", "https://api.example.com/~user/x"),
        Pos::new("path-tilde-encoded", "%7E decodes to ~ (same canonical path as path-tilde)", "GET", "https://api.example.com/%7Euser/x"),
        Pos::new("path-unreserved-encoded", "needless escapes of unreserved bytes are decoded", "GET", "https://api.example.com/%41%62c%2D%2E%5F"),
        Pos::new("path-space-raw", "a raw space is %20", "GET", "https://api.example.com/my docs/a b"),
        Pos::new("path-space-encoded", "%20 stays %20", "GET", "https://api.example.com/my%20docs/a%20b"),
        Pos::new("path-plus", "a raw + in a path stays +, distinct from %2B (S3-style servers read it as a space)", "GET", "https://api.example.com/tags/c++"),
        Pos::new("path-plus-encoded", "%2B in a path stays %2B (compare path-plus)", "GET", "https://api.example.com/tags/c%2b%2B"),
        Pos::new("path-semicolon", "raw ; and = in a path stay raw (servlet path parameters), %3B stays %3B", "GET", "https://api.example.com/files;v=1/a%3bb"),
        Pos::new("path-backslash-encoded", "%5C is a backslash as data (a raw one is refused)", "GET", "https://api.example.com/dir%5cfile"),
        Pos::new("path-at-sign", "@ in a path is encoded", "GET", "https://api.example.com/users/@me"),
        Pos::new("path-colon", "a raw : stays : (gRPC transcoding splits the custom method at it)", "POST", "https://api.example.com/v1/items:batchGet"),
        Pos::new("path-sub-delims", "!'()*$ are encoded; , ; = stay raw", "GET", "https://api.example.com/x/!'()*$,;="),
        Pos::new("path-unicode-raw", "non-ASCII is percent-encoded as UTF-8", "GET", "https://api.example.com/caf\u{e9}/\u{1f600}"),
        Pos::new("path-unicode-encoded-lower", "lowercase escapes become uppercase", "GET", "https://api.example.com/caf%c3%a9"),
        Pos::new("path-percent-literal", "an encoded percent sign stays %25", "GET", "https://api.example.com/discount/50%25"),
        // --- query ---
        Pos::new("query-order-kept", "pairs keep the order they were sent in (never sorted)", "GET", "https://api.example.com/v1/orders?limit=10&cursor=abc&active=true"),
        Pos::new("query-repeated-keys", "repeated names keep the order of their values", "GET", "https://api.example.com/v1/orders?id=3&id=1&id=2"),
        Pos::new("query-bare-key", "a bare `a` stays bare, distinct from `a=` (Rack reads nil and \"\")", "GET", "https://api.example.com/v1/orders?debug&x=1"),
        Pos::new("query-empty-value", "`a=` (compare query-bare-key)", "GET", "https://api.example.com/v1/orders?debug=&x=1"),
        Pos::new("query-empty-pieces", "empty pieces between & are dropped", "GET", "https://api.example.com/v1/orders?&a=1&&b=2&"),
        Pos::new("query-only-question-mark", "a lone ? gives an empty query", "GET", "https://api.example.com/v1/orders?"),
        Pos::new("query-plus-literal", "a raw + in a query stays +: distinct from %2B (a plus) and %20 (a space)", "GET", "https://api.example.com/search?q=c++&tz=+01:00"),
        Pos::new("query-plus-encoded", "%2B in a query stays %2B (compare query-plus-literal)", "GET", "https://api.example.com/search?q=c%2b%2B&email=alice%2Bbank@x.com"),
        Pos::new("query-semicolon", "a raw ; stays ; (a pair separator to older Python and Go), %3B stays %3B", "GET", "https://api.example.com/r?a=1;b=2&c=3%3B4%3d5"),
        Pos::new("query-backslash", "a backslash in a query is data: raw and %5C sign alike", "GET", "https://api.example.com/r?p=C:\\dir&q=%5c"),
        Pos::new("query-space-encoded", "%20 is a space", "GET", "https://api.example.com/search?q=hello%20world"),
        Pos::new("query-space-raw", "a raw space is %20", "GET", "https://api.example.com/search?q=hello world"),
        Pos::new("query-tilde", "~ and %7E canonicalise alike", "GET", "https://api.example.com/search?a=~x&b=%7Ex"),
        Pos::new("query-reserved-in-value", "/ ? @ ! ' ( ) * in values are encoded, : stays raw", "GET", "https://api.example.com/r?next=/a/b?c=d&who=me@x:1&s=!'()*"),
        Pos::new("query-equals-in-value", "only the first = splits; a later raw = stays raw, %3D stays %3D", "GET", "https://api.example.com/r?token=abc==&f=a=b"),
        Pos::new("query-encoded-ampersand", "%26 inside a value stays %26", "GET", "https://api.example.com/r?q=a%26b&z=1"),
        Pos::new("query-unicode", "non-ASCII query bytes are UTF-8 percent-encoded", "GET", "https://api.example.com/search?q=na\u{ef}ve&city=%e4%ba%ac"),
        Pos::new("query-names-not-sorted", "names are neither sorted nor case-folded", "GET", "https://api.example.com/r?a-b=1&a=2&A=3&b=0"),
        Pos::new("query-lowercase-escapes", "lowercase escapes are uppercased", "GET", "https://api.example.com/r?k=%2f%3a"),
        Pos::new("query-fragment-dropped", "the fragment is never signed", "GET", "https://api.example.com/r?a=1#section-2"),
        Pos::new("query-numeric-exchange-style", "an exchange-style signed query", "GET", "https://api.example.com/api/v3/order?symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&recvWindow=5000"),
        // --- host and port ---
        Pos::new("host-uppercase", "host is lowercased", "GET", "https://API.Example.COM/v1/orders"),
        Pos::new("host-scheme-uppercase", "scheme case does not matter; the scheme itself is signed", "GET", "HTTPS://api.example.com/v1/orders"),
        Pos::new("scheme-http", "http is signed as http (compare method-get: same request over https)", "GET", "http://api.example.com/v1/orders"),
        Pos::new("port-https-default", ":443 on https is dropped", "GET", "https://api.example.com:443/v1/orders"),
        Pos::new("port-http-default", ":80 on http is dropped", "GET", "http://api.example.com:80/v1/orders"),
        Pos::new("port-non-default", "a non-default port is kept", "GET", "https://api.example.com:8443/v1/orders"),
        Pos::new("port-http-on-443", "443 is not the default for http, so it is kept", "GET", "http://api.example.com:443/v1/orders"),
        Pos::new("port-leading-zeros", "leading zeros of a port are dropped", "GET", "https://api.example.com:08443/v1/orders"),
        Pos::new("host-ipv4", "an IPv4 host", "GET", "http://127.0.0.1:8080/health"),
        Pos::new("host-ipv6", "an IPv6 literal", "GET", "http://[::1]:8080/health"),
        Pos::new("host-ipv6-uncompressed", "IPv6 is written in RFC 5952 form", "GET", "https://[2001:DB8:0:0:0:0:0:1]/health"),
        Pos::new("host-ipv6-v4-mapped", "IPv4-mapped IPv6", "GET", "https://[::ffff:192.0.2.10]:443/health"),
        Pos::new("host-ipv6-embedded-ipv4", "only IPv4-mapped addresses keep a dotted tail; others are hex", "GET", "https://[::192.0.2.1]/health"),
        Pos::new("host-ipv6-nat64-dotted-input", "a dotted tail on input is written back in hex", "GET", "https://[64:ff9b::192.0.2.33]:8443/health"),
        Pos::new("query-empty-name", "a pair with an empty name is kept", "GET", "https://api.example.com/r?=x&a=1"),
        Pos::new("host-header-matching", "a Host header equal to the URL host is fine", "GET", "https://api.example.com/v1/orders")
            .headers(&[h("Host", "API.example.com:443")]),
        // --- headers ---
        Pos::new("headers-extra-signed", "a caller-chosen header is signed after host", "GET", "https://api.example.com/v1/orders")
            .headers(&[h("X-Request-Id", "req-123")]).signed(&["x-request-id"]),
        Pos::new("headers-name-case", "signed header names are lowercased, both in the list and the request", "GET", "https://api.example.com/v1/orders")
            .headers(&[h("X-REQUEST-ID", "req-123")]).signed(&["X-Request-Id"]),
        Pos::new("headers-trimmed", "values are trimmed of spaces and tabs; inner spaces kept", "GET", "https://api.example.com/v1/orders")
            .headers(&[h("X-Note", " \t a  b \t ")]).signed(&["x-note"]),
        Pos::new("headers-comma-in-value", "a value with commas is one line, signed as is", "GET", "https://api.example.com/v1/orders")
            .headers(&[h("X-Tag", "one, two"), h("Accept", "*/*"), h("accept", "text/plain")]).signed(&["x-tag"]),
        Pos::new("headers-empty-value", "an empty value is signed as empty", "GET", "https://api.example.com/v1/orders")
            .headers(&[h("X-Empty", "")]).signed(&["x-empty"]),
        Pos::new("headers-caller-order", "extra names keep the caller's order", "POST", "https://api.example.com/v1/payments")
            .headers(&[h("Content-Type", "application/json"), h("X-B", "2"), h("X-A", "1")]).body(json.clone()).signed(&["x-b", "x-a"]),
        Pos::new("headers-unsigned-ignored", "headers not signed do not matter", "GET", "https://api.example.com/v1/orders")
            .headers(&[h("User-Agent", "curl/8.0"), h("Accept", "application/json")]),
        Pos::new("headers-content-type-listed-twice", "naming content-type again does not repeat it", "POST", "https://api.example.com/v1/payments")
            .headers(&[h("Content-Type", "application/json"), h("Idempotency-Key", "k-1")]).body(json.clone()).signed(&["content-type", "idempotency-key"]),
        Pos::new("headers-date-and-digest-like", "any token header name can be signed", "GET", "https://api.example.com/v1/orders")
            .headers(&[h("Date", "Tue, 14 Nov 2023 22:13:20 GMT"), h("X-Api-Version", "2024-01-01")]).signed(&["date", "x-api-version"]),
        // --- algorithms and parameters ---
        Pos::new("sha512-get", "hmac-sha512 GET", "GET", "https://api.example.com/v1/orders?limit=10").sha512(),
        Pos::new("sha512-post", "hmac-sha512 POST with JSON", "POST", "https://api.example.com/v1/payments")
            .headers(&[h("Content-Type", "application/json")]).body(json.clone()).sha512(),
        Pos::new("key-id-charset", "every allowed key id character", "GET", "https://api.example.com/v1/orders").key_id("AKIA-key_1.~+/=:@x"),
        Pos::new("key-id-max-length", "a 128-character key id", "GET", "https://api.example.com/v1/orders").key_id_len(128),
        Pos::new("nonce-max-length", "a 128-character nonce", "GET", "https://api.example.com/v1/orders").nonce_len(128),
        Pos::new("nonce-min-length", "a 16-character nonce", "GET", "https://api.example.com/v1/orders").nonce("abcdefghijklmnop"),
        Pos::new("timestamp-max", "the largest 12-digit timestamp", "GET", "https://api.example.com/v1/orders").timestamp(999_999_999_999),
        Pos::new("timestamp-small", "a one-digit timestamp", "GET", "https://api.example.com/v1/orders").timestamp(7),
        Pos::new("secret-min-length", "a 16-byte secret", "GET", "https://api.example.com/v1/orders").secret(b"sixteen-byte-key"),
        Pos::new("secret-binary-long", "a 100-byte binary secret (longer than the SHA-256 block)", "GET", "https://api.example.com/v1/orders").secret_pattern(100),
    ]
}

/// Every negative case: a signed request, one thing changed, and the error code expected.
pub fn negative() -> Vec<Neg> {
    use Tamper::*;
    vec![
        Neg::new("tamper-method", "POST changed to PUT", SetMethod("PUT"), "signature_mismatch"),
        Neg::new("tamper-path", "one path character changed", SetUrl("https://api.example.com/v1/payment?dry_run=false&limit=5"), "signature_mismatch"),
        Neg::new("tamper-path-trailing-slash", "trailing slash added", SetUrl("https://api.example.com/v1/payments/?dry_run=false&limit=5"), "signature_mismatch"),
        Neg::new("tamper-path-encoded-slash", "a / replaced by %2F", SetUrl("https://api.example.com/v1%2Fpayments?dry_run=false&limit=5"), "signature_mismatch"),
        Neg::new("tamper-query-value", "a query value changed", SetUrl("https://api.example.com/v1/payments?dry_run=true&limit=5"), "signature_mismatch"),
        Neg::new("tamper-query-order-values", "values swapped between names while keeping the order of values", SetUrl("https://api.example.com/v1/payments?dry_run=5&limit=false"), "signature_mismatch"),
        Neg::new("tamper-query-added", "a query pair added", SetUrl("https://api.example.com/v1/payments?dry_run=false&limit=5&admin=1"), "signature_mismatch"),
        Neg::new("tamper-query-removed", "a query pair removed", SetUrl("https://api.example.com/v1/payments?dry_run=false"), "signature_mismatch"),
        Neg::new("tamper-query-plus-as-space", "a server that turns %20 into + changes the signature", SetUrl("https://api.example.com/v1/payments?dry_run=false&limit=5&note=a+b"), "signature_mismatch")
            .sign_url("https://api.example.com/v1/payments?dry_run=false&limit=5&note=a%20b"),
        Neg::new("tamper-body-one-byte", "one body byte changed", FlipBodyByte(12), "signature_mismatch"),
        Neg::new("tamper-body-truncated", "last body byte removed", TruncateBody, "signature_mismatch"),
        Neg::new("tamper-body-reserialised", "the JSON body re-serialised with different spacing", SetBody(r#"{"amount": "100.00", "currency": "EUR"}"#), "signature_mismatch"),
        Neg::new("tamper-signed-header", "the signed x-request-id header changed", SetHeader("X-Request-Id", "req-999"), "signature_mismatch"),
        Neg::new("tamper-content-type", "content-type changed", SetHeader("Content-Type", "text/plain"), "signature_mismatch"),
        Neg::new("tamper-host", "another host", SetUrl("https://api.evil.example/v1/payments?dry_run=false&limit=5"), "signature_mismatch"),
        Neg::new("tamper-port", "another port", SetUrl("https://api.example.com:8443/v1/payments?dry_run=false&limit=5"), "signature_mismatch"),
        Neg::new("tamper-scheme-port", "http instead of https: the default port 80 is not 443", SetUrl("http://api.example.com:443/v1/payments?dry_run=false&limit=5"), "signature_mismatch"),
        Neg::new("tamper-signature-hex", "one signature hex digit changed", SetSignatureChar(None), "signature_mismatch"),
        Neg::new("tamper-timestamp", "timestamp changed inside the window", ReplaceInAuth("timestamp=\"1700000000\"", "timestamp=\"1700000001\""), "signature_mismatch"),
        Neg::new("tamper-nonce", "nonce changed", ReplaceInAuth("AAECAwQFBgcICQoLDA0ODw", "AAECAwQFBgcICQoLDA0ODx"), "signature_mismatch"),
        Neg::new("tamper-key-id", "another known key id", ReplaceInAuth("apiKey=\"test-key-1\"", "apiKey=\"test-key-2\""), "signature_mismatch"),
        Neg::new("tamper-signed-headers-list", "a header dropped from signedHeaders", ReplaceInAuth(";x-request-id", ""), "signature_mismatch"),
        Neg::new("wrong-secret", "the verifier holds another secret for the key", NoChange, "signature_mismatch").verifier_secret(b"another-secret-0123456789abcdef!"),
        Neg::new("stale-timestamp", "301 s after signing with a 300 s window", NoChange, "stale_timestamp").now(1_700_000_301).skew(-301),
        Neg::new("future-timestamp", "signed 301 s in the server's future", NoChange, "stale_timestamp").now(1_699_999_699).skew(301),
        Neg::new("stale-small-window", "60 s late with a 30 s window", NoChange, "stale_timestamp").now(1_700_000_060).window(30).skew(-60),
        Neg::new("replayed-nonce", "the nonce was already used by this key", NoChange, "replayed_nonce").seen("test-key-1", "AAECAwQFBgcICQoLDA0ODw"),
        Neg::new("unknown-key", "the verifier does not know the key id", NoChange, "unknown_key").verifier_key_id("other-key"),
        Neg::new("retired-key", "the only secret was retired before now", NoChange, "unknown_key").not_after(1_699_999_999),
        Neg::new("missing-authorization", "no Authorization header", RemoveHeader("Authorization"), "missing_authorization"),
        Neg::new("two-authorization-headers", "Authorization sent twice", DuplicateAuth, "malformed_authorization"),
        Neg::new("malformed-scheme", "Bearer instead of HMAC", ReplaceInAuth("HMAC ", "Bearer "), "malformed_authorization"),
        Neg::new("malformed-duplicate-parameter", "apiKey given twice", ReplaceInAuth("algorithm=", "apiKey=\"test-key-1\", algorithm="), "malformed_authorization"),
        Neg::new("malformed-missing-parameter", "nonce missing", RemoveParam("nonce"), "malformed_authorization"),
        Neg::new("malformed-unknown-parameter", "an extra parameter", AppendToAuth(", realm=\"x\""), "malformed_authorization"),
        Neg::new("malformed-trailing-comma", "a trailing comma", AppendToAuth(","), "malformed_authorization"),
        Neg::new("malformed-unquoted", "an unquoted value", ReplaceInAuth("timestamp=\"1700000000\"", "timestamp=1700000000"), "malformed_authorization"),
        Neg::new("malformed-uppercase-hex", "signature in uppercase hex", UppercaseSignature, "malformed_authorization"),
        Neg::new("malformed-bad-hex", "a non-hex character in the signature", SetSignatureChar(Some('g')), "malformed_authorization"),
        Neg::new("malformed-signature-length", "a signature one byte short", TruncateSignature, "malformed_authorization"),
        Neg::new("malformed-oversized", "header longer than 4096 bytes", PadAuth(4100), "malformed_authorization"),
        Neg::new("malformed-non-ascii", "a non-ASCII key id", ReplaceInAuth("test-key-1", "test-k\u{e9}y-1"), "malformed_authorization"),
        Neg::new("malformed-timestamp-leading-zero", "timestamp with a leading zero", ReplaceInAuth("timestamp=\"", "timestamp=\"0"), "malformed_authorization"),
        Neg::new("malformed-short-nonce", "a nonce under 16 characters", ReplaceInAuth("AAECAwQFBgcICQoLDA0ODw", "short"), "malformed_authorization"),
        Neg::new("malformed-signed-headers-no-host", "signedHeaders without host", ReplaceInAuth("signedHeaders=\"host;", "signedHeaders=\""), "malformed_authorization"),
        Neg::new("malformed-signed-headers-no-content-type", "a body with a content type must sign it", ReplaceInAuth("host;content-type;", "host;"), "malformed_authorization"),
        Neg::new("unsupported-algorithm-md5", "hmac-md5 is never offered", ReplaceInAuth("hmac-sha256", "hmac-md5"), "unsupported_algorithm"),
        Neg::new("unsupported-algorithm-sha1", "hmac-sha1 is never offered", ReplaceInAuth("hmac-sha256", "hmac-sha1"), "unsupported_algorithm"),
        Neg::new("invalid-request-signed-header-removed", "a signed header is missing from the request", RemoveHeader("X-Request-Id"), "invalid_request"),
        Neg::new("invalid-request-bad-escape", "the received path has a broken percent escape", SetUrl("https://api.example.com/v1/pay%zzments?dry_run=false&limit=5"), "invalid_request"),
        Neg::new("invalid-request-two-host-headers", "two Host lines, even equal ones", DoubleHost, "invalid_request"),
        Neg::new("invalid-request-ipv6-zone", "an IPv6 zone identifier is refused", SetUrl("https://[fe80::1%25eth0]/v1/payments?dry_run=false&limit=5"), "invalid_request"),
        Neg::new("malformed-signed-headers-authorization", "authorization can never be signed", ReplaceInAuth(";x-request-id", ";x-request-id;authorization"), "malformed_authorization"),
        Neg::new("malformed-tab-after-scheme", "only spaces may follow HMAC", ReplaceInAuth("HMAC ", "HMAC\t"), "malformed_authorization"),
        // --- equivalences that would change what the application sees (SPEC §4.1, changelog) ---
        Neg::new("attack-query-plus-for-encoded-plus", "signed %2B, sent +: form decoders would read a space", SetUrl("https://api.example.com/v1/payments?dry_run=false&limit=5&email=alice+bank@x.com"), "signature_mismatch")
            .sign_url("https://api.example.com/v1/payments?dry_run=false&limit=5&email=alice%2Bbank@x.com"),
        Neg::new("attack-query-encoded-plus-for-plus", "signed +, sent %2B: RFC 3986 stacks read + as a plus, form decoders as a space", SetUrl("https://api.example.com/v1/payments?dry_run=false&limit=5&tz=%2B01:00"), "signature_mismatch")
            .sign_url("https://api.example.com/v1/payments?dry_run=false&limit=5&tz=+01:00"),
        Neg::new("attack-query-space-for-plus", "signed +, sent %20", SetUrl("https://api.example.com/v1/payments?dry_run=false&limit=5&note=a%20b"), "signature_mismatch")
            .sign_url("https://api.example.com/v1/payments?dry_run=false&limit=5&note=a+b"),
        Neg::new("attack-query-repeated-order", "repeated names with their values swapped: first-wins and last-wins frameworks would flip", SetUrl("https://api.example.com/v1/payments?role=admin&role=user"), "signature_mismatch")
            .sign_url("https://api.example.com/v1/payments?role=user&role=admin"),
        Neg::new("attack-query-pair-order", "pairs reordered (PHP and qs read a[] and a[0] by position)", SetUrl("https://api.example.com/v1/payments?a[]=y&a[0]=x"), "signature_mismatch")
            .sign_url("https://api.example.com/v1/payments?a[0]=x&a[]=y"),
        Neg::new("attack-query-bare-for-empty", "signed `debug=`, sent `debug` (Rack: \"\" vs nil)", SetUrl("https://api.example.com/v1/payments?dry_run=false&limit=5&debug"), "signature_mismatch")
            .sign_url("https://api.example.com/v1/payments?dry_run=false&limit=5&debug="),
        Neg::new("attack-query-semicolon", "signed %3B, sent ;: one pair becomes two to older Python and Go", SetUrl("https://api.example.com/v1/payments?dry_run=false&limit=5;admin=1"), "signature_mismatch")
            .sign_url("https://api.example.com/v1/payments?dry_run=false&limit=5%3Badmin=1"),
        Neg::new("attack-path-plus", "signed %2B in the path, sent +", SetUrl("https://api.example.com/v1/c++/payments?dry_run=false&limit=5"), "signature_mismatch")
            .sign_url("https://api.example.com/v1/c%2B%2B/payments?dry_run=false&limit=5"),
        Neg::new("attack-path-semicolon", "signed %3B in the path, sent ;: servlet containers drop ;… as a path parameter", SetUrl("https://api.example.com/v1/payments;x/admin?dry_run=false&limit=5"), "signature_mismatch")
            .sign_url("https://api.example.com/v1/payments%3Bx/admin?dry_run=false&limit=5"),
        Neg::new("attack-path-colon", "signed %3A, sent : (gRPC transcoding reads a custom method)", SetUrl("https://api.example.com/v1/payments:cancel?dry_run=false&limit=5"), "signature_mismatch")
            .sign_url("https://api.example.com/v1/payments%3Acancel?dry_run=false&limit=5"),
        Neg::new("attack-path-backslash", "signed %5C, sent a raw \\ (Node's URL parser reads /): refused", SetUrl("https://api.example.com/v1\\payments?dry_run=false&limit=5"), "invalid_request")
            .sign_url("https://api.example.com/v1%5Cpayments?dry_run=false&limit=5"),
        Neg::new("attack-scheme-downgrade", "signed for https, sent over http", SetUrl("http://api.example.com/v1/payments?dry_run=false&limit=5"), "signature_mismatch"),
        Neg::new("attack-method-case", "POST sent as post (Go, hyper and Java route them apart)", SetMethod("post"), "signature_mismatch"),
        Neg::new("attack-signed-header-repeated", "a signed header sent on two lines (first-line and joining servers disagree): refused", AddHeader("X-Request-Id", "req-999"), "invalid_request"),
        Neg::new("invalid-request-host-header-mismatch", "a Host header that contradicts the URL", AddHeader("Host", "api.evil.example"), "invalid_request"),
    ]
}

/// The body of the negative cases' base request.
pub const NEG_BODY: &str = r#"{"amount":"100.00","currency":"EUR"}"#;
