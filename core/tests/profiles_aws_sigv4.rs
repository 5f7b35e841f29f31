//! AWS SigV4 against both AWS suites (every stage checked separately), presigned URLs, the S3
//! rules, session tokens and server-side verification.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

#[path = "profiles/aws_suite.rs"]
mod aws_suite;

use std::path::Path;

use aws_suite::*;
use sigwire_core::profiles::aws_sigv4::{
    AwsCredentials, AwsSigV4, AwsSigV4Settings, AwsSigV4Verifier, PayloadChecksumKind,
    SessionTokenMode, SignableBody, SignatureLocation, UriPathNormalizationMode,
};
use sigwire_core::profiles::ProfileErrorCode;
use sigwire_core::Request;

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2015-08-30T12:36:00Z, the time of every case in both suites.
const T: u64 = 1_440_938_160;

fn request_of(raw: &RawRequest, url: &str) -> Request<'static> {
    // Leak is fine in tests: it lets the borrowed Request outlive the helper.
    let url: &'static str = Box::leak(url.to_string().into_boxed_str());
    let headers: &'static [(String, String)] = Box::leak(raw.headers.clone().into_boxed_slice());
    let body: &'static [u8] = Box::leak(raw.body.clone().into_boxed_slice());
    let method: &'static str = Box::leak(raw.method.clone().into_boxed_str());
    Request::new(method, url)
        .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .body(body)
}

fn verifier(
    creds: AwsCredentials,
    settings: AwsSigV4Settings,
) -> AwsSigV4Verifier<impl Fn(&str) -> Option<AwsCredentials>> {
    AwsSigV4Verifier::new("us-east-1", "service", move |id: &str| {
        (id == AKID).then(|| creds.clone())
    })
    .with_settings(settings)
}

/// Adds the header instructions to a request (replacing same-named lines).
fn with_headers(raw: &RawRequest, ins: &sigwire_core::profiles::SigningInstructions) -> RawRequest {
    let mut r = raw.clone();
    r.headers = ins.apply_to_headers(&raw.headers);
    r
}

/// The legacy suite (aws-sig-v4-test-suite.zip): `.req` → `.creq` → `.sts` → `.authz`.
/// Known defect (README): in this copy the two `post-x-www-form-urlencoded*` cases sign a
/// Content-Length header their `.authz` leaves out, so their `.sts`/`.authz` do not follow from
/// their own `.creq`; for those two only the canonical request is checked.
#[test]
fn legacy_suite() {
    let Some(root) = suite_dir() else { return };
    let cases = cases(&root.join("legacy-suite"), &|p: &Path| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        p.join(format!("{name}.req")).is_file()
    });
    assert_eq!(cases.len(), 31, "legacy suite should have 31 cases");
    let mut full = 0;
    let mut creq_only = 0;
    for dir in &cases {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let file = |ext: &str| {
            read(dir, &format!("{name}.{ext}")).unwrap_or_else(|| panic!("{name}.{ext}"))
        };
        let raw = RawRequest::parse_folding(&file("req"), true);
        let url = raw.url();
        let creds = AwsCredentials::new(AKID, SECRET).unwrap();
        let signer = AwsSigV4::new(creds.clone(), "us-east-1", "service").unwrap();
        let out = signer
            .sign(&request_of(&raw, &url), SignableBody::Bytes(&raw.body), T)
            .unwrap();
        assert_eq!(
            out.canonical_request(),
            file("creq"),
            "{name}: canonical request"
        );
        if name.starts_with("post-x-www-form-urlencoded") {
            creq_only += 1;
            continue;
        }
        assert_eq!(out.string_to_sign(), file("sts"), "{name}: string to sign");
        assert_eq!(
            out.instructions().header("authorization"),
            Some(file("authz").as_str()),
            "{name}: authorization"
        );
        // The signed request verifies on the server side.
        let signed = with_headers(&raw, out.instructions());
        let v = verifier(creds, AwsSigV4Settings::default());
        v.verify(&request_of(&signed, &url), T + 60)
            .unwrap_or_else(|e| panic!("{name}: verify: {e}"));
        full += 1;
    }
    eprintln!("legacy suite: {full} cases pass every stage, {creq_only} canonical request only");
    assert_eq!((full, creq_only), (29, 2));
}

