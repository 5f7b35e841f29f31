//! The Rust part of the demo: sign a fixed request, show every intermediate value, verify it,
//! then show a replay and a tampered body being refused with their machine codes.

use std::sync::Arc;

use sigwire_core::{InMemoryKeyStore, Request, SignOptions, Signer, Verifier};

fn main() -> Result<(), sigwire_core::Error> {
    let secret = b"demo-secret-0123456789abcdef0123".to_vec();
    let signer = Signer::new("demo-client", secret.clone())?;
    let body = br#"{"amount":"100.00","currency":"EUR"}"#;
    let request = Request::new("POST", "https://api.example.com/v1/payments?dry_run=true")
        .header("Content-Type", "application/json")
        .body(body);

    let fixed = signer.sign_with(
        &request,
        &SignOptions::fixed(1_700_000_000, "AAECAwQFBgcICQoLDA0ODw"),
    )?;
    println!(
        "canonical string of the fixed request:\n{}\n",
        fixed.canonical_string
    );
    println!("Authorization: {}\n", fixed.authorization);

    let keys = Arc::new(InMemoryKeyStore::new());
    keys.insert("demo-client", secret, None)?;
    let verifier = Verifier::builder(keys).build();

    let live = signer.sign(&request)?;
    let received = request.clone().header("Authorization", &live.authorization);
    let outcome = |r: Result<sigwire_core::Verified, sigwire_core::Error>| match r {
        Ok(v) => format!("accepted (key id {})", v.key_id),
        Err(e) => format!("rejected: {}", e.code()),
    };
    println!(
        "{:<22} {}",
        "live request",
        outcome(verifier.verify(&received))
    );
    println!(
        "{:<22} {}",
        "same request replayed",
        outcome(verifier.verify(&received))
    );
    let fresh = signer.sign(&request)?;
    let tampered = request
        .clone()
        .header("Authorization", &fresh.authorization)
        .body(br#"{"amount":"900.00","currency":"EUR"}"#);
    println!(
        "{:<22} {}",
        "tampered body",
        outcome(verifier.verify(&tampered))
    );
    Ok(())
}
