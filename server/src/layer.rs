//! [`SigwireLayer`]: a `tower::Layer` that verifies `sigwire-v1` signatures before the inner service.
//!
//! The layer works for any tower stack that speaks `http` 1.x requests and responses (axum,
//! hyper via `hyper-util`'s `TowerToHyperService`, tonic). For each request it:
//!
//! 1. refuses a declared `Content-Length` above the limit with **413** before reading anything;
//! 2. buffers the body up to the limit (**413** `{"error":"body_too_large"}` beyond it);
//! 3. rebuilds the absolute URL (`scheme://authority/path?query`) exactly as received and verifies
//!    method, URL, headers and body bytes with the core [`Verifier`];
//! 4. on failure answers with the core's status (401, or 400 / 503 for the codes that say so),
//!    the JSON body `{"error":"<machine code>"}` and the `X-Sigwire-Server-Time` header;
//! 5. on success inserts the [`Verified`] result (key id, scheme, timestamp) into the request
//!    extensions and calls the inner service with the buffered body as
//!    `http_body_util::Full<Bytes>`.
//!
//! The verifier runs inline (it is CPU-only and takes microseconds with the in-memory stores); a
//! custom `KeyStore` or `ReplayStore` that blocks on I/O should be fast or cached.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{HeaderValue, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use http::{Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{BodyExt, Either, Full, LengthLimitError, Limited};
use sigwire_core::{Verified, Verifier, SERVER_TIME_HEADER};
use tower_layer::Layer;
use tower_service::Service;

/// Default body limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The machine code in the 413 body when the body exceeds the limit.
pub const BODY_TOO_LARGE: &str = "body_too_large";

/// The response body type of a [`SigwireService`]: the inner service's body, or the layer's own
/// small JSON error body.
pub type SigwireBody<B> = Either<B, Full<Bytes>>;

/// A boxed error, as tower and hyper use.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug)]
struct Config {
    verifier: Arc<Verifier>,
    body_limit: usize,
    scheme: Option<String>,
    authority: Option<String>,
}

/// Verifies `sigwire-v1` signatures in front of an HTTP service.
///
/// ```
/// use std::sync::Arc;
/// use sigwire_core::{InMemoryKeyStore, Verifier};
/// use sigwire_server::SigwireLayer;
///
/// let keys = Arc::new(InMemoryKeyStore::new());
/// keys.insert("client-1", b"0123456789abcdef0123456789abcdef".to_vec(), None)?;
/// let layer = SigwireLayer::new(Arc::new(Verifier::builder(keys).build()))
///     .body_limit(64 * 1024)       // 413 beyond 64 KiB
///     .scheme("https");            // behind a TLS-terminating proxy
/// // axum:  Router::new().route(..).layer(layer)
/// // tower: ServiceBuilder::new().layer(layer).service(svc)
/// # let _ = layer;
/// # Ok::<(), sigwire_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SigwireLayer {
    config: Arc<Config>,
}

impl SigwireLayer {
    /// A layer verifying with `verifier`, a 1 MiB body limit, the request's own scheme (or
    /// `http`) and its `Host` header (or URI authority, as in HTTP/2).
    pub fn new(verifier: Arc<Verifier>) -> Self {
        SigwireLayer {
            config: Arc::new(Config { verifier, body_limit: DEFAULT_BODY_LIMIT, scheme: None, authority: None }),
        }
    }

    /// Buffers at most `bytes` of body; larger bodies get 413 `{"error":"body_too_large"}`.
    #[must_use]
    pub fn body_limit(self, bytes: usize) -> Self {
        self.map(|c| c.body_limit = bytes)
    }

    /// The scheme clients sign (`http` or `https`), when it differs from what this server sees,
    /// e.g. behind a proxy that terminates TLS.
    #[must_use]
    pub fn scheme(self, scheme: &str) -> Self {
        let scheme = scheme.to_ascii_lowercase();
        self.map(|c| c.scheme = Some(scheme))
    }

    /// The public `host[:port]` clients sign, when a proxy rewrites the `Host` header. The
    /// request's own `Host` lines are then left out of verification.
    #[must_use]
    pub fn authority(self, authority: &str) -> Self {
        let authority = authority.to_owned();
        self.map(|c| c.authority = Some(authority))
    }

    /// The verifier in use.
    pub fn verifier(&self) -> &Arc<Verifier> {
        &self.config.verifier
    }

    fn map(self, f: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config {
            verifier: Arc::clone(&self.config.verifier),
            body_limit: self.config.body_limit,
            scheme: self.config.scheme.clone(),
            authority: self.config.authority.clone(),
        };
        f(&mut config);
        SigwireLayer { config: Arc::new(config) }
    }
}