/// The legacy `post-sts-header-after` case: the token is added after signing
/// (`SessionTokenMode::Exclude`), so the canonical request does not contain it.
#[test]
fn legacy_session_token_added_after_signing() {
    let Some(root) = suite_dir() else { return };
    let dir = root.join("legacy-suite/post-sts-token/post-sts-header-after");
    let raw = RawRequest::parse(&read(&dir, "post-sts-header-after.req").unwrap());
    let sreq = RawRequest::parse(&read(&dir, "post-sts-header-after.sreq").unwrap());
    let token = sreq.header("x-amz-security-token").unwrap();
    let creds = AwsCredentials::new(AKID, SECRET)
        .unwrap()
        .with_session_token(token);
    let mut settings = AwsSigV4Settings::default();
    settings.session_token_mode = SessionTokenMode::Exclude;
    let signer = AwsSigV4::new(creds, "us-east-1", "service")
        .unwrap()
        .with_settings(settings);
    let out = signer
        .sign(
            &request_of(&raw, &raw.url()),
            SignableBody::Bytes(&raw.body),
            T,
        )
        .unwrap();
    assert_eq!(
        out.canonical_request(),
        read(&dir, "post-sts-header-after.creq").unwrap()
    );
    assert_eq!(
        out.instructions().header("x-amz-security-token"),
        Some(token)
    );
    assert_eq!(
        out.instructions().header("authorization"),
        sreq.header("authorization").map(str::trim)
    );
}

/// The aws-c-auth suite (`crt-v4`): header and query (presigned) signing, each stage checked.
#[test]
fn crt_suite() {
    let Some(root) = suite_dir() else { return };
    let cases = cases(&root.join("crt-v4"), &|p: &Path| {
        p.join("context.json").is_file()
    });
    assert_eq!(cases.len(), 38, "CRT suite should have 38 cases");
    let mut passed = 0;
    for dir in &cases {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let file = |f: &str| read(dir, f).unwrap_or_else(|| panic!("{name}/{f}"));
        let ctx: serde_json::Value = serde_json::from_str(&file("context.json")).unwrap();
        let c = &ctx["credentials"];
        let mut creds = AwsCredentials::new(
            c["access_key_id"].as_str().unwrap(),
            c["secret_access_key"].as_str().unwrap(),
        )
        .unwrap();
        if let Some(t) = c["token"].as_str() {
            creds = creds.with_session_token(t);
        }
        let time = parse_rfc3339(ctx["timestamp"].as_str().unwrap());
        let mut settings = AwsSigV4Settings::default();
        if ctx["normalize"] == false {
            settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        }
        if ctx["omit_session_token"] == true {
            settings.session_token_mode = SessionTokenMode::Exclude;
        }
        if ctx["sign_body"] == true {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        }
        settings.expires_in = ctx["expiration_in_seconds"].as_u64().unwrap();
        let raw = RawRequest::parse(&file("request.txt"));
        let url = raw.url();
        let request = request_of(&raw, &url);
        let (region, service) = (
            ctx["region"].as_str().unwrap(),
            ctx["service"].as_str().unwrap(),
        );
        assert_eq!((region, service), ("us-east-1", "service"));

        // Header signing.
        let signer = AwsSigV4::new(creds.clone(), region, service)
            .unwrap()
            .with_settings(settings.clone());
        let out = signer
            .sign(&request, SignableBody::Bytes(request.body_bytes()), time)
            .unwrap();
        assert_eq!(
            out.canonical_request(),
            file("header-canonical-request.txt"),
            "{name}: header canonical request"
        );
        assert_eq!(
            out.string_to_sign(),
            file("header-string-to-sign.txt"),
            "{name}: header string to sign"
        );
        assert_eq!(
            out.signature(),
            file("header-signature.txt").trim(),
            "{name}: header signature"
        );
        let signed = RawRequest::parse(&file("header-signed-request.txt"));
        assert_eq!(
            out.instructions().header("authorization"),
            signed.header("authorization"),
            "{name}: Authorization"
        );
        let ours = with_headers(&raw, out.instructions());
        verifier(creds.clone(), settings.clone())
            .verify(&request_of(&ours, &url), time)
            .unwrap_or_else(|e| panic!("{name}: verify header-signed: {e}"));

        // Query signing (presigned URL).
        let mut qs = settings.clone();
        qs.signature_location = SignatureLocation::QueryParams;
        let signer = AwsSigV4::new(creds.clone(), region, service)
            .unwrap()
            .with_settings(qs.clone());
        let out = signer
            .sign(&request, SignableBody::Bytes(request.body_bytes()), time)
            .unwrap();
        assert_eq!(
            out.canonical_request(),
            file("query-canonical-request.txt"),
            "{name}: query canonical request"
        );
        assert_eq!(
            out.string_to_sign(),
            file("query-string-to-sign.txt"),
            "{name}: query string to sign"
        );
        assert_eq!(
            out.signature(),
            file("query-signature.txt").trim(),
            "{name}: query signature"
        );
        let signed = RawRequest::parse(&file("query-signed-request.txt"));
        let presigned = out.instructions().apply_to_url(&url);
        assert_eq!(presigned, signed.url(), "{name}: presigned URL");
        verifier(creds, qs)
            .verify(&request_of(&raw, &presigned), time + 10)
            .unwrap_or_else(|e| panic!("{name}: verify presigned: {e}"));
        passed += 1;
    }
    eprintln!("CRT suite: {passed}/38 cases pass (header and query signing, every stage)");
    assert_eq!(passed, 38);
}

