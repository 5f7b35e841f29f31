//! The `sigwire-server` binary as other languages' tests use it: `--port 0 --print-port`, a key
//! from the command line, control endpoints, and verification over plain HTTP/1.1.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sigwire_core::Signer;

const SECRET_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sigwire-server"))
        .args([
            "--port",
            "0",
            "--print-port",
            "--exit-on-stdin-eof",
            "--key",
        ])
        .arg(format!("bin-client:{SECRET_HEX}"))
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sigwire-server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("first stdout line should be the port, got {line:?}"));
    Server { child, port }
}

/// One HTTP/1.1 exchange; returns the status line and headers (lowercased) and the body.
fn exchange(port: u16, request: &str) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.to_ascii_lowercase(), body.to_owned())
}

#[test]
fn binary_serves_controls_and_verifies() {
    let server = start(&["--clock-offset", "5"]);
    let port = server.port;

    let (head, body) = exchange(
        port,
        "GET /_control/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_eq!(body, "ok");

    let (head, body) = exchange(
        port,
        "GET /_control/clock HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(body.contains("\"offset_seconds\":5"), "{body}");

    let (head, body) = exchange(
        port,
        &format!("GET /orders HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    );
    assert!(head.starts_with("http/1.1 401"), "{head}");
    assert!(head.contains("x-sigwire-server-time: "), "{head}");
    assert_eq!(body, r#"{"error":"missing_authorization"}"#);

    // A request signed with the core verifies, and the echo names the key id.
    let host = format!("127.0.0.1:{port}");
    let url = format!("http://{host}/orders?limit=2");
    let secret: Vec<u8> = (0u8..32).collect();
    let signer = Signer::new("bin-client", secret).unwrap();
    let body_bytes = br#"{"a":1}"#;
    let core = sigwire_core::Request::new("POST", &url)
        .header("Content-Type", "application/json")
        .body(body_bytes);
    let sig = signer.sign(&core).unwrap();
    let request = format!(
        "POST /orders?limit=2 HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Authorization: {}\r\nConnection: close\r\n\r\n{}",
        body_bytes.len(),
        sig.authorization,
        std::str::from_utf8(body_bytes).unwrap()
    );
    let (head, body) = exchange(port, &request);
    assert!(head.starts_with("http/1.1 200"), "{head}\n{body}");
    assert!(body.contains("\"key_id\":\"bin-client\""), "{body}");
    // The same bytes again are a replay.
    let (head, body) = exchange(port, &request);
    assert!(head.starts_with("http/1.1 401"), "{head}");
    assert_eq!(body, r#"{"error":"replayed_nonce"}"#);

    let (_, nonces) = exchange(
        port,
        "GET /_control/nonces HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(nonces.contains(&sig.nonce), "{nonces}");
}

#[test]
fn bad_flags_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_sigwire-server"))
        .args(["--key", "nohex"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_sigwire-server"))
        .args(["--key", "k:0011"])
        .output()
        .unwrap();
    // A secret under 16 bytes is refused by the core at start-up.
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid_secret"));
}

/// Reads what the server sends until it closes the connection or `limit` passes; returns the
/// text and how long it took.
fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, Duration) {
    let started = std::time::Instant::now();
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

fn signed_head(
    port: u16,
    method: &str,
    path: &str,
    body: &[u8],
) -> (String, sigwire_core::Signature) {
    let host = format!("127.0.0.1:{port}");
    let url = format!("http://{host}{path}");
    let signer = Signer::new("bin-client", (0u8..32).collect::<Vec<u8>>()).unwrap();
    let sig = signer
        .sign(&sigwire_core::Request::new(method, &url).body(body))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nAuthorization: {}\r\n",
        body.len(),
        sig.authorization
    );
    (head, sig)
}

/// Issue 12 item 3: `Expect: 100-continue` was answered with `100 Continue` before the request
/// was authenticated, inviting unauthenticated uploads. Now a bad header gets its 401 at once.
#[test]
fn expect_continue_only_after_the_header_check() {
    let server = start(&[]);
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let head = format!(
        "POST /upload HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        server.port
    );
    stream.write_all(head.as_bytes()).unwrap();
    let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(!answer.contains("100 Continue"), "{answer}");
    assert!(
        answer.ends_with(r#"{"error":"missing_authorization"}"#),
        "{answer}"
    );

    // A good header gets 100 Continue, then the body is read and verified.
    let body = b"0123456789";
    let (head, _) = signed_head(server.port, "POST", "/upload", body);
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .write_all(format!("{head}Expect: 100-continue\r\nConnection: close\r\n\r\n").as_bytes())
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut first = [0u8; 25];
    stream.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(body).unwrap();
    let (answer, _) = read_until_closed(&mut stream, Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Issue 12 item 3: half-sent heads and bodies, and silent connections, stayed open past 90 s.
#[test]
fn slow_heads_bodies_and_silent_connections_are_closed() {
    let server = start(&[
        "--header-timeout",
        "1",
        "--body-timeout",
        "1",
        "--idle-timeout",
        "30",
    ]);
    let port = server.port;

    // Half a head: closed after the header timeout (with a 408 or nothing).
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .write_all(b"GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .unwrap();
    let (_, took) = read_until_closed(&mut stream, Duration::from_secs(10));
    assert!(
        took < Duration::from_secs(5),
        "half a head stayed open {took:?}"
    );

    // A good head, half a body: 400 after the body timeout, then closed.
    let (head, _) = signed_head(port, "POST", "/slow", b"0123456789");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .write_all(format!("{head}\r\n01234").as_bytes())
        .unwrap();
    let (answer, took) = read_until_closed(&mut stream, Duration::from_secs(10));
    assert!(
        took < Duration::from_secs(5),
        "half a body stayed open {took:?}"
    );
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");

    // A silent connection: the idle timeout, separately.
    let quiet = start(&["--header-timeout", "30", "--idle-timeout", "1"]);
    let mut stream = TcpStream::connect(("127.0.0.1", quiet.port)).unwrap();
    let (_, took) = read_until_closed(&mut stream, Duration::from_secs(10));
    assert!(
        took < Duration::from_secs(5),
        "a silent connection stayed open {took:?}"
    );
}

/// Issue 12 item 7 at the binary: the reference server serves only the authorities it declares
/// (loopback ones by default) and will not start on a public address without a declaration.
#[test]
fn audience_binding() {
    let server = start(&[]);
    let (head, _) = signed_head(server.port, "GET", "/orders", b"");
    let foreign = head.replace(
        &format!("Host: 127.0.0.1:{}", server.port),
        "Host: api.other-service.example",
    );
    let (status, body) = exchange(server.port, &format!("{foreign}Connection: close\r\n\r\n"));
    assert!(status.starts_with("http/1.1 421"), "{status}");
    assert_eq!(body, r#"{"error":"misdirected_request"}"#);

    let declared = start(&["--authority", "api.example.com"]);
    let (head, _) = signed_head(declared.port, "GET", "/orders", b"");
    let (status, _) = exchange(declared.port, &format!("{head}Connection: close\r\n\r\n"));
    assert!(
        status.starts_with("http/1.1 421"),
        "127.0.0.1 is not declared: {status}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_sigwire-server"))
        .args(["--host", "0.0.0.0", "--port", "0", "--key"])
        .arg(format!("bin-client:{SECRET_HEX}"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--authority") && stderr.contains("--any-authority"),
        "{stderr}"
    );
}