impl<S> Layer<S> for SigwireLayer {
    type Service = SigwireService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SigwireService { inner, config: Arc::clone(&self.config) }
    }
}

/// The service produced by [`SigwireLayer`].
#[derive(Debug, Clone)]
pub struct SigwireService<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for SigwireService<S>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    ReqBody: Body + Send + 'static,
    ReqBody::Data: Send,
    ReqBody::Error: Into<BoxError>,
{
    type Response = Response<SigwireBody<ResBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // The clone is not ready; keep the ready one for this call (tower's usual swap).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let config = Arc::clone(&self.config);
        Box::pin(async move {
            match verify(&config, request).await {
                Ok(request) => inner.call(request).await.map(|r| r.map(Either::Left)),
                Err(rejection) => Ok(rejection.map(Either::Right)),
            }
        })
    }
}

async fn verify<B>(config: &Config, request: Request<B>) -> Result<Request<Full<Bytes>>, Response<Full<Bytes>>>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    let verifier = &config.verifier;
    let declared =
        request.headers().get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > config.body_limit as u64) {
        tracing::debug!(limit = config.body_limit, "sigwire: declared body exceeds the limit");
        return Err(reject(StatusCode::PAYLOAD_TOO_LARGE, BODY_TOO_LARGE, verifier.now()));
    }
    let (mut parts, body) = request.into_parts();
    let bytes = match Limited::new(body, config.body_limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => {
            tracing::debug!(limit = config.body_limit, "sigwire: body exceeds the limit");
            return Err(reject(StatusCode::PAYLOAD_TOO_LARGE, BODY_TOO_LARGE, verifier.now()));
        }
        Err(_) => return Err(reject(StatusCode::BAD_REQUEST, "invalid_request", verifier.now())),
    };

    let uri = &parts.uri;
    let scheme = config.scheme.as_deref().or_else(|| uri.scheme_str()).unwrap_or("http");
    let authority = config
        .authority
        .as_deref()
        .or_else(|| uri.authority().map(|a| a.as_str()))
        .or_else(|| parts.headers.get(HOST).and_then(|h| h.to_str().ok()));
    let Some(authority) = authority else {
        return Err(reject(StatusCode::BAD_REQUEST, "invalid_request", verifier.now()));
    };
    let path_and_query = uri.path_and_query().map_or("/", |pq| pq.as_str());
    let url = format!("{scheme}://{authority}{path_and_query}");

    // Header values as text: invalid UTF-8 becomes U+FFFD, which the core refuses if the header
    // is signed and ignores otherwise.
    let skip_host = config.authority.is_some();
    let lines: Vec<(&str, std::borrow::Cow<'_, str>)> = parts
        .headers
        .iter()
        .filter(|(name, _)| !(skip_host && *name == HOST))
        .map(|(name, value)| (name.as_str(), String::from_utf8_lossy(value.as_bytes())))
        .collect();
    let core_request = sigwire_core::Request::new(parts.method.as_str(), &url)
        .headers(lines.iter().map(|(n, v)| (*n, v.as_ref())))
        .body(&bytes);
    let verified: Verified = match verifier.verify(&core_request) {
        Ok(v) => v,
        Err(e) => {
            tracing::debug!(code = e.code().as_str(), method = %parts.method, path = uri.path(), "sigwire: rejected");
            let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
            let now = e.server_time().unwrap_or_else(|| verifier.now());
            return Err(reject(status, e.code().as_str(), now));
        }
    };
    tracing::debug!(key_id = %verified.key_id, method = %parts.method, path = uri.path(), "sigwire: verified");
    drop(lines);
    parts.extensions.insert(verified);
    Ok(Request::from_parts(parts, Full::new(bytes)))
}