const S3_AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const S3_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// 2013-05-24T00:00:00Z, the time of the S3 documentation examples.
const S3_T: u64 = 1_369_353_600;

/// AWS S3 documentation, "Authenticating Requests: Using Query Parameters (AWS Signature
/// Version 4)", example presigned GET of `test.txt`, valid 86 400 s, `UNSIGNED-PAYLOAD`.
#[test]
fn s3_documentation_presigned_url() {
    let creds = AwsCredentials::new(S3_AKID, S3_SECRET).unwrap();
    let mut settings = AwsSigV4Settings::s3();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = 86_400;
    let signer = AwsSigV4::new(creds.clone(), "us-east-1", "s3")
        .unwrap()
        .with_settings(settings.clone());
    let url = "https://examplebucket.s3.amazonaws.com/test.txt";
    let out = signer
        .sign(&Request::new("GET", url), SignableBody::Unsigned, S3_T)
        .unwrap();
    assert_eq!(
        out.signature(),
        "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    );
    let presigned = out.instructions().apply_to_url(url);
    assert!(presigned.ends_with(
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    ));
    let v = AwsSigV4Verifier::new("us-east-1", "s3", move |id: &str| {
        (id == S3_AKID).then(|| creds.clone())
    })
    .with_settings(settings);
    let ok = v
        .verify(&Request::new("GET", &presigned), S3_T + 86_400)
        .unwrap();
    assert!(ok.presigned);
    assert_eq!(
        ok.expires_at,
        Some(S3_T + 86_400),
        "X-Amz-Date + X-Amz-Expires"
    );
    let err = v
        .verify(&Request::new("GET", &presigned), S3_T + 86_401)
        .unwrap_err();
    assert_eq!(err.code(), ProfileErrorCode::SignatureExpired);
    let tampered = presigned.replace("test.txt", "test2.txt");
    assert_eq!(
        v.verify(&Request::new("GET", &tampered), S3_T)
            .unwrap_err()
            .code(),
        ProfileErrorCode::SignatureMismatch
    );
}

/// AWS S3 documentation, "Signature Calculations for the Authorization Header", example
/// "GET Object" (`Range: bytes=0-9`, `x-amz-content-sha256` of the empty body).
#[test]
fn s3_documentation_get_object() {
    let creds = AwsCredentials::new(S3_AKID, S3_SECRET).unwrap();
    let signer = AwsSigV4::new(creds, "us-east-1", "s3")
        .unwrap()
        .with_settings(AwsSigV4Settings::s3());
    let request = Request::new("GET", "https://examplebucket.s3.amazonaws.com/test.txt")
        .header("Range", "bytes=0-9");
    let out = signer
        .sign(&request, SignableBody::Bytes(request.body_bytes()), S3_T)
        .unwrap();
    assert_eq!(
        out.signature(),
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    );
    assert!(out
        .canonical_request()
        .contains("\nhost;range;x-amz-content-sha256;x-amz-date\n"));
}

/// S3 keeps `//`, `..` and existing escapes; generic services normalise and double-encode.
#[test]
fn s3_path_rules_beside_generic_rules() {
    let creds = AwsCredentials::new("AKID", "secret").unwrap();
    let url = "https://b.s3.amazonaws.com/a%20b//c/../d~";
    let s3 = AwsSigV4::new(creds.clone(), "us-east-1", "s3")
        .unwrap()
        .with_settings(AwsSigV4Settings::s3());
    let generic = AwsSigV4::new(creds, "us-east-1", "service").unwrap();
    let r = Request::new("GET", url);
    let a = s3.sign(&r, SignableBody::Unsigned, 0).unwrap();
    let b = generic.sign(&r, SignableBody::Unsigned, 0).unwrap();
    assert_eq!(
        a.canonical_request().lines().nth(1),
        Some("/a%20b//c/../d~")
    );
    assert_eq!(b.canonical_request().lines().nth(1), Some("/a%2520b/d~"));
}

#[test]
fn verification_failures_have_codes() {
    let creds = AwsCredentials::new("AKID", "secret")
        .unwrap()
        .with_session_token("tok");
    let signer = AwsSigV4::new(creds.clone(), "us-east-1", "svc").unwrap();
    let request = Request::new("POST", "https://h.example/p?x=1")
        .header("Content-Type", "text/plain")
        .body(b"hello");
    let out = signer
        .sign(
            &request,
            SignableBody::Bytes(request.body_bytes()),
            1_000_000,
        )
        .unwrap();
    let headers = out
        .instructions()
        .apply_to_headers(&[("Content-Type".into(), "text/plain".into())]);
    let signed = |body: &'static [u8]| {
        Request::new("POST", "https://h.example/p?x=1")
            .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .body(body)
    };
    let c2 = creds.clone();
    let v = AwsSigV4Verifier::new("us-east-1", "svc", move |id: &str| {
        (id == "AKID").then(|| c2.clone())
    });
    assert!(v.verify(&signed(b"hello"), 1_000_000).is_ok());
    assert_eq!(
        v.verify(&signed(b"hellO"), 1_000_000).unwrap_err().code(),
        ProfileErrorCode::SignatureMismatch
    );
    assert_eq!(
        v.verify(&signed(b"hello"), 1_000_901).unwrap_err().code(),
        ProfileErrorCode::TimestampOutOfTolerance
    );
    let other = AwsSigV4Verifier::new("eu-west-1", "svc", move |_: &str| Some(creds.clone()));
    assert_eq!(
        other
            .verify(&signed(b"hello"), 1_000_000)
            .unwrap_err()
            .code(),
        ProfileErrorCode::CredentialScopeMismatch
    );
    let none = AwsSigV4Verifier::new("us-east-1", "svc", |_: &str| None);
    assert_eq!(
        none.verify(&signed(b"hello"), 1_000_000)
            .unwrap_err()
            .code(),
        ProfileErrorCode::UnknownKey
    );
    assert_eq!(
        none.verify(&request, 1_000_000).unwrap_err().code(),
        ProfileErrorCode::MissingSignature
    );
    let bad =
        Request::new("GET", "https://h/").header("Authorization", "AWS4-HMAC-SHA256 Credential=x");
    assert_eq!(
        none.verify(&bad, 0).unwrap_err().code(),
        ProfileErrorCode::MalformedSignature
    );
    let bad = Request::new("GET", "https://h/").header("Authorization", "Bearer x");
    assert_eq!(
        none.verify(&bad, 0).unwrap_err().code(),
        ProfileErrorCode::UnsupportedAlgorithm
    );
}

