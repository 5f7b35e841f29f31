//! Live test of the generated Rust SDK (gen/examples/payments.yaml) against the example server.
//!
//! Run with the server's base URL in PAYMENTS_API_BASE_URL (e.g. http://127.0.0.1:PORT/v1) and
//! the credentials in PAYMENTS_API_KEY_ID / PAYMENTS_API_SECRET. Every operation is called; the
//! signed ones must be accepted by the server's SigwireLayer, the unsigned health check must
//! carry no Authorization, the stream must walk every page, and 4xx answers must surface as
//! `Error::Api` with status, headers and the parsed body. Exits non-zero on the first failure.

use std::collections::BTreeSet;
use std::process::ExitCode;

use futures_util::StreamExt;
use payments_api::models::{BankTransfer, Card, Money, PaymentCreate, PaymentMethod, PaymentStatus, RefundCreate};
use payments_api::{Client, Error};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type Outcome = Result<(), String>;

fn check(cond: bool, what: &str) -> Outcome {
    if cond {
        println!("  ok  {what}");
        Ok(())
    } else {
        Err(format!("FAILED: {what}"))
    }
}

/// `GET /__control/stats` of the example server, over a bare TCP connection (not the SDK).
async fn stats(base: &str) -> Result<Value, String> {
    let origin = base.rsplit_once("/v1").map_or(base, |(o, _)| o);
    let host = origin.trim_start_matches("http://").trim_end_matches('/');
    let mut conn = tokio::net::TcpStream::connect(host).await.map_err(|e| e.to_string())?;
    let request = format!("GET /__control/stats HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    conn.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut text = String::new();
    conn.read_to_string(&mut text).await.map_err(|e| e.to_string())?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).ok_or("no body")?;
    serde_json::from_str(body).map_err(|e| format!("stats: {e}: {body}"))
}

fn card() -> PaymentMethod {
    PaymentMethod::Card(Card { type_: "card".into(), last4: "4242".into(), brand: "visa".into(), expiry: None })
}

fn money(amount: &str) -> Money {
    Money { amount: amount.into(), currency: "EUR".into() }
}

fn api_status(e: &Error) -> Option<u16> {
    e.api().map(|a| a.status.as_u16())
}

