//! Signs one typical request in a loop, for profilers (`valgrind --tool=callgrind`).
use sigwire_core::{Request, SignOptions, Signer};

fn main() {
    let signer =
        Signer::new("bench-key", b"bench-secret-0123456789abcdef012".to_vec()).expect("signer");
    let request = Request::new(
        "GET",
        "https://api.example.com/v1/orders?limit=10&cursor=abc123&status=open",
    )
    .header("Accept", "application/json");
    let fixed = SignOptions::fixed(1_700_000_000, "AAECAwQFBgcICQoLDA0ODw");
    let mut n = 0usize;
    if std::env::args().any(|a| a == "raw") {
        // The baseline alone: HMAC over the canonical string plus the body digest.
        let canonical = signer
            .sign_with(&request, &fixed)
            .expect("sign")
            .canonical_string;
        for _ in 0..20_000 {
            n += sigwire_core::Algorithm::HmacSha256
                .mac(b"bench-secret-0123456789abcdef012", canonical.as_bytes())
                .len();
            n += sigwire_core::Algorithm::HmacSha256
                .body_digest_hex(b"")
                .len();
        }
    } else {
        for _ in 0..20_000 {
            n += signer
                .sign_with(&request, &fixed)
                .expect("sign")
                .authorization
                .len();
        }
    }
    println!("{n}");
}
