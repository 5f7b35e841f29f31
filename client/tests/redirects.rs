//! Redirect hardening (issue 12, items 5 and 6) against real servers on 127.0.0.1: the reference
//! server as the signing origin A, and a small recording server as the foreign origin C that
//! answers with a redirect of its choice.
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sigwire_client::{Client, Error, RetryPolicy, SENSITIVE_HEADERS};
use sigwire_server::reference::{Fault, ReferenceServer, RunningServer};

const KEY: &str = "test-client";
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

/// One request as the foreign server received it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn has(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

/// A foreign origin: records every request and answers each with `answer(target)`, either
/// `Some(location)` (a 307 there) or `None` (200 `{}`).
struct Foreign {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Foreign {
    fn start(answer: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Foreign {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                if let Some(request) = read_request(&stream) {
                    let reply = match answer(&request.target) {
                        Some(location) => format!(
                            "HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        ),
                        None => "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".to_owned(),
                    };
                    log.lock().unwrap().push(request);
                    let _ = (&stream).write_all(reply.as_bytes());
                }
            }
        });
        Foreign { port, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn read_request(stream: &TcpStream) -> Option<Seen> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (n, v) = h.split_once(':')?;
        headers.push((n.trim().to_owned(), v.trim().to_owned()));
    }
    let len = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0usize);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        method,
        target,
        headers,
        body,
    })
}

async fn origin() -> RunningServer {
    ReferenceServer::builder()
        .key(KEY, SECRET.to_vec())
        .spawn()
        .await
        .unwrap()
}

fn client(server: &RunningServer) -> Client {
    Client::builder()
        .base_url(&server.base_url())
        .credentials(KEY, SECRET.to_vec())
        .sensitive_headers(["X-Tenant-Secret"])
        .attempt_timeout(Duration::from_secs(5))
        .total_timeout(Duration::from_secs(15))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn cross_origin_redirect_drops_every_credential_and_the_body() {
    let a = origin().await;
    let c = Foreign::start(|_| None);
    a.controls()
        .push_fault("/upload", Fault::redirect(c.url("/landing")), 1);
    let r = client(&a)
        .post("/upload")
        .header("cookie", "session=s3cr3t")
        .header("x-api-key", "k-123")
        .header("proxy-authorization", "Basic Zm9vOmJhcg==")
        .header("x-auth-token", "t-1")
        .header("x-tenant-secret", "mine")
        .header("accept", "application/json")
        .header("content-type", "application/json")
        .body(r#"{"card":"4111"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let seen = c.seen();
    assert_eq!(seen.len(), 1);
    let hop = &seen[0];
    for name in SENSITIVE_HEADERS
        .iter()
        .copied()
        .chain(["x-tenant-secret", "content-type"])
    {
        assert!(!hop.has(name), "{name} reached the other origin: {hop:?}");
    }
    assert!(hop.has("accept"), "other headers still go");
    assert_eq!(
        (hop.method.as_str(), hop.body.len()),
        ("POST", 0),
        "307 keeps the method, not the body"
    );
    a.shutdown().await;
}

#[tokio::test]
async fn a_chain_that_left_the_origin_is_not_signed_when_it_comes_back() {
    let a = origin().await;
    let back = a.url("/admin/delete-everything?confirm=yes");
    let c = Foreign::start(move |_| Some(back.clone()));
    a.controls()
        .push_fault("/orders", Fault::redirect(c.url("/bounce")), 1);
    let e = client(&a)
        .post("/orders")
        .body("payload")
        .send()
        .await
        .unwrap_err();
    // The origin refuses the unsigned hop: nothing was done on the caller's behalf.
    match &e {
        Error::SignatureRejected { code, .. } => assert_eq!(code, "missing_authorization"),
        other => panic!("{other:?}"),
    }
    // (`missing_authorization` is the origin's own answer: the hop arrived with no Authorization.)
    assert!(a
        .controls()
        .requests_for("/admin/delete-everything")
        .iter()
        .all(|r| r.key_id.is_none()));
    assert_eq!(c.seen()[0].body.len(), 0);
    a.shutdown().await;
}

#[tokio::test]
async fn same_origin_redirects_are_still_signed_and_keep_headers() {
    let a = origin().await;
    a.controls().push_fault("/old", Fault::redirect("/new"), 1);
    let r = client(&a)
        .put("/old")
        .header("x-api-key", "k")
        .body("payload")
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().unwrap();
    assert_eq!(
        (body["key_id"].as_str(), body["body"].as_str()),
        (Some(KEY), Some("payload"))
    );
    a.shutdown().await;
}

#[tokio::test]
async fn an_unsigned_call_carries_no_authorization() {
    let a = origin().await;
    let e = client(&a)
        .get("/private")
        .unsigned()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.server_code(), Some("missing_authorization"));
    assert!(a
        .controls()
        .requests_for("/private")
        .iter()
        .all(|r| !r.authorization_present));
    // The same call signed is accepted.
    assert_eq!(
        client(&a)
            .get("/private")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    a.shutdown().await;
}