#[test]
fn secrets_stay_out_of_debug() {
    let creds = AwsCredentials::new("AKID", "supersecretkey")
        .unwrap()
        .with_session_token("sessiontokenvalue");
    let signer = AwsSigV4::new(creds, "us-east-1", "svc").unwrap();
    let out = signer
        .sign(
            &Request::new("GET", "https://h/"),
            SignableBody::Bytes(b""),
            0,
        )
        .unwrap();
    let dbg = format!("{signer:?} {:?} {out:?}", out.instructions());
    assert!(
        !dbg.contains("supersecretkey")
            && !dbg.contains("sessiontokenvalue")
            && !dbg.contains(out.signature())
    );
    assert!(AwsCredentials::new("", "x").is_err() && AwsCredentials::new("a/b", "x").is_err());
    let mut s = AwsSigV4Settings::default();
    s.signature_location = SignatureLocation::QueryParams;
    s.expires_in = 604_801;
    let signer = signer.with_settings(s);
    assert_eq!(
        signer
            .sign(
                &Request::new("GET", "https://h/"),
                SignableBody::Bytes(b""),
                0
            )
            .unwrap_err()
            .code(),
        ProfileErrorCode::InvalidSettings
    );
}

/// SigV4 through the core's generic signing driver (`SigningScheme` + `sign_now`), and an S3
/// header-signed `UNSIGNED-PAYLOAD` request verifying on the server side.
#[test]
fn via_signing_scheme_and_unsigned_payload() {
    use sigwire_core::signing::{sign_now, SigningScheme};
    use sigwire_core::{FixedClock, OsNonce};
    let creds = AwsCredentials::new(S3_AKID, S3_SECRET).unwrap();
    let signer = AwsSigV4::new(creds.clone(), "us-east-1", "s3")
        .unwrap()
        .with_settings(AwsSigV4Settings::s3());
    assert_eq!(signer.name(), "aws-sigv4");
    let request = Request::new(
        "PUT",
        "https://examplebucket.s3.amazonaws.com/big%20file.bin",
    )
    .body(b"streamed elsewhere");
    let ins = sign_now(
        &signer,
        &request,
        SignableBody::Unsigned,
        &FixedClock::new(S3_T),
        &OsNonce,
    )
    .unwrap();
    assert_eq!(ins.header("x-amz-content-sha256"), Some("UNSIGNED-PAYLOAD"));
    assert_eq!(ins.header("x-amz-date"), Some("20130524T000000Z"));
    let direct = signer.sign(&request, SignableBody::Unsigned, S3_T).unwrap();
    assert_eq!(
        ins.header("authorization"),
        direct.instructions().header("authorization")
    );
    let headers = ins.apply_to_headers(&[]);
    let received = Request::new(
        "PUT",
        "https://examplebucket.s3.amazonaws.com/big%20file.bin",
    )
    .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    .body(b"any body: not covered");
    let v = AwsSigV4Verifier::new("us-east-1", "s3", move |_: &str| Some(creds.clone()))
        .with_settings(AwsSigV4Settings::s3());
    assert!(v.verify(&received, S3_T).is_ok());
}