async fn run() -> Outcome {
    let base = std::env::var("PAYMENTS_API_BASE_URL").map_err(|_| "PAYMENTS_API_BASE_URL is not set")?;
    println!("rust live test against {base}");

    // Health: unsigned, works without credentials; a signed call without them is a typed error.
    let anonymous = Client::builder().base_url(&base).build().map_err(|e| e.to_string())?;
    let key_id = std::env::var("PAYMENTS_API_KEY_ID").map_err(|_| "PAYMENTS_API_KEY_ID is not set")?;
    let secret = std::env::var("PAYMENTS_API_SECRET").map_err(|_| "PAYMENTS_API_SECRET is not set")?;
    let anonymous = if anonymous.key_id().is_some() {
        // The environment supplies credentials to every builder: build one that ignores them.
        std::env::remove_var("PAYMENTS_API_KEY_ID");
        let c = Client::builder().base_url(&base).build().map_err(|e| e.to_string())?;
        std::env::set_var("PAYMENTS_API_KEY_ID", &key_id);
        c
    } else {
        anonymous
    };
    let health = anonymous.health().get().send().await.map_err(|e| e.to_string())?;
    check(health.status == "ok", "health (unsigned) answers without credentials")?;
    match anonymous.payments().list("r0").send().await {
        Err(Error::MissingCredentials { .. }) => {
            check(true, "a signed operation without credentials is Error::MissingCredentials")?
        }
        other => return Err(format!("expected MissingCredentials, got {other:?}")),
    }

    let client = Client::from_env().map_err(|e| e.to_string())?;
    check(!format!("{client:?}").contains(&secret), "Debug of the client carries no secret")?;
    let explicit = Client::builder().base_url(&base).credentials(key_id.clone(), secret.clone().into_bytes()).build();
    check(explicit.is_ok(), "a client from explicit credentials")?;

    let before = stats(&base).await?;
    let health = client.health().get().send().await.map_err(|e| e.to_string())?;
    check(health.status == "ok", "health via the configured client")?;
    let after = stats(&base).await?;
    check(
        after["health_with_authorization"] == before["health_with_authorization"]
            && after["health_calls"].as_u64() > before["health_calls"].as_u64(),
        "health carried no Authorization",
    )?;

    let page = client.payments().list("r1").limit(3).send().await.map_err(|e| e.to_string())?;
    check(page.data.len() == 3 && page.next_cursor.is_some(), "list returns a first page of 3 with a cursor")?;

    let body =
        PaymentCreate { amount: money("12.50"), method: card(), description: Some("live".into()), metadata: None };
    let created = client
        .payments()
        .create("r2", body)
        .idempotency_key("live-rust-create-1")
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    check(
        created.amount.amount == "12.50" && created.status == PaymentStatus::Succeeded,
        "create (signed POST, JSON body, per-call options) accepted",
    )?;
    let pid = created.id.clone();

    let got = client.payments().get(&pid, "r3").header("x-trace", "live").send().await.map_err(|e| e.to_string())?;
    check(got.id == pid, "get (path parameter) returns the payment")?;
    check(
        matches!(&got.method, PaymentMethod::Card(c) if c.brand == "visa"),
        "oneOf payment method decodes as the tagged variant",
    )?;

    let mut ids = Vec::new();
    let mut stream = Box::pin(client.payments().list("r4").limit(3).stream());
    while let Some(item) = stream.next().await {
        ids.push(item.map_err(|e| e.to_string())?.id);
    }
    let unique: BTreeSet<&String> = ids.iter().collect();
    check(
        unique.len() == ids.len() && ids.contains(&pid) && ids.len() >= 8,
        &format!("stream() walked every page ({} payments)", ids.len()),
    )?;

    let filtered = client
        .payments()
        .list("r4b")
        .status(vec![PaymentStatus::Refunded, PaymentStatus::Other("no_such_state".into())])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    check(
        filtered.data.iter().all(|p| p.status == PaymentStatus::Refunded),
        "array query parameter (form, explode=false) with an unknown enum value",
    )?;

    let refunded = client
        .payments()
        .refund(&pid, "r5")
        .body(RefundCreate { amount: None, reason: Some("requested_by_customer".into()) })
        .send()
        .await
        .map_err(|e| e.to_string())?;
    check(refunded.status == PaymentStatus::Refunded, "refund (optional body) accepted")?;

    match client.payments().refund(&pid, "r6").send().await {
        Err(e) if api_status(&e) == Some(409) => {
            let api = e.api().ok_or("no api error")?;
            let parsed: Option<payments_api::models::Error> = api.body_as();
            check(parsed.is_some_and(|b| b.error == "already_refunded"), "409 is Error::Api with the parsed body")?;
            check(
                api.headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("application/json")),
                "the error carries the response headers",
            )?;
        }
        other => return Err(format!("expected 409, got {other:?}")),
    }
    match client.payments().get("pay_9999", "r7").send().await {
        Err(e) if e.api().is_some_and(|a| a.is_not_found()) => check(true, "404 is Error::Api (not found)")?,
        other => return Err(format!("expected 404, got {other:?}")),
    }
    let bad = PaymentCreate { amount: money("12,50"), method: card(), description: None, metadata: None };
    match client.payments().create("r8", bad).send().await {
        Err(e) if api_status(&e) == Some(422) => check(true, "422 is Error::Api (unprocessable)")?,
        other => return Err(format!("expected 422, got {other:?}")),
    }

    // A bank transfer, a partial refund and an open enum value the client does not know.
    let bank = PaymentMethod::BankTransfer(BankTransfer {
        type_: "bank_transfer".into(),
        iban: "DE00123".into(),
        reference: None,
    });
    let created = client
        .payments()
        .create("a1", PaymentCreate { amount: money("3.00"), method: bank, description: None, metadata: None })
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let got = client.payments().get(&created.id, "a2").send().await.map_err(|e| e.to_string())?;
    check(matches!(got.method, PaymentMethod::BankTransfer(_)), "create + get of a bank transfer")?;
    let partial = client
        .payments()
        .refund(&created.id, "a3")
        .body(RefundCreate { amount: Some(money("1.00")), reason: None })
        .send()
        .await
        .map_err(|e| e.to_string())?;
    check(partial.status == PaymentStatus::PartiallyRefunded, "partial refund")?;
    let unknown: PaymentStatus = serde_json::from_str("\"disputed\"").map_err(|e| e.to_string())?;
    check(unknown == PaymentStatus::Other("disputed".into()), "an unknown enum value decodes as Other")?;
    let unknown_method: PaymentMethod =
        serde_json::from_str(r#"{"type":"wallet","provider":"x"}"#).map_err(|e| e.to_string())?;
    check(matches!(unknown_method, PaymentMethod::Other(_)), "an unknown union tag decodes as Other")?;

    let s = stats(&base).await?;
    let verified = s["verified"].as_u64().unwrap_or(0);
    check(
        verified >= 12 && s["health_with_authorization"].as_u64() == Some(0),
        &format!("server verified {verified} signed requests, none on health"),
    )?;
    println!("rust live test: all checks passed");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
