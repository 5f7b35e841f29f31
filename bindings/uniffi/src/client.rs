//! [`HttpClient`]: the `sigwire-client` HTTP runtime (retries, clock-skew correction, safe
//! redirects), every attempt signed by the core.
//!
//! [`HttpClient::with_profile`] builds the same client signing with a signing profile instead
//! ([`ClientProfile`]: an exchange preset, AWS SigV4 or RFC 9421), as Rust's
//! `ClientBuilder::profile`, Python's `Client(base_url, profile=...)` and Node's
//! `new Client({ baseUrl, profile })` do.
//!
//! Thin like the rest of the crate: options become a [`sigwire_client::ClientBuilder`], a call runs
//! on a tokio runtime owned by the library (created on first use, 2 worker threads) and the
//! calling thread blocks until it ends. Errors are mapped once, by `From<sigwire_client::Error>`
//! for [`SigwireError`].

use std::fmt;
use std::sync::{mpsc, Arc, OnceLock};
use std::time::Duration;

use sigwire_client::{Algorithm, Client, Error as ClientError, Method, RetryPolicy};
use sigwire_core::{Error, ErrorCode};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;

use crate::error::SigwireError;
use crate::profiles::{AwsSigV4Signer, ExchangeSigner, Rfc9421Signer};
use crate::request::Header;

/// The runtime every [`HttpClient`] call runs on.
static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The shared runtime, created on first use (multi-thread, 2 workers).
fn runtime() -> Result<&'static Runtime, SigwireError> {
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("sigwire-http")
        .enable_all()
        .build()
        .map_err(|e| transport(format!("cannot start the HTTP runtime: {e}"), 0))?;
    // Another thread may have won the race: its runtime is used, this one is dropped.
    Ok(RUNTIME.get_or_init(|| rt))
}

fn transport(detail: String, attempts: u32) -> SigwireError {
    SigwireError::Transport {
        code: "transport".to_owned(),
        detail,
        server_time: None,
        attempts,
    }
}

/// Options of an [`HttpClient`]. Durations are milliseconds; `None` keeps the client's default
/// (connect 10 s, attempt 30 s, total 60 s; 3 attempts, 100 ms base delay, 5 s maximum delay).
///
/// The secret is not part of the options: it is passed to the [`HttpClient`] constructor, so
/// printing the options can never show it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpClientOptions {
    /// The base URL (`http` or `https`, no query), e.g. `https://api.example.com/v1`.
    pub base_url: String,
    /// The key id (`sigwire-v1`). Leave it empty for [`HttpClient::with_profile`]: a profile
    /// carries its own credentials.
    #[uniffi(default = "")]
    pub key_id: String,
    /// `"hmac-sha256"` (default) or `"hmac-sha512"`.
    #[uniffi(default = "hmac-sha256")]
    pub algorithm: String,
    /// Headers sent on every request (a request's own header of the same name replaces them).
    #[uniffi(default)]
    pub default_headers: Vec<Header>,
    /// Extra header names to sign after `host` (and `content-type`), e.g. `x-request-id`; a
    /// request that lacks one of them fails with `invalid_request`.
    #[uniffi(default)]
    pub signed_headers: Vec<String>,
    /// Limit on establishing a connection, in milliseconds.
    #[uniffi(default)]
    pub connect_timeout_ms: Option<u64>,
    /// Limit on one attempt (send, redirects, whole body), in milliseconds.
    #[uniffi(default)]
    pub attempt_timeout_ms: Option<u64>,
    /// Limit on the whole call, retries and backoff sleeps included, in milliseconds.
    #[uniffi(default)]
    pub total_timeout_ms: Option<u64>,
    /// Attempts in all, the first included (at least 1; 1 disables retries).
    #[uniffi(default)]
    pub max_attempts: Option<u32>,
    /// The backoff's base delay, in milliseconds (full jitter, doubling per retry).
    #[uniffi(default)]
    pub base_delay_ms: Option<u64>,
    /// The largest backoff delay, in milliseconds.
    #[uniffi(default)]
    pub max_delay_ms: Option<u64>,
    /// Which headers are signed: `"listed"` (default: host, content-type and `signed_headers`) or
    /// `"all-end-to-end"` (also every other header present, hop-by-hop ones excluded; headers
    /// the transport adds at send time are not among them). Anything else: `invalid_config`.
    #[uniffi(default = "listed")]
    pub signed_header_policy: String,
}

