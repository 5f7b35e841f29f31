//! The reference server: axum + [`SigwireLayer`], with test controls.
//!
//! It serves the Rust client's tests, the other SDKs' tests (through the `sigwire-server`
//! binary) and the demo.
//!
//! # Routes
//!
//! | path | auth | what |
//! |---|---|---|
//! | any path not listed below, any method | signed | echo: JSON with the verified `key_id`, method, path, query, nonce, `Idempotency-Key`, body |
//! | `/public/…`, any method | none | the same echo without verification (a foreign origin in redirect tests) |
//! | `GET /_control/nonces[?path=/p]` | loopback | `{"nonces": {"/p": ["…", …]}}`: nonces seen per path, in order |
//! | `DELETE /_control/nonces` | loopback | forget the request log |
//! | `GET /_control/requests[?path=/p]` | loopback | `{"requests": [record, …]}` (see [`RequestRecord`]) |
//! | `GET /_control/clock`, `PUT /_control/clock` | loopback | read / set `{"offset_seconds": n}` (the answer adds `"now"`) |
//! | `GET /_control/faults`, `POST /_control/faults`, `DELETE /_control/faults` | loopback | list / add one [`FaultRule`] / clear |
//! | `POST /_control/reset` | loopback | offset 0, no faults, empty log |
//! | `GET /_control/health` | loopback | `ok` |
//!
//! Every request to a signed path is verified first, then logged (nonce per path), then given the
//! first pending fault for its path, if any. `/_control/…` answers 403 unless the peer address is
//! a loopback address (and the binary binds 127.0.0.1 by default). Every response carries a
//! `Date` header from the server's (offset) clock.
//!
//! A fault rule in JSON: `{"path": "/echo", "times": 2, "fault": {"type": "status", "status": 503,
//! "retry_after": "1"}}`; other faults: `{"type": "delay", "ms": 1500}`, `{"type": "drop"}`,
//! `{"type": "redirect", "location": "http://127.0.0.1:9/public/echo", "status": 307}`.

mod serve;
mod state;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, DATE, LOCATION, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use sigwire_core::{InMemoryKeyStore, InMemoryReplayStore, Verified, Verifier};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use serve::{DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT};
pub use state::{Controls, Fault, FaultRule, OffsetClock, RequestRecord, MAX_LOG};

use crate::layer::{SigwireLayer, DEFAULT_BODY_LIMIT};

/// An error starting the reference server.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServerError {
    /// A key or setting was refused by the core (`invalid_key_id`, `invalid_secret`, …).
    Config(sigwire_core::Error),
    /// Binding or serving failed.
    Io(std::io::Error),
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServerError::Config(e) => write!(f, "configuration: {e}"),
            ServerError::Io(e) => write!(f, "i/o: {e}"),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServerError::Config(e) => Some(e),
            ServerError::Io(e) => Some(e),
        }
    }
}

impl From<sigwire_core::Error> for ServerError {
    fn from(e: sigwire_core::Error) -> Self {
        ServerError::Config(e)
    }
}

impl From<std::io::Error> for ServerError {
    fn from(e: std::io::Error) -> Self {
        ServerError::Io(e)
    }
}

/// Configures a reference server.
///
/// ```no_run
/// # async fn demo() -> Result<(), sigwire_server::reference::ServerError> {
/// use sigwire_server::reference::{Fault, ReferenceServer};
///
/// let server = ReferenceServer::builder()
///     .key("demo-client", b"0123456789abcdef0123456789abcdef".to_vec())
///     .clock_offset(600)            // the server is 10 minutes ahead
///     .spawn()
///     .await?;
/// server.controls().push_fault("/echo", Fault::unavailable(Some("1")), 1);
/// println!("{}", server.url("/echo"));
/// server.shutdown().await;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ReferenceServer {
    keys: Vec<(String, Vec<u8>)>,
    window: u64,
    clock_offset: i64,
    body_limit: usize,
    spool_threshold: usize,
    replay_capacity: usize,
    replay_per_key_quota: Option<usize>,
    required_signed_headers: Vec<String>,
    addr: SocketAddr,
    authorities: Vec<String>,
    any_authority: bool,
    timeouts: serve::Timeouts,
}

