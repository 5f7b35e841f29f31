//! The client against the reference server on 127.0.0.1. Every test is bounded in time: short
//! timeouts, millisecond backoffs, and an outer limit of 30 s per test.
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sigwire_client::{
    Algorithm, Client, ClientBuilder, Error, RetryPolicy, StatusCode, TimeoutKind,
};
use sigwire_server::reference::{Fault, ReferenceServer, RunningServer};

const KEY: &str = "test-client";
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const LIMIT: Duration = Duration::from_secs(30);

async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(LIMIT, f)
        .await
        .expect("test exceeded its time bound")
}

async fn server() -> RunningServer {
    ReferenceServer::builder()
        .key(KEY, SECRET.to_vec())
        .spawn()
        .await
        .unwrap()
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(40))
}

fn client(server: &RunningServer) -> ClientBuilder {
    Client::builder()
        .base_url(&server.base_url())
        .credentials(KEY, SECRET.to_vec())
        .connect_timeout(Duration::from_secs(2))
        .attempt_timeout(Duration::from_secs(5))
        .total_timeout(Duration::from_secs(15))
        .retry(fast_retry())
}

fn json(r: &sigwire_client::Response) -> serde_json::Value {
    r.json().unwrap()
}

fn distinct(items: &[String]) -> usize {
    items.iter().collect::<HashSet<_>>().len()
}

