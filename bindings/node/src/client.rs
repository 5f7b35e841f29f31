//! N-API binding of `sigwire-client`: the HTTP client that signs every attempt.
//!
//! Thin like the rest of the crate: options are converted into a [`sigwire_client::ClientBuilder`],
//! calls run on napi's tokio runtime and resolve a Promise. A call's Promise always resolves to a
//! [`NativeOutcome`] — either `response` or `error` set — so the JavaScript layer maps the typed
//! client error (with the body bytes of an HTTP error) in one place (`sdk-node/lib/errors.js`).

use std::time::Duration;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use sigwire_client::{Client, ClientBuilder, Error as ClientError, HeaderMap, Method, RetryPolicy};

/// Client options (the secret is passed separately, as bytes). Durations are milliseconds; for
/// the three timeouts a negative value means "no limit" and `undefined` the client's default.
#[napi(object)]
pub struct NativeClientOptions {
    /// Base URL, e.g. `https://api.example.com/v1`.
    pub base_url: String,
    /// Key id (`sigwire-v1`; absent for a client built by a profile's `createClient`).
    pub key_id: Option<String>,
    /// `hmac-sha256` (default) or `hmac-sha512`.
    pub algorithm: Option<String>,
    /// Default headers, flat `[name, value, name, value, …]`.
    pub default_headers: Option<Vec<String>>,
    /// Extra header names signed on every request.
    pub signed_headers: Option<Vec<String>>,
    /// `listed` (default) or `all-end-to-end`: also sign every other header present.
    pub signed_header_policy: Option<String>,
    /// More header names dropped on a redirect to another origin (besides the default list).
    pub sensitive_headers: Option<Vec<String>>,
    /// Connect timeout.
    pub connect_ms: Option<f64>,
    /// Attempt timeout.
    pub attempt_ms: Option<f64>,
    /// Total timeout.
    pub total_ms: Option<f64>,
    /// Attempts in all (at least 1).
    pub max_attempts: Option<u32>,
    /// Backoff base delay.
    pub base_delay_ms: Option<f64>,
    /// Backoff maximum delay.
    pub max_delay_ms: Option<f64>,
    /// Cap on an honoured `Retry-After`.
    pub max_retry_after_ms: Option<f64>,
    /// Generate an `Idempotency-Key` for `POST`/`PATCH` (default true).
    pub idempotency_keys: Option<bool>,
    /// Redirects followed per attempt.
    pub max_redirects: Option<u32>,
    /// Clock-skew correction on/off (default on).
    pub clock_skew_correction: Option<bool>,
    /// Largest corrected offset, in seconds.
    pub max_clock_skew_seconds: Option<f64>,
    /// `User-Agent`.
    pub user_agent: Option<String>,
}

/// A successful response (status below 400).
#[napi(object)]
pub struct NativeResponse {
    /// Status code.
    pub status: u32,
    /// Headers, flat `[name, value, …]` (names lowercase).
    pub headers: Vec<String>,
    /// Body bytes.
    pub body: Buffer,
    /// The URL that answered (after redirects).
    pub url: String,
    /// Attempts the call took.
    pub attempts: u32,
}

/// A typed client error, as data (never holds the secret or the `Authorization` value).
#[napi(object)]
pub struct NativeClientError {
    /// `sigwire_client::Error::kind()`: `config`, `invalid_request`, `sign`, `timeout`, `connect`,
    /// `transport`, `http_status`, `signature_rejected`, `clock_skew_too_large`,
    /// `too_many_redirects`, `decode`.
    pub kind: String,
    /// Human-readable message.
    pub message: String,
    /// Machine code: the server's for `signature_rejected`, the core's for `sign`.
    pub code: Option<String>,
    /// HTTP status (`http_status`, `signature_rejected`).
    pub status: Option<u32>,
    /// Attempts made, where counted.
    pub attempts: Option<u32>,
    /// `connect`, `attempt` or `total` for `timeout`.
    pub timeout_kind: Option<String>,
    /// The server's clock (`signature_rejected`, when sent).
    pub server_time: Option<f64>,
    /// Server − local seconds (`clock_skew_too_large`).
    pub offset_seconds: Option<f64>,
    /// The configured maximum (`clock_skew_too_large`).
    pub max_seconds: Option<f64>,
    /// The redirect limit (`too_many_redirects`).
    pub limit: Option<u32>,
    /// Response body (`http_status`).
    pub body: Option<Buffer>,
    /// Response headers, flat (`http_status`).
    pub headers: Option<Vec<String>>,
}