/// SigV4 inside the core `Verifier` (key store by access key id, time rules from the claim):
/// header-signed and presigned requests, tampering, staleness, expiry and unknown keys.
#[test]
fn core_verifier_scheme() {
    use sigwire_core::profiles::aws_sigv4::AwsSigV4Scheme;
    use sigwire_core::{ErrorCode, InMemoryKeyStore, Verifier};
    use std::sync::Arc;

    let keys = Arc::new(InMemoryKeyStore::new());
    keys.insert(AKID, SECRET.as_bytes().to_vec(), None).unwrap();
    let verifier = Verifier::builder(keys)
        .scheme(Box::new(AwsSigV4Scheme::new("us-east-1", "service")))
        .build();
    let code = |r: Result<sigwire_core::Verified, sigwire_core::Error>| r.unwrap_err().code();
    let creds = AwsCredentials::new(AKID, SECRET).unwrap();
    let url = "https://example.amazonaws.com/a/b?x=1";
    let request = Request::new("POST", url).body(b"payload");

    let out = AwsSigV4::new(creds.clone(), "us-east-1", "service")
        .unwrap()
        .sign(&request, SignableBody::Bytes(b"payload"), T)
        .unwrap();
    let headers = out.instructions().apply_to_headers(&[]);
    let signed = |body: &'static [u8]| {
        Request::new("POST", url)
            .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .body(body)
    };
    assert_eq!(
        verifier
            .verify_at(&signed(b"payload"), T + 100)
            .unwrap()
            .key_id,
        AKID
    );
    assert_eq!(
        verifier
            .verify_at(&signed(b"payload"), T + 100)
            .unwrap()
            .scheme,
        "aws-sigv4"
    );
    assert_eq!(
        code(verifier.verify_at(&signed(b"pay1oad"), T)),
        ErrorCode::SignatureMismatch
    );
    assert_eq!(
        code(verifier.verify_at(&signed(b"payload"), T + 901)),
        ErrorCode::StaleTimestamp
    );

    let mut qs = AwsSigV4Settings::default();
    qs.signature_location = SignatureLocation::QueryParams;
    qs.expires_in = 60;
    let out = AwsSigV4::new(creds, "us-east-1", "service")
        .unwrap()
        .with_settings(qs)
        .sign(&request, SignableBody::Unsigned, T)
        .unwrap();
    let presigned = out.instructions().apply_to_url(url);
    fn get(u: &str) -> Request<'_> {
        Request::new("POST", u).body(b"payload")
    }
    assert_eq!(
        verifier.verify_at(&get(&presigned), T + 60).unwrap().key_id,
        AKID
    );
    assert_eq!(
        code(verifier.verify_at(&get(&presigned), T + 61)),
        ErrorCode::StaleTimestamp
    );
    let other = presigned.replace("AKIDEXAMPLE", "AKIDOTHER");
    assert_eq!(
        code(verifier.verify_at(&get(&other), T)),
        ErrorCode::UnknownKey
    );
}