#[tokio::test]
async fn success_get_and_post() {
    bounded(async {
        let s = server().await;
        let c = client(&s).build().unwrap();
        let r = c
            .get("/v1/echo")
            .query([("q", "a b+c"), ("n", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.attempts(), 1);
        let body = json(&r);
        assert_eq!(body["key_id"], KEY);
        assert_eq!(body["path"], "/v1/echo");
        assert_eq!(body["query"], "q=a%20b%2Bc&n=1");

        let r = c
            .post("/v1/orders")
            .json(&serde_json::json!({"amount": 100}))
            .send()
            .await
            .unwrap();
        let body = json(&r);
        assert_eq!(body["body"], r#"{"amount":100}"#);
        assert_eq!(body["content_type"], "application/json");
        assert_eq!(body["key_id"], KEY);
        assert!(r.text().unwrap().contains("amount"));

        // Raw bytes, PUT, DELETE, HEAD and hmac-sha512 too.
        let c512 = client(&s).algorithm(Algorithm::HmacSha512).build().unwrap();
        let r = c512
            .put("/v1/blob")
            .header("content-type", "application/octet-stream")
            .body(vec![0u8, 1, 255])
            .send()
            .await;
        assert_eq!(json(&r.unwrap())["body_len"], 3);
        assert_eq!(
            c512.delete("/v1/blob/1").send().await.unwrap().status(),
            StatusCode::OK
        );
        let head = c
            .request(sigwire_client::Method::HEAD, "/v1/echo")
            .send()
            .await
            .unwrap();
        assert_eq!((head.status(), head.bytes().len()), (StatusCode::OK, 0));
        s.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn send_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let c = Client::builder()
        .base_url("http://127.0.0.1:9")
        .credentials(KEY, SECRET.to_vec())
        .build()
        .unwrap();
    let future = c.get("/").send();
    assert_send(&future);
    drop(future);
}

#[tokio::test]
async fn retries_re_sign_with_distinct_nonces() {
    bounded(async {
        let s = server().await;
        s.controls()
            .push_fault("/flaky", Fault::unavailable(None), 2);
        let c = client(&s).build().unwrap();
        let r = c.get("/flaky").send().await.unwrap();
        assert_eq!((r.status(), r.attempts()), (StatusCode::OK, 3));
        let nonces = s.controls().nonces("/flaky");
        assert_eq!(nonces.len(), 3, "{nonces:?}");
        assert_eq!(
            distinct(&nonces),
            3,
            "each attempt must be signed afresh: {nonces:?}"
        );

        // Exhausted: the last 503 is returned as a typed error with its body.
        s.controls()
            .push_fault("/down", Fault::unavailable(None), 10);
        let e = c.get("/down").send().await.unwrap_err();
        match &e {
            Error::Status {
                status,
                body,
                attempts,
                ..
            } => {
                assert_eq!((*status, *attempts), (StatusCode::SERVICE_UNAVAILABLE, 3));
                assert!(String::from_utf8_lossy(body).contains("injected_fault"));
            }
            other => panic!("expected Status, got {other:?}"),
        }
        assert_eq!(s.controls().nonces("/down").len(), 3);

        // 429 and 408 are retried; 404 is not.
        s.controls().push_fault(
            "/busy",
            Fault::Status {
                status: 429,
                retry_after: None,
            },
            1,
        );
        s.controls().push_fault(
            "/busy",
            Fault::Status {
                status: 408,
                retry_after: None,
            },
            1,
        );
        assert_eq!(c.get("/busy").send().await.unwrap().attempts(), 3);
        s.controls().push_fault(
            "/missing",
            Fault::Status {
                status: 404,
                retry_after: None,
            },
            5,
        );
        let e = c.get("/missing").send().await.unwrap_err();
        assert_eq!(
            (e.status(), e.attempts()),
            (Some(StatusCode::NOT_FOUND), Some(1))
        );
        s.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn post_is_retried_only_with_a_stable_idempotency_key() {
    bounded(async {
        let s = server().await;
        let c = client(&s).build().unwrap();
        s.controls().push_fault("/pay", Fault::unavailable(None), 2);
        let r = c
            .post("/pay")
            .json(&serde_json::json!({"amount": 5}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.attempts(), 3);
        let seen = s.controls().requests_for("/pay");
        assert_eq!(seen.len(), 3);
        let keys: Vec<_> = seen
            .iter()
            .map(|r| r.idempotency_key.clone().expect("Idempotency-Key sent"))
            .collect();
        assert_eq!(keys[0].len(), 22);
        assert!(
            keys.iter().all(|k| *k == keys[0]),
            "same key on every attempt: {keys:?}"
        );
        let nonces: Vec<String> = seen.iter().filter_map(|r| r.nonce.clone()).collect();
        assert_eq!(distinct(&nonces), 3);

        // A new logical call gets a new key.
        c.post("/pay").body("x").send().await.unwrap();
        let last = s.controls().requests_for("/pay").pop().unwrap();
        assert_ne!(last.idempotency_key.as_deref(), Some(keys[0].as_str()));

        // The caller's own key is used as is.
        s.controls()
            .push_fault("/pay2", Fault::unavailable(None), 1);
        c.post("/pay2")
            .idempotency_key("order-42")
            .body("x")
            .send()
            .await
            .unwrap();
        let keys: Vec<_> = s
            .controls()
            .requests_for("/pay2")
            .into_iter()
            .map(|r| r.idempotency_key)
            .collect();
        assert_eq!(
            keys,
            vec![Some("order-42".to_owned()), Some("order-42".to_owned())]
        );

        // Without an Idempotency-Key, a POST is not retried.
        let no_keys = client(&s)
            .retry(fast_retry().idempotency_keys(false))
            .build()
            .unwrap();
        s.controls()
            .push_fault("/pay3", Fault::unavailable(None), 1);
        let e = no_keys.post("/pay3").body("x").send().await.unwrap_err();
        assert_eq!(
            (e.status(), e.attempts()),
            (Some(StatusCode::SERVICE_UNAVAILABLE), Some(1))
        );
        let seen = s.controls().requests_for("/pay3");
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].idempotency_key, None);
        s.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn retry_after_is_honoured_in_both_forms_and_capped() {
    bounded(async {
        let s = server().await;
        let c = client(&s).build().unwrap();

        // Seconds.
        s.controls()
            .push_fault("/ra", Fault::unavailable(Some("1")), 1);
        let t = Instant::now();
        let r = c.get("/ra").send().await.unwrap();
        let elapsed = t.elapsed();
        assert_eq!(r.attempts(), 2);
        assert!(
            elapsed >= Duration::from_millis(950) && elapsed < Duration::from_millis(2500),
            "{elapsed:?}"
        );
        let seen = s.controls().requests_for("/ra");
        let gap = seen[1].at_ms - seen[0].at_ms;
        assert!((950..2500).contains(&gap), "server-side gap {gap} ms");

        // HTTP-date, two seconds after the server's Date (one-second resolution: 1 to 2 s).
        let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
        s.controls()
            .push_fault("/ra-date", Fault::unavailable(Some(&at)), 1);
        let t = Instant::now();
        c.get("/ra-date").send().await.unwrap();
        let elapsed = t.elapsed();
        assert!(
            elapsed >= Duration::from_millis(900) && elapsed < Duration::from_millis(3500),
            "{elapsed:?}"
        );

        // Capped.
        let capped = client(&s)
            .retry(fast_retry().max_retry_after(Duration::from_millis(200)))
            .build()
            .unwrap();
        s.controls()
            .push_fault("/ra-long", Fault::unavailable(Some("3600")), 1);
        let t = Instant::now();
        capped.get("/ra-long").send().await.unwrap();
        assert!(
            t.elapsed() < Duration::from_millis(1500),
            "{:?}",
            t.elapsed()
        );

        // A Retry-After beyond the total deadline: give up at once with the 503.
        let short = client(&s)
            .total_timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        s.controls()
            .push_fault("/ra-late", Fault::unavailable(Some("10")), 1);
        let t = Instant::now();
        let e = short.get("/ra-late").send().await.unwrap_err();
        assert_eq!(e.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert!(t.elapsed() < Duration::from_millis(1500));
        s.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn server_clock_off_by_ten_minutes_is_corrected_after_one_exchange() {
    bounded(async {
        for offset in [600i64, -600] {
            let s = server().await;
            s.controls().set_clock_offset(offset);
            let c = client(&s).build().unwrap();
            assert_eq!(c.clock_offset(), 0);
            let r = c.get("/skew").send().await.unwrap();
            assert_eq!(
                r.attempts(),
                2,
                "stale_timestamp, then re-signed and accepted"
            );
            assert!(
                (c.clock_offset() - offset).abs() <= 2,
                "offset {} for {offset}",
                c.clock_offset()
            );
            // Corrected: the next call goes through at once, and clones share the offset.
            assert_eq!(c.get("/skew").send().await.unwrap().attempts(), 1);
            assert_eq!(
                c.clone()
                    .post("/skew")
                    .body("x")
                    .send()
                    .await
                    .unwrap()
                    .attempts(),
                1
            );
            s.shutdown().await;
        }
    })
    .await;
}

#[tokio::test]
async fn skew_correction_is_shared_by_five_concurrent_requests() {
    bounded(async {
        for offset in [600i64, -600] {
            let s = server().await;
            s.controls().set_clock_offset(offset);
            let c = client(&s).build().unwrap();
            let tasks: Vec<_> = (0..5)
                .map(|i| {
                    let c = c.clone();
                    tokio::spawn(async move { c.get(&format!("/concurrent/{i}")).send().await })
                })
                .collect();
            for t in tasks {
                let r = t.await.unwrap().unwrap();
                assert!(
                    r.attempts() <= 2,
                    "at most one re-sign each, got {}",
                    r.attempts()
                );
            }
            assert!((c.clock_offset() - offset).abs() <= 2);
            assert_eq!(c.get("/after").send().await.unwrap().attempts(), 1);
            s.shutdown().await;
        }
    })
    .await;
}

#[tokio::test]
async fn offset_is_re_measured_on_every_response() {
    bounded(async {
        let s = server().await;
        let c = client(&s).build().unwrap();
        // Inside the window: accepted, but the Date header already moves the offset.
        s.controls().set_clock_offset(120);
        assert_eq!(c.get("/m").send().await.unwrap().attempts(), 1);
        assert!((c.clock_offset() - 120).abs() <= 2, "{}", c.clock_offset());
        // The server's clock is fixed: the next response brings the offset back.
        s.controls().set_clock_offset(0);
        c.get("/m").send().await.unwrap();
        assert!(c.clock_offset().abs() <= 2, "{}", c.clock_offset());
        s.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn skew_beyond_the_maximum_or_correction_off_is_an_error() {
    bounded(async {
        let s = server().await;
        s.controls().set_clock_offset(600);
        let c = client(&s)
            .max_clock_skew(Duration::from_secs(60))
            .build()
            .unwrap();
        match c.get("/x").send().await.unwrap_err() {
            Error::ClockSkewTooLarge {
                offset_seconds,
                max_seconds,
            } => {
                assert!((offset_seconds - 600).abs() <= 2);
                assert_eq!(max_seconds, 60);
            }
            other => panic!("expected ClockSkewTooLarge, got {other:?}"),
        }
        assert_eq!(c.clock_offset(), 0);

        let off = client(&s).clock_skew_correction(false).build().unwrap();
        let e = off.get("/x").send().await.unwrap_err();
        assert_eq!(e.server_code(), Some("stale_timestamp"));
        assert_eq!(
            e.error_code(),
            Some(sigwire_client::ErrorCode::StaleTimestamp)
        );
        match e {
            Error::SignatureRejected {
                status,
                server_time,
                ..
            } => {
                assert_eq!(status, StatusCode::UNAUTHORIZED);
                let expected = s.controls().now();
                assert!(server_time.is_some_and(|t| t.abs_diff(expected) <= 2));
            }
            other => panic!("{other:?}"),
        }
        s.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn redirects_re_sign_same_origin_and_drop_authorization_across_origins() {
    bounded(async {
        let a = server().await;
        let b = server().await; // another origin (other port), same key
        let c = client(&a).build().unwrap();

        // Same origin, relative Location: followed and re-signed.
        a.controls()
            .push_fault("/old", Fault::redirect("/new?v=2"), 1);
        let r = c.get("/old").send().await.unwrap();
        assert_eq!(json(&r)["key_id"], KEY);
        assert_eq!(r.url().path(), "/new");
        let (old, new) = (a.controls().nonces("/old"), a.controls().nonces("/new"));
        assert_eq!((old.len(), new.len()), (1, 1));
        assert_ne!(old[0], new[0]);

        // Cross origin: no Authorization arrives there.
        a.controls()
            .push_fault("/away", Fault::redirect(b.url("/public/landing")), 1);
        let r = c.get("/away").send().await.unwrap();
        assert_eq!(json(&r)["authorization_present"], false);
        let landed = b.controls().requests_for("/public/landing");
        assert_eq!(landed.len(), 1);
        assert!(!landed[0].authorization_present);

        // Cross origin onto a signed path: refused there, since nothing was forwarded.
        a.controls()
            .push_fault("/away2", Fault::redirect(b.url("/secure")), 1);
        let e = c.get("/away2").send().await.unwrap_err();
        assert_eq!(e.server_code(), Some("missing_authorization"));

        // 303 after a POST continues as a GET without the body.
        a.controls().push_fault(
            "/submit",
            Fault::Redirect {
                location: "/result".into(),
                status: 303,
            },
            1,
        );
        let r = c
            .post("/submit")
            .json(&serde_json::json!({"a": 1}))
            .send()
            .await
            .unwrap();
        let body = json(&r);
        assert_eq!(
            (body["method"].as_str(), body["body_len"].as_u64()),
            (Some("GET"), Some(0))
        );

        // 307 keeps method and body (and is re-signed).
        a.controls().push_fault("/put", Fault::redirect("/put2"), 1);
        let body = json(&c.put("/put").body("payload").send().await.unwrap());
        assert_eq!(
            (body["method"].as_str(), body["body"].as_str()),
            (Some("PUT"), Some("payload"))
        );

        // A loop hits the limit.
        let limited = client(&a).max_redirects(3).build().unwrap();
        a.controls()
            .push_fault("/loop", Fault::redirect("/loop"), 10);
        match limited.get("/loop").send().await.unwrap_err() {
            Error::TooManyRedirects { limit } => assert_eq!(limit, 3),
            other => panic!("{other:?}"),
        }
        a.controls().clear_faults();
        a.shutdown().await;
        b.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn timeouts_fire() {
    bounded(async {
        let s = server().await;
        // Attempt timeout, no retry.
        let c = client(&s)
            .attempt_timeout(Duration::from_millis(200))
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        s.controls()
            .push_fault("/slow", Fault::delay(Duration::from_secs(3)), 1);
        let t = Instant::now();
        let e = c.get("/slow").send().await.unwrap_err();
        assert_eq!(e.timeout_kind(), Some(TimeoutKind::Attempt), "{e:?}");
        assert!(
            t.elapsed() < Duration::from_millis(1500),
            "{:?}",
            t.elapsed()
        );

        // An attempt timeout is retried (idempotent), and the next attempt succeeds.
        let c = client(&s)
            .attempt_timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        s.controls()
            .push_fault("/slow-once", Fault::delay(Duration::from_secs(3)), 1);
        assert_eq!(c.get("/slow-once").send().await.unwrap().attempts(), 2);

        // The total deadline bounds attempts and sleeps together.
        let c = client(&s)
            .attempt_timeout(Duration::from_millis(300))
            .total_timeout(Duration::from_millis(700))
            .retry(fast_retry().max_attempts(10))
            .build()
            .unwrap();
        s.controls()
            .push_fault("/slower", Fault::delay(Duration::from_secs(3)), 10);
        let t = Instant::now();
        let e = c.get("/slower").send().await.unwrap_err();
        assert_eq!(e.timeout_kind(), Some(TimeoutKind::Total), "{e:?}");
        let elapsed = t.elapsed();
        assert!(
            elapsed >= Duration::from_millis(650) && elapsed < Duration::from_millis(1500),
            "{elapsed:?}"
        );
        s.controls().clear_faults();
        s.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn connection_errors_are_typed_and_retried() {
    bounded(async {
        // A port nobody listens on: bind, note it, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let c = Client::builder()
            .base_url(&format!("http://127.0.0.1:{port}"))
            .credentials(KEY, SECRET.to_vec())
            .retry(fast_retry())
            .build()
            .unwrap();
        let e = c.get("/").send().await.unwrap_err();
        assert_eq!((e.kind(), e.attempts()), ("connect", Some(3)), "{e:?}");

        // A dropped connection is retried for GET; without retries it is a transport error.
        let s = server().await;
        s.controls().push_fault("/drop", Fault::Drop, 1);
        let c = client(&s).build().unwrap();
        assert_eq!(c.get("/drop").send().await.unwrap().attempts(), 2);
        s.controls().push_fault("/drop", Fault::Drop, 1);
        let e = client(&s)
            .retry(RetryPolicy::none())
            .build()
            .unwrap()
            .get("/drop")
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), "transport", "{e:?}");
        s.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn body_over_the_limit_gives_413() {
    bounded(async {
        let s = ReferenceServer::builder()
            .key(KEY, SECRET.to_vec())
            .body_limit(1024)
            .spawn()
            .await
            .unwrap();
        let c = client(&s).build().unwrap();
        let e = c
            .post("/upload")
            .body(vec![b'x'; 2048])
            .send()
            .await
            .unwrap_err();
        match &e {
            Error::Status {
                status,
                body,
                attempts,
                ..
            } => {
                assert_eq!((*status, *attempts), (StatusCode::PAYLOAD_TOO_LARGE, 1));
                assert_eq!(&body[..], br#"{"error":"body_too_large"}"#);
            }
            other => panic!("expected 413, got {other:?}"),
        }
        assert!(
            s.controls().requests_for("/upload").is_empty(),
            "never reached the handler"
        );
        assert_eq!(
            json(
                &c.post("/upload")
                    .body(vec![b'x'; 1024])
                    .send()
                    .await
                    .unwrap()
            )["body_len"],
            1024
        );
        s.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn rejected_signature_carries_the_machine_code_and_no_secret() {
    bounded(async {
        let s = server().await;
        let wrong = b"WRONG-secret-0123456789abcdef".to_vec();
        let c = Client::builder()
            .base_url(&s.base_url())
            .credentials(KEY, wrong)
            .build()
            .unwrap();
        let e = c.get("/x").send().await.unwrap_err();
        assert_eq!(
            (e.kind(), e.server_code(), e.status()),
            (
                "signature_rejected",
                Some("signature_mismatch"),
                Some(StatusCode::UNAUTHORIZED)
            )
        );
        let text = format!("{e} {e:?} {c:?}");
        assert!(
            !text.contains("WRONG-secret") && !text.contains("HMAC apiKey"),
            "{text}"
        );

        let unknown = Client::builder()
            .base_url(&s.base_url())
            .credentials("nobody", SECRET.to_vec())
            .build()
            .unwrap();
        assert_eq!(
            unknown.get("/x").send().await.unwrap_err().server_code(),
            Some("unknown_key")
        );
        s.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn builder_errors_are_typed() {
    let base = Client::builder().credentials(KEY, SECRET.to_vec());
    assert_eq!(base.build().unwrap_err().kind(), "config");
    let e = Client::builder()
        .base_url("ftp://x")
        .credentials(KEY, SECRET.to_vec())
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), "config");
    let e = Client::builder()
        .base_url("http://x/?q=1")
        .credentials(KEY, SECRET.to_vec())
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), "config");
    let e = Client::builder().base_url("http://x").build().unwrap_err();
    assert_eq!(e.kind(), "config");
    let e = Client::builder()
        .base_url("http://x")
        .credentials(KEY, b"short".to_vec())
        .build()
        .unwrap_err();
    assert_eq!(
        e.error_code(),
        Some(sigwire_client::ErrorCode::InvalidSecret)
    );
    assert!(!e.to_string().contains("short"));
    let e = Client::builder()
        .base_url("http://x")
        .credentials(KEY, SECRET.to_vec())
        .signed_headers(["bad name"])
        .build();
    assert_eq!(
        e.unwrap_err().error_code(),
        Some(sigwire_client::ErrorCode::InvalidRequest)
    );
    let e = Client::builder()
        .base_url("http://x")
        .credentials(KEY, SECRET.to_vec())
        .default_header("x", "a\r\nb")
        .build();
    assert_eq!(e.unwrap_err().kind(), "config");
}

#[tokio::test]
async fn extra_signed_headers_and_default_headers() {
    bounded(async {
        let s = server().await;
        let c = client(&s)
            .default_header("x-tenant", "acme")
            .signed_headers(["x-tenant"])
            .build()
            .unwrap();
        c.post("/t").body("x").send().await.unwrap();
        // A missing signed header is a signing error before anything is sent.
        let c = client(&s).signed_headers(["x-missing"]).build().unwrap();
        let e = c.get("/t").send().await.unwrap_err();
        assert_eq!(e.kind(), "sign");
        s.shutdown().await;
    })
    .await;
}

/// A writer for tracing output kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn traces_show_attempts_but_never_credentials() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    bounded(async {
        let s = server().await;
        s.controls()
            .push_fault("/traced", Fault::unavailable(None), 1);
        let c = client(&s).build().unwrap();
        c.get("/traced?token=query-secret").send().await.unwrap();
        s.shutdown().await;
    })
    .await;
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("sigwire.attempt") && logs.contains("retrying"),
        "{logs}"
    );
    assert!(logs.contains("[redacted]"), "{logs}");
    for needle in [
        "0123456789abcdef",
        "HMAC apiKey",
        "signature=\"",
        "query-secret",
    ] {
        assert!(
            !logs.contains(needle),
            "{needle:?} leaked into logs:\n{logs}"
        );
    }
}

#[tokio::test]
async fn control_endpoints_over_http() {
    bounded(async {
        let s = server().await;
        let http = reqwest::Client::new();
        let put = http.put(s.url("/_control/clock")).json(&serde_json::json!({"offset_seconds": -30})).send();
        assert_eq!(put.await.unwrap().status(), 200);
        assert_eq!(s.controls().clock_offset(), -30);
        let rule = serde_json::json!({"path": "/c", "times": 1, "fault": {"type": "status", "status": 503, "retry_after": "0"}});
        assert_eq!(http.post(s.url("/_control/faults")).json(&rule).send().await.unwrap().status(), 200);
        let c = client(&s).build().unwrap();
        assert_eq!(c.get("/c").send().await.unwrap().attempts(), 2);
        let nonces: serde_json::Value =
            http.get(s.url("/_control/nonces?path=/c")).send().await.unwrap().json().await.unwrap();
        assert_eq!(nonces["nonces"]["/c"].as_array().map(Vec::len), Some(2));
        let requests: serde_json::Value = http.get(s.url("/_control/requests")).send().await.unwrap().json().await.unwrap();
        assert_eq!(requests["requests"][0]["key_id"], KEY);
        assert_eq!(http.post(s.url("/_control/reset")).send().await.unwrap().status(), 204);
        assert_eq!((s.controls().clock_offset(), s.controls().requests().len()), (0, 0));
        // Bad control input is a 4xx, not a crash.
        let bad = http.post(s.url("/_control/faults")).body("{nope").header("content-type", "application/json");
        assert!(bad.send().await.unwrap().status().is_client_error());
        s.shutdown().await;
    })
    .await;
}