/// What a call's Promise resolves to: exactly one of the two is set.
#[napi(object)]
pub struct NativeOutcome {
    /// The response.
    pub response: Option<NativeResponse>,
    /// The error.
    pub error: Option<NativeClientError>,
}

fn flat_headers(headers: &HeaderMap) -> Vec<String> {
    let mut out = Vec::with_capacity(headers.len() * 2);
    for (name, value) in headers {
        out.push(name.as_str().to_owned());
        out.push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    out
}

fn error_data(e: ClientError) -> NativeClientError {
    let mut data = NativeClientError {
        kind: e.kind().to_owned(),
        message: e.to_string(),
        code: e.error_code().map(|c| c.as_str().to_owned()),
        status: e.status().map(|s| u32::from(s.as_u16())),
        attempts: e.attempts(),
        timeout_kind: e.timeout_kind().map(|k| k.as_str().to_owned()),
        server_time: None,
        offset_seconds: None,
        max_seconds: None,
        limit: None,
        body: e.body().map(|b| Buffer::from(b.to_vec())),
        headers: None,
    };
    match &e {
        ClientError::SignatureRejected {
            code, server_time, ..
        } => {
            data.code = Some(code.clone());
            data.server_time = server_time.map(|t| t as f64);
        }
        ClientError::Status { headers, .. } => data.headers = Some(flat_headers(headers)),
        ClientError::ClockSkewTooLarge {
            offset_seconds,
            max_seconds,
        } => {
            data.offset_seconds = Some(*offset_seconds as f64);
            data.max_seconds = Some(*max_seconds as f64);
        }
        ClientError::TooManyRedirects { limit } => data.limit = u32::try_from(*limit).ok(),
        _ => {}
    }
    data
}

fn failure(e: ClientError) -> NativeOutcome {
    NativeOutcome {
        response: None,
        error: Some(error_data(e)),
    }
}

fn config_error(message: impl Into<String>) -> ClientError {
    ClientError::Config {
        message: message.into(),
    }
}

/// Milliseconds → Duration (finite, ≥ 0, at most ~11 days × 10³; validated again in JavaScript).
fn millis(value: f64, what: &str) -> std::result::Result<Duration, ClientError> {
    if !value.is_finite() || !(0.0..=1e12).contains(&value) {
        return Err(config_error(format!(
            "{what} must be a non-negative number of milliseconds"
        )));
    }
    Ok(Duration::from_micros((value * 1000.0) as u64))
}

/// A timeout option: `None` keeps the default, negative means no limit.
fn limit(
    value: Option<f64>,
    what: &str,
) -> std::result::Result<Option<Option<Duration>>, ClientError> {
    match value {
        None => Ok(None),
        Some(v) if v < 0.0 => Ok(Some(None)),
        Some(v) => millis(v, what).map(|d| Some(Some(d))),
    }
}

fn pairs(flat: &[String], what: &str) -> std::result::Result<Vec<(String, String)>, ClientError> {
    if !flat.len().is_multiple_of(2) {
        return Err(ClientError::InvalidRequest {
            message: format!("{what} must be name/value pairs"),
        });
    }
    Ok(flat
        .chunks_exact(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect())
}

/// Builds a client from `options`, `auth` choosing how it signs: `sigwire-v1` credentials
/// ([`create_client`]) or a signing profile (`createClient` of the classes in `profiles.rs`).
pub(crate) fn build_with(
    options: NativeClientOptions,
    auth: impl FnOnce(ClientBuilder) -> std::result::Result<ClientBuilder, ClientError>,
) -> std::result::Result<Client, ClientError> {
    let mut b = auth(Client::builder().base_url(&options.base_url))?;
    if let Some(name) = &options.algorithm {
        let algorithm = sigwire_client::no_echo::algorithm(name).map_err(ClientError::Sign)?;
        b = b.algorithm(algorithm);
    }
    for (name, value) in pairs(
        options.default_headers.as_deref().unwrap_or_default(),
        "defaultHeaders",
    )? {
        b = b.default_header(&name, &value);
    }
    if let Some(names) = options.signed_headers {
        b = b.signed_headers(names);
    }
    if let Some(policy) = &options.signed_header_policy {
        b = b.signed_header_policy(policy.parse().map_err(ClientError::Sign)?);
    }
    if let Some(names) = options.sensitive_headers {
        b = b.sensitive_headers(names);
    }
    if let Some(l) = limit(options.connect_ms, "timeouts.connectMs")? {
        b = b.connect_timeout(l);
    }
    if let Some(l) = limit(options.attempt_ms, "timeouts.attemptMs")? {
        b = b.attempt_timeout(l);
    }
    if let Some(l) = limit(options.total_ms, "timeouts.totalMs")? {
        b = b.total_timeout(l);
    }
    let mut retry = RetryPolicy::default();
    if let Some(n) = options.max_attempts {
        retry = retry.max_attempts(n);
    }
    if let Some(ms) = options.base_delay_ms {
        retry = retry.base_delay(millis(ms, "retry.baseDelayMs")?);
    }
    if let Some(ms) = options.max_delay_ms {
        retry = retry.max_delay(millis(ms, "retry.maxDelayMs")?);
    }
    if let Some(ms) = options.max_retry_after_ms {
        retry = retry.max_retry_after(millis(ms, "retry.maxRetryAfterMs")?);
    }
    if let Some(on) = options.idempotency_keys {
        retry = retry.idempotency_keys(on);
    }
    b = b.retry(retry);
    if let Some(n) = options.max_redirects {
        b = b.max_redirects(n as usize);
    }
    if let Some(on) = options.clock_skew_correction {
        b = b.clock_skew_correction(on);
    }
    if let Some(s) = options.max_clock_skew_seconds {
        b = b.max_clock_skew(millis(s * 1000.0, "maxClockSkewSeconds")?);
    }
    if let Some(ua) = &options.user_agent {
        b = b.user_agent(ua);
    }
    b.build()
}

/// The HTTP client. Holds the secret only inside the core signer (never readable back).
#[napi]
pub struct NativeClient {
    inner: Client,
}

impl From<Client> for NativeClient {
    fn from(inner: Client) -> Self {
        NativeClient { inner }
    }
}

/// A built client, or its typed error as data: what every `createClient` returns.
pub(crate) fn made(
    built: std::result::Result<Client, ClientError>,
) -> Either<NativeClient, NativeClientError> {
    match built {
        Ok(inner) => Either::A(inner.into()),
        Err(e) => Either::B(error_data(e)),
    }
}

/// `createClient(options, secret)`: a `sigwire-v1` `NativeClient`, or a typed client error as data.
#[napi(catch_unwind)]
pub fn create_client(
    options: NativeClientOptions,
    secret: &[u8],
) -> Result<Either<NativeClient, NativeClientError>> {
    let Some(key_id) = options.key_id.clone() else {
        return Ok(Either::B(error_data(config_error("keyId is required"))));
    };
    Ok(made(build_with(options, |b| {
        Ok(b.credentials(&key_id, secret.to_vec()))
    })))
}

/// One call's options. `query` and `headers` are flat `[name, value, …]`; `json` is the JSON text
/// (sent as is, with `Content-Type: application/json` unless a header sets one).
#[napi(object)]
pub struct NativeCallOptions {
    /// Query pairs.
    pub query: Option<Vec<String>>,
    /// Header pairs.
    pub headers: Option<Vec<String>>,
    /// Raw body bytes.
    pub body: Option<Buffer>,
    /// JSON body text.
    pub json: Option<String>,
    /// The body is this file (a path): hashed once, streamed from disk by every attempt.
    pub body_file: Option<String>,
    /// The `Idempotency-Key` for every attempt.
    pub idempotency_key: Option<String>,
    /// Attempt timeout for this call (negative: none).
    pub attempt_ms: Option<f64>,
    /// Total timeout for this call (negative: none).
    pub total_ms: Option<f64>,
    /// `false`: send this call without `Authorization`.
    pub sign: Option<bool>,
}

#[napi]
impl NativeClient {
    /// The base URL.
    #[napi(getter, catch_unwind)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().as_str().to_owned()
    }

    /// The key id.
    #[napi(getter, catch_unwind)]
    pub fn key_id(&self) -> String {
        self.inner.key_id().to_owned()
    }

    /// The clock offset in use (server − local, seconds).
    #[napi(getter, catch_unwind)]
    pub fn clock_offset(&self) -> f64 {
        self.inner.clock_offset() as f64
    }

    /// Starts a call; the Promise resolves to a [`NativeOutcome`].
    #[napi(catch_unwind)]
    pub fn request<'env>(
        &self,
        env: &'env Env,
        method: String,
        path: String,
        options: NativeCallOptions,
    ) -> Result<PromiseRaw<'env, NativeOutcome>> {
        let prepared = self.prepare(&method, &path, options);
        env.spawn_future(async move {
            Ok(match prepared {
                Err(e) => failure(e),
                Ok(builder) => match builder.send().await {
                    Ok(r) => NativeOutcome {
                        response: Some(NativeResponse {
                            status: u32::from(r.status().as_u16()),
                            headers: flat_headers(r.headers()),
                            url: r.url().as_str().to_owned(),
                            attempts: r.attempts(),
                            body: Buffer::from(r.into_bytes().to_vec()),
                        }),
                        error: None,
                    },
                    Err(e) => failure(e),
                },
            })
        })
    }
}

