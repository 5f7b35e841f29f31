//! RFC 9421 (HTTP Message Signatures) against the RFC's own examples: the HMAC example of
//! Appendix B.2.5 byte for byte, the signature bases of B.2.1–B.2.4, and the derived-component
//! examples of §2.2. Expected strings are quoted from the RFC (section given per test).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

use sigwire_core::profiles::rfc9421::{
    Component, ContentDigest, Response, Rfc9421, Rfc9421Key, Rfc9421Settings, Rfc9421Verifier,
    SignatureInputs,
};
use sigwire_core::profiles::ProfileErrorCode;
use sigwire_core::Request;

/// RFC 9421 B.1.5 `test-shared-secret` (base64).
const SHARED_SECRET_B64: &str =
    "uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==";
/// RFC 9421 B.2: `created` of every example.
const CREATED: u64 = 1_618_884_473;
const BODY: &[u8] = br#"{"hello": "world"}"#;
const DIGEST_512: &str =
    "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:";

fn secret() -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(SHARED_SECRET_B64)
        .unwrap()
}

/// RFC 9421 B.2 "test-request":
/// ```text
/// POST /foo?param=Value&Pet=dog HTTP/1.1
/// Host: example.com
/// Date: Tue, 20 Apr 2021 02:07:55 GMT
/// Content-Type: application/json
/// Content-Digest: sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
/// Content-Length: 18
///
/// {"hello": "world"}
/// ```
fn test_request() -> Request<'static> {
    Request::new("POST", "https://example.com/foo?param=Value&Pet=dog")
        .header("Host", "example.com")
        .header("Date", "Tue, 20 Apr 2021 02:07:55 GMT")
        .header("Content-Type", "application/json")
        .header("Content-Digest", DIGEST_512)
        .header("Content-Length", "18")
        .body(BODY)
}

fn header(name: &str) -> Component {
    Component::Header(name.to_string())
}

fn settings(label: &str, components: Vec<Component>, digest: ContentDigest) -> Rfc9421Settings {
    let mut s = Rfc9421Settings::default();
    s.label = label.to_string();
    s.components = components;
    s.content_digest = digest;
    s
}

