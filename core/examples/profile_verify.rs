//! Verifies 20,000 pre-signed requests in a loop, for profilers (`valgrind --tool=callgrind`).
use std::sync::Arc;

use sigwire_core::{InMemoryKeyStore, Request, SignOptions, Signer, Verifier};

fn main() {
    let secret = b"bench-secret-0123456789abcdef012".to_vec();
    let signer = Signer::new("bench-key", secret.clone()).expect("signer");
    let keys = Arc::new(InMemoryKeyStore::new());
    keys.insert("bench-key", secret, None).expect("key");
    let verifier = Verifier::builder(keys).build();
    let url = "https://api.example.com/v1/orders?limit=10&cursor=abc123&status=open";
    let request = Request::new("GET", url).header("Accept", "application/json");
    let auths: Vec<String> = (0..20_000u32)
        .map(|i| {
            let nonce = format!("nonce{i:017}");
            signer
                .sign_with(&request, &SignOptions::fixed(1_700_000_000, &nonce))
                .expect("sign")
                .authorization
        })
        .collect();
    let received: Vec<Request<'_>> = auths
        .iter()
        .map(|a| request.clone().header("Authorization", a))
        .collect();
    println!("{}", verify_all(&verifier, &received));
}

/// The measured loop on its own, so a profiler can count it alone:
/// `valgrind --tool=callgrind --toggle-collect='profile_verify::verify_all' …`.
#[inline(never)]
fn verify_all(verifier: &Verifier, received: &[Request<'_>]) -> usize {
    let mut ok = 0usize;
    for r in received {
        ok += usize::from(verifier.verify_at(r, 1_700_000_000).is_ok());
    }
    ok
}
