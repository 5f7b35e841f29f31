//! AWS SigV4 header signing (issue 14) of the two typical requests, each beside the raw
//! cryptographic work any SigV4 signer must do over the same bytes, measured in the same run:
//! SHA-256 of the body, SHA-256 of a canonical-request-sized message and one HMAC-SHA-256 of a
//! string-to-sign-sized message (the derived signing key is cached, as ours is). Prints the
//! ratios at the end. Instruction counts per phase: `core/examples/sigv4_bench.rs` under callgrind.

#![allow(missing_docs)] // criterion_group! generates an undocumented function

use std::time::Duration;

use criterion::{black_box, criterion_group, Criterion};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sigwire_core::profiles::aws_sigv4::{AwsCredentials, AwsSigV4, SignableBody};
use sigwire_core::Request;

mod timing;
use timing::time_per_iter;

const NOW: u64 = 1_700_000_000;

struct Case {
    name: &'static str,
    method: &'static str,
    url: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    body: Vec<u8>,
}

fn cases() -> Vec<Case> {
    let body = format!("{{\"data\":\"{}\"}}", "x".repeat(1024 - 11));
    vec![
        Case {
            name: "sigv4_get_3_query",
            method: "GET",
            url: "https://api.example.com/v1/orders?limit=10&cursor=abc123&status=open",
            headers: vec![("Accept", "application/json")],
            body: Vec::new(),
        },
        Case {
            name: "sigv4_post_1k_json",
            method: "POST",
            url: "https://api.example.com/v1/orders?account=42",
            headers: vec![("Content-Type", "application/json")],
            body: body.into_bytes(),
        },
    ]
}

/// The baseline: the hashing and the one HMAC a SigV4 signature needs, nothing else.
fn raw(key: &[u8; 32], canonical: &[u8], string_to_sign: &[u8], body: &[u8]) -> [u8; 32] {
    let body_hash = Sha256::digest(body);
    let request_hash = Sha256::digest(canonical);
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(string_to_sign);
    let mut r: [u8; 32] = mac.finalize().into_bytes().into();
    r[0] ^= body_hash[0] ^ request_hash[0];
    r
}

fn bench(c: &mut Criterion) {
    let creds = AwsCredentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .expect("credentials");
    let signer = AwsSigV4::new(creds, "us-east-1", "execute-api").expect("signer");
    let key = [7u8; 32];
    let mut ratios = Vec::new();
    for case in cases() {
        let request = Request::new(case.method, case.url)
            .headers(case.headers.iter().copied())
            .body(&case.body);
        let sign = || {
            signer
                .sign(
                    black_box(&request),
                    SignableBody::Bytes(black_box(&case.body)),
                    NOW,
                )
                .expect("sign")
        };
        let out = sign();
        let (canonical, sts) = (
            out.canonical_request().as_bytes().to_vec(),
            out.string_to_sign().as_bytes().to_vec(),
        );
        let baseline = || raw(&key, black_box(&canonical), black_box(&sts), &case.body);
        let mut group = c.benchmark_group(case.name);
        group.bench_function("raw_sha256_plus_hmac", |b| b.iter(baseline));
        group.bench_function("sign", |b| b.iter(sign));
        group.finish();
        // Interleaved slices, fastest of each: the machine is shared.
        let (mut t_raw, mut t_sign) = (f64::MAX, f64::MAX);
        for _ in 0..20 {
            t_raw = t_raw.min(time_per_iter(
                || {
                    black_box(baseline());
                },
                Duration::from_millis(20),
            ));
            t_sign = t_sign.min(time_per_iter(
                || {
                    black_box(sign());
                },
                Duration::from_millis(20),
            ));
        }
        ratios.push((case.name, t_raw, t_sign));
    }
    println!("\nSigV4 sign against raw SHA-256 + HMAC of the same bytes (same run, fastest of 20 interleaved slices):");
    for (name, t_raw, t_sign) in ratios {
        println!(
            "  {name:<20} raw {t_raw:>7.0} ns   sign {t_sign:>7.0} ns   {:.2}x",
            t_sign / t_raw
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
    targets = bench
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
