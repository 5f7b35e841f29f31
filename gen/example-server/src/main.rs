//! The live server of the generator's example Payments API (`gen/examples/payments.yaml`):
//! axum behind [`SigwireLayer`], so every operation the description marks as signed is verified
//! with sigwire-core, and `/v1/health` (declared `security: []`) is served without the layer.
//!
//! ```text
//! sigwire-gen-example-server [--port N] [--key-id ID] [--secret TEXT] [--seed N]
//! ```
//! Prints `listening on http://127.0.0.1:PORT` once bound. Seeds `--seed` payments (default 7)
//! so a cursor walk has several pages. `GET /__control/stats` (unsigned, for tests) reports how
//! many requests were verified, and how many unsigned health calls carried `Authorization`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};
use sigwire_core::{InMemoryKeyStore, Verified, Verifier};
use sigwire_server::SigwireLayer;

/// Shared state: the payments and request counters.
#[derive(Default)]
struct App {
    payments: Mutex<Vec<Value>>,
    verified: AtomicU64,
    health_calls: AtomicU64,
    health_with_authorization: AtomicU64,
    /// Health calls sent by the Sigwire runtime (its `sigwire-client/…` User-Agent), not by a
    /// platform HTTP library: generated SDKs send unsigned operations through the runtime too.
    health_via_runtime: AtomicU64,
    last_key_id: Mutex<String>,
}

type Shared = Arc<App>;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"error": code, "message": message}))).into_response()
}

fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = s.split_once('.').unwrap_or((s, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

fn record(app: &App, verified: &Verified) {
    app.verified.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut k) = app.last_key_id.lock() {
        k.clone_from(&verified.key_id);
    }
}

async fn health(State(app): State<Shared>, headers: HeaderMap) -> Response {
    app.health_calls.fetch_add(1, Ordering::Relaxed);
    if headers.contains_key("authorization") {
        app.health_with_authorization.fetch_add(1, Ordering::Relaxed);
        return error(StatusCode::BAD_REQUEST, "unexpected_authorization", "health is an unsigned operation");
    }
    let agent = headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or("");
    if agent.starts_with("sigwire-client/") {
        app.health_via_runtime.fetch_add(1, Ordering::Relaxed);
    }
    Json(json!({"status": "ok"})).into_response()
}

async fn stats(State(app): State<Shared>) -> Response {
    let key = app.last_key_id.lock().map(|k| k.clone()).unwrap_or_default();
    Json(json!({
        "verified": app.verified.load(Ordering::Relaxed),
        "health_calls": app.health_calls.load(Ordering::Relaxed),
        "health_with_authorization": app.health_with_authorization.load(Ordering::Relaxed),
        "health_via_runtime": app.health_via_runtime.load(Ordering::Relaxed),
        "last_key_id": key,
    }))
    .into_response()
}

fn require_request_id(headers: &HeaderMap) -> Option<Response> {
    if headers.get("x-request-id").map_or(true, |v| v.is_empty()) {
        return Some(error(StatusCode::BAD_REQUEST, "missing_request_id", "x-request-id is required"));
    }
    None
}

async fn list(
    State(app): State<Shared>,
    Extension(v): Extension<Verified>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    record(&app, &v);
    if let Some(r) = require_request_id(&headers) {
        return r;
    }
    let limit = match q.get("limit").map(|l| l.parse::<usize>()) {
        None => 10,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => return error(StatusCode::BAD_REQUEST, "invalid_limit", "limit must be 1..100"),
    };
    let start = match q.get("cursor").map(|c| c.parse::<usize>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return error(StatusCode::BAD_REQUEST, "invalid_cursor", "unknown cursor"),
    };
    let wanted: Option<Vec<&str>> = q.get("status").map(|s| s.split(',').collect());
    let Ok(all) = app.payments.lock() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "poisoned", "") };
    let matching: Vec<&Value> = all
        .iter()
        .rev()
        .filter(|p| wanted.as_ref().map_or(true, |w| w.iter().any(|s| p["status"].as_str() == Some(s))))
        .collect();
    let page: Vec<Value> = matching.iter().skip(start).take(limit).map(|p| (*p).clone()).collect();
    let next = if start + limit < matching.len() { json!((start + limit).to_string()) } else { Value::Null };
    Json(json!({"data": page, "next_cursor": next})).into_response()
}

fn new_payment(id: usize, amount: &Value, method: &Value, description: &Value, metadata: &Value) -> Value {
    let mut p = json!({
        "id": format!("pay_{id:04}"),
        "amount": amount,
        "status": "succeeded",
        "method": method,
        "description": description,
        "created_at": format!("2026-11-30T10:{:02}:00Z", id % 60),
    });
    if metadata.is_object() {
        p["metadata"] = metadata.clone();
    }
    p
}