/// A successful response (status below 400), body read whole.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers in received order (names lowercase; repeats kept).
    pub headers: Vec<Header>,
    /// The body bytes.
    pub body: Vec<u8>,
    /// Attempts the call took (1 when the first attempt succeeded).
    pub attempts: u32,
}

/// The signing profile of an [`HttpClient`] built with [`HttpClient::with_profile`]: one of the
/// profile signers, which keeps its credentials (Kotlin `ClientProfile.Exchange(signer)`, Swift
/// `.exchange(signer:)`).
#[derive(uniffi::Enum)]
pub enum ClientProfile {
    /// An exchange preset: Binance, Coinbase, OKX or Bybit. Kraken is refused with
    /// `InvalidConfig`: its nonce lives inside the body, which the client does not build.
    Exchange {
        /// The preset's signer.
        signer: Arc<ExchangeSigner>,
    },
    /// AWS Signature Version 4 in headers (the body's SHA-256 as payload hash).
    AwsSigV4 {
        /// The SigV4 signer (credentials, region, service, S3 rules).
        signer: Arc<AwsSigV4Signer>,
    },
    /// RFC 9421 HTTP Message Signatures: `created` from the corrected clock and a fresh `nonce`
    /// on every attempt.
    Rfc9421 {
        /// The RFC 9421 signer (key, label, components).
        signer: Arc<Rfc9421Signer>,
    },
}

/// An HTTP client that signs every attempt with `sigwire-v1` (Rust `sigwire-client`), or with a
/// signing profile ([`HttpClient::with_profile`]).
///
/// Retries connection errors, attempt timeouts, 408, 429 and 5xx with exponential backoff, for
/// idempotent methods always and for `POST`/`PATCH` only with an `Idempotency-Key` (generated
/// once per call and reused). Corrects the signing clock from the server's time. Follows
/// redirects, never sending `Authorization` to another origin. Thread-safe; share one instance.
///
/// The secret stays in Rust memory (zeroed on drop) and never appears in `toString()` /
/// `description` or any error.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct HttpClient {
    inner: Client,
}

impl fmt::Display for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.inner.key_id().is_empty() {
            // A profile client: the profile's name only, never its credentials.
            return write!(
                f,
                "HttpClient(baseUrl={}, profile={})",
                self.inner.base_url(),
                self.inner.scheme()
            );
        }
        write!(
            f,
            "HttpClient(baseUrl={}, keyId={}, secret=<redacted>)",
            self.inner.base_url(),
            self.inner.key_id()
        )
    }
}

fn millis(value: Option<u64>) -> Option<Duration> {
    value.map(Duration::from_millis)
}

fn config(message: impl Into<String>) -> SigwireError {
    Error::new(ErrorCode::InvalidConfig, message.into()).into()
}

