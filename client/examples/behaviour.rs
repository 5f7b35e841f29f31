//! The Rust driver of the cross-runtime client-behaviour suite (tests/client-behaviour/): runs one
//! scenario of the table with a fresh client and prints its outcome as one JSON line.
//!
//! `behaviour <scenarios.json> <origin URL> <scenario name>` — run by tests/client-behaviour/run.py.

use std::time::Duration;

use serde_json::Value;
use sigwire_client::{Client, Error, Method, RetryPolicy};

fn ms(v: &Value, key: &str, base: &Value) -> u64 {
    v.get(key)
        .or_else(|| base.get(key))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, table, origin, name] = args.as_slice() else {
        return Err("usage: behaviour <scenarios.json> <origin URL> <scenario name>".into());
    };
    let table: Value = serde_json::from_str(&std::fs::read_to_string(table)?)?;
    let base = &table["client"];
    let scenario = table["scenarios"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["name"] == name.as_str()))
        .ok_or("no such scenario")?;
    let own = scenario.get("client").cloned().unwrap_or(Value::Null);
    let client = Client::builder()
        .base_url(origin)
        .credentials(
            base["key_id"].as_str().unwrap_or_default(),
            base["secret"]
                .as_str()
                .unwrap_or_default()
                .as_bytes()
                .to_vec(),
        )
        .retry(
            RetryPolicy::default()
                .max_attempts(ms(&own, "max_attempts", base) as u32)
                .base_delay(Duration::from_millis(ms(&own, "base_delay_ms", base)))
                .max_delay(Duration::from_millis(ms(&own, "max_delay_ms", base))),
        )
        .attempt_timeout(Duration::from_millis(ms(&own, "attempt_timeout_ms", base)))
        .total_timeout(Duration::from_millis(ms(&own, "total_timeout_ms", base)))
        .build()?;
    let method = Method::from_bytes(scenario["method"].as_str().unwrap_or("GET").as_bytes())?;
    let mut request = client.request(method, &format!("/s/{name}"));
    if let Some(body) = scenario["body"].as_str() {
        request = request.body(body.to_owned());
    }
    let outcome = match request.send().await {
        Ok(r) => {
            serde_json::json!({ "name": name, "ok": true, "status": r.status().as_u16(), "kind": null })
        }
        Err(e) => serde_json::json!({
            "name": name, "ok": false, "kind": e.kind(),
            "status": e.status().map(|s| s.as_u16()),
            "code": match &e { Error::SignatureRejected { code, .. } => Some(code.clone()), _ => None },
        }),
    };
    println!("{outcome}");
    Ok(())
}