/// A verifier over a key source with rotation (`ProfileKeys`): a signature by any live secret of
/// the access key id verifies, a secret it does not hold is `signature_mismatch`; credentials
/// that need a session token are only tried with it.
#[test]
fn every_live_secret_of_an_access_key_id_verifies() {
    use sigwire_core::profiles::ProfileKeys;

    struct Rotating(Vec<AwsCredentials>);
    impl ProfileKeys<AwsCredentials> for Rotating {
        type Keys = Vec<AwsCredentials>;
        fn keys(&self, key_id: &str) -> Vec<AwsCredentials> {
            self.0
                .iter()
                .filter(|c| c.access_key_id() == key_id)
                .cloned()
                .collect()
        }
    }
    let signed_by = |creds: &AwsCredentials| {
        let request = Request::new("GET", "https://h.example/p?x=1");
        let out = AwsSigV4::new(creds.clone(), "us-east-1", "svc")
            .unwrap()
            .sign(&request, SignableBody::Bytes(b""), 1_000_000)
            .unwrap();
        out.instructions().apply_to_headers(&[])
    };
    let verify = |v: &AwsSigV4Verifier<Rotating>, headers: &[(String, String)]| {
        let request = Request::new("GET", "https://h.example/p?x=1")
            .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        v.verify(&request, 1_000_010).map_err(|e| e.code())
    };
    let creds = |secret: &str| AwsCredentials::new("AKID", secret).unwrap();
    let old = creds("old-secret-in-its-grace-period");
    let new = creds("new-secret-after-rotation").with_session_token("tok");
    let v = AwsSigV4Verifier::new("us-east-1", "svc", Rotating(vec![old.clone(), new.clone()]));

    let by_old = verify(&v, &signed_by(&old)).unwrap();
    assert_eq!(
        (by_old.access_key_id.as_str(), by_old.expires_at),
        ("AKID", None)
    );
    assert!(verify(&v, &signed_by(&new)).is_ok());
    assert_eq!(
        verify(&v, &signed_by(&creds("a-secret-AKID-never-had"))).unwrap_err(),
        ProfileErrorCode::SignatureMismatch
    );
    let unknown = AwsCredentials::new("AKIDOTHER", "old-secret-in-its-grace-period").unwrap();
    assert_eq!(
        verify(&v, &signed_by(&unknown)).unwrap_err(),
        ProfileErrorCode::UnknownKey
    );
    // Every live credential needs a session token and the request carries none: refused by the
    // session-token rule, as with one credential.
    let tokened = AwsSigV4Verifier::new(
        "us-east-1",
        "svc",
        Rotating(vec![new, creds("second").with_session_token("tok2")]),
    );
    assert_eq!(
        verify(&tokened, &signed_by(&old)).unwrap_err(),
        ProfileErrorCode::UnknownKey
    );
}