/// The options every client shares (base URL, headers, timeouts, retries) applied to `builder`,
/// which already holds how it signs; then the client.
fn build(
    mut builder: sigwire_client::ClientBuilder,
    options: &HttpClientOptions,
) -> Result<Arc<HttpClient>, SigwireError> {
    builder = builder.base_url(&options.base_url);
    for header in &options.default_headers {
        builder = builder.default_header(&header.name, &header.value);
    }
    if !options.signed_headers.is_empty() {
        // A profile client refuses them (`InvalidConfig`, from the Rust builder).
        builder = builder.signed_headers(options.signed_headers.iter().cloned());
    }
    if let Some(limit) = millis(options.connect_timeout_ms) {
        builder = builder.connect_timeout(limit);
    }
    if let Some(limit) = millis(options.attempt_timeout_ms) {
        builder = builder.attempt_timeout(limit);
    }
    if let Some(limit) = millis(options.total_timeout_ms) {
        builder = builder.total_timeout(limit);
    }
    let mut retry = RetryPolicy::default();
    if let Some(n) = options.max_attempts {
        retry = retry.max_attempts(n);
    }
    if let Some(delay) = millis(options.base_delay_ms) {
        retry = retry.base_delay(delay);
    }
    if let Some(delay) = millis(options.max_delay_ms) {
        retry = retry.max_delay(delay);
    }
    let inner = builder.retry(retry).build()?;
    Ok(Arc::new(HttpClient { inner }))
}

#[uniffi::export]
impl HttpClient {
    /// A client for `options` signing with `secret` (at least 16 bytes).
    ///
    /// Errors: `InvalidConfig` (bad base URL or default header), `InvalidKeyId`, `InvalidSecret`,
    /// `UnsupportedAlgorithm`.
    #[uniffi::constructor]
    pub fn new(options: HttpClientOptions, secret: Vec<u8>) -> Result<Arc<Self>, SigwireError> {
        let algorithm: Algorithm = options.algorithm.parse()?;
        let builder = Client::builder()
            .credentials(&options.key_id, secret)
            .algorithm(algorithm)
            .signed_header_policy(options.signed_header_policy.parse()?);
        build(builder, &options)
    }

    /// A client for `options` signing every attempt with `profile` instead of `sigwire-v1`,
    /// with the same retries, re-signing per attempt, clock correction from the server's
    /// `X-Sigwire-Server-Time` / `Date`, and redirect policy.
    ///
    /// Kotlin: `HttpClient.withProfile(HttpClientOptions(baseUrl = url),
    /// ClientProfile.Exchange(ExchangeSigner("binance", apiKey, secret, null)))`.
    ///
    /// The options that belong to `sigwire-v1` must keep their defaults (`key_id` empty,
    /// `algorithm`, `signed_headers`, `signed_header_policy`): the profile decides what it signs
    /// and with which key. Errors: `InvalidConfig` (one of those options set, a Kraken signer, a
    /// bad base URL or default header).
    #[uniffi::constructor]
    pub fn with_profile(
        options: HttpClientOptions,
        profile: ClientProfile,
    ) -> Result<Arc<Self>, SigwireError> {
        let v1_only = [
            ("keyId", !options.key_id.is_empty()),
            ("algorithm", options.algorithm != "hmac-sha256"),
            (
                "signedHeaderPolicy",
                options.signed_header_policy != "listed",
            ),
        ];
        if let Some((name, _)) = v1_only.iter().find(|(_, set)| *set) {
            return Err(config(format!(
                "{name} applies to sigwire-v1; a profile client signs with the profile's own \
                 credentials and components (leave {name} at its default)"
            )));
        }
        let builder = Client::builder();
        let builder = match &profile {
            ClientProfile::Exchange { signer } => signer.client_profile(builder).map_err(config)?,
            ClientProfile::AwsSigV4 { signer } => signer.client_profile(builder),
            ClientProfile::Rfc9421 { signer } => signer.client_profile(builder),
        };
        build(builder, &options)
    }

