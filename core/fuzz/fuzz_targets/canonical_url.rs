//! URL splitting and canonicalisation must never panic; signing whatever the canonicaliser accepts
//! must verify, and the canonical string must stay free of line breaks (injectivity, SPEC §4.1).
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use sigwire_core::{InMemoryKeyStore, Request, SignOptions, Signer, Verifier};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = sigwire_core::fuzzing::split(text);
    let url = format!("https://h{text}");
    let signer = Signer::new("fuzz-key", b"fuzz-secret-0123456789".to_vec()).expect("valid signer");
    let request = Request::new("GET", &url);
    let Ok(sig) = signer.sign_with(&request, &SignOptions::fixed(1_700_000_000, "AAECAwQFBgcICQoLDA0ODw")) else {
        return;
    };
    assert_eq!(sig.canonical_string.matches('\n').count(), 11, "one header line, no stray LF");
    let keys = Arc::new(InMemoryKeyStore::new());
    keys.insert("fuzz-key", b"fuzz-secret-0123456789".to_vec(), None).expect("key");
    let verifier = Verifier::builder(keys).build();
    let received = request.header("Authorization", &sig.authorization);
    verifier.verify_at(&received, 1_700_000_000).expect("what was signed verifies");
});
