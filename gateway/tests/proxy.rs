//! The gateway as a process in front of an in-process upstream, with the in-memory replay store:
//! every outcome code end to end, header stripping, streaming, body limit, bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use support::*;

const HOST: &str = "api.test";
const KEYS_ENV: &str = "SIGWIRE_GATEWAY_KEYS";

fn config(upstream: std::net::SocketAddr, extra: &str) -> String {
    format!(
        r#"
window = 300
body_limit = 65536
authorities = ["api.test", "other.test"]
{extra}
[timeouts]
body_ms = 1000
header_ms = 1000
upstream_response_ms = 1000
[[upstreams]]
name = "app"
url = "http://{upstream}"
[[upstreams]]
name = "down"
url = "http://127.0.0.1:1"
[[routes]]
prefix = "/"
upstream = "app"
[[routes]]
prefix = "/public/"
upstream = "app"
public = true
[[routes]]
prefix = "/down/"
upstream = "down"
[[routes]]
prefix = "/none/"
upstream = "app"
[keys]
env = "{KEYS_ENV}"
"#
    )
}

fn keys_env() -> String {
    format!(r#"[{{"id":"client-1","secret":"{SECRET}"}}]"#)
}

async fn setup(extra: &str) -> (Upstream, GatewayProc) {
    let upstream = Upstream::start().await;
    let text = config(upstream.addr, extra)
        .replace("[[routes]]\nprefix = \"/none/\"\nupstream = \"app\"\n", "");
    let gw = GatewayProc::start(&text, &[(KEYS_ENV, &keys_env())]);
    (upstream, gw)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outcome_codes_end_to_end() {
    let (upstream, gw) = setup("").await;
    let c = TestClient::default();
    let addr = gw.proxy;

    // ok: forwarded with the verified key id; Authorization not forwarded.
    let p = sign(
        "client-1",
        SECRET,
        "POST",
        HOST,
        "/v1/orders?b=2&a=1",
        b"{\"x\":1}",
    );
    let a = c
        .send(addr, HOST, &p, &[("x-sigwire-key-id", "admin")])
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    let echo = a.echo();
    assert_eq!(
        echo["headers"]["x-sigwire-key-id"], "client-1",
        "spoofed header replaced: {echo}"
    );
    assert!(
        echo["headers"].get("authorization").is_none(),
        "Authorization must not reach the upstream: {echo}"
    );
    assert_eq!(echo["body_len"], 7);
    assert_eq!(echo["uri"], "/v1/orders?b=2&a=1");
    assert!(a.headers.contains_key("x-request-id"));

    // replayed_nonce: the same request again.
    let a = c.send(addr, HOST, &p, &[]).await;
    assert_eq!((a.status, a.code().as_str()), (401, "replayed_nonce"));
    assert!(a.headers.contains_key("x-sigwire-server-time"));

    // missing_authorization, and a spoofed key id header without a signature does not help.
    let unsigned = Prepared {
        headers: vec![],
        ..p.clone()
    };
    let a = c
        .send(addr, HOST, &unsigned, &[("x-sigwire-key-id", "client-1")])
        .await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (401, "missing_authorization")
    );

    // malformed_authorization
    let bad = Prepared {
        headers: vec![("authorization".into(), "HMAC apiKey=\"client-1\"".into())],
        ..p.clone()
    };
    assert_eq!(
        c.send(addr, HOST, &bad, &[]).await.code(),
        "malformed_authorization"
    );

    // unsupported_algorithm
    let md5 = p.headers[0].1.replace("hmac-sha256", "hmac-md5");
    let bad = Prepared {
        headers: vec![("authorization".into(), md5)],
        ..p.clone()
    };
    assert_eq!(
        c.send(addr, HOST, &bad, &[]).await.code(),
        "unsupported_algorithm"
    );

    // unknown_key
    let p2 = sign("client-2", SECRET, "GET", HOST, "/v1/x", b"");
    assert_eq!(c.send(addr, HOST, &p2, &[]).await.code(), "unknown_key");

    // stale_timestamp
    let old = sign_at(
        "client-1",
        SECRET,
        HOST,
        "/v1/x",
        now() - 1000,
        "AAAAAAAAAAAAAAAAAAAAAA",
    );
    let a = c.send(addr, HOST, &old, &[]).await;
    assert_eq!((a.status, a.code().as_str()), (401, "stale_timestamp"));

    // signature_mismatch: a different body.
    let mut tampered = sign("client-1", SECRET, "POST", HOST, "/v1/x", b"amount=1");
    tampered.body = bytes::Bytes::from_static(b"amount=9");
    assert_eq!(
        c.send(addr, HOST, &tampered, &[]).await.code(),
        "signature_mismatch"
    );
    // ... or the wrong secret.
    let wrong = sign(
        "client-1",
        "another-secret-0123456789",
        "GET",
        HOST,
        "/v1/x",
        b"",
    );
    assert_eq!(
        c.send(addr, HOST, &wrong, &[]).await.code(),
        "signature_mismatch"
    );

    // misdirected_request: a Host this gateway does not serve (the signature was made for it).
    let p3 = sign("client-1", SECRET, "GET", "evil.test", "/v1/x", b"");
    let a = c.send(addr, "evil.test", &p3, &[]).await;
    assert_eq!((a.status, a.code().as_str()), (421, "misdirected_request"));
    // A request signed for other.test but sent with Host api.test: the signature covers the host.
    let p4 = sign("client-1", SECRET, "GET", "other.test", "/v1/x", b"");
    assert_eq!(
        c.send(addr, HOST, &p4, &[]).await.code(),
        "signature_mismatch"
    );

    // public route: forwarded without a signature, key id header stripped.
    let a = c
        .send(
            addr,
            HOST,
            &unsigned_at("/public/info"),
            &[("x-sigwire-key-id", "admin")],
        )
        .await;
    assert_eq!(a.status, 200);
    assert!(
        a.echo()["headers"].get("x-sigwire-key-id").is_none(),
        "{}",
        a.echo()
    );

    // dot_segment_in_path: a public prefix cannot be used to reach a protected path upstream.
    let a = c
        .send(addr, HOST, &unsigned_at("/public/../v1/admin"), &[])
        .await;
    assert_eq!((a.status, a.code().as_str()), (400, "dot_segment_in_path"));
    let a = c
        .send(addr, HOST, &unsigned_at("/public/%2E%2e/v1/admin"), &[])
        .await;
    assert_eq!((a.status, a.code().as_str()), (400, "dot_segment_in_path"));

    // upstream_unavailable (nothing listens on port 1)
    let a = c
        .send(
            addr,
            HOST,
            &sign("client-1", SECRET, "GET", HOST, "/down/x", b""),
            &[],
        )
        .await;
    assert_eq!((a.status, a.code().as_str()), (502, "upstream_unavailable"));

    // upstream_timeout (the upstream sleeps 5 s, the gateway waits 1 s)
    let started = Instant::now();
    let a = c
        .send(
            addr,
            HOST,
            &sign("client-1", SECRET, "GET", HOST, "/slow/x", b""),
            &[],
        )
        .await;
    assert_eq!((a.status, a.code().as_str()), (504, "upstream_timeout"));
    assert!(started.elapsed() < Duration::from_secs(3));

    // invalid_request: a signed header missing from the request.
    let signer = sigwire_core::Signer::new("client-1", SECRET.as_bytes().to_vec())
        .unwrap()
        .with_signed_headers(["x-a"]);
    let url = format!("http://{HOST}/v1/x");
    let sig = signer
        .unwrap()
        .sign(&sigwire_core::Request::new("GET", &url).header("x-a", "1"))
        .unwrap();
    let p5 = Prepared {
        headers: vec![("authorization".into(), sig.authorization)],
        ..unsigned_at("/v1/x")
    };
    let a = c.send(addr, HOST, &p5, &[]).await;
    assert_eq!((a.status, a.code().as_str()), (400, "invalid_request"));

    // Exactly two requests reached the upstream so far: the first `ok`, the public one.
    // (+1 for the slow one that timed out at the gateway.)
    assert_eq!(upstream.hits(), 3);

    // One JSON log line per request, never the signature or Authorization.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let lines = gw.log_lines();
    assert!(lines.len() >= 14, "{} log lines", lines.len());
    let first = &lines[0];
    assert_eq!(
        (
            first["code"].as_str(),
            first["key_id"].as_str(),
            first["status"].as_u64()
        ),
        (Some("ok"), Some("client-1"), Some(200))
    );
    assert!(first["verify_us"].as_u64().is_some() && first["upstream_us"].as_u64().is_some());
    assert!(first["redis_us"].is_null(), "no Redis asked in memory mode");
    assert_eq!(first["upstream_status"], 200);
    let sig_hex = p.headers[0]
        .1
        .rsplit("signature=\"")
        .next()
        .unwrap()
        .trim_end_matches('"')
        .to_owned();
    let raw = std::fs::read_to_string(&gw.log).unwrap();
    assert!(
        !raw.contains(&sig_hex) && !raw.contains("HMAC ") && !raw.contains(SECRET),
        "log leaks credentials"
    );

    // Metrics on the admin listener count each outcome.
    let (status, metrics) = c.admin(gw.admin, "/metrics").await;
    assert_eq!(status, 200);
    assert!(
        metrics.contains(
            "sigwire_gateway_requests_total{outcome=\"replayed_nonce\",status=\"401\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("sigwire_gateway_verify_seconds_count"));
    assert_eq!(c.admin(gw.admin, "/healthz").await.0, 200);
    assert_eq!(
        c.admin(gw.admin, "/readyz").await.0,
        200,
        "memory mode is ready without Redis"
    );
}

fn unsigned_at(path: &str) -> Prepared {
    Prepared {
        method: "GET".into(),
        path: path.into(),
        headers: vec![],
        body: bytes::Bytes::new(),
        nonce: String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_is_forwarded_only_when_configured() {
    let (_upstream, gw) = setup("forward_authorization = true").await;
    let p = sign("client-1", SECRET, "GET", HOST, "/v1/x", b"");
    let a = TestClient::default().send(gw.proxy, HOST, &p, &[]).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.echo()["headers"]["authorization"],
        p.headers[0].1.as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_responses_stream_and_bodies_are_limited() {
    let (upstream, gw) = setup("").await;
    let c = TestClient::default();
    // Streamed, not stored and forwarded: the upstream sends a first chunk and holds the rest
    // until the client has seen that chunk, so a gateway that waits for the whole answer never
    // shows it (the read below times out).
    let p = sign("client-1", SECRET, "GET", HOST, "/drip/x", b"");
    let head = format!(
        "GET /drip/x HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
        p.headers[0].1
    );
    let (addr, release) = (gw.proxy, std::sync::Arc::clone(&upstream.release));
    let out = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(head.as_bytes()).unwrap();
        let (mut seen, mut buf) = (Vec::new(), [0u8; 4096]);
        while !String::from_utf8_lossy(&seen).contains("first-chunk") {
            let n = s.read(&mut buf).unwrap_or_else(|e| {
                panic!(
                    "the gateway held the upstream's first chunk back ({e}): {}",
                    String::from_utf8_lossy(&seen)
                )
            });
            assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&seen));
            seen.extend_from_slice(&buf[..n]);
        }
        release.notify_one();
        let _ = s.read_to_end(&mut seen);
        String::from_utf8_lossy(&seen).into_owned()
    })
    .await
    .unwrap();
    assert!(
        out.starts_with("HTTP/1.1 200") && out.contains("rest-of-body"),
        "{out}"
    );

    // Hop-by-hop headers of the upstream's answer (and those its Connection names) stay behind.
    let a = c
        .send(
            gw.proxy,
            HOST,
            &sign("client-1", SECRET, "GET", HOST, "/hop/x", b""),
            &[],
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.headers["x-upstream"], "1");
    for hop in ["x-hop", "keep-alive", "upgrade"] {
        assert!(
            !a.headers.contains_key(hop),
            "{hop} forwarded: {:?}",
            a.headers
        );
    }

    // 32 MiB streamed through in bounded memory: held whole, it alone would add 32 MiB.
    let peak_before = gw.status_kib("VmHWM");
    let n = 32 * 1024 * 1024;
    let a = c
        .send(
            gw.proxy,
            HOST,
            &sign("client-1", SECRET, "GET", HOST, &format!("/big/{n}"), b""),
            &[],
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body.len(), n);
    assert!(a.body.iter().all(|&b| b == b'x'));
    let growth_mib = gw.status_kib("VmHWM").saturating_sub(peak_before) / 1024;
    assert!(
        growth_mib <= 16,
        "peak RSS grew {growth_mib} MiB while streaming a 32 MiB answer (bound 16)"
    );

    // Exactly at the limit is accepted; one byte more is 413 before verification.
    let at_limit = vec![b'a'; 65536];
    let a = c
        .send(
            gw.proxy,
            HOST,
            &sign("client-1", SECRET, "POST", HOST, "/v1/up", &at_limit),
            &[],
        )
        .await;
    assert_eq!(a.status, 200, "{:?}", a.code());
    assert_eq!(a.echo()["body_len"], 65536);
    let over = vec![b'a'; 65537];
    let a = c
        .send(
            gw.proxy,
            HOST,
            &sign("client-1", SECRET, "POST", HOST, "/v1/up", &over),
            &[],
        )
        .await;
    assert_eq!((a.status, a.code().as_str()), (413, "body_too_large"));
    // A chunked body (no Content-Length) over the limit is cut off as well.
    let head = format!(
        "POST /v1/up HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
        sign("client-1", SECRET, "POST", HOST, "/v1/up", b"").headers[0].1
    );
    let mut raw = head.into_bytes();
    for _ in 0..3 {
        raw.extend_from_slice(b"8000\r\n");
        raw.extend_from_slice(&[b'a'; 0x8000]);
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let addr = gw.proxy;
    let out = tokio::task::spawn_blocking(move || raw_exchange(addr, &raw))
        .await
        .unwrap();
    assert!(out.starts_with("HTTP/1.1 413"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_clear_errors_and_nothing_hangs() {
    let (upstream, gw) = setup("").await;
    let addr = gw.proxy;
    let run = |bytes: Vec<u8>| tokio::task::spawn_blocking(move || raw_exchange(addr, &bytes));

    let out = run(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n".to_vec())
        .await
        .unwrap();
    assert!(
        out.starts_with("HTTP/1.1 405") && out.contains("connect_not_allowed"),
        "{out}"
    );

    let out = run(
        b"GET http://api.test/v1/x HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n"
            .to_vec(),
    )
    .await
    .unwrap();
    assert!(
        out.starts_with("HTTP/1.1 400") && out.contains("absolute_form_not_allowed"),
        "{out}"
    );

    // Huge header block: refused by the HTTP layer (431), no crash.
    let mut big = b"GET /v1/x HTTP/1.1\r\nHost: api.test\r\n".to_vec();
    for i in 0..200 {
        big.extend_from_slice(format!("x-h{i}: {}\r\n", "v".repeat(1000)).as_bytes());
    }
    big.extend_from_slice(b"\r\n");
    let out = run(big).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 431"), "{out}");

    // Malformed request line.
    let out = run(b"GARBAGE\r\n\r\n".to_vec()).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 400"), "{out}");

    // Slow headers: the connection is closed after the header timeout (1 s).
    let started = Instant::now();
    let out = run(b"GET /v1/x HTTP/1.1\r\nHost: api".to_vec())
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "header timeout: {out}"
    );

    // Slow body: 408 body_timeout after 1 s.
    let p = sign("client-1", SECRET, "POST", HOST, "/v1/x", b"0123456789");
    let head = format!(
        "POST /v1/x HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: {}\r\nContent-Type: application/octet-stream\r\nContent-Length: 10\r\n\r\n01234",
        p.headers[0].1
    );
    let started = Instant::now();
    let out = run(head.into_bytes()).await.unwrap();
    assert!(
        out.starts_with("HTTP/1.1 408") && out.contains("body_timeout"),
        "{out}"
    );
    assert!(started.elapsed() < Duration::from_secs(4));

    // Two Host headers: invalid_request.
    let out = run(
        b"GET /v1/x HTTP/1.1\r\nHost: api.test\r\nHost: other.test\r\nConnection: close\r\n\r\n"
            .to_vec(),
    )
    .await
    .unwrap();
    assert!(
        out.starts_with("HTTP/1.1 400") && out.contains("invalid_request"),
        "{out}"
    );

    // Malformed header blocks, each refused by the HTTP layer before any routing: a line without
    // a colon, a control character in a value, an obsolete folded line, two different
    // Content-Length values, more header lines than the parser takes.
    for (what, head, status) in [
        ("no colon", "GET /v1/x HTTP/1.1\r\nHost: api.test\r\nNoColonHere\r\n\r\n".to_owned(), "400"),
        ("control character", "GET /v1/x HTTP/1.1\r\nHost: api.test\r\nX-A: a\u{1}b\r\n\r\n".to_owned(), "400"),
        ("folded line", "GET /v1/x HTTP/1.1\r\nHost: api.test\r\nX-A: a\r\n b\r\n\r\n".to_owned(), "400"),
        (
            "two lengths",
            "POST /v1/x HTTP/1.1\r\nHost: api.test\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab".to_owned(),
            "400",
        ),
        (
            "too many header lines",
            format!(
                "GET /v1/x HTTP/1.1\r\nHost: api.test\r\n{}\r\n",
                (0..150).map(|i| format!("x-{i}: v\r\n")).collect::<String>()
            ),
            "431",
        ),
    ] {
        let out = run(head.into_bytes()).await.unwrap();
        assert!(out.starts_with(&format!("HTTP/1.1 {status}")), "{what}: {out}");
    }

    // A header value that is not UTF-8 (obs-text) on a header the signature does not cover: the
    // request is verified and forwarded, nothing breaks.
    let p = sign("client-1", SECRET, "GET", HOST, "/v1/latin1", b"");
    let mut raw = format!(
        "GET /v1/latin1 HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: {}\r\nConnection: close\r\nX-Latin1: caf",
        p.headers[0].1
    )
    .into_bytes();
    raw.extend_from_slice(b"\xe9\r\n\r\n");
    let out = run(raw).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert_eq!(upstream.hits(), 1);

    // Chunked with a Content-Length beside it (a request-smuggling shape): the chunked framing
    // wins (RFC 9112 §6.1) and the upstream gets one framing only, the length of what was read.
    let out = run(
        b"POST /public/x HTTP/1.1\r\nHost: api.test\r\nContent-Length: 9\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            .to_vec(),
    )
    .await
    .unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    let echo: serde_json::Value =
        serde_json::from_str(&out[out.find("\r\n\r\n").unwrap() + 4..]).unwrap();
    assert_eq!(echo["body_len"], 3, "{echo}");
    assert_eq!(echo["headers"]["content-length"], "3", "{echo}");
    assert!(echo["headers"].get("transfer-encoding").is_none(), "{echo}");
    assert_eq!(upstream.hits(), 2);

    // Slow-loris: many connections each holding half a request head. A signed request is still
    // served meanwhile, and every held connection is closed once the header time (1 s) is up.
    let held: Vec<std::net::TcpStream> = (0..100)
        .map(|_| {
            use std::io::Write;
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /v1/x HTTP/1.1\r\nHost: api.te").unwrap();
            s
        })
        .collect();
    let a = TestClient::default()
        .send(
            addr,
            HOST,
            &sign("client-1", SECRET, "GET", HOST, "/v1/x", b""),
            &[],
        )
        .await;
    assert_eq!(a.status, 200, "served while 100 connections dawdle");
    let hits_before_loris = upstream.hits();
    let closed = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        held.into_iter()
            .filter(|s| {
                let mut s = s;
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut rest = Vec::new();
                // Closed (EOF or reset), not still waiting after 5 s.
                match s.read_to_end(&mut rest) {
                    Ok(_) => true,
                    Err(e) => !matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ),
                }
            })
            .count()
    })
    .await
    .unwrap();
    assert_eq!(
        closed, 100,
        "every slow connection is closed after the header time"
    );

    assert_eq!(
        upstream.hits(),
        hits_before_loris,
        "nothing but the one signed request reached the upstream"
    );
    assert_eq!(hits_before_loris, 3);
    // The gateway still serves.
    let a = TestClient::default()
        .send(
            addr,
            HOST,
            &sign("client-1", SECRET, "GET", HOST, "/v1/x", b""),
            &[],
        )
        .await;
    assert_eq!(a.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_outside_every_route_get_route_not_found() {
    let upstream = Upstream::start().await;
    let text =
        config(upstream.addr, "").replace("[[routes]]\nprefix = \"/\"\nupstream = \"app\"\n", "");
    let gw = GatewayProc::start(&text, &[(KEYS_ENV, &keys_env())]);
    let c = TestClient::default();
    // Signed or not, a path no route covers is refused before verification; `/none/` itself is
    // routed (and verified).
    for p in [
        sign("client-1", SECRET, "GET", HOST, "/elsewhere", b""),
        unsigned_at("/publicity"),
    ] {
        let a = c.send(gw.proxy, HOST, &p, &[]).await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (404, "route_not_found"),
            "{}",
            p.path
        );
    }
    let a = c.send(gw.proxy, HOST, &unsigned_at("/none/x"), &[]).await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (401, "missing_authorization")
    );
    // The asterisk form (`OPTIONS *`) names no path of any route.
    let addr = gw.proxy;
    let out = tokio::task::spawn_blocking(move || {
        raw_exchange(
            addr,
            b"OPTIONS * HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n",
        )
    })
    .await
    .unwrap();
    assert!(
        out.starts_with("HTTP/1.1 404") && out.contains("route_not_found"),
        "{out}"
    );
    assert_eq!(upstream.hits(), 0);
    let (_, metrics) = c.admin(gw.admin, "/metrics").await;
    assert!(
        metrics.contains(
            "sigwire_gateway_requests_total{outcome=\"route_not_found\",status=\"404\"} 3"
        ),
        "{metrics}"
    );
}

/// [`config`] without the `/none/` route, its keys read from the file `keys` (reloaded every
/// 100 ms and on SIGHUP).
fn keys_file_config(upstream: std::net::SocketAddr, extra: &str, keys: &std::path::Path) -> String {
    config(upstream, extra)
        .replace("[[routes]]\nprefix = \"/none/\"\nupstream = \"app\"\n", "")
        .replace(
            &format!("env = \"{KEYS_ENV}\""),
            &format!("file = \"{}\"\nreload_ms = 100", keys.display()),
        )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_file_rotation_and_revocation_without_restart() {
    let upstream = Upstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.toml");
    std::fs::write(&keys, keys_toml(&[("client-1", SECRET)])).unwrap();
    let text = keys_file_config(upstream.addr, "", &keys);
    let gw = GatewayProc::start(&text, &[]);
    let c = TestClient::default();
    let send = |secret: &'static str| {
        let c = c.clone();
        let addr = gw.proxy;
        async move {
            c.send(
                addr,
                HOST,
                &sign("client-1", secret, "GET", HOST, "/v1/x", b""),
                &[],
            )
            .await
        }
    };
    assert_eq!(send(SECRET).await.status, 200);

    // Rotate: new secret added, old one still live until not_after.
    const NEW: &str = "new-secret-0123456789abcdef";
    let rotated = format!(
        "[[keys]]\nid = \"client-1\"\nsecret = \"{NEW}\"\n[[keys]]\nid = \"client-1\"\nsecret = \"{SECRET}\"\nnot_after = {}\n",
        now() + 3600
    );
    std::fs::write(&keys, rotated).unwrap();
    gw.hangup();
    let deadline = Instant::now() + Duration::from_secs(3);
    while send(NEW).await.status != 200 {
        assert!(Instant::now() < deadline, "new secret not picked up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        send(SECRET).await.status,
        200,
        "old secret live until not_after"
    );

    // Revoke: the file no longer has the key id.
    std::fs::write(&keys, keys_toml(&[("client-2", NEW)])).unwrap();
    gw.hangup();
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let a = send(NEW).await;
        if a.status == 401 {
            assert_eq!(a.code(), "unknown_key");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "revocation not effective within 1 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // A broken file keeps the previous keys.
    std::fs::write(&keys, "[[keys]]\nid = \"client-2\"\nsecret = \"short\"\n").unwrap();
    gw.hangup();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let a = c
        .send(
            gw.proxy,
            HOST,
            &sign("client-2", NEW, "GET", HOST, "/v1/x", b""),
            &[],
        )
        .await;
    assert_eq!(a.status, 200);
}

#[test]
fn check_command_names_the_bad_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "listen = \"127.0.0.1:1\"\nadmin_listen = \"127.0.0.1:2\"\nwindow = 0\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sigwire-gateway"))
        .args(["check", "--config", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`window`"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_uploads_are_spooled_verified_then_streamed_in_bounded_memory() {
    // Issue 17 on the gateway: a 64 MiB upload is hashed into a spool file while it arrives,
    // verified at the end, and only then streamed to the upstream; the gateway's resident memory
    // grows by far less than the body. A tampered large body is refused with the upstream never
    // called.
    const MIB: usize = 1024 * 1024;
    let upstream = Upstream::start().await;
    let spool_dir = tempfile::tempdir().unwrap();
    let text = format!(
        r#"
window = 300
body_limit = {}
spool_threshold = {}
spool_dir = "{}"
[timeouts]
body_ms = 60000
upstream_response_ms = 60000
[[upstreams]]
name = "app"
url = "http://{}"
[[routes]]
prefix = "/"
upstream = "app"
[[routes]]
prefix = "/public/"
upstream = "app"
public = true
[keys]
env = "{KEYS_ENV}"
"#,
        80 * MIB,
        MIB,
        spool_dir.path().display(),
        upstream.addr
    );
    let gw = GatewayProc::start(&text, &[(KEYS_ENV, &keys_env())]);
    // What is asserted is memory, not speed: on a loaded machine (a debug build hashing 64 MiB
    // at nice 19 beside other test binaries) the upload took over the usual 20 s.
    let c = TestClient::with_time_limit(Duration::from_secs(120));
    // Warm up first, through the spool path too (8 MiB > the 1 MiB threshold): the first use of
    // a code path pages that part of the binary in, and the allocator keeps what a spooled upload
    // needs in flight (hyper's buffers, 64 KiB frames) for a while; both count in the RSS.
    for i in 0..4 {
        let warm = sign(
            "client-1",
            SECRET,
            "POST",
            HOST,
            &format!("/up/{i}"),
            &vec![1u8; 8 * MIB],
        );
        assert_eq!(c.send(gw.proxy, HOST, &warm, &[]).await.status, 200);
    }
    let (rss_before, peak_before) = (gw.status_kib("VmRSS"), gw.status_kib("VmHWM"));

    let body: Vec<u8> = (0..64 * MIB).map(|i| (i % 253) as u8).collect();
    let big = sign("client-1", SECRET, "POST", HOST, "/up/big", &body);
    let a = c.send(gw.proxy, HOST, &big, &[]).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(
        a.echo()["body_len"],
        64 * MIB,
        "the whole body reached the upstream"
    );
    let peak = gw.status_kib("VmHWM");
    let mib = |kib: u64| kib as f64 / 1024.0;
    let (growth, peak_growth) = (
        mib(peak.saturating_sub(rss_before)),
        mib(peak.saturating_sub(peak_before)),
    );
    println!(
        "64 MiB upload: gateway RSS {:.1} MiB before, peak {:.1} MiB: +{growth:.1} MiB over the RSS \
         before, +{peak_growth:.1} MiB over the peak of the 8 MiB uploads",
        mib(rss_before),
        mib(peak)
    );
    // Held in memory, the body alone would add 64 MiB (56 over the 8 MiB warm-ups' peak). The
    // allocator's retained pages make the RSS before the upload vary by several MiB from run to
    // run, hence the looser first bound.
    assert!(
        peak_growth <= 16.0,
        "peak RSS grew by {peak_growth:.1} MiB over the 8 MiB uploads' for a 64 MiB upload (bound 16)"
    );
    assert!(
        growth <= 24.0,
        "RSS peaked {growth:.1} MiB above its level before a 64 MiB upload (bound 24)"
    );
    assert_eq!(upstream.hits(), 5);

    // The same size, one byte changed after signing: refused, the upstream never called.
    let mut tampered = big.clone();
    let mut bytes = tampered.body.to_vec();
    bytes[40 * MIB] ^= 1;
    tampered.body = bytes.into();
    let a = c.send(gw.proxy, HOST, &tampered, &[]).await;
    assert_eq!((a.status, a.code().as_str()), (401, "signature_mismatch"));
    assert_eq!(
        upstream.hits(),
        5,
        "a tampered body never reaches the upstream"
    );
    println!(
        "after the tampered one: RSS {} KiB, peak {} KiB",
        gw.status_kib("VmRSS"),
        gw.status_kib("VmHWM")
    );
    // A public route spools too (nothing to hash) and forwards the whole body.
    let public = Prepared {
        method: "POST".into(),
        path: "/public/upload".into(),
        headers: vec![],
        body: vec![9u8; 4 * MIB].into(),
        nonce: String::new(),
    };
    let a = c.send(gw.proxy, HOST, &public, &[]).await;
    assert_eq!(
        (a.status, a.echo()["body_len"].as_u64()),
        (200, Some(4 * MIB as u64))
    );
    // The spool files were unnamed: nothing is left in the spool directory.
    assert_eq!(std::fs::read_dir(spool_dir.path()).unwrap().count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_signed_headers_refuses_an_unsigned_override() {
    let (upstream, gw) = setup(r#"require_signed_headers = ["X-HTTP-Method-Override"]"#).await;
    let c = TestClient::default();
    // Signed without the header, sent with it (someone on the path turns the POST into a
    // DELETE for frameworks that obey the override): refused, not forwarded.
    let p = sign("client-1", SECRET, "POST", HOST, "/v1/orders/7", b"");
    let a = c
        .send(gw.proxy, HOST, &p, &[("x-http-method-override", "DELETE")])
        .await;
    assert_eq!((a.status, a.code().as_str()), (401, "unsigned_header"));
    assert_eq!(upstream.hits(), 0);
    // The header signed: forwarded with it.
    let signer = sigwire_core::Signer::new("client-1", SECRET.as_bytes().to_vec())
        .unwrap()
        .with_signed_headers(["x-http-method-override"])
        .unwrap();
    let url = format!("http://{HOST}/v1/orders/8");
    let request =
        sigwire_core::Request::new("POST", &url).headers([("x-http-method-override", "DELETE")]);
    let sig = signer.sign(&request).unwrap();
    let signed = Prepared {
        method: "POST".into(),
        path: "/v1/orders/8".into(),
        headers: vec![
            ("authorization".into(), sig.authorization),
            ("x-http-method-override".into(), "DELETE".into()),
        ],
        body: bytes::Bytes::new(),
        nonce: sig.nonce,
    };
    let b = c.send(gw.proxy, HOST, &signed, &[]).await;
    assert_eq!(b.status, 200, "{b:?}");
    assert_eq!(b.echo()["headers"]["x-http-method-override"], "DELETE");
    // A request without the header at all is not concerned.
    let plain = sign("client-1", SECRET, "POST", HOST, "/v1/orders/9", b"");
    assert_eq!(c.send(gw.proxy, HOST, &plain, &[]).await.status, 200);
    assert_eq!(upstream.hits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_connections_holds_further_clients_until_one_closes() {
    let upstream = Upstream::start().await;
    // A long header time, so the idle connections below keep their places throughout.
    let text = config(upstream.addr, "max_connections = 2")
        .replace("header_ms = 1000", "header_ms = 10000");
    let gw = GatewayProc::start(&text, &[(KEYS_ENV, &keys_env())]);
    let first = std::net::TcpStream::connect(gw.proxy).unwrap();
    let second = std::net::TcpStream::connect(gw.proxy).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A third client gets a TCP connection from the kernel's backlog but is not served.
    let p = sign("client-1", SECRET, "GET", HOST, "/v1/cap", b"");
    let (c, addr) = (TestClient::default(), gw.proxy);
    let third = tokio::spawn(async move { c.send(addr, HOST, &p, &[]).await });
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!third.is_finished(), "served beyond max_connections = 2");
    assert_eq!(upstream.hits(), 0);
    // The admin listener is not capped.
    assert_eq!(
        TestClient::default().admin(gw.admin, "/healthz").await.0,
        200
    );
    drop(first);
    let answer = tokio::time::timeout(Duration::from_secs(5), third)
        .await
        .expect("served once a place was free")
        .unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");
    drop(second);
}

const PROFILE_ROUTES: &str = r#"
[[routes]]
prefix = "/aws/"
upstream = "app"
profile = "aws-sigv4"
aws_region = "eu-west-1"
aws_service = "execute-api"
[[routes]]
prefix = "/rfc/"
upstream = "app"
profile = "rfc9421"
"#;

/// A request signed by a profile: its header list as the signer gives it (Host is the client's).
fn profiled(method: &str, path: &str, headers: Vec<(String, String)>, body: &[u8]) -> Prepared {
    Prepared {
        method: method.into(),
        path: path.into(),
        headers: headers
            .into_iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("host"))
            .collect(),
        body: bytes::Bytes::copy_from_slice(body),
        nonce: String::new(),
    }
}

/// Sends `signed` to a profile route three ways: as is (forwarded with the verified key id and
/// without `Authorization`), again (refused as a replay, as on sigwire-v1 routes) and with another
/// body under the same signature (refused: 401 with `tampered_code` when given, else any
/// refusal code).
async fn accepted_once_then_refused(
    c: &TestClient,
    proxy: std::net::SocketAddr,
    signed: &Prepared,
    tampered_code: Option<&str>,
) {
    let a = c.send(proxy, HOST, signed, &[]).await;
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.echo()["headers"]["x-sigwire-key-id"], "client-1");
    assert!(a.echo()["headers"].get("authorization").is_none());
    let again = c.send(proxy, HOST, signed, &[]).await;
    assert_eq!(
        (again.status, again.code().as_str()),
        (401, "replayed_nonce")
    );
    let mut tampered = signed.clone();
    tampered.body = bytes::Bytes::from_static(b"{\"amount\":9}");
    let t = c.send(proxy, HOST, &tampered, &[]).await;
    match tampered_code {
        Some(code) => assert_eq!((t.status, t.code().as_str()), (401, code), "{t:?}"),
        None => {
            assert_eq!(t.status, 401, "{t:?}");
            assert_ne!(t.code(), "ok");
        }
    }
}

const JSON_BODY: &[u8] = b"{\"amount\":1}";

/// A different query each call, so two requests signed in the same second are not one replay.
fn fresh_query() -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("b=2&a=1&n={n}")
}

/// `POST /aws/orders?b=2&a=1&n=…` with [`JSON_BODY`], signed now with AWS SigV4 by `client-1` (its
/// key id is the access key id) with `secret` as the secret access key.
fn aws_signed(secret: &str) -> Prepared {
    use sigwire_core::profiles::aws_sigv4::{AwsCredentials, AwsSigV4, SignableBody};
    let aws = AwsSigV4::new(
        AwsCredentials::new("client-1", secret).unwrap(),
        "eu-west-1",
        "execute-api",
    )
    .unwrap();
    let path = format!("/aws/orders?{}", fresh_query());
    let url = format!("http://{HOST}{path}");
    let request = sigwire_core::Request::new("POST", &url)
        .headers([("content-type", "application/json")])
        .body(JSON_BODY);
    let out = aws
        .sign(&request, SignableBody::Bytes(JSON_BODY), now())
        .unwrap();
    let json = [("content-type".to_owned(), "application/json".to_owned())];
    profiled(
        "POST",
        &path,
        out.instructions().apply_to_headers(&json),
        JSON_BODY,
    )
}

/// `POST /rfc/orders?…` with [`JSON_BODY`], signed now with RFC 9421 `hmac-sha256` by `client-1`
/// with `secret` (Content-Digest covered by default).
fn rfc_signed(secret: &str) -> Prepared {
    use sigwire_core::profiles::rfc9421::{Rfc9421, Rfc9421Key, SignatureInputs};
    let key = Rfc9421Key::new("client-1", secret.as_bytes().to_vec()).unwrap();
    let path = format!("/rfc/orders?{}", fresh_query());
    let url = format!("http://{HOST}{path}");
    let request = sigwire_core::Request::new("POST", &url)
        .headers([("content-type", "application/json")])
        .body(JSON_BODY);
    let out = Rfc9421::new(key)
        .sign_request(&request, SignatureInputs::at(now()))
        .unwrap();
    let json = [("content-type".to_owned(), "application/json".to_owned())];
    profiled(
        "POST",
        &path,
        out.instructions().apply_to_headers(&json),
        JSON_BODY,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_profiles_on_routes() {
    let (upstream, gw) = setup(PROFILE_ROUTES).await;
    let c = TestClient::default();

    accepted_once_then_refused(&c, gw.proxy, &aws_signed(SECRET), None).await;
    // A sigwire-v1 signature is not what this route takes.
    let v1 = sign("client-1", SECRET, "GET", HOST, "/aws/orders", b"");
    assert_eq!(c.send(gw.proxy, HOST, &v1, &[]).await.status, 401);

    accepted_once_then_refused(&c, gw.proxy, &rfc_signed(SECRET), Some("digest_mismatch")).await;

    assert_eq!(upstream.hits(), 2, "only the two fresh, intact requests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_routes_take_every_live_secret_of_a_rotated_key() {
    let upstream = Upstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.toml");
    const NEW: &str = "new-secret-0123456789abcdef";
    // Rotated: the new secret listed last (the newest), the old one live until `not_after`.
    let rotated = |old_not_after: u64| {
        format!(
            "[[keys]]\nid = \"client-1\"\nsecret = \"{SECRET}\"\nnot_after = {old_not_after}\n\
             [[keys]]\nid = \"client-1\"\nsecret = \"{NEW}\"\n"
        )
    };
    std::fs::write(&keys, rotated(now() + 3600)).unwrap();
    let text = keys_file_config(upstream.addr, PROFILE_ROUTES, &keys);
    let gw = GatewayProc::start(&text, &[]);
    let c = TestClient::default();
    let both = |secret: &str| [aws_signed(secret), rfc_signed(secret)];

    // Inside the old secret's grace period both secrets verify on both profile routes.
    for signed in both(SECRET).iter().chain(&both(NEW)) {
        let a = c.send(gw.proxy, HOST, signed, &[]).await;
        assert_eq!(a.status, 200, "{} {a:?}", signed.path);
        assert_eq!(a.echo()["headers"]["x-sigwire-key-id"], "client-1");
    }

    // Past its `not_after` the old secret is refused; the new one still verifies.
    std::fs::write(&keys, rotated(now() - 1)).unwrap();
    gw.hangup();
    let deadline = Instant::now() + Duration::from_secs(3);
    while c
        .send(gw.proxy, HOST, &aws_signed(SECRET), &[])
        .await
        .code()
        != "signature_mismatch"
    {
        assert!(Instant::now() < deadline, "old secret still accepted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let hits = upstream.hits();
    for signed in both(SECRET) {
        let a = c.send(gw.proxy, HOST, &signed, &[]).await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (401, "signature_mismatch"),
            "{} {a:?}",
            signed.path
        );
    }
    assert_eq!(
        upstream.hits(),
        hits,
        "nothing refused reaches the upstream"
    );
    for signed in both(NEW) {
        assert_eq!(c.send(gw.proxy, HOST, &signed, &[]).await.status, 200);
    }
}
