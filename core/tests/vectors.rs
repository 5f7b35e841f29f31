//! Runs every shared vector: signing reproduces `expected` byte for byte, verification accepts
//! every positive vector and fails every negative one with its machine code.

mod common;

use std::sync::Arc;

use common::*;
use sigwire_core::{Algorithm, InMemoryKeyStore, Request, SignOptions, Signer, Verifier};

/// The request a vector describes, borrowing its decoded headers and body.
fn request_of<'a>(
    v: &'a serde_json::Value,
    headers: &'a [(String, String)],
    body: &'a [u8],
) -> Request<'a> {
    Request::new(s(&v["request"]["method"]), s(&v["request"]["url"]))
        .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .body(body)
}

#[test]
fn positive_vectors_sign_byte_for_byte_and_verify() {
    let vectors: Vec<_> = all_vectors()
        .into_iter()
        .filter(|v| v.get("expected").is_some())
        .collect();
    assert!(
        vectors.len() >= 60,
        "only {} positive vectors",
        vectors.len()
    );
    for v in &vectors {
        let name = s(&v["name"]);
        let body = body(v);
        let headers = headers(v);
        let request = request_of(v, &headers, &body);
        let algorithm: Algorithm = s(&v["algorithm"]).parse().expect("algorithm");
        let mut signer = Signer::new(s(&v["key_id"]), hex(s(&v["secret_hex"])))
            .expect("signer")
            .with_algorithm(algorithm);
        if let Some(names) = v.get("signed_headers") {
            signer = signer
                .with_signed_headers(
                    names
                        .as_array()
                        .expect("list")
                        .iter()
                        .map(|n| s(n).to_owned()),
                )
                .expect("signed headers");
        }
        let ts = v["timestamp"].as_u64().expect("timestamp");
        let sig = signer
            .sign_with(&request, &SignOptions::fixed(ts, s(&v["nonce"])))
            .expect(name);
        let expected = &v["expected"];
        assert_eq!(
            sig.canonical_string,
            s(&expected["canonical_string"]),
            "{name}: canonical string"
        );
        assert_eq!(
            sig.signature,
            s(&expected["signature"]),
            "{name}: signature"
        );
        assert_eq!(
            sig.authorization,
            s(&expected["authorization"]),
            "{name}: authorization"
        );

        let keys = Arc::new(InMemoryKeyStore::new());
        keys.insert(s(&v["key_id"]), hex(s(&v["secret_hex"])), None)
            .expect("key");
        let verifier = Verifier::builder(keys).build();
        let received = request.clone().header("Authorization", &sig.authorization);
        let ok = verifier
            .verify_at(&received, ts)
            .unwrap_or_else(|e| panic!("{name}: verify failed: {e}"));
        assert_eq!(ok.key_id, s(&v["key_id"]));
    }
}

#[test]
fn negative_vectors_fail_with_their_code() {
    let vectors: Vec<_> = all_vectors()
        .into_iter()
        .filter(|v| v.get("expected_error").is_some())
        .collect();
    assert!(
        vectors.len() >= 25,
        "only {} negative vectors",
        vectors.len()
    );
    for v in &vectors {
        let name = s(&v["name"]);
        let body = body(v);
        let headers = headers(v);
        let request = request_of(v, &headers, &body);
        let now = v["verifier"]["now"].as_u64().expect("now");
        let err = match verifier_for(v).verify_at(&request, now) {
            Ok(ok) => panic!(
                "{name}: expected {}, but verified as {}",
                s(&v["expected_error"]),
                ok.key_id
            ),
            Err(e) => e,
        };
        assert_eq!(
            err.code().as_str(),
            s(&v["expected_error"]),
            "{name}: {err}"
        );
        assert_eq!(err.server_time(), Some(now), "{name}: server time");
        if let Some(skew) = v.get("expected_skew") {
            assert_eq!(err.skew_seconds(), skew.as_i64(), "{name}: skew");
        }
        // Messages never echo the secret.
        assert!(
            !err.to_string().contains("sigwire-test-secret"),
            "{name}: message leaks"
        );
    }
}