impl NativeClient {
    fn prepare(
        &self,
        method: &str,
        path: &str,
        options: NativeCallOptions,
    ) -> std::result::Result<sigwire_client::RequestBuilder, ClientError> {
        let invalid = |m: String| ClientError::InvalidRequest { message: m };
        let method = Method::from_bytes(method.as_bytes()).map_err(|_| {
            invalid("the method is not a valid HTTP method token (e.g. GET, POST)".to_owned())
        })?;
        let mut b = self.inner.request(method, path);
        if let Some(q) = &options.query {
            b = b.query(pairs(q, "query")?);
        }
        if let Some(h) = &options.headers {
            for (name, value) in pairs(h, "headers")? {
                b = b.header(name.as_str(), value.as_str());
            }
        }
        if let Some(path) = options.body_file {
            if options.json.is_some() || options.body.is_some() {
                return Err(invalid("give one of json, body or bodyFile".to_owned()));
            }
            b = b.body_stream(sigwire_client::Body::file(path));
        }
        match (options.json, options.body) {
            (Some(_), Some(_)) => {
                return Err(invalid("give either json or body, not both".to_owned()))
            }
            (Some(text), None) => {
                let raw = serde_json::value::RawValue::from_string(text)
                    .map_err(|e| invalid(format!("cannot serialise the JSON body: {e}")))?;
                b = b.json(&raw);
            }
            (None, Some(bytes)) => b = b.body(bytes.to_vec()),
            (None, None) => {}
        }
        if let Some(key) = &options.idempotency_key {
            b = b.idempotency_key(key);
        }
        if let Some(l) = limit(options.attempt_ms, "attemptMs")? {
            b = b.attempt_timeout(l);
        }
        if let Some(l) = limit(options.total_ms, "totalMs")? {
            b = b.total_timeout(l);
        }
        if options.sign == Some(false) {
            b = b.unsigned();
        }
        Ok(b)
    }
}
