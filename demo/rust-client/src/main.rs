//! Demo client: Rust. `sigwire-core` signs the fixed request offline (fixed timestamp and
//! nonce); `sigwire-client` (reqwest) sends a live signed request (fresh timestamp and nonce) to
//! the demo server. Prints one JSON line. The fixed request comes from the environment
//! (`SIGWIRE_DEMO_*`), set by `demo/orchestrator.py`.

use std::process::ExitCode;
use std::time::Duration;

use serde_json::{json, Value};
use sigwire_client::{Client, Error as ClientError, RetryPolicy};
use sigwire_core::{Request, SignOptions, Signer};

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set (run the demo through scripts/demo)"))
}

fn decode_hex(hex: &str) -> Result<Vec<u8>, String> {
    let bad = || "SIGWIRE_DEMO_SECRET_HEX is not hex".to_owned();
    if !hex.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()).ok_or_else(bad))
        .collect()
}

async fn run() -> Result<Value, String> {
    let key_id = env("SIGWIRE_DEMO_KEY_ID")?;
    let secret = decode_hex(&env("SIGWIRE_DEMO_SECRET_HEX")?)?;
    let algorithm = env("SIGWIRE_DEMO_ALGORITHM")?.parse().map_err(|e: sigwire_core::Error| e.to_string())?;
    let content_type = env("SIGWIRE_DEMO_CONTENT_TYPE")?;
    let body = env("SIGWIRE_DEMO_BODY")?;
    let timestamp: u64 = env("SIGWIRE_DEMO_TIMESTAMP")?.parse().map_err(|_| "SIGWIRE_DEMO_TIMESTAMP: not a number")?;
    let nonce = env("SIGWIRE_DEMO_NONCE")?;
    let method = env("SIGWIRE_DEMO_METHOD")?;
    let url = env("SIGWIRE_DEMO_URL")?;
    let live_url = env("SIGWIRE_DEMO_LIVE_URL")?;

    // 1. The fixed request, offline, with the core.
    let signer = Signer::new(&key_id, secret.clone()).map_err(|e| e.to_string())?.with_algorithm(algorithm);
    let request = Request::new(&method, &url).header("Content-Type", &content_type).body(body.as_bytes());
    let mut options = SignOptions::default();
    options.timestamp = Some(timestamp);
    options.nonce = Some(&nonce);
    let fixed = signer.sign_with(&request, &options).map_err(|e| e.to_string())?;

    // 2. The live request, with the HTTP client (signs the exact bytes right before sending).
    let (base, path_and_query) = match live_url.find("/v1/") {
        Some(i) => live_url.split_at(i),
        None => return Err(format!("unexpected live URL {live_url}")),
    };
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let client = Client::builder()
        .base_url(base)
        .credentials(&key_id, secret)
        .algorithm(algorithm)
        .total_timeout(Duration::from_secs(10))
        .retry(RetryPolicy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let query: Vec<(&str, &str)> = query.split('&').filter_map(|p| p.split_once('=')).collect();
    let sent = client
        .post(path)
        .query(query)
        .header("Content-Type", content_type.as_str())
        .body(body.clone().into_bytes())
        .send()
        .await;
    let (status, verdict, live_nonce, echo_body) = match sent {
        Ok(response) => {
            let echo: Value = response.json().map_err(|e| e.to_string())?;
            let key = echo.get("key_id").and_then(Value::as_str).unwrap_or("?").to_owned();
            (response.status().as_u16(), format!("accepted (key {key})"), echo.get("nonce").cloned(), echo.get("body").cloned())
        }
        Err(e @ ClientError::SignatureRejected { .. }) => {
            let code = e.server_code().unwrap_or("?").to_owned();
            (e.status().map_or(0, |s| s.as_u16()), format!("rejected: {code}"), None, None)
        }
        Err(e) => return Err(format!("live request failed: {e}")),
    };

    Ok(json!({
        "runtime": "rust",
        "via": "sigwire-core Signer::sign_with; live: sigwire-client (reqwest)",
        "fixed_authorization": fixed.authorization,
        "fixed_signature": fixed.signature,
        "fixed_canonical_string": fixed.canonical_string,
        "live_status": status,
        "live_verdict": verdict,
        "live_nonce": live_nonce,
        "echo_body": echo_body,
    }))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rust client: {e}");
            ExitCode::FAILURE
        }
    }
}
