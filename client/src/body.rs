//! [`Body`]: what a call sends — bytes in memory, a file, or a stream read once.
//!
//! A body that is not in memory is never held whole: a file is hashed by reading it once, a
//! stream or reader (which cannot be read twice) is hashed while it is spooled to an unnamed
//! temporary file. Every attempt then signs the digest ([`SignableBody::Precomputed`]) with a
//! fresh timestamp and nonce and sends the bytes from the file, so retries re-send exactly what
//! was hashed.
//!
//! [`SignableBody::Precomputed`]: sigwire_core::signing::SignableBody::Precomputed

use bytes::Bytes;

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use native::Spooled;

/// A body on disk (wasm32 has none: bodies there are bytes).
#[cfg(target_arch = "wasm32")]
#[derive(Debug, Clone)]
pub(crate) enum Spooled {}

#[cfg(target_arch = "wasm32")]
impl Spooled {
    pub(crate) fn len(&self) -> u64 {
        match *self {}
    }
    pub(crate) fn digest(&self) -> &sigwire_core::signing::BodyDigest {
        match *self {}
    }
    pub(crate) fn to_request_body(&self) -> Result<reqwest::Body, crate::error::Error> {
        match *self {}
    }
}

/// A body ready to send: bytes, or a file with its digest.
#[derive(Debug, Clone)]
pub(crate) enum Prepared {
    Bytes(Bytes),
    Spooled(Spooled),
}

/// Reads a body that is not in memory once (hashing it, spooling a stream); bytes pass as they
/// are.
pub(crate) async fn prepare(
    body: Body,
    algorithm: sigwire_core::Algorithm,
) -> Result<Prepared, crate::error::Error> {
    #[cfg(target_arch = "wasm32")]
    let _ = algorithm;
    match body.source {
        Source::Bytes(bytes) => Ok(Prepared::Bytes(bytes)),
        #[cfg(not(target_arch = "wasm32"))]
        other => native::prepare(other, algorithm).await,
    }
}

/// The body of a call.
///
/// ```no_run
/// use sigwire_client::{Body, Client};
///
/// # async fn run(client: Client) -> Result<(), sigwire_client::Error> {
/// // A file: hashed once, streamed from disk on every attempt.
/// client.put("/backups/today").body_stream(Body::file("/var/backups/today.tar")).send().await?;
///
/// // Any byte stream or `AsyncRead` (read once): spooled to a temporary file while hashed.
/// let reader = tokio::io::repeat(0).take(1 << 30);
/// # use tokio::io::AsyncReadExt as _;
/// client.post("/upload").body_stream(Body::reader(reader)).send().await?;
/// # Ok(()) }
/// ```
pub struct Body {
    pub(crate) source: Source,
}

pub(crate) enum Source {
    Bytes(Bytes),
    #[cfg(not(target_arch = "wasm32"))]
    File(std::path::PathBuf),
    #[cfg(not(target_arch = "wasm32"))]
    Reader(std::pin::Pin<Box<dyn tokio::io::AsyncRead + Send>>),
}

impl core::fmt::Debug for Body {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.source {
            Source::Bytes(b) => write!(f, "Body::Bytes({} bytes)", b.len()),
            #[cfg(not(target_arch = "wasm32"))]
            Source::File(p) => write!(f, "Body::File({})", p.display()),
            #[cfg(not(target_arch = "wasm32"))]
            Source::Reader(_) => f.write_str("Body::Reader"),
        }
    }
}

impl Body {
    /// These bytes, sent and signed exactly as given.
    pub fn bytes(bytes: impl Into<Bytes>) -> Self {
        Body {
            source: Source::Bytes(bytes.into()),
        }
    }

