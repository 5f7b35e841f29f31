//! Reads the shared vectors in `tests/vectors/` (shared by the integration tests and benches).
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::Value;
use sigwire_core::{InMemoryKeyStore, InMemoryReplayStore, ReplayStore, Verifier};

/// `tests/vectors/` at the repository root.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

/// Every vector of every top-level `*.json` file.
pub fn all_vectors() -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vectors_dir())
        .expect("tests/vectors exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&f).expect("readable"))
            .expect("valid JSON");
        out.extend(
            doc["vectors"]
                .as_array()
                .expect("vectors array")
                .iter()
                .cloned(),
        );
    }
    out
}

/// A JSON string value.
pub fn s(v: &Value) -> &str {
    v.as_str().expect("string")
}

/// The decoded request body of a vector.
pub fn body(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s(&v["request"]["body_b64"]))
        .expect("base64")
}

/// The request headers of a vector.
pub fn headers(v: &Value) -> Vec<(String, String)> {
    v["request"]["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .map(|h| (s(&h[0]).to_owned(), s(&h[1]).to_owned()))
        .collect()
}

/// Decodes hex.
pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The verifier a negative vector describes (keys, window, pre-seeded replay store).
pub fn verifier_for(v: &Value) -> Verifier {
    let cfg = &v["verifier"];
    let now = cfg["now"].as_u64().expect("now");
    let window = cfg["window"].as_u64().expect("window");
    let keys = Arc::new(InMemoryKeyStore::new());
    for k in cfg["keys"].as_array().expect("keys") {
        keys.insert(
            s(&k["key_id"]),
            hex(s(&k["secret_hex"])),
            k["not_after"].as_u64(),
        )
        .expect("valid key");
    }
    let replay = Arc::new(InMemoryReplayStore::with_capacity(1000));
    for n in cfg["seen_nonces"].as_array().expect("seen_nonces") {
        assert!(replay
            .check_and_record(s(&n["key_id"]), s(&n["nonce"]), now + window, now)
            .expect("record"));
    }
    Verifier::builder(keys)
        .window(window)
        .replay_store(replay)
        .build()
}
