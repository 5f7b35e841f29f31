//! One JSON line per request on standard output. It holds the request id, the key id, the outcome
//! code, the clock skew, and the verification and upstream latencies — never a secret, a signature,
//! a query string or any part of the `Authorization` header.
//!
//! Lines are written by one background thread through a buffer that is flushed whenever no line
//! is waiting, so a request never waits on a `write` to standard output; at most
//! [`QUEUED_LINES`] lines wait in memory, beyond that requests wait for the writer (bounded memory).

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::OnceLock;
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
    /// Of `verify_us`, the wait for the Redis admission (one round trip: failure budgets, epoch
    /// rule, nonce claim, rate limit), microseconds; absent when Redis was not asked.
    pub redis_us: Option<u64>,
    /// Time until the upstream's response headers, microseconds.
    pub upstream_us: Option<u64>,
    /// The upstream's status.
    pub upstream_status: Option<u16>,
    /// Total time in the gateway until the response headers, microseconds.
    pub total_us: u64,
}

/// Most log lines waiting for the writer thread.
pub const QUEUED_LINES: usize = 8192;

/// A 16-hex-digit request id, unique within this process and unlikely to repeat across
/// instances: a per-process random seed plus a counter, mixed by SplitMix64 (a bijection, so two
/// counter values never give the same id). Not a secret, so no system call per request.
pub fn request_id() -> String {
    static SEED: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = *SEED.get_or_init(|| {
        let mut bytes = [0u8; 8];
        if getrandom::fill(&mut bytes).is_err() {
            // Not a secret: a time-based seed is good enough when the OS generator fails.
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            bytes = (t as u64).to_be_bytes();
        }
        u64::from_le_bytes(bytes)
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    format!("{:016x}", z ^ (z >> 31))
}

/// The writer thread's queue, started on first use.
fn writer() -> Option<&'static SyncSender<Vec<u8>>> {
    static WRITER: OnceLock<Option<SyncSender<Vec<u8>>>> = OnceLock::new();
    WRITER
        .get_or_init(|| {
            let (tx, rx) = sync_channel::<Vec<u8>>(QUEUED_LINES);
            std::thread::Builder::new()
                .name("sigwire-gw-log".into())
                .spawn(move || {
                    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout());
                    while let Ok(line) = rx.recv() {
                        let _ = out.write_all(&line);
                        while let Ok(more) = rx.try_recv() {
                            let _ = out.write_all(&more);
                        }
                        let _ = out.flush();
                    }
                })
                .ok()
                .map(|_| tx)
        })
        .as_ref()
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
            redis_us: None,
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
            match writer() {
                Some(queue) => {
                    let _ = queue.send(text);
                }
                None => {
                    let _ = std::io::stdout().lock().write_all(&text);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_sixteen_hex_digits_and_do_not_repeat() {
        let ids: std::collections::HashSet<String> = (0..10_000).map(|_| request_id()).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids
            .iter()
            .all(|id| id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())));
    }
}