impl ReferenceServer {
    /// A builder: no keys, 300 s window, no clock offset, 1 MiB body limit, `127.0.0.1:0`,
    /// loopback authorities only (see [`authorities`](Self::authorities)), and the default
    /// header (20 s), body (60 s) and idle (90 s) timeouts.
    pub fn builder() -> Self {
        ReferenceServer {
            keys: Vec::new(),
            window: sigwire_core::DEFAULT_WINDOW,
            clock_offset: 0,
            body_limit: DEFAULT_BODY_LIMIT,
            spool_threshold: crate::DEFAULT_SPOOL_THRESHOLD,
            replay_capacity: sigwire_core::DEFAULT_REPLAY_CAPACITY,
            replay_per_key_quota: None,
            required_signed_headers: Vec::new(),
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            authorities: Vec::new(),
            any_authority: false,
            timeouts: serve::Timeouts {
                header: DEFAULT_HEADER_TIMEOUT,
                body: DEFAULT_BODY_TIMEOUT,
                idle: DEFAULT_IDLE_TIMEOUT,
            },
        }
    }

    /// Serves `authority` (`host[:port]` as clients sign it); may be called several times.
    ///
    /// Requests whose `Host` is not a declared authority get 421 `misdirected_request`. Without
    /// any, a server bound to a loopback address serves loopback hosts only (`localhost`,
    /// `127.0.0.0/8`, `[::1]`, any port), and a server bound elsewhere refuses to start
    /// (`invalid_config`) unless [`any_authority`](Self::any_authority) is set.
    #[must_use]
    pub fn authority(mut self, authority: &str) -> Self {
        self.authorities.push(authority.to_owned());
        self
    }

    /// Serves each of `authorities` (see [`authority`](Self::authority)).
    #[must_use]
    pub fn authorities<I, S>(mut self, authorities: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.authorities
            .extend(authorities.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Accepts any `Host` (no audience binding): a request signed for another service that shares
    /// a key is then accepted here. Only for setups where nothing else shares the keys.
    #[must_use]
    pub fn any_authority(mut self) -> Self {
        self.any_authority = true;
        self
    }

    /// How long a request head may take (also bounds keep-alive idle time; see
    /// [`DEFAULT_HEADER_TIMEOUT`]).
    #[must_use]
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.header = timeout;
        self
    }

    /// How long a request body may take from its first read ([`DEFAULT_BODY_TIMEOUT`]).
    #[must_use]
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.body = timeout;
        self
    }