/// RFC 9421 B.2.5 "Signing a Request Using hmac-sha256":
/// ```text
/// "date": Tue, 20 Apr 2021 02:07:55 GMT
/// "@authority": example.com
/// "content-type": application/json
/// "@signature-params": ("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"
///
/// Signature-Input: sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"
/// Signature: sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:
/// ```
#[test]
fn b_2_5_hmac_sha256_signature() {
    let key = Rfc9421Key::new("test-shared-secret", secret()).unwrap();
    let comps = vec![header("date"), Component::Authority, header("content-type")];
    let signer =
        Rfc9421::new(key.clone()).with_settings(settings("sig-b25", comps, ContentDigest::None));
    let out = signer
        .sign_request(&test_request(), SignatureInputs::at(CREATED))
        .unwrap();
    assert_eq!(
        out.signature_base(),
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@authority\": example.com\n\"content-type\": application/json\n\
         \"@signature-params\": (\"date\" \"@authority\" \"content-type\");created=1618884473;keyid=\"test-shared-secret\""
    );
    let ins = out.instructions();
    assert_eq!(
        ins.header("signature-input"),
        Some(
            r#"sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret""#
        )
    );
    assert_eq!(
        ins.header("signature"),
        Some("sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:")
    );
    assert_eq!(ins.header("content-digest"), None);

    // The RFC's signed request verifies, and tampering with a covered header does not.
    let mut vs = Rfc9421Settings::default();
    vs.required_request_components = vec![Component::Authority];
    vs.max_age = u64::MAX / 2;
    let verifier =
        Rfc9421Verifier::new(move |id: &str| (id == "test-shared-secret").then(|| key.clone()))
            .with_settings(vs);
    let signed = test_request()
        .header("Signature-Input", r#"sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret""#)
        .header("Signature", "sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:");
    let ok = verifier.verify_request(&signed, CREATED + 5).unwrap();
    assert_eq!(
        (ok.label.as_str(), ok.key_id.as_str(), ok.created),
        ("sig-b25", "test-shared-secret", CREATED)
    );
    let tampered = Request::new("POST", "https://example.com/foo?param=Value&Pet=dog")
        .header("Date", "Tue, 20 Apr 2021 02:07:56 GMT")
        .header("Content-Type", "application/json")
        .header("Signature-Input", r#"sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret""#)
        .header("Signature", "sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:");
    assert_eq!(
        verifier
            .verify_request(&tampered, CREATED)
            .unwrap_err()
            .code(),
        ProfileErrorCode::SignatureMismatch
    );
}

/// RFC 9421 B.2.1 "Minimal Signature Using rsa-pss-sha512": the signature base
/// `"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"`.
#[test]
fn b_2_1_minimal_signature_base() {
    let key = Rfc9421Key::new("test-key-rsa-pss", b"any".to_vec()).unwrap();
    let signer = Rfc9421::new(key).with_settings(settings("sig-b21", vec![], ContentDigest::None));
    let out = signer
        .sign_request(
            &test_request(),
            SignatureInputs::at(CREATED).nonce("b3k2pp5k7z-50gnwp.yemd"),
        )
        .unwrap();
    assert_eq!(
        out.signature_base(),
        r#""@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd""#
    );
}

/// RFC 9421 B.2.2 "Selective Covered Components Using rsa-pss-sha512":
/// ```text
/// "@authority": example.com
/// "content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
/// "@query-param";name="Pet": dog
/// "@signature-params": ("@authority" "content-digest" "@query-param";name="Pet")
///   ;created=1618884473;keyid="test-key-rsa-pss";tag="header-example"
/// ```
/// The signer computes `Content-Digest` itself (sha-512 of the body), so this also checks the
/// RFC 9530 digest of the test body.
#[test]
fn b_2_2_selective_components_base() {
    let key = Rfc9421Key::new("test-key-rsa-pss", b"any".to_vec()).unwrap();
    let comps = vec![
        Component::Authority,
        header("content-digest"),
        Component::QueryParam("Pet".into()),
    ];
    let mut s = settings("sig-b22", comps, ContentDigest::Sha512);
    s.tag = Some("header-example".into());
    let out = Rfc9421::new(key)
        .with_settings(s)
        .sign_request(&test_request(), SignatureInputs::at(CREATED))
        .unwrap();
    assert_eq!(
        out.signature_base(),
        format!(
            "\"@authority\": example.com\n\"content-digest\": {DIGEST_512}\n\"@query-param\";name=\"Pet\": dog\n\
             \"@signature-params\": (\"@authority\" \"content-digest\" \"@query-param\";name=\"Pet\")\
             ;created=1618884473;keyid=\"test-key-rsa-pss\";tag=\"header-example\""
        )
    );
    assert_eq!(
        out.instructions().header("content-digest"),
        Some(DIGEST_512)
    );
}

/// RFC 9421 B.2.3 "Full Coverage Using rsa-pss-sha512":
/// ```text
/// "date": Tue, 20 Apr 2021 02:07:55 GMT
/// "@method": POST
/// "@path": /foo
/// "@query": ?param=Value&Pet=dog
/// "@authority": example.com
/// "content-type": application/json
/// "content-digest": sha-512=:WZDPaVn/…Jwew==:
/// "content-length": 18
/// "@signature-params": ("date" "@method" "@path" "@query" "@authority" "content-type"
///   "content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"
/// ```
#[test]
fn b_2_3_full_coverage_base() {
    let key = Rfc9421Key::new("test-key-rsa-pss", b"any".to_vec()).unwrap();
    let comps = vec![
        header("date"),
        Component::Method,
        Component::Path,
        Component::Query,
        Component::Authority,
        header("content-type"),
        header("content-digest"),
        header("content-length"),
    ];
    let out = Rfc9421::new(key)
        .with_settings(settings("sig-b23", comps, ContentDigest::Sha512))
        .sign_request(&test_request(), SignatureInputs::at(CREATED))
        .unwrap();
    assert_eq!(
        out.signature_base(),
        format!(
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\"@query\": ?param=Value&Pet=dog\n\
             \"@authority\": example.com\n\"content-type\": application/json\n\"content-digest\": {DIGEST_512}\n\
             \"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@query\" \"@authority\" \
             \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-rsa-pss\""
        )
    );
}

/// RFC 9421 B.2.4 "Signing a Response Using ecdsa-p256-sha256", test-response:
/// ```text
/// HTTP/1.1 200 OK
/// Date: Tue, 20 Apr 2021 02:07:56 GMT
/// Content-Type: application/json
/// Content-Digest: sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:
/// Content-Length: 23
///
/// {"message": "good dog"}
/// ```
/// signature base:
/// ```text
/// "@status": 200
/// "content-type": application/json
/// "content-digest": sha-512=:mEWXIS7…gfLQ==:
/// "content-length": 23
/// "@signature-params": ("@status" "content-type" "content-digest" "content-length")
///   ;created=1618884473;keyid="test-key-ecc-p256"
/// ```
#[test]
fn b_2_4_response_base_and_response_round_trip() {
    let digest = "sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:";
    let body = br#"{"message": "good dog"}"#;
    let response = Response::new(200)
        .header("Date", "Tue, 20 Apr 2021 02:07:56 GMT")
        .header("Content-Type", "application/json")
        .header("Content-Length", "23")
        .body(body);
    let key = Rfc9421Key::new("test-key-ecc-p256", secret()).unwrap();
    let comps = vec![
        header("content-type"),
        header("content-digest"),
        header("content-length"),
    ];
    let out = Rfc9421::new(key.clone())
        .with_settings(settings("sig-b24", comps, ContentDigest::Sha512))
        .sign_response(&response, SignatureInputs::at(CREATED))
        .unwrap();
    assert_eq!(
        out.signature_base(),
        format!(
            "\"@status\": 200\n\"content-type\": application/json\n\"content-digest\": {digest}\n\"content-length\": 23\n\
             \"@signature-params\": (\"@status\" \"content-type\" \"content-digest\" \"content-length\")\
             ;created=1618884473;keyid=\"test-key-ecc-p256\""
        )
    );
    // Round trip: the signed response verifies; a changed body fails on its digest.
    let headers = out.instructions().apply_to_headers(&[
        ("Content-Type".into(), "application/json".into()),
        ("Content-Length".into(), "23".into()),
    ]);
    let verifier = Rfc9421Verifier::new(move |_: &str| Some(key.clone()));
    let signed = Response::new(200)
        .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .body(body);
    assert_eq!(
        verifier
            .verify_response(&signed, CREATED + 1)
            .unwrap()
            .components[0],
        Component::Status
    );
    let forged = Response::new(200)
        .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .body(b"{\"message\": \"bad dog\"}");
    assert_eq!(
        verifier
            .verify_response(&forged, CREATED + 1)
            .unwrap_err()
            .code(),
        ProfileErrorCode::DigestMismatch
    );
    let status = Response::new(201)
        .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .body(body);
    assert_eq!(
        verifier
            .verify_response(&status, CREATED + 1)
            .unwrap_err()
            .code(),
        ProfileErrorCode::SignatureMismatch
    );
}

#[test]
fn a_response_status_outside_100_to_999_is_invalid_request_both_ways() {
    let key = Rfc9421Key::new("k", b"0123456789abcdef".to_vec()).unwrap();
    let signer = Rfc9421::new(key.clone());
    let verifier = Rfc9421Verifier::new(move |_: &str| Some(key.clone()));
    for status in [0, 42, 99, 1000, u16::MAX] {
        let r = Response::new(status);
        let e = signer
            .sign_response(&r, SignatureInputs::at(CREATED))
            .unwrap_err();
        assert_eq!(e.code(), ProfileErrorCode::InvalidRequest, "sign {status}");
        let e = verifier.verify_response(&r, CREATED).unwrap_err();
        assert_eq!(
            e.code(),
            ProfileErrorCode::InvalidRequest,
            "verify {status}"
        );
    }
    for status in [100, 999] {
        assert!(signer
            .sign_response(&Response::new(status), SignatureInputs::at(CREATED))
            .is_ok());
    }
}

fn first_line(request: &Request<'_>, c: Component) -> String {
    let key = Rfc9421Key::new("k", b"k".to_vec()).unwrap();
    let out = Rfc9421::new(key)
        .with_settings(settings("s", vec![c], ContentDigest::None))
        .sign_request(request, SignatureInputs::at(0))
        .unwrap();
    out.signature_base().lines().next().unwrap().to_string()
}

/// RFC 9421 §2.2.1–§2.2.7, for `POST /path?param=value HTTP/1.1` to `www.example.com`.
#[test]
fn section_2_2_derived_components() {
    let r = Request::new("POST", "https://www.example.com/path?param=value");
    assert_eq!(first_line(&r, Component::Method), r#""@method": POST"#);
    assert_eq!(
        first_line(&r, Component::TargetUri),
        r#""@target-uri": https://www.example.com/path?param=value"#
    );
    assert_eq!(
        first_line(&r, Component::Authority),
        r#""@authority": www.example.com"#
    );
    assert_eq!(first_line(&r, Component::Scheme), r#""@scheme": https"#);
    assert_eq!(
        first_line(&r, Component::RequestTarget),
        r#""@request-target": /path?param=value"#
    );
    assert_eq!(first_line(&r, Component::Path), r#""@path": /path"#);
    assert_eq!(
        first_line(&r, Component::Query),
        r#""@query": ?param=value"#
    );
    // §2.2.7: "If the query string is absent from the request message, the component value is the
    // leading ? character alone": `"@query": ?`.
    assert_eq!(
        first_line(
            &Request::new("GET", "https://www.example.com/path"),
            Component::Query
        ),
        r#""@query": ?"#
    );
}

/// RFC 9421 §2.2.8 "Query Parameters", both examples.
#[test]
fn section_2_2_8_query_params() {
    let r = Request::new(
        "GET",
        "https://www.example.com/path?param=value&foo=bar&baz=batman&qux=",
    );
    assert_eq!(
        first_line(&r, Component::QueryParam("baz".into())),
        r#""@query-param";name="baz": batman"#
    );
    assert_eq!(
        first_line(&r, Component::QueryParam("qux".into())),
        r#""@query-param";name="qux": "#
    );
    assert_eq!(
        first_line(&r, Component::QueryParam("param".into())),
        r#""@query-param";name="param": value"#
    );
    let r = Request::new(
        "GET",
        "https://www.example.com/parameters?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something",
    );
    assert_eq!(
        first_line(&r, Component::QueryParam("var".into())),
        r#""@query-param";name="var": this%20is%20a%20big%0Amultiline%20value"#
    );
    assert_eq!(
        first_line(&r, Component::QueryParam("bar".into())),
        r#""@query-param";name="bar": with%20plus%20whitespace"#
    );
    assert_eq!(
        first_line(&r, Component::QueryParam("fa%C3%A7ade%22%3A%20".into())),
        r#""@query-param";name="fa%C3%A7ade%22%3A%20": something"#
    );
}

/// RFC 9421 §2.2.9 "Status Code": `"@status": 200`; §2.1 header values are trimmed and
/// repeated lines joined with `, `.
#[test]
fn status_and_header_values() {
    let key = Rfc9421Key::new("k", b"k".to_vec()).unwrap();
    let resp = Response::new(200)
        .header("X-Dup", "  a ")
        .header("x-dup", "b");
    let out = Rfc9421::new(key)
        .with_settings(settings("s", vec![header("x-dup")], ContentDigest::None))
        .sign_response(&resp, SignatureInputs::at(0))
        .unwrap();
    assert!(out
        .signature_base()
        .starts_with("\"@status\": 200\n\"x-dup\": a, b\n"));
}

#[test]
fn verification_failures_have_codes() {
    let key = Rfc9421Key::new("k1", b"0123456789abcdef".to_vec()).unwrap();
    let mut s = Rfc9421Settings::default();
    s.expires_in = Some(100);
    let signer = Rfc9421::new(key.clone()).with_settings(s);
    let request = Request::new("PUT", "https://api.example/x?y=1").body(b"data");
    let out = signer
        .sign_request(&request, SignatureInputs::at(10_000).nonce("n1"))
        .unwrap();
    let headers = out.instructions().apply_to_headers(&[]);
    let signed = |body: &'static [u8]| {
        Request::new("PUT", "https://api.example/x?y=1")
            .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .body(body)
    };
    let k = key.clone();
    let v = Rfc9421Verifier::new(move |id: &str| (id == "k1").then(|| k.clone()));
    let ok = v.verify_request(&signed(b"data"), 10_050).unwrap();
    assert_eq!(
        (ok.nonce.as_deref(), ok.expires),
        (Some("n1"), Some(10_100))
    );
    // A replay store remembers the nonce while the signature verifies: until `expires` here,
    // which comes before created + max_age (10_300); without `expires`, created + max_age.
    assert_eq!(v.nonce_expires_at(&ok), 10_100);
    let mut no_expiry = ok.clone();
    no_expiry.expires = None;
    assert_eq!(
        v.nonce_expires_at(&no_expiry),
        10_000 + v.settings().max_age
    );
    assert!(v.verify_request(&signed(b"data"), 10_101).is_err());
    assert_eq!(
        v.verify_request(&signed(b"dat4"), 10_050)
            .unwrap_err()
            .code(),
        ProfileErrorCode::DigestMismatch
    );
    assert_eq!(
        v.verify_request(&signed(b"data"), 10_101)
            .unwrap_err()
            .code(),
        ProfileErrorCode::SignatureExpired
    );
    assert_eq!(
        v.verify_request(&signed(b"data"), 9_000)
            .unwrap_err()
            .code(),
        ProfileErrorCode::TimestampOutOfTolerance
    );
    assert_eq!(
        v.verify_request(&request, 10_000).unwrap_err().code(),
        ProfileErrorCode::MissingSignature
    );
    let none = Rfc9421Verifier::new(|_: &str| None);
    assert_eq!(
        none.verify_request(&signed(b"data"), 10_000)
            .unwrap_err()
            .code(),
        ProfileErrorCode::UnknownKey
    );
    let mut strict = Rfc9421Settings::default();
    strict
        .required_request_components
        .push(Component::Header("content-type".into()));
    let k = key.clone();
    let v2 = Rfc9421Verifier::new(move |_: &str| Some(k.clone())).with_settings(strict);
    assert_eq!(
        v2.verify_request(&signed(b"data"), 10_000)
            .unwrap_err()
            .code(),
        ProfileErrorCode::InsufficientCoverage
    );
    let bad = Request::new("GET", "https://h/")
        .header("Signature-Input", "sig1=(")
        .header("Signature", "sig1=:AA==:");
    assert_eq!(
        v.verify_request(&bad, 0).unwrap_err().code(),
        ProfileErrorCode::MalformedSignature
    );
    let rsa = Request::new("GET", "https://h/")
        .header(
            "Signature-Input",
            r#"sig1=("@method" "@authority" "@path");created=1;keyid="k1";alg="rsa-pss-sha512""#,
        )
        .header("Signature", "sig1=:AA==:");
    assert_eq!(
        v.verify_request(&rsa, 1).unwrap_err().code(),
        ProfileErrorCode::UnsupportedAlgorithm
    );
    assert!(!format!("{key:?}").contains("0123456789abcdef"));
}

/// RFC 9421 plugged into the core `Verifier`: key store, window and replay store come from it.
#[test]
fn core_verifier_scheme() {
    core_verifier_scheme_case(&[]);
}

/// Same as `core_verifier_scheme`, with an `Authorization` line that no scheme claims beside the
/// signature headers: it must not stop RFC 9421 from being found.
#[test]
fn core_verifier_scheme_with_placeholder_authorization() {
    core_verifier_scheme_case(&[("Authorization", "RFC9421")]);
}

fn core_verifier_scheme_case(extra: &'static [(&'static str, &'static str)]) {
    use sigwire_core::profiles::rfc9421::Rfc9421Scheme;
    use sigwire_core::{ErrorCode, InMemoryKeyStore, Verifier};
    use std::sync::Arc;

    let secret = b"0123456789abcdef0123456789abcdef".to_vec();
    let keys = Arc::new(InMemoryKeyStore::new());
    keys.insert("client-1", secret.clone(), None).unwrap();
    let verifier = Verifier::builder(keys)
        .scheme(Box::new(Rfc9421Scheme::new()))
        .build();
    let url = "https://api.example.com/v1/items?x=1";
    let request = Request::new("POST", url).body(b"{\"a\":1}");
    let received = |ins: &sigwire_core::profiles::SigningInstructions, body: &'static [u8]| {
        let headers = ins.apply_to_headers(&[]);
        let headers: &'static [(String, String)] = Box::leak(headers.into_boxed_slice());
        Request::new("POST", url)
            .headers(extra.iter().copied())
            .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .body(body)
    };
    let code = |r: Result<sigwire_core::Verified, sigwire_core::Error>| r.unwrap_err().code();
    let signer = Rfc9421::new(Rfc9421Key::new("client-1", secret).unwrap());
    let out = signer
        .sign_request(&request, SignatureInputs::at(1_700_000_000).nonce("n-1"))
        .unwrap();
    let ins = out.instructions();
    assert_eq!(
        code(verifier.verify_at(&received(ins, b"{\"a\":2}"), 1_700_000_000)),
        ErrorCode::SignatureMismatch
    );
    assert_eq!(
        code(verifier.verify_at(&received(ins, b"{\"a\":1}"), 1_700_000_400)),
        ErrorCode::StaleTimestamp
    );
    let ok = verifier
        .verify_at(&received(ins, b"{\"a\":1}"), 1_700_000_010)
        .unwrap();
    assert_eq!(
        (ok.key_id.as_str(), ok.nonce.as_deref()),
        ("client-1", Some("n-1"))
    );
    assert_eq!(
        code(verifier.verify_at(&received(ins, b"{\"a\":1}"), 1_700_000_011)),
        ErrorCode::ReplayedNonce
    );
    // A signature that does not cover @path is refused before any key is used.
    let mut s = Rfc9421Settings::default();
    s.components = vec![Component::Method, Component::Authority];
    let narrow = Rfc9421::new(Rfc9421Key::new("client-1", b"x".to_vec()).unwrap()).with_settings(s);
    let out = narrow
        .sign_request(&request, SignatureInputs::at(1_700_000_000))
        .unwrap();
    assert_eq!(
        code(verifier.verify_at(&received(out.instructions(), b""), 1_700_000_000)),
        ErrorCode::MalformedAuthorization
    );
}

/// RFC 9421 through the core's generic signing driver: `created` from the clock, a random nonce.
#[test]
fn via_signing_scheme() {
    use sigwire_core::signing::{sign_now, SignableBody};
    use sigwire_core::{FixedClock, OsNonce};
    let key = Rfc9421Key::new("k1", b"0123456789abcdef".to_vec()).unwrap();
    let signer = Rfc9421::new(key.clone());
    let request = Request::new("POST", "https://api.example.com/v1/items");
    let ins = sign_now(
        &signer,
        &request,
        SignableBody::Bytes(b"{}"),
        &FixedClock::new(1_700_000_000),
        &OsNonce,
    )
    .unwrap();
    let input = ins.header("signature-input").unwrap();
    assert!(
        input.contains(";created=1700000000;keyid=\"k1\";nonce=\""),
        "{input}"
    );
    let headers = ins.apply_to_headers(&[]);
    let signed = Request::new("POST", "https://api.example.com/v1/items")
        .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .body(b"{}");
    let v = Rfc9421Verifier::new(move |_: &str| Some(key.clone()));
    assert_eq!(
        v.verify_request(&signed, 1_700_000_001)
            .unwrap()
            .nonce
            .map(|n| n.len()),
        Some(22)
    );
    assert_eq!(
        sign_now(
            &signer,
            &request,
            SignableBody::Unsigned,
            &FixedClock::new(1),
            &OsNonce
        )
        .unwrap_err()
        .code(),
        ProfileErrorCode::InvalidRequest
    );
}
