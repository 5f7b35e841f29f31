//! Issue 12 item 11: a header that changes what the application does, added on the path to a
//! signed request. Reproduces the attack against the default settings, then shows both
//! defences refuse it: the verifier's required signed headers, and the signer's
//! `AllEndToEnd` policy (which a requiring verifier then accepts).

use std::sync::Arc;

use sigwire_core::signing::SignableBody;
use sigwire_core::{
    Algorithm, ErrorCode, FixedClock, InMemoryKeyStore, Request, SignOptions, SignedHeaderPolicy,
    Signer, Verifier,
};

const SECRET: &[u8] = b"override-test-secret-0123456789!";
const NOW: u64 = 1_700_000_000;
const URL: &str = "https://api.example.com/v1/orders/7";
const BODY: &[u8] = br#"{"note":"ship it"}"#;

fn verifier(required: &[&str]) -> Verifier {
    let keys = Arc::new(InMemoryKeyStore::new());
    keys.insert("client-1", SECRET.to_vec(), None).expect("key");
    Verifier::builder(keys)
        .clock(Arc::new(FixedClock::new(NOW)))
        .require_signed_headers(required)
        .expect("valid names")
        .build()
}

fn signer(policy: SignedHeaderPolicy) -> Signer {
    Signer::new("client-1", SECRET.to_vec())
        .expect("signer")
        .with_header_policy(policy)
}

fn post() -> Request<'static> {
    Request::new("POST", URL)
        .header("Content-Type", "application/json")
        .body(BODY)
}

fn sign(signer: &Signer, request: &Request<'_>, nonce: &str) -> String {
    signer
        .sign_with(request, &SignOptions::fixed(NOW, nonce))
        .expect("signs")
        .authorization
}

#[test]
fn the_attack_verifies_with_the_defaults() {
    // The documented trade-off of the default (SPEC §8): unlisted headers are not covered.
    let auth = sign(
        &signer(SignedHeaderPolicy::Listed),
        &post(),
        "AAAAAAAAAAAAAAAAAAAAAA",
    );
    let tampered = post()
        .header("Authorization", &auth)
        .header("X-HTTP-Method-Override", "DELETE");
    assert!(verifier(&[]).verify(&tampered).is_ok());
}

#[test]
fn a_verifier_that_requires_the_header_refuses_it_unsigned() {
    let v = verifier(&["X-HTTP-Method-Override", "X-Method-Override"]);
    assert_eq!(
        v.required_signed_headers(),
        ["x-http-method-override", "x-method-override"]
    );
    let auth = sign(
        &signer(SignedHeaderPolicy::Listed),
        &post(),
        "BBBBBBBBBBBBBBBBBBBBBB",
    );
    let tampered = post()
        .header("Authorization", &auth)
        .header("x-http-method-override", "DELETE");
    let e = v.verify(&tampered).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnsignedHeader);
    assert_eq!((e.http_status(), e.server_time()), (401, Some(NOW)));
    assert_eq!(e.public_body(), r#"{"error":"unsigned_header"}"#);
    // From the headers alone, before any body byte is read.
    let head = Request::new("POST", URL)
        .header("Authorization", &auth)
        .header("X-HTTP-Method-Override", "DELETE");
    assert_eq!(
        v.precheck(&head, NOW).unwrap_err().code(),
        ErrorCode::UnsignedHeader
    );
    // Without the header, the same signature is fine: the requirement applies when present.
    assert!(v.verify(&post().header("Authorization", &auth)).is_ok());
}