    /// How long a connection may make no progress while the server waits on it
    /// ([`DEFAULT_IDLE_TIMEOUT`]).
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.idle = timeout;
        self
    }

    /// Accepts `key_id` with `secret` (at least 16 bytes).
    #[must_use]
    pub fn key(mut self, key_id: &str, secret: impl Into<Vec<u8>>) -> Self {
        self.keys.push((key_id.to_owned(), secret.into()));
        self
    }

    /// The timestamp window in seconds.
    #[must_use]
    pub fn window(mut self, seconds: u64) -> Self {
        self.window = seconds;
        self
    }

    /// The server clock's initial offset from the real time, in seconds.
    #[must_use]
    pub fn clock_offset(mut self, seconds: i64) -> Self {
        self.clock_offset = seconds;
        self
    }

    /// The body limit in bytes (413 beyond).
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Bodies larger than `bytes` (default 1 MiB) are hashed while spooled to a temporary file
    /// instead of being held in memory (see [`SigwireLayer::spool_threshold`]).
    #[must_use]
    pub fn spool_threshold(mut self, bytes: usize) -> Self {
        self.spool_threshold = bytes;
        self
    }

    /// The replay store's capacity (nonces remembered at once).
    #[must_use]
    pub fn replay_capacity(mut self, nonces: usize) -> Self {
        self.replay_capacity = nonces;
        self
    }

    /// The most live nonces one key id may hold in the replay store (default: the core's
    /// `InMemoryReplayStore::DEFAULT_PER_KEY_QUOTA`, capped at the capacity), so one key that
    /// floods the store exhausts only itself.
    #[must_use]
    pub fn replay_per_key_quota(mut self, nonces: usize) -> Self {
        self.replay_per_key_quota = Some(nonces);
        self
    }

    /// Refuses requests that carry `name` unsigned (401 `unsigned_header`); may be called several
    /// times. See `sigwire_core::VerifierBuilder::require_signed_headers`.
    #[must_use]
    pub fn require_signed_header(mut self, name: &str) -> Self {
        self.required_signed_headers.push(name.to_owned());
        self
    }

    /// The address to bind (default `127.0.0.1:0`, an ephemeral port).
    #[must_use]
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// The axum app and its controls, for embedding. Serve it with
    /// `into_make_service_with_connect_info::<SocketAddr>()`, else `/_control` answers 403.
    pub fn into_router(self) -> Result<(Router, Controls), ServerError> {
        let controls = Controls::default();
        controls.set_clock_offset(self.clock_offset);
        let keys = Arc::new(InMemoryKeyStore::new());
        for (key_id, secret) in &self.keys {
            keys.insert(key_id, secret.clone(), None)?;
        }
        let mut replay = InMemoryReplayStore::with_capacity(self.replay_capacity);
        if let Some(quota) = self.replay_per_key_quota {
            replay = replay.with_per_key_quota(quota);
        }
        let replay = Arc::new(replay);
        let verifier = Verifier::builder(keys)
            .window(self.window)
            .replay_store(replay)
            .clock(Arc::new(controls.clock()))
            .require_signed_headers(&self.required_signed_headers)?
            .build();
        let mut layer = SigwireLayer::new(Arc::new(verifier))
            .body_limit(self.body_limit)
            .spool_threshold(self.spool_threshold);
        if !self.authorities.is_empty() {
            // Checked here so a bad authority stops the start, not every request.
            sigwire_core::wire::Audience::new(&self.authorities, "http")?;
            layer = layer.authorities(&self.authorities);
        } else if !self.any_authority {
            if !self.addr.ip().is_loopback() {
                return Err(ServerError::Config(sigwire_core::Error::new(
                    sigwire_core::ErrorCode::InvalidConfig,
                    format!(
                        "a server bound to {} must declare the authorities (host[:port]) clients sign \
                         (--authority), or accept any Host explicitly (--any-authority)",
                        self.addr.ip()
                    ),
                )));
            }
            layer = layer.loopback_authorities();
        }
        Ok((router(layer, controls.clone()), controls))
    }

    /// Binds and serves in a background task until [`RunningServer::shutdown`] or drop.
    pub async fn spawn(self) -> Result<RunningServer, ServerError> {
        let (addr, timeouts) = (self.addr, self.timeouts);
        let (app, controls) = self.into_router()?;
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(serve::serve(listener, app, timeouts, rx));
        Ok(RunningServer {
            addr,
            controls,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

/// A reference server serving in the background.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    controls: Controls,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://<addr><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The test controls.
    pub fn controls(&self) -> &Controls {
        &self.controls
    }

    /// Stops accepting, lets in-flight requests finish (bounded to 5 s) and waits for the task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn router(layer: SigwireLayer, controls: Controls) -> Router {
    let signed = Router::new()
        .route("/", any(signed_echo))
        .route("/{*rest}", any(signed_echo))
        .layer(layer);
    let control = Router::new()
        .route("/_control/nonces", get(get_nonces).delete(delete_nonces))
        .route("/_control/requests", get(get_requests))
        .route("/_control/clock", get(get_clock).put(put_clock))
        .route(
            "/_control/faults",
            get(get_faults).post(post_fault).delete(delete_faults),
        )
        .route("/_control/reset", axum::routing::post(post_reset))
        .route("/_control/health", get(|| async { "ok" }))
        .layer(middleware::from_fn(loopback_only));
    Router::new()
        .merge(control)
        .route("/public", any(public_echo))
        .route("/public/{*rest}", any(public_echo))
        .fallback_service(signed.with_state(controls.clone()))
        .layer(middleware::from_fn_with_state(
            controls.clone(),
            date_from_server_clock,
        ))
        .with_state(controls)
}

/// Sets `Date` from the server's (possibly offset) clock, so clients can measure skew from it.
async fn date_from_server_clock(
    State(controls): State<Controls>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let date = httpdate::fmt_http_date(controls.clock().system_time());
    if let Ok(value) = HeaderValue::from_str(&date) {
        response.headers_mut().insert(DATE, value);
    }
    response
}

async fn loopback_only(request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    match peer {
        Some(ip) if ip.is_loopback() || ip.to_canonical().is_loopback() => next.run(request).await,
        _ => (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({"error": "control_forbidden"})),
        )
            .into_response(),
    }
}

async fn signed_echo(
    State(controls): State<Controls>,
    Extension(verified): Extension<Verified>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Streamed: a spooled upload (up to the body limit, gigabytes) is counted, not collected;
    // its bytes are echoed only when they fit in the default limit.
    let (body, body_len) = match read_counted(body, DEFAULT_BODY_LIMIT).await {
        Ok(read) => read,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    echo(
        &controls,
        Some(verified.key_id),
        method,
        uri,
        headers,
        body,
        body_len,
    )
    .await
}

/// Reads `body` to its end; keeps its bytes when they are at most `keep`, else only counts them.
async fn read_counted(body: Body, keep: usize) -> Result<(Bytes, usize), axum::Error> {
    use http_body_util::BodyExt as _;
    let mut body = body;
    let mut kept = Vec::new();
    let mut len = 0usize;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            len = len.saturating_add(data.len());
            if len <= keep {
                kept.extend_from_slice(&data);
            } else {
                kept = Vec::new();
            }
        }
    }
    Ok((Bytes::from(kept), len))
}

