//! Signs SigV4 requests read as JSON lines on stdin and prints one JSON line per request: the
//! differential tests (tests/profiles/) compare these with botocore and the `aws4` npm package.
//!
//! Input line: `{"id", "method", "url", "headers": [[name, value]…], "body", "region", "service",
//! "time", "access_key", "secret", "token"?, "s3", "presign", "expires", "unsigned"}`.
//! Output line: `{"id", "signature", "canonical_request", "authorization"?, "url"?}` or
//! `{"id", "error"}`.
//!
//! Run: `cargo run -q -p sigwire-core --example sigv4_sign < requests.jsonl`

use std::io::{BufRead, Write};

use serde_json::{json, Value};
use sigwire_core::profiles::aws_sigv4::{
    AwsCredentials, AwsSigV4, AwsSigV4Settings, SignableBody, SignatureLocation,
};
use sigwire_core::Request;

fn sign(case: &Value) -> Result<Value, String> {
    let s = |k: &str| {
        case[k]
            .as_str()
            .ok_or_else(|| format!("{k} must be a string"))
    };
    let mut creds =
        AwsCredentials::new(s("access_key")?, s("secret")?).map_err(|e| e.to_string())?;
    if let Some(t) = case["token"].as_str() {
        creds = creds.with_session_token(t);
    }
    let mut settings = if case["s3"].as_bool() == Some(true) {
        AwsSigV4Settings::s3()
    } else {
        AwsSigV4Settings::default()
    };
    if case["presign"].as_bool() == Some(true) {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = case["expires"].as_u64().unwrap_or(3600);
    }
    let signer = AwsSigV4::new(creds, s("region")?, s("service")?)
        .map_err(|e| e.to_string())?
        .with_settings(settings);
    let headers: Vec<(String, String)> = case["headers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| {
                    Some((
                        p.get(0)?.as_str()?.to_string(),
                        p.get(1)?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let body = case["body"].as_str().unwrap_or("").as_bytes();
    let url = s("url")?;
    let request = Request::new(s("method")?, url)
        .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .body(body);
    let signable = if case["unsigned"].as_bool() == Some(true) {
        SignableBody::Unsigned
    } else {
        SignableBody::Bytes(body)
    };
    let time = case["time"].as_u64().ok_or("time must be an integer")?;
    let out = signer
        .sign(&request, signable, time)
        .map_err(|e| e.to_string())?;
    Ok(json!({
        "id": case["id"],
        "signature": out.signature(),
        "canonical_request": out.canonical_request(),
        "authorization": out.instructions().header("authorization"),
        "url": out.instructions().apply_to_url(url),
    }))
}

fn main() {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let result = match serde_json::from_str::<Value>(&line) {
            Ok(case) => sign(&case).unwrap_or_else(|e| json!({"id": case["id"], "error": e})),
            Err(e) => json!({"id": null, "error": format!("bad JSON: {e}")}),
        };
        if writeln!(out, "{result}").is_err() {
            break;
        }
    }
    let _ = out.flush();
}
