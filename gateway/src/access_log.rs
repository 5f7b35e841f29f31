//! One JSON line per request on standard output. It holds the request id, the key id, the outcome
//! code, the clock skew, and the verification and upstream latencies — never a secret, a signature,
//! a query string or any part of the `Authorization` header.

use std::io::Write as _;
use std::net::SocketAddr;
use std::time::Instant;

use http::Request;
use serde::Serialize;

/// The fields of one access log line.
#[derive(Debug, Serialize)]
pub struct LogLine {
    /// Milliseconds since the Unix epoch when the request arrived.
    pub ts_ms: u64,
    /// Random id, also sent to the upstream and the client as `X-Request-Id`.
    pub request_id: String,
    /// Client IP.
    pub client_ip: String,
    /// Method.
    pub method: String,
    /// Path only (the query may hold personal data).
    pub path: String,
    /// The matched route prefix.
    pub route: Option<String>,
    /// Key id (claimed when verification failed, verified otherwise).
    pub key_id: Option<String>,
    /// Outcome code (`ok`, `public`, a verification code, or a gateway code).
    pub code: &'static str,
    /// HTTP status sent to the client.
    pub status: u16,
    /// `timestamp − now` of the signature, seconds.
    pub skew: Option<i64>,
    /// Verification time (signature, replay claim, rate limit), microseconds.
    pub verify_us: Option<u64>,
    /// Time until the upstream's response headers, microseconds.
    pub upstream_us: Option<u64>,
    /// The upstream's status.
    pub upstream_status: Option<u16>,
    /// Total time in the gateway until the response headers, microseconds.
    pub total_us: u64,
}

/// A random 16-hex-digit request id.
fn request_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        // Not a secret: a time-based id is good enough when the OS generator fails.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        bytes = (t as u64).to_be_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl LogLine {
    /// A line for a request that just arrived.
    pub fn start<B>(request: &Request<B>, peer: SocketAddr) -> Self {
        let ts_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        LogLine {
            ts_ms,
            request_id: request_id(),
            client_ip: peer.ip().to_string(),
            method: request.method().as_str().to_owned(),
            path: request.uri().path().chars().take(512).collect(),
            route: None,
            key_id: None,
            code: "internal",
            status: 0,
            skew: None,
            verify_us: None,
            upstream_us: None,
            upstream_status: None,
            total_us: 0,
        }
    }

    /// Sets the total time and writes the line.
    pub fn finish(mut self, started: Instant) {
        self.total_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        if let Ok(mut text) = serde_json::to_vec(&self) {
            text.push(b'\n');
            let _ = std::io::stdout().lock().write_all(&text);
        }
    }
}
