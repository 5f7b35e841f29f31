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
        .args(["--port", "0", "--print-port", "--exit-on-stdin-eof", "--key"])
        .arg(format!("bin-client:{SECRET_HEX}"))
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sigwire-server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line.trim().parse().unwrap_or_else(|_| panic!("first stdout line should be the port, got {line:?}"));
    Server { child, port }
}

/// One HTTP/1.1 exchange; returns the status line and headers (lowercased) and the body.
fn exchange(port: u16, request: &str) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
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

    let (head, body) = exchange(port, "GET /_control/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert_eq!(body, "ok");

    let (head, body) = exchange(port, "GET /_control/clock HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(body.contains("\"offset_seconds\":5"), "{body}");

    let (head, body) = exchange(port, "GET /orders HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(head.starts_with("http/1.1 401"), "{head}");
    assert!(head.contains("x-sigwire-server-time: "), "{head}");
    assert_eq!(body, r#"{"error":"missing_authorization"}"#);

    // A request signed with the core verifies, and the echo names the key id.
    let host = format!("127.0.0.1:{port}");
    let url = format!("http://{host}/orders?limit=2");
    let secret: Vec<u8> = (0u8..32).collect();
    let signer = Signer::new("bin-client", secret).unwrap();
    let body_bytes = br#"{"a":1}"#;
    let core = sigwire_core::Request::new("POST", &url).header("Content-Type", "application/json").body(body_bytes);
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

    let (_, nonces) = exchange(port, "GET /_control/nonces HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(nonces.contains(&sig.nonce), "{nonces}");
}

#[test]
fn bad_flags_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_sigwire-server")).args(["--key", "nohex"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_sigwire-server")).args(["--key", "k:0011"]).output().unwrap();
    // A secret under 16 bytes is refused by the core at start-up.
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid_secret"));
}