/// `header_names` (what a binding learns once) lists the headers `sign` sets, in its order, for
/// every setting that changes them.
#[test]
fn header_names_are_the_headers_sign_sets() {
    let request = Request::new("POST", "https://example.amazonaws.com/a?b=c")
        .header("Content-Type", "application/json")
        .body(b"{}");
    let mut seen = Vec::new();
    for token in [None, Some("session-token")] {
        for s3 in [false, true] {
            for token_mode in [SessionTokenMode::Include, SessionTokenMode::Exclude] {
                for presign in [false, true] {
                    let mut creds = AwsCredentials::new(AKID, SECRET).unwrap();
                    if let Some(t) = token {
                        creds = creds.with_session_token(t);
                    }
                    let mut settings = if s3 {
                        AwsSigV4Settings::s3()
                    } else {
                        AwsSigV4Settings::default()
                    };
                    settings.session_token_mode = token_mode;
                    if presign {
                        settings.signature_location = SignatureLocation::QueryParams;
                    }
                    let signer = AwsSigV4::new(creds, "us-east-1", "s3")
                        .unwrap()
                        .with_settings(settings);
                    let out = signer
                        .sign(&request, SignableBody::Bytes(b"{}"), T)
                        .unwrap();
                    let set: Vec<&str> = out
                        .instructions()
                        .headers()
                        .iter()
                        .map(|p| p.name())
                        .collect();
                    assert_eq!(
                        signer.header_names(),
                        set,
                        "{token:?} s3={s3} {token_mode:?}"
                    );
                    seen.push(set.len());
                }
            }
        }
    }
    // Every shape occurs: presigned (none), plain, with a token, with the checksum, with both.
    for n in [0, 2, 3, 4] {
        assert!(seen.contains(&n), "{n} headers never set");
    }
}

/// Any number of header lines signs every one of them, in order (the signer keeps up to 16 on
/// the stack and spills beyond): each signature verifies and its canonical request lists them.
#[test]
fn every_header_line_is_signed_whatever_their_number() {
    let creds = AwsCredentials::new(AKID, SECRET).unwrap();
    let signer = AwsSigV4::new(creds.clone(), "us-east-1", "service").unwrap();
    let verifier = verifier(creds, AwsSigV4Settings::default());
    let names: Vec<String> = (0..40).map(|i| format!("X-Extra-{:02}", 39 - i)).collect();
    for n in 0..names.len() {
        let lines: Vec<(String, String)> = names[..n]
            .iter()
            .map(|h| (h.clone(), format!("v{h}")))
            .collect();
        let request = Request::new("PUT", "https://example.amazonaws.com/x")
            .headers(lines.iter().map(|(h, v)| (h.as_str(), v.as_str())))
            .body(b"data");
        let out = signer
            .sign(&request, SignableBody::Bytes(b"data"), T)
            .unwrap();
        let creq = out.canonical_request();
        let mut sorted: Vec<String> = names[..n].iter().map(|h| h.to_ascii_lowercase()).collect();
        sorted.extend(["host".to_string(), "x-amz-date".to_string()]);
        sorted.sort();
        let listed = creq.lines().nth(6 + n).unwrap_or_default();
        assert_eq!(listed, sorted.join(";"), "{n} lines");
        for h in &names[..n] {
            let line = format!("{}:v{h}\n", h.to_ascii_lowercase());
            assert!(creq.contains(&line), "{n} lines: {h} missing");
        }
        let sent = out.instructions().apply_to_headers(&lines);
        let received = Request::new("PUT", "https://example.amazonaws.com/x")
            .headers(sent.iter().map(|(h, v)| (h.as_str(), v.as_str())))
            .body(b"data");
        assert!(verifier.verify(&received, T).is_ok(), "{n} lines");
    }
}
