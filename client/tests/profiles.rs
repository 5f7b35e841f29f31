//! The client signing with a profile (`ClientBuilder::profile`) against a local server that
//! verifies that profile with the core's own verifier: RFC 9421 (retries re-sign with a fresh
//! nonce, a stale `created` is corrected from the server's clock) and Binance (the query
//! signature is appended once per attempt, never twice).
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sigwire_client::{Client, RetryPolicy, StatusCode};
use sigwire_core::profiles::exchanges::{binance::Binance, ApiCredentials};
use sigwire_core::profiles::rfc9421::{Rfc9421, Rfc9421Key, Rfc9421Verifier};
use sigwire_core::Request;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

/// One request as the server received it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// The server's answer to a request: status, extra headers, body.
type Reply = (u16, Vec<(String, String)>, String);

/// A one-connection-at-a-time HTTP/1.1 server: `handle` decides each reply; every request is
/// recorded. Returns the base URL and the log.
async fn serve<F>(handle: F) -> (String, Arc<Mutex<Vec<Seen>>>)
where
    F: Fn(&Seen, usize) -> Reply + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen_log = Arc::clone(&log);
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let head_end = loop {
                let n = sock.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(i);
                }
            };
            let Some(head_end) = head_end else { continue };
            let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
            let mut lines = head.split("\r\n");
            let mut start = lines.next().unwrap_or("").split(' ');
            let method = start.next().unwrap_or("").to_owned();
            let target = start.next().unwrap_or("").to_owned();
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                .collect();
            let len: usize = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let mut body = buf[head_end + 4..].to_vec();
            while body.len() < len {
                let n = sock.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
            let seen = Seen {
                method,
                target,
                headers,
                body,
            };
            let index = {
                let mut log = seen_log.lock().unwrap();
                log.push(seen.clone());
                log.len() - 1
            };
            let (status, extra, text) = handle(&seen, index);
            let mut out = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                text.len()
            );
            for (n, v) in extra {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(&text);
            let _ = sock.write_all(out.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    (base, log)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(20))
}

fn rfc9421_key() -> Rfc9421Key {
    Rfc9421Key::new("client-1", SECRET.to_vec()).unwrap()
}

/// Verifies `seen` as RFC 9421 at the server time `at` (the authority is the server's own).
fn verify_rfc9421(seen: &Seen, base: &str, at: u64) -> Result<Option<String>, String> {
    let key = rfc9421_key();
    let verifier = Rfc9421Verifier::new(move |id: &str| (id == "client-1").then(|| key.clone()));
    let url = format!("{base}{}", seen.target);
    let request = Request::new(&seen.method, &url)
        .headers(seen.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .body(&seen.body);
    verifier
        .verify_request(&request, at)
        .map(|v| v.nonce)
        .map_err(|e| e.code().as_str().to_owned())
}

#[tokio::test]
async fn rfc9421_retries_re_sign_and_the_server_verifies_each_attempt() {
    let base_cell: Arc<Mutex<String>> = Arc::default();
    let cell = Arc::clone(&base_cell);
    let (base, log) = serve(move |seen, index| {
        let base = cell.lock().unwrap().clone();
        match verify_rfc9421(seen, &base, now()) {
            Err(code) => (401, vec![], format!("{{\"error\":\"{code}\"}}")),
            Ok(_) if index == 0 => (503, vec![], "{}".into()),
            Ok(nonce) => (
                200,
                vec![],
                format!("{{\"nonce\":\"{}\"}}", nonce.unwrap_or_default()),
            ),
        }
    })
    .await;
    *base_cell.lock().unwrap() = base.clone();

    let client = Client::builder()
        .base_url(&base)
        .profile(Rfc9421::new(rfc9421_key()))
        .retry(fast_retry())
        .build()
        .unwrap();
    assert_eq!(client.scheme(), "rfc9421");
    assert_eq!(client.key_id(), "");
    assert!(!format!("{client:?}").contains("0123456789abcdef"));
    let r = client
        .post("/v1/items")
        .query([("q", "a b")])
        .header("Idempotency-Key", "k-1")
        .json(&serde_json::json!({"amount": 100}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.attempts(), 2);
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2);
    // Both attempts verify on their own, each with its own nonce (signed again, not replayed).
    let nonces: Vec<String> = log
        .iter()
        .map(|s| verify_rfc9421(s, &base, now()).unwrap().unwrap())
        .collect();
    assert_ne!(nonces[0], nonces[1]);
    assert!(log[0]
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("content-digest") && v.starts_with("sha-256=:")));
}