fn valid_money(m: &Value) -> bool {
    m["amount"].as_str().is_some_and(is_decimal) && m["currency"].as_str().is_some_and(|c| c.len() == 3)
}

async fn create(
    State(app): State<Shared>,
    Extension(v): Extension<Verified>,
    headers: HeaderMap,
    body: Json<Value>,
) -> Response {
    record(&app, &v);
    if let Some(r) = require_request_id(&headers) {
        return r;
    }
    let b = body.0;
    if !valid_money(&b["amount"]) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_amount",
            "amount must be a decimal string with a currency",
        );
    }
    let method = &b["method"];
    let method_ok = match method["type"].as_str() {
        Some("card") => method["last4"].is_string() && method["brand"].is_string(),
        Some("bank_transfer") => method["iban"].is_string(),
        _ => false,
    };
    if !method_ok {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_method", "method must be a card or a bank transfer");
    }
    let Ok(mut all) = app.payments.lock() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "poisoned", "") };
    let description = b.get("description").cloned().unwrap_or(Value::Null);
    let p = new_payment(all.len() + 1, &b["amount"], method, &description, &b["metadata"]);
    all.push(p.clone());
    (StatusCode::CREATED, Json(p)).into_response()
}

async fn get_one(
    State(app): State<Shared>,
    Extension(v): Extension<Verified>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    record(&app, &v);
    if let Some(r) = require_request_id(&headers) {
        return r;
    }
    let Ok(all) = app.payments.lock() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "poisoned", "") };
    match all.iter().find(|p| p["id"] == id.as_str()) {
        Some(p) => Json(p.clone()).into_response(),
        None => error(StatusCode::NOT_FOUND, "not_found", &format!("no payment {id}")),
    }
}

async fn refund(
    State(app): State<Shared>,
    Extension(v): Extension<Verified>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    record(&app, &v);
    if let Some(r) = require_request_id(&headers) {
        return r;
    }
    let Ok(mut all) = app.payments.lock() else { return error(StatusCode::INTERNAL_SERVER_ERROR, "poisoned", "") };
    let Some(p) = all.iter_mut().find(|p| p["id"] == id.as_str()) else {
        return error(StatusCode::NOT_FOUND, "not_found", &format!("no payment {id}"));
    };
    if p["status"] == "refunded" {
        return error(StatusCode::CONFLICT, "already_refunded", "the payment is already refunded");
    }
    let amount = body.as_ref().map(|b| b.0["amount"].clone()).unwrap_or(Value::Null);
    if amount.is_null() || amount == p["amount"] {
        p["status"] = json!("refunded");
        p["refunded"] = p["amount"].clone();
    } else if valid_money(&amount) {
        p["status"] = json!("partially_refunded");
        p["refunded"] = amount;
    } else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_amount", "amount must be a decimal string");
    }
    Json(p.clone()).into_response()
}

struct Args {
    port: u16,
    key_id: String,
    secret: String,
    seed: usize,
}

fn args() -> Result<Args, String> {
    let mut a = Args { port: 0, key_id: "demo-key".into(), secret: "demo-secret-0123456789abcdef".into(), seed: 7 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--port" => a.port = value.parse().map_err(|_| "--port takes a number".to_owned())?,
            "--key-id" => a.key_id = value,
            "--secret" => a.secret = value,
            "--seed" => a.seed = value.parse().map_err(|_| "--seed takes a number".to_owned())?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(a)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = args().map_err(|e| {
        format!("{e}\nusage: sigwire-gen-example-server [--port N] [--key-id ID] [--secret TEXT] [--seed N]")
    })?;
    let keys = Arc::new(InMemoryKeyStore::new());
    keys.insert(&a.key_id, a.secret.as_bytes().to_vec(), None)?;
    let layer = SigwireLayer::new(Arc::new(Verifier::builder(keys).build()));
    let app: Shared = Arc::new(App::default());
    if let Ok(mut all) = app.payments.lock() {
        for i in 1..=a.seed {
            let method = if i % 2 == 0 {
                json!({"type": "bank_transfer", "iban": format!("DE{i:020}")})
            } else {
                json!({"type": "card", "last4": format!("{:04}", 4242 + i), "brand": "visa", "expiry": null})
            };
            let amount = json!({"amount": format!("{}.{:02}", 10 * i, i), "currency": "EUR"});
            all.push(new_payment(i, &amount, &method, &Value::Null, &Value::Null));
        }
    }
    let signed = Router::new()
        .route("/v1/payments", get(list).post(create))
        .route("/v1/payments/{payment_id}", get(get_one))
        .route("/v1/payments/{payment_id}/refunds", post(refund))
        .route_layer(layer);
    let router = Router::new()
        .route("/v1/health", get(health))
        .route("/__control/stats", get(stats))
        .merge(signed)
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], a.port))).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