/// The layer's failure response: `status`, `{"error":"<code>"}`, JSON, server time, no caching.
fn reject(status: StatusCode, code: &str, server_time: u64) -> Response<Full<Bytes>> {
    let body = format!("{{\"error\":\"{code}\"}}");
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(SERVER_TIME_HEADER, HeaderValue::from(server_time));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigwire_core::{FixedClock, InMemoryKeyStore, Signer};
    use std::convert::Infallible;
    use tower::{service_fn, ServiceExt};

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NOW: u64 = 1_700_000_000;

    fn layer() -> SigwireLayer {
        let keys = Arc::new(InMemoryKeyStore::new());
        keys.insert("k1", SECRET.to_vec(), None).unwrap();
        let clock = Arc::new(FixedClock::new(NOW));
        SigwireLayer::new(Arc::new(Verifier::builder(keys).clock(clock.clone()).build())).body_limit(16)
    }

    async fn echo_key(req: Request<Full<Bytes>>) -> Result<Response<Full<Bytes>>, Infallible> {
        let key = req.extensions().get::<Verified>().map(|v| v.key_id.clone()).unwrap_or_default();
        let body = req.into_body().collect().await.unwrap().to_bytes();
        Ok(Response::new(Full::new(Bytes::from(format!("{key}:{}", body.len())))))
    }

    fn signed(method: &str, url: &str, body: &'static [u8], ts: u64) -> Request<Full<Bytes>> {
        let signer = Signer::new("k1", SECRET.to_vec()).unwrap().with_clock(Arc::new(FixedClock::new(ts)));
        let sig = signer.sign(&sigwire_core::Request::new(method, url).body(body)).unwrap();
        let uri: http::Uri = url.parse().unwrap();
        Request::builder()
            .method(method)
            .uri(uri.path_and_query().unwrap().as_str())
            .header(HOST, uri.authority().unwrap().as_str())
            .header("authorization", sig.authorization)
            .body(Full::new(Bytes::from_static(body)))
            .unwrap()
    }

    async fn run(req: Request<Full<Bytes>>) -> (StatusCode, http::HeaderMap, String) {
        let svc = layer().layer(service_fn(echo_key));
        let resp = svc.oneshot(req).await.unwrap();
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        (parts.status, parts.headers, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn verified_key_id_reaches_the_inner_service() {
        let (status, _, body) = run(signed("POST", "http://api.test:8080/v1/x?b=2&a=1", b"hello", NOW)).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "k1:5"));
    }

    #[tokio::test]
    async fn failure_is_json_with_server_time() {
        let (status, headers, body) = run(signed("GET", "http://api.test/x", b"", NOW - 1000)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body, r#"{"error":"stale_timestamp"}"#);
        assert_eq!(headers[SERVER_TIME_HEADER], NOW.to_string().as_str());
        assert_eq!(headers[CONTENT_TYPE], "application/json");

        let mut tampered = signed("POST", "http://api.test/x", b"hello", NOW);
        *tampered.body_mut() = Full::new(Bytes::from_static(b"hellO"));
        let (status, _, body) = run(tampered).await;
        assert_eq!((status, body.as_str()), (StatusCode::UNAUTHORIZED, r#"{"error":"signature_mismatch"}"#));

        let unsigned = Request::builder().uri("/x").header(HOST, "api.test").body(Full::default()).unwrap();
        let (status, _, body) = run(unsigned).await;
        assert_eq!((status, body.as_str()), (StatusCode::UNAUTHORIZED, r#"{"error":"missing_authorization"}"#));
    }

    #[tokio::test]
    async fn body_over_the_limit_is_413() {
        let (status, headers, body) = run(signed("POST", "http://api.test/x", b"0123456789abcdefX", NOW)).await;
        assert_eq!((status, body.as_str()), (StatusCode::PAYLOAD_TOO_LARGE, r#"{"error":"body_too_large"}"#));
        assert!(headers.contains_key(SERVER_TIME_HEADER));
        // Exactly at the limit is fine.
        let (status, _, _) = run(signed("POST", "http://api.test/x", b"0123456789abcdef", NOW)).await;
        assert_eq!(status, StatusCode::OK);
        // A declared length over the limit is refused before reading.
        let mut req = signed("POST", "http://api.test/x", b"small", NOW);
        req.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from_static("1000000"));
        assert_eq!(run(req).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn missing_host_is_400() {
        let req = Request::builder().uri("/x").body(Full::default()).unwrap();
        let (status, _, body) = run(req).await;
        assert_eq!((status, body.as_str()), (StatusCode::BAD_REQUEST, r#"{"error":"invalid_request"}"#));
    }

    #[tokio::test]
    async fn public_scheme_and_authority_override() {
        let keys = Arc::new(InMemoryKeyStore::new());
        keys.insert("k1", SECRET.to_vec(), None).unwrap();
        let verifier = Verifier::builder(keys).clock(Arc::new(FixedClock::new(NOW))).build();
        let layer = SigwireLayer::new(Arc::new(verifier)).scheme("HTTPS").authority("api.example.com");
        let mut req = signed("GET", "https://api.example.com/v1", b"", NOW);
        // A proxy rewrote Host: ignored once the public authority is configured.
        req.headers_mut().insert(HOST, HeaderValue::from_static("10.0.0.7:8080"));
        let resp = layer.layer(service_fn(echo_key)).oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
}