    /// Sends `method path` (resolved under the base URL; an absolute URL of another origin is
    /// sent unsigned) with `query` pairs (percent-encoded), `headers`, `body` and, for
    /// `POST`/`PATCH`, an optional `idempotency_key` (otherwise one is generated when retries
    /// are on). Blocks the calling thread until the call ends (run it off the UI thread, or use
    /// `request_async`).
    ///
    /// `sign = false` sends the call without signing it (like Python's `sign=False` and Node's
    /// `{ sign: false }`): no `Authorization` on any attempt, everything else — base URL, default
    /// headers, retries, timeouts, redirect rules — unchanged. For endpoints that take no
    /// signature, such as a public health check.
    ///
    /// Errors: `HttpStatus` (4xx/5xx), the variant of the server's code when it rejects the
    /// signature, `Timeout`, `Connect`, `Transport`, `ClockSkewTooLarge`, `TooManyRedirects`,
    /// `InvalidRequest` (bad method, header, path or query).
    // One argument per keyword of Python's `request(...)`; Kotlin and Swift see named defaults.
    #[allow(clippy::too_many_arguments)]
    #[uniffi::method(default(query = [], headers = [], body = None, idempotency_key = None, sign = true))]
    pub fn request(
        &self,
        method: String,
        path: String,
        query: Vec<Header>,
        headers: Vec<Header>,
        body: Option<Vec<u8>>,
        idempotency_key: Option<String>,
        sign: bool,
    ) -> Result<HttpResponse, SigwireError> {
        let builder = self.prepare(
            &method,
            &path,
            &query,
            &headers,
            body,
            idempotency_key,
            sign,
        )?;
        let (tx, rx) = mpsc::sync_channel(1);
        runtime()?.spawn(async move {
            // The receiver is gone only if the caller's thread died: nothing to report to.
            let _ = tx.send(builder.send().await);
        });
        // A panic inside the call drops the sender without a value.
        let response = rx
            .recv()
            .map_err(|_| transport("the HTTP call was aborted".to_owned(), 0))??;
        Ok(response_of(response))
    }

    /// `request` without blocking: a Kotlin `suspend fun` / Swift `async` function with the same
    /// arguments (`sign = false` included), results and errors.
    ///
    /// Cancelling the caller (Kotlin coroutine cancellation, Swift task cancellation) aborts the
    /// call in Rust: the connection is dropped and no further attempt is made.
    // One argument per keyword of Python's `request(...)`; Kotlin and Swift see named defaults.
    #[allow(clippy::too_many_arguments)]
    #[uniffi::method(default(query = [], headers = [], body = None, idempotency_key = None, sign = true))]
    pub async fn request_async(
        &self,
        method: String,
        path: String,
        query: Vec<Header>,
        headers: Vec<Header>,
        body: Option<Vec<u8>>,
        idempotency_key: Option<String>,
        sign: bool,
    ) -> Result<HttpResponse, SigwireError> {
        let builder = self.prepare(
            &method,
            &path,
            &query,
            &headers,
            body,
            idempotency_key,
            sign,
        )?;
        // The call runs on the library's runtime (reqwest needs tokio; the foreign side polls
        // this future from its own threads). Dropping this future aborts the task.
        let mut task = AbortOnDrop(runtime()?.spawn(builder.send()));
        let response = (&mut task.0)
            .await
            .map_err(|_| transport("the HTTP call was aborted".to_owned(), 0))??;
        Ok(response_of(response))
    }

    /// How this client signs: `"sigwire-v1"`, or the profile's name (`"binance"`, `"aws-sigv4"`,
    /// `"rfc9421"`, …).
    pub fn scheme(&self) -> String {
        self.inner.scheme().to_owned()
    }

    /// The clock offset to the server now applied when signing (server − local, seconds).
    pub fn clock_offset(&self) -> i64 {
        self.inner.clock_offset()
    }
}