    /// The contents of the file at `path`, read when the call is sent: hashed once, then
    /// streamed from disk by each attempt (the file must not change meanwhile).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn file(path: impl Into<std::path::PathBuf>) -> Self {
        Body {
            source: Source::File(path.into()),
        }
    }

    /// Everything `reader` yields, read once when the call is sent: hashed while it is spooled
    /// to a temporary file, which each attempt sends.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn reader(reader: impl tokio::io::AsyncRead + Send + 'static) -> Self {
        Body {
            source: Source::Reader(Box::pin(reader)),
        }
    }

    /// Every chunk `stream` yields, read once when the call is sent (as [`Body::reader`]); an
    /// error from the stream fails the call (`invalid_request`) before anything is sent.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn stream<S, B, E>(stream: S) -> Self
    where
        S: futures_core::Stream<Item = Result<B, E>> + Send + 'static,
        B: bytes::Buf + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        use futures_util::TryStreamExt as _;
        let stream = stream.map_err(|e| std::io::Error::other(e.into()));
        Body::reader(tokio_util::io::StreamReader::new(stream))
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Body::bytes(bytes)
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body::bytes(bytes)
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body::bytes(text)
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Self {
        Body::bytes(bytes)
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Self {
        Body::bytes(text)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::fs::File;
    use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
    use std::sync::{Arc, Mutex};

    use bytes::BytesMut;
    use sigwire_core::signing::{BodyDigest, BodyHasher};
    use sigwire_core::Algorithm;
    use tokio::io::AsyncReadExt as _;

    use super::{Prepared, Source};
    use crate::error::Error;

    /// How much is read or sent at a time.
    const CHUNK: usize = 64 * 1024;

    /// A body on disk (the caller's file, or the spool), hashed; each attempt sends it from the
    /// start. The handle is shared by the attempts of one call, which run one after another.
    #[derive(Debug, Clone)]
    pub(crate) struct Spooled {
        file: Arc<Mutex<File>>,
        digest: Arc<BodyDigest>,
    }

    impl Spooled {
        /// The digest computed when the body was read.
        pub(crate) fn digest(&self) -> &BodyDigest {
            &self.digest
        }

        /// The body's length in bytes.
        pub(crate) fn len(&self) -> u64 {
            self.digest.len()
        }

        /// The body from its first byte, as a request body of exactly [`len`](Self::len) bytes.
        pub(crate) fn to_request_body(&self) -> Result<reqwest::Body, Error> {
            let file = {
                let mut shared = self.file.lock().map_err(|_| spool_error("lock"))?;
                shared
                    .seek(SeekFrom::Start(0))
                    .map_err(|e| spool_error(&e.to_string()))?;
                shared
                    .try_clone()
                    .map_err(|e| spool_error(&e.to_string()))?
            };
            let total = self.len();
            let state = (file, 0u64);
            let stream = futures_util::stream::unfold(state, move |(mut file, sent)| async move {
                if sent >= total {
                    return None;
                }
                let want = usize::try_from(total - sent).map_or(CHUNK, |r| r.min(CHUNK));
                let mut buf = BytesMut::zeroed(want);
                // Page-cache reads of 64 KiB: microseconds, cheaper than a thread hop.
                match file.read(&mut buf) {
                    Ok(0) => Some((
                        Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "the body file is shorter than when it was hashed",
                        )),
                        (file, total),
                    )),
                    Ok(n) => {
                        buf.truncate(n);
                        Some((Ok(buf.freeze()), (file, sent + n as u64)))
                    }
                    Err(e) => Some((Err(e), (file, total))),
                }
            });
            Ok(reqwest::Body::wrap_stream(stream))
        }
    }

    fn spool_error(message: &str) -> Error {
        Error::invalid(format!("cannot read the request body: {message}"))
    }

    /// Reads a non-memory body once: hashes a file in place, or spools a reader to an unnamed
    /// temporary file while hashing it. Memory stays at one chunk.
    pub(crate) async fn prepare(source: Source, algorithm: Algorithm) -> Result<Prepared, Error> {
        match source {
            Source::Bytes(bytes) => Ok(Prepared::Bytes(bytes)),
            Source::File(path) => {
                let hashed = tokio::task::spawn_blocking(move || {
                    let mut file = File::open(&path)
                        .map_err(|e| spool_error(&format!("{}: {e}", path.display())))?;
                    let mut hasher = BodyHasher::new(algorithm);
                    let mut buf = vec![0u8; CHUNK];
                    loop {
                        let n = file
                            .read(&mut buf)
                            .map_err(|e| spool_error(&e.to_string()))?;
                        if n == 0 {
                            break;
                        }
                        hasher.update(&buf[..n]);
                    }
                    Ok::<_, Error>((file, hasher.finish()))
                })
                .await
                .map_err(|e| spool_error(&e.to_string()))??;
                Ok(spooled(hashed.0, hashed.1))
            }
            Source::Reader(mut reader) => {
                let mut file = tempfile::tempfile().map_err(|e| spool_error(&e.to_string()))?;
                let mut hasher = BodyHasher::new(algorithm);
                let mut buf = vec![0u8; CHUNK];
                loop {
                    let n = reader
                        .read(&mut buf)
                        .await
                        .map_err(|e| spool_error(&e.to_string()))?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buf[..n]);
                    file.write_all(&buf[..n])
                        .map_err(|e| spool_error(&e.to_string()))?;
                }
                file.flush().map_err(|e| spool_error(&e.to_string()))?;
                Ok(spooled(file, hasher.finish()))
            }
        }
    }

    fn spooled(file: File, digest: BodyDigest) -> Prepared {
        Prepared::Spooled(Spooled {
            file: Arc::new(Mutex::new(file)),
            digest: Arc::new(digest),
        })
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    //! Streamed bodies against the reference server (which spools past 1 MiB and verifies by
    //! the digest): reader, stream and file, a retry re-sent from the spool, a failing stream.
    #![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report
    use std::time::Duration;

    use sigwire_server::reference::{Fault, ReferenceServer, RunningServer};

    use super::*;
    use crate::{Algorithm, Client, RetryPolicy};

    const KEY: &str = "stream-client";
    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const LEN: usize = 3 * 1024 * 1024 + 17;

    async fn server() -> RunningServer {
        ReferenceServer::builder()
            .key(KEY, SECRET.to_vec())
            .body_limit(16 * 1024 * 1024)
            .spawn()
            .await
            .unwrap()
    }

    fn client(server: &RunningServer, algorithm: Algorithm) -> Client {
        Client::builder()
            .base_url(&server.base_url())
            .credentials(KEY, SECRET.to_vec())
            .algorithm(algorithm)
            .retry(
                RetryPolicy::default()
                    .max_attempts(3)
                    .base_delay(Duration::from_millis(5))
                    .max_delay(Duration::from_millis(20)),
            )
            .build()
            .unwrap()
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 251) as u8).collect()
    }

    fn body_len(response: &crate::Response) -> u64 {
        let v: serde_json::Value = response.json().unwrap();
        assert_eq!(v["key_id"], KEY, "{v}");
        v["body_len"].as_u64().unwrap()
    }

    #[tokio::test]
    async fn a_reader_is_spooled_signed_by_digest_and_verified() {
        let server = server().await;
        for algorithm in [Algorithm::HmacSha256, Algorithm::HmacSha512] {
            let reader = std::io::Cursor::new(pattern(LEN));
            let response = client(&server, algorithm)
                .post("/upload")
                .header("content-type", "application/octet-stream")
                .body_stream(Body::reader(reader))
                .send()
                .await
                .unwrap();
            assert_eq!(body_len(&response), LEN as u64);
        }
    }

    #[tokio::test]
    async fn a_stream_and_a_file_are_sent_whole() {
        let server = server().await;
        let chunks: Vec<Result<Bytes, std::io::Error>> = pattern(LEN)
            .chunks(7_777)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let c = client(&server, Algorithm::HmacSha256);
        let response = c
            .put("/upload")
            .body_stream(Body::stream(futures_util::stream::iter(chunks)))
            .send()
            .await
            .unwrap();
        assert_eq!(body_len(&response), LEN as u64);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("body.bin");
        std::fs::write(&path, pattern(LEN)).unwrap();
        let response = c
            .put("/upload")
            .body_stream(Body::file(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(body_len(&response), LEN as u64);
        // A small body from a reader is still a valid request (not spooled by the server).
        let response = c
            .post("/small")
            .body_stream(Body::reader(std::io::Cursor::new(b"hello".to_vec())))
            .send()
            .await
            .unwrap();
        assert_eq!(body_len(&response), 5);
    }

    #[tokio::test]
    async fn a_retry_resends_the_spool_and_re_signs() {
        let server = server().await;
        server
            .controls()
            .push_fault("/retry", Fault::unavailable(Some("0")), 1);
        let response = client(&server, Algorithm::HmacSha256)
            .put("/retry")
            .body_stream(Body::reader(std::io::Cursor::new(pattern(LEN))))
            .send()
            .await
            .unwrap();
        assert_eq!(response.attempts(), 2);
        assert_eq!(body_len(&response), LEN as u64);
        let nonces: Vec<String> = server
            .controls()
            .requests()
            .into_iter()
            .filter(|r| r.path == "/retry")
            .filter_map(|r| r.nonce)
            .collect();
        assert_eq!(nonces.len(), 2);
        assert_ne!(nonces[0], nonces[1], "each attempt is signed afresh");
    }

    #[tokio::test]
    async fn an_unreadable_body_fails_before_sending() {
        let server = server().await;
        let failing = futures_util::stream::iter(vec![
            Ok(Bytes::from_static(b"part")),
            Err(std::io::Error::other("disk gone")),
        ]);
        let e = client(&server, Algorithm::HmacSha256)
            .post("/x")
            .body_stream(Body::stream(failing))
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), "invalid_request");
        let e = client(&server, Algorithm::HmacSha256)
            .post("/x")
            .body_stream(Body::file("/nonexistent/sigwire-body"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(e.kind(), "invalid_request");
        assert!(server.controls().requests().is_empty());
    }

    /// `Vm…` figure of this process, KiB (Linux `/proc/self/status`).
    fn status_kib(field: &str) -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// Nanoseconds this thread has run on a CPU (Linux `/proc/thread-self/schedstat`), so the
    /// hashing speed is measured like `openssl speed` (CPU time), whatever else the machine runs.
    fn thread_cpu_ns() -> Option<u64> {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }

    /// The client side of `scripts/bench.d/stream.sh` (and of the CI memory check in
    /// `scripts/ci/rust.sh`), against a separate `sigwire-server` process:
    /// `SIGWIRE_STREAM_URL` (serving [`KEY`] with [`SECRET`]) and `SIGWIRE_STREAM_BYTES`. Sends that many bytes from an `AsyncRead` (readable once, so
    /// spooled while hashed) and prints one `STREAM` line: this process's resident memory before
    /// and at its peak (after resetting the peak), the upload time, and the in-memory hashing
    /// speed of [`BodyHasher`](sigwire_core::signing::BodyHasher) over the same number of bytes
    /// (per CPU second, as `openssl speed` counts, and per wall-clock second).
    #[tokio::test]
    #[ignore = "driven by scripts/bench.d/stream.sh against a sigwire-server process"]
    async fn stream_upload_driver() {
        use tokio::io::AsyncReadExt as _;
        let env = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("set {name}"));
        let url = env("SIGWIRE_STREAM_URL");
        let bytes: u64 = env("SIGWIRE_STREAM_BYTES").parse().unwrap();

        // Hashing speed in memory, 64 KiB at a time (what the spool and the server do).
        let chunk = vec![0x5a_u8; 64 * 1024];
        let mut hasher = sigwire_core::signing::BodyHasher::new(Algorithm::HmacSha256);
        let started = std::time::Instant::now();
        let cpu_started = thread_cpu_ns();
        // (Skipped in the CI memory check, where a debug build makes the figure meaningless.)
        let mut left = if std::env::var_os("SIGWIRE_STREAM_SKIP_HASH").is_some() {
            0
        } else {
            bytes
        };
        while left > 0 {
            let n = usize::try_from(left).map_or(chunk.len(), |l| l.min(chunk.len()));
            hasher.update(&chunk[..n]);
            left -= n as u64;
        }
        let hashed = hasher.finish().len();
        let hash_seconds = started.elapsed().as_secs_f64();
        let hash_cpu_seconds = match (cpu_started, thread_cpu_ns()) {
            (Some(a), Some(b)) => b.saturating_sub(a) as f64 / 1e9,
            _ => hash_seconds,
        };

        let client = Client::builder()
            .base_url(&url)
            .credentials(KEY, SECRET.to_vec())
            .attempt_timeout(Duration::from_secs(900))
            .total_timeout(Duration::from_secs(900))
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        // Reset this process's peak (Linux: 5 → clear_refs resets VmHWM), then measure from here.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let baseline = status_kib("VmRSS");
        let started = std::time::Instant::now();
        let response = client
            .post("/upload")
            .header("content-type", "application/octet-stream")
            .body_stream(Body::reader(tokio::io::repeat(b'x').take(bytes)))
            .send()
            .await
            .unwrap();
        let upload_seconds = started.elapsed().as_secs_f64();
        assert_eq!(body_len(&response), bytes);
        let peak = status_kib("VmHWM");
        let mb = bytes as f64 / 1e6;
        println!(
            "STREAM client_baseline_kib={baseline} client_peak_kib={peak} client_extra_kib={} \
             upload_seconds={upload_seconds:.3} upload_mb_s={:.1} hash_mb_s={:.1} \
             hash_wall_mb_s={:.1}",
            peak.saturating_sub(baseline),
            mb / upload_seconds,
            hashed as f64 / 1e6 / hash_cpu_seconds.max(1e-9),
            hashed as f64 / 1e6 / hash_seconds.max(1e-9),
        );
    }
}