async fn public_echo(
    State(controls): State<Controls>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let len = body.len();
    echo(&controls, None, method, uri, headers, body, len).await
}

fn header_text(headers: &HeaderMap, name: impl axum::http::header::AsHeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn echo(
    controls: &Controls,
    key_id: Option<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    body_len: usize,
) -> Response {
    let authorization = header_text(&headers, AUTHORIZATION);
    let nonce = authorization
        .as_deref()
        .and_then(sigwire_core::wire::claimed_nonce)
        .map(str::to_owned);
    let record = RequestRecord {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        key_id,
        nonce,
        idempotency_key: header_text(&headers, "idempotency-key"),
        authorization_present: authorization.is_some(),
        at_ms: state::system_ms(),
    };
    controls.record(record.clone());

    match controls.take_fault(uri.path()) {
        None => {}
        Some(Fault::Delay { ms }) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Some(Fault::Status {
            status,
            retry_after,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut response =
                (status, Json(serde_json::json!({"error": "injected_fault"}))).into_response();
            if let Some(v) = retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
                response.headers_mut().insert(RETRY_AFTER, v);
            }
            return response;
        }
        Some(Fault::Redirect { location, status }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::TEMPORARY_REDIRECT);
            let mut response = status.into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(LOCATION, v);
            }
            return response;
        }
        Some(Fault::Drop) => {
            let mut response = Response::new(Body::new(FailingBody));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            return response;
        }
    }

    let body_text = String::from_utf8_lossy(&body).into_owned();
    Json(serde_json::json!({
        "key_id": record.key_id,
        "method": record.method,
        "path": record.path,
        "query": record.query,
        "nonce": record.nonce,
        "idempotency_key": record.idempotency_key,
        "authorization_present": record.authorization_present,
        "content_type": header_text(&headers, CONTENT_TYPE),
        "body": body_text,
        "body_len": body_len,
    }))
    .into_response()
}

/// A response body that fails at once: hyper then closes the connection mid-response.
struct FailingBody;

impl http_body::Body for FailingBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected drop",
        ))))
    }
}

#[derive(Debug, Deserialize)]
struct PathFilter {
    path: Option<String>,
}

async fn get_nonces(State(c): State<Controls>, Query(f): Query<PathFilter>) -> Response {
    let mut nonces = c.nonces_by_path();
    if let Some(p) = f.path {
        nonces.retain(|k, _| *k == p);
    }
    Json(serde_json::json!({ "nonces": nonces })).into_response()
}

async fn delete_nonces(State(c): State<Controls>) -> StatusCode {
    c.clear_log();
    StatusCode::NO_CONTENT
}

async fn get_requests(State(c): State<Controls>, Query(f): Query<PathFilter>) -> Response {
    let requests = match f.path {
        Some(p) => c.requests_for(&p),
        None => c.requests(),
    };
    Json(serde_json::json!({ "requests": requests })).into_response()
}

#[derive(Debug, Deserialize)]
struct ClockBody {
    offset_seconds: i64,
}

async fn get_clock(State(c): State<Controls>) -> Response {
    Json(serde_json::json!({ "offset_seconds": c.clock_offset(), "now": c.now() })).into_response()
}

async fn put_clock(State(c): State<Controls>, Json(body): Json<ClockBody>) -> Response {
    c.set_clock_offset(body.offset_seconds);
    get_clock(State(c)).await
}

async fn get_faults(State(c): State<Controls>) -> Response {
    Json(serde_json::json!({ "faults": c.faults() })).into_response()
}

async fn post_fault(State(c): State<Controls>, Json(rule): Json<FaultRule>) -> Response {
    c.add_rule(rule);
    get_faults(State(c)).await
}

async fn delete_faults(State(c): State<Controls>) -> StatusCode {
    c.clear_faults();
    StatusCode::NO_CONTENT
}