impl HttpClient {
    /// The request builder for one call: method, path, query, headers, body, idempotency key and
    /// whether to sign it.
    #[allow(clippy::too_many_arguments)]
    fn prepare(
        &self,
        method: &str,
        path: &str,
        query: &[Header],
        headers: &[Header],
        body: Option<Vec<u8>>,
        idempotency_key: Option<String>,
        sign: bool,
    ) -> Result<sigwire_client::RequestBuilder, SigwireError> {
        let method = Method::from_bytes(method.as_bytes()).map_err(|_| {
            SigwireError::from(Error::new(
                ErrorCode::InvalidRequest,
                format!("invalid HTTP method {method:?}"),
            ))
        })?;
        let mut builder = self
            .inner
            .request(method, path)
            .query(query.iter().map(|q| (&q.name, &q.value)));
        for header in headers {
            builder = builder.header(header.name.as_str(), header.value.as_str());
        }
        if let Some(body) = body {
            builder = builder.body(body);
        }
        if let Some(key) = idempotency_key {
            builder = builder.idempotency_key(&key);
        }
        if !sign {
            builder = builder.unsigned();
        }
        Ok(builder)
    }
}

/// A spawned call that is aborted when its awaiting future is dropped (cancellation).
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn response_of(response: sigwire_client::Response) -> HttpResponse {
    HttpResponse {
        status: response.status().as_u16(),
        headers: headers_of(response.headers()),
        body: response.bytes().to_vec(),
        attempts: response.attempts(),
    }
}

fn headers_of(map: &sigwire_client::HeaderMap) -> Vec<Header> {
    map.iter()
        .map(|(name, value)| Header {
            name: name.as_str().to_owned(),
            value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
        })
        .collect()
}

/// The one mapping of client errors. Messages never hold the secret or `Authorization`.
impl From<ClientError> for SigwireError {
    fn from(e: ClientError) -> Self {
        let detail = e.to_string();
        match e {
            ClientError::Config { message } => Error::new(ErrorCode::InvalidConfig, message).into(),
            ClientError::InvalidRequest { message } => {
                Error::new(ErrorCode::InvalidRequest, message).into()
            }
            ClientError::Sign(core) => core.into(),
            ClientError::Timeout { kind, attempts } => SigwireError::Timeout {
                code: "timeout".to_owned(),
                detail,
                server_time: None,
                kind: kind.as_str().to_owned(),
                attempts,
            },
            ClientError::Connect { attempts, .. } => SigwireError::Connect {
                code: "connect".to_owned(),
                detail,
                server_time: None,
                attempts,
            },
            ClientError::Transport { attempts, .. } => transport(detail, attempts),
            ClientError::Status {
                status,
                headers,
                body,
                attempts,
                ..
            } => SigwireError::HttpStatus {
                code: "http_status".to_owned(),
                detail,
                server_time: None,
                status: status.as_u16(),
                body: body.to_vec(),
                headers: headers
                    .iter()
                    .map(|(name, value)| Header {
                        name: name.as_str().to_owned(),
                        value: value.as_bytes().iter().map(|&c| char::from(c)).collect(),
                    })
                    .collect(),
                attempts,
            },
            ClientError::SignatureRejected {
                code, server_time, ..
            } => match ErrorCode::from_code(&code) {
                Some(known) => {
                    let core = Error::new(known, detail);
                    match server_time {
                        Some(t) => core.with_server_time(t).into(),
                        None => core.into(),
                    }
                }
                None => SigwireError::Other {
                    code,
                    detail,
                    server_time,
                },
            },
            ClientError::ClockSkewTooLarge {
                offset_seconds,
                max_seconds,
            } => SigwireError::ClockSkewTooLarge {
                code: "clock_skew_too_large".to_owned(),
                detail,
                server_time: None,
                offset_seconds,
                max_seconds,
            },
            ClientError::TooManyRedirects { limit } => SigwireError::TooManyRedirects {
                code: "too_many_redirects".to_owned(),
                detail,
                server_time: None,
                limit: u32::try_from(limit).unwrap_or(u32::MAX),
            },
            // Decode and any variant added later: not raised by `request` (the body is returned
            // as bytes); reported with the client's own kind as the code.
            other => SigwireError::Other {
                code: other.kind().to_owned(),
                detail,
                server_time: None,
            },
        }
    }
}