#[test]
fn signing_every_end_to_end_header_covers_the_override() {
    let v = verifier(&["X-HTTP-Method-Override"]);
    let s = signer(SignedHeaderPolicy::AllEndToEnd);
    let request = post()
        .header("X-HTTP-Method-Override", "PATCH")
        .header("Idempotency-Key", "k-1")
        .header("Connection", "keep-alive, X-Hop")
        .header("X-Hop", "1")
        .header("Content-Length", "18");
    let signed = s
        .sign_with(&request, &SignOptions::fixed(NOW, "CCCCCCCCCCCCCCCCCCCCCC"))
        .unwrap();
    assert_eq!(
        signed.signed_headers,
        "host;content-type;x-http-method-override;idempotency-key"
    );
    // What a proxy may do to hop-by-hop and framing headers does not break the signature.
    let through_proxy = post()
        .header("X-HTTP-Method-Override", "PATCH")
        .header("Idempotency-Key", "k-1")
        .header("Transfer-Encoding", "chunked")
        .header("Authorization", &signed.authorization);
    assert!(v.verify(&through_proxy).is_ok());
    // Changing the override on the path is a signature mismatch.
    let changed = post()
        .header("X-HTTP-Method-Override", "DELETE")
        .header("Idempotency-Key", "k-1")
        .header("Authorization", &signed.authorization);
    assert_eq!(
        v.verify(&changed).unwrap_err().code(),
        ErrorCode::SignatureMismatch
    );
    // A request signed under the policy without an override, with one added afterwards.
    let auth = sign(&s, &post(), "DDDDDDDDDDDDDDDDDDDDDD");
    let added = post()
        .header("Authorization", &auth)
        .header("X-HTTP-Method-Override", "DELETE");
    assert_eq!(
        v.verify(&added).unwrap_err().code(),
        ErrorCode::UnsignedHeader
    );
}

#[test]
fn all_end_to_end_refuses_what_it_cannot_sign() {
    let s = signer(SignedHeaderPolicy::AllEndToEnd);
    let opts = SignOptions::fixed(NOW, "EEEEEEEEEEEEEEEEEEEEEE");
    let twice = post().header("Accept", "a").header("accept", "b");
    assert_eq!(
        s.sign_with(&twice, &opts).unwrap_err().code(),
        ErrorCode::InvalidRequest,
        "a header on two lines cannot be signed: refused, not left unsigned"
    );
    let binary = post().header("X-Name", "caf\u{e9}");
    assert_eq!(
        s.sign_with(&binary, &opts).unwrap_err().code(),
        ErrorCode::InvalidRequest
    );
    let names: Vec<String> = (0..40).map(|i| format!("x-h{i}")).collect();
    let many = names.iter().fold(post(), |r, n| r.header(n.as_str(), "1"));
    assert_eq!(
        s.sign_with(&many, &opts).unwrap_err().code(),
        ErrorCode::InvalidRequest
    );
}

#[test]
fn listed_headers_come_first_and_the_digest_path_agrees() {
    let s = Signer::new("client-1", SECRET.to_vec())
        .unwrap()
        .with_signed_headers(["Idempotency-Key"])
        .unwrap()
        .with_header_policy(SignedHeaderPolicy::AllEndToEnd)
        .with_algorithm(Algorithm::HmacSha512);
    let request = post()
        .header("Accept", "application/json")
        .header("Idempotency-Key", "k-2");
    let opts = SignOptions::fixed(NOW, "FFFFFFFFFFFFFFFFFFFFFF");
    let bytes = s.sign_with(&request, &opts).unwrap();
    assert_eq!(
        bytes.signed_headers,
        "host;content-type;idempotency-key;accept"
    );
    let digest = Algorithm::HmacSha512.body_digest_hex(BODY);
    let pre = s
        .sign_body(&request, SignableBody::Precomputed(&digest), &opts)
        .unwrap();
    assert_eq!(bytes, pre);
}

#[test]
fn bad_requirements_are_configuration_errors() {
    let keys = Arc::new(InMemoryKeyStore::new());
    for bad in [&["Authorization"][..], &["x y"], &[""]] {
        let Err(e) = Verifier::builder(keys.clone()).require_signed_headers(bad) else {
            panic!("{bad:?} accepted");
        };
        assert_eq!(e.code(), ErrorCode::InvalidConfig, "{bad:?}");
    }
}