async fn post_reset(State(c): State<Controls>) -> StatusCode {
    c.reset();
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    fn control_request(peer: Option<SocketAddr>) -> Request {
        let mut request = Request::builder()
            .uri("/_control/health")
            .body(Body::empty())
            .unwrap();
        if let Some(peer) = peer {
            request.extensions_mut().insert(ConnectInfo(peer));
        }
        request
    }

    #[tokio::test]
    async fn controls_answer_loopback_peers_only() {
        let (app, _) = ReferenceServer::builder()
            .key("k", vec![1u8; 16])
            .into_router()
            .unwrap();
        let loopback = SocketAddr::from(([127, 0, 0, 1], 40000));
        let v6_loopback = SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, 40000));
        let remote = SocketAddr::from(([192, 0, 2, 10], 40000)); // TEST-NET-1: never contacted
        let status = |peer| {
            let app = app.clone();
            async move { app.oneshot(control_request(peer)).await.unwrap().status() }
        };
        assert_eq!(status(Some(loopback)).await, StatusCode::OK);
        assert_eq!(status(Some(v6_loopback)).await, StatusCode::OK);
        assert_eq!(status(Some(remote)).await, StatusCode::FORBIDDEN);
        assert_eq!(
            status(None).await,
            StatusCode::FORBIDDEN,
            "fails closed without peer information"
        );
    }

    #[tokio::test]
    async fn bad_keys_are_refused_at_build_time() {
        let e = ReferenceServer::builder()
            .key("k", vec![1u8; 3])
            .into_router()
            .unwrap_err();
        assert!(
            matches!(e, ServerError::Config(ref c) if c.code() == sigwire_core::ErrorCode::InvalidSecret),
            "{e}"
        );
    }

    #[tokio::test]
    async fn one_key_at_its_replay_quota_does_not_block_another() {
        let secret = vec![7u8; 32];
        let (app, _) = ReferenceServer::builder()
            .key("noisy", secret.clone())
            .key("quiet", secret.clone())
            .replay_per_key_quota(1)
            .into_router()
            .unwrap();
        let send = |key: &'static str| {
            let app = app.clone();
            let secret = secret.clone();
            async move {
                let signer = sigwire_core::Signer::new(key, secret).unwrap();
                let url = "http://127.0.0.1:9/echo";
                let sig = signer
                    .sign(&sigwire_core::Request::new("GET", url))
                    .unwrap();
                let request = Request::builder()
                    .uri("/echo")
                    .header("host", "127.0.0.1:9")
                    .header(AUTHORIZATION, sig.authorization)
                    .body(Body::empty())
                    .unwrap();
                app.oneshot(request).await.unwrap().status()
            }
        };
        assert_eq!(send("noisy").await, StatusCode::OK);
        assert_eq!(
            send("noisy").await,
            StatusCode::SERVICE_UNAVAILABLE,
            "the noisy key is at its quota"
        );
        assert_eq!(
            send("quiet").await,
            StatusCode::OK,
            "another key still gets in"
        );
    }

    #[tokio::test]
    async fn a_required_header_must_be_signed_when_present() {
        let secret = vec![7u8; 32];
        let (app, _) = ReferenceServer::builder()
            .key("k", secret.clone())
            .require_signed_header("X-HTTP-Method-Override")
            .into_router()
            .unwrap();
        let send = |override_header: Option<&'static str>| {
            let app = app.clone();
            let secret = secret.clone();
            async move {
                let signer = sigwire_core::Signer::new("k", secret).unwrap();
                let sig = signer
                    .sign(&sigwire_core::Request::new(
                        "POST",
                        "http://127.0.0.1:9/echo",
                    ))
                    .unwrap();
                let mut request = Request::builder()
                    .method("POST")
                    .uri("/echo")
                    .header("host", "127.0.0.1:9")
                    .header(AUTHORIZATION, sig.authorization);
                if let Some(value) = override_header {
                    request = request.header("x-http-method-override", value);
                }
                app.oneshot(request.body(Body::empty()).unwrap())
                    .await
                    .unwrap()
                    .status()
            }
        };
        assert_eq!(send(None).await, StatusCode::OK);
        assert_eq!(send(Some("DELETE")).await, StatusCode::UNAUTHORIZED);
        let e = ReferenceServer::builder()
            .require_signed_header("bad name")
            .into_router()
            .unwrap_err();
        assert!(
            matches!(e, ServerError::Config(ref c) if c.code() == sigwire_core::ErrorCode::InvalidConfig),
            "{e}"
        );
    }
}
