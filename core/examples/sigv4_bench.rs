//! Times SigV4 signing of one POST with a 1 KiB JSON body (the issue 14 benchmark request) and
//! prints nanoseconds per signature. `tests/profiles/bench.sh` runs it beside botocore and aws4.
//!
//! Run: `cargo run --release -q -p sigwire-core --example sigv4_bench [iterations]`

use std::time::Instant;

use sigwire_core::profiles::aws_sigv4::{AwsCredentials, AwsSigV4, SignableBody};
use sigwire_core::Request;

fn main() {
    let iterations: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let body = format!("{{\"data\":\"{}\"}}", "x".repeat(1024 - 11));
    assert_eq!(body.len(), 1024);
    let creds = match AwsCredentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    {
        Ok(c) => c,
        Err(e) => return eprintln!("{e}"),
    };
    let signer = match AwsSigV4::new(creds, "us-east-1", "execute-api") {
        Ok(s) => s,
        Err(e) => return eprintln!("{e}"),
    };
    let request = Request::new("POST", "https://api.example.com/v1/orders?account=42")
        .header("Content-Type", "application/json")
        .body(body.as_bytes());
    let mut sink = 0usize;
    let start = Instant::now();
    for i in 0..iterations {
        match signer.sign(
            &request,
            SignableBody::Bytes(body.as_bytes()),
            1_700_000_000 + u64::from(i % 60),
        ) {
            Ok(out) => sink += out.signature().len(),
            Err(e) => return eprintln!("{e}"),
        }
    }
    let ns = start.elapsed().as_nanos() / u128::from(iterations.max(1));
    println!("{{\"impl\":\"sigwire-rust\",\"ns_per_sign\":{ns},\"iterations\":{iterations},\"check\":{sink}}}");
}