#[tokio::test]
async fn rfc9421_stale_created_is_corrected_from_the_server_clock() {
    const AHEAD: u64 = 3600;
    let base_cell: Arc<Mutex<String>> = Arc::default();
    let cell = Arc::clone(&base_cell);
    let (base, log) = serve(move |seen, _| {
        let base = cell.lock().unwrap().clone();
        let server_now = now() + AHEAD;
        let time = vec![("X-Sigwire-Server-Time".to_owned(), server_now.to_string())];
        match verify_rfc9421(seen, &base, server_now) {
            // The profile's window failure is reported with the shared machine code.
            Err(code) if code == "timestamp_out_of_tolerance" => {
                (401, time, "{\"error\":\"stale_timestamp\"}".into())
            }
            Err(code) => (401, time, format!("{{\"error\":\"{code}\"}}")),
            Ok(_) => (200, time, "{}".into()),
        }
    })
    .await;
    *base_cell.lock().unwrap() = base.clone();
    let client = Client::builder()
        .base_url(&base)
        .profile(Rfc9421::new(rfc9421_key()))
        .retry(fast_retry())
        .build()
        .unwrap();
    let r = client.get("/v1/orders").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(log.lock().unwrap().len(), 2);
    assert!((client.clock_offset() - AHEAD as i64).abs() <= 2);
}

#[tokio::test]
async fn binance_signature_is_appended_once_per_attempt() {
    let creds = ApiCredentials::new("api-key-1", "binance-secret").unwrap();
    let server_creds = creds.clone();
    let (base, log) = serve(move |seen, index| {
        // Recompute the signature over the query as received, minus `&signature=…` (which must be
        // the last parameter), plus the body, with the same preset: recvWindow and timestamp are
        // already present, so nothing else is added.
        let Some((unsigned, sig)) = seen.target.rsplit_once("&signature=") else {
            return (400, vec![], "{\"error\":\"no signature\"}".into());
        };
        let ts: u64 = unsigned
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("timestamp="))
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let url = format!("http://h{unsigned}");
        let request = Request::new(&seen.method, &url).body(&seen.body);
        let ins = Binance::new(server_creds.clone())
            .sign(&request, ts)
            .unwrap();
        let key_ok = seen
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("x-mbx-apikey") && v == "api-key-1");
        let fresh = now().abs_diff(ts / 1000) < 30;
        if ins.query_params().len() != 1
            || ins.query_param("signature") != Some(sig)
            || !key_ok
            || !fresh
        {
            return (401, vec![], "{\"code\":-1022}".into());
        }
        if index == 0 {
            return (503, vec![], "{}".into());
        }
        (200, vec![], "{}".into())
    })
    .await;
    let client = Client::builder()
        .base_url(&base)
        .profile(Binance::new(creds))
        .retry(fast_retry())
        .build()
        .unwrap();
    let r = client
        .get("/api/v3/openOrders")
        .query([("symbol", "BTCUSDT")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.attempts(), 2);
    for seen in log.lock().unwrap().iter() {
        assert_eq!(
            seen.target.matches("signature=").count(),
            1,
            "{}",
            seen.target
        );
        assert!(seen
            .target
            .starts_with("/api/v3/openOrders?symbol=BTCUSDT&recvWindow=5000&timestamp="));
    }
}

#[test]
fn credentials_and_a_profile_are_exclusive() {
    let b = || Binance::new(ApiCredentials::new("k", "s").unwrap());
    let e = Client::builder()
        .base_url("http://127.0.0.1:1")
        .credentials("client-1", SECRET.to_vec())
        .profile(b())
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("not both"), "{e}");
    let e = Client::builder()
        .base_url("http://127.0.0.1:1")
        .signed_headers(["x-request-id"])
        .profile(b())
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("signed_headers"), "{e}");
    assert!(Client::builder()
        .base_url("http://127.0.0.1:1")
        .build()
        .is_err());
}
