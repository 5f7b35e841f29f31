//! [`SigwireLayer`]: a `tower::Layer` that verifies `sigwire-v1` signatures before the inner service.
//!
//! The layer works for any tower stack that speaks `http` 1.x requests and responses (axum,
//! hyper via `hyper-util`'s `TowerToHyperService`, tonic). For each request it:
//!
//! 1. with declared authorities ([`SigwireLayer::authority`], [`SigwireLayer::authorities`]),
//!    refuses a `Host` (or URI authority) that is not one of them with **421**
//!    `{"error":"misdirected_request"}`: a request signed for another service that shares the key
//!    is never accepted here;
//! 2. refuses a declared `Content-Length` above the limit with **413** (400 if it is not a number);
//! 3. checks the `Authorization` header from the request head alone ([`Verifier::precheck`]:
//!    missing, malformed, unsupported algorithm, a header the verifier requires to be signed
//!    present but unsigned ([`VerifierBuilder::require_signed_headers`](sigwire_core::VerifierBuilder::require_signed_headers),
//!    `unsigned_header`), unknown key, stale timestamp) and answers at
//!    once — the body is not read, and a client that sent `Expect: 100-continue` gets the
//!    rejection instead of `100 Continue` (hyper sends `100 Continue` only when the body is first
//!    read, which happens after this check);
//! 4. reads the body up to the limit (**413** `{"error":"body_too_large"}` beyond it): up to
//!    the spool threshold ([`SigwireLayer::spool_threshold`], 1 MiB by default) in memory; past
//!    it, the body is hashed while it is written to an unnamed temporary file, so a large upload
//!    costs about one frame of memory (the file vanishes on every path: rejection, 413, a client
//!    that hangs up, or the handler done with it);
//! 5. rebuilds the absolute URL (`scheme://authority/path?query`) exactly as received
//!    ([`wire::request_url`]) and verifies method, URL, headers and body (its bytes, or the digest
//!    computed while spooling);
//! 6. on failure answers with [`wire::Rejection`]: the core's status (401, or 400 / 503 for the
//!    codes that say so), the JSON body `{"error":"<machine code>"}` and the
//!    `X-Sigwire-Server-Time` header;
//! 7. on success inserts the [`Verified`] result (key id, scheme, timestamp, nonce) into the
//!    request extensions and calls the inner service with the verified body as a
//!    [`VerifiedBody`] (from memory or from the spool file): the handler never sees a byte of a
//!    body whose signature does not hold.
//!
//! The verifier runs inline (it is CPU-only and takes microseconds with the in-memory stores); a
//! custom `KeyStore` or `ReplayStore` that blocks on I/O should be fast or cached.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::{Either, Full};
use sigwire_core::wire::{self, Rejection};
use sigwire_core::{Verified, Verifier};
use std::path::PathBuf;

use crate::front::{header_lines, reject, Front};
use crate::spool::{self, ReadError, SpoolPolicy, DEFAULT_SPOOL_THRESHOLD};
use crate::VerifiedBody;
use tower_layer::Layer;
use tower_service::Service;

/// Default body limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The machine code in the 413 body when the body exceeds the limit.
pub const BODY_TOO_LARGE: &str = wire::BODY_TOO_LARGE;

/// The response body type of a [`SigwireService`]: the inner service's body, or the layer's own
/// small JSON error body.
pub type SigwireBody<B> = Either<B, Full<Bytes>>;

/// A boxed error, as tower and hyper use.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone)]
struct Config {
    verifier: Arc<Verifier>,
    spool: SpoolPolicy,
    front: Front,
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
///     .body_limit(64 * 1024)            // 413 beyond 64 KiB
///     .scheme("https")                  // behind a TLS-terminating proxy
///     .authorities(["api.example.com"]); // 421 for any other Host
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
    /// `http`) and its `Host` header (or URI authority, as in HTTP/2), whatever it is. Declare the
    /// authorities you serve with [`authorities`](Self::authorities) so that a request signed for
    /// another service sharing the key is refused.
    pub fn new(verifier: Arc<Verifier>) -> Self {
        let config = Config {
            verifier,
            spool: SpoolPolicy {
                threshold: DEFAULT_SPOOL_THRESHOLD,
                dir: None,
            },
            front: Front::new(DEFAULT_BODY_LIMIT),
        };
        SigwireLayer {
            config: Arc::new(config),
        }
    }

    /// Accepts at most `bytes` of body; larger bodies get 413 `{"error":"body_too_large"}`.
    /// Bodies above the [spool threshold](Self::spool_threshold) are not held in memory, so the
    /// limit can be gigabytes.
    #[must_use]
    pub fn body_limit(self, bytes: usize) -> Self {
        self.map(|c| c.front.body_limit = bytes)
    }

    /// Keeps bodies of at most `bytes` in memory (default 1 MiB); a larger body is hashed while it
    /// is written to a temporary file, verified by its digest, and replayed from the file to the
    /// handler. (Only for schemes that sign a body digest, as `sigwire-v1` does; others keep the
    /// body in memory up to the limit.)
    #[must_use]
    pub fn spool_threshold(self, bytes: usize) -> Self {
        self.map(|c| c.spool.threshold = bytes)
    }

    /// Creates spool files in `dir` instead of the system's temporary directory.
    #[must_use]
    pub fn spool_dir(self, dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        self.map(|c| c.spool.dir = Some(dir))
    }

    /// The scheme clients sign (`http` or `https`), when it differs from what this server sees,
    /// e.g. behind a proxy that terminates TLS.
    #[must_use]
    pub fn scheme(self, scheme: &str) -> Self {
        self.map(|c| c.front.set_scheme(scheme))
    }

    /// Serves only `authority` (`host[:port]`, as clients sign it): shorthand for
    /// [`authorities`](Self::authorities) with one entry.
    #[must_use]
    pub fn authority(self, authority: &str) -> Self {
        self.authorities([authority])
    }

    /// The authorities (`host[:port]`) this service is reached at, as clients sign them. A
    /// request whose `Host` (or URI authority) is none of them gets 421
    /// `{"error":"misdirected_request"}` before anything else is checked. A proxy in front must
    /// pass the client's `Host` through (nginx: `proxy_set_header Host $host`). An invalid
    /// authority makes every request fail with 500 `invalid_config` (check it with
    /// [`sigwire_core::wire::Audience::new`] at start-up).
    #[must_use]
    pub fn authorities<I, S>(self, authorities: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let list: Vec<String> = authorities
            .into_iter()
            .map(|a| a.as_ref().to_owned())
            .collect();
        self.map(|c| c.front.set_authorities(list))
    }

    /// Serves only loopback hosts — `localhost`, `127.0.0.0/8`, `[::1]` — on any port: for test
    /// servers on an ephemeral port, which cannot know their authority in advance. Requests for
    /// any other host get 421 `{"error":"misdirected_request"}`.
    #[must_use]
    pub fn loopback_authorities(self) -> Self {
        self.map(|c| c.front.loopback_only = true)
    }

    /// The verifier in use.
    pub fn verifier(&self) -> &Arc<Verifier> {
        &self.config.verifier
    }

    fn map(self, f: impl FnOnce(&mut Config)) -> Self {
        let mut config = (*self.config).clone();
        f(&mut config);
        SigwireLayer {
            config: Arc::new(config),
        }
    }
}

impl<S> Layer<S> for SigwireLayer {
    type Service = SigwireService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SigwireService {
            inner,
            config: Arc::clone(&self.config),
        }
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
    S: Service<Request<VerifiedBody>, Response = Response<ResBody>> + Clone + Send + 'static,
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

async fn verify<B>(
    config: &Config,
    request: Request<B>,
) -> Result<Request<VerifiedBody>, Response<Full<Bytes>>>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    let verifier = &config.verifier;
    let now = verifier.now();
    let (mut parts, body) = request.into_parts();

    // 1.-2. Who the request is for, the URL as received, a declared length over the limit.
    let url = config.front.admit(&parts, now).map_err(reject)?;

    // Header values as text: invalid UTF-8 becomes U+FFFD, which the core refuses if the header
    // is signed and ignores otherwise.
    let lines = header_lines(&parts.headers);
    let head = sigwire_core::Request::new(parts.method.as_str(), &url)
        .headers(lines.iter().map(|(n, v)| (*n, v.as_ref())));

    // 3. The header alone, before a byte of the body is read (and before `100 Continue`).
    let prechecked = match verifier.precheck(&head, now) {
        Ok(p) => p,
        Err(e) => {
            tracing::debug!(code = e.code().as_str(), method = %parts.method, path = parts.uri.path(), "sigwire: rejected before the body");
            return Err(reject(Rejection::from_error(&e, now)));
        }
    };

    // 4. The body, bounded; past the spool threshold hashed into a temporary file.
    //    A body the header names no digest algorithm for cannot be hashed while spooled: it
    //    stays in memory (still bounded by the limit).
    let threshold = match prechecked.body_algorithm {
        Some(_) => config.spool.threshold,
        None => usize::MAX,
    };
    let received = match spool::read(
        body,
        config.front.body_limit,
        threshold,
        prechecked.body_algorithm,
        config.spool.dir.as_deref(),
    )
    .await
    {
        Ok(received) => received,
        Err(ReadError::TooLarge) => {
            tracing::debug!(
                limit = config.front.body_limit,
                "sigwire: body exceeds the limit"
            );
            return Err(reject(Rejection::body_too_large(verifier.now())));
        }
        Err(ReadError::Failed) => return Err(reject(Rejection::invalid_request(verifier.now()))),
    };

    // 5. Everything.
    let checked = match &received {
        spool::Received::Memory(bytes) => verifier.verify(&head.body(bytes)),
        spool::Received::Spooled {
            digest: Some(digest),
            ..
        } => verifier.verify(&head.precomputed_body_digest(digest.algorithm(), digest.as_str())),
        // Never spooled unhashed here (threshold above); refused rather than verified unhashed.
        spool::Received::Spooled { digest: None, .. } => {
            return Err(reject(Rejection::invalid_request(verifier.now())))
        }
    };
    let verified: Verified = match checked {
        Ok(v) => v,
        Err(e) => {
            tracing::debug!(code = e.code().as_str(), method = %parts.method, path = parts.uri.path(), "sigwire: rejected");
            return Err(reject(Rejection::from_error(&e, verifier.now())));
        }
    };
    tracing::debug!(key_id = %verified.key_id, method = %parts.method, path = parts.uri.path(), "sigwire: verified");
    drop(lines);
    parts.extensions.insert(verified);
    Ok(Request::from_parts(
        parts,
        VerifiedBody::from_received(received),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, HOST};
    use http::StatusCode;
    use http_body_util::BodyExt;
    use sigwire_core::{FixedClock, InMemoryKeyStore, Signer, SERVER_TIME_HEADER};
    use std::convert::Infallible;
    use tower::{service_fn, ServiceExt};

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NOW: u64 = 1_700_000_000;

    fn layer() -> SigwireLayer {
        let keys = Arc::new(InMemoryKeyStore::new());
        keys.insert("k1", SECRET.to_vec(), None).unwrap();
        let clock = Arc::new(FixedClock::new(NOW));
        SigwireLayer::new(Arc::new(
            Verifier::builder(keys).clock(clock.clone()).build(),
        ))
        .body_limit(16)
    }

    async fn echo_key(req: Request<VerifiedBody>) -> Result<Response<Full<Bytes>>, Infallible> {
        let key = req
            .extensions()
            .get::<Verified>()
            .map(|v| v.key_id.clone())
            .unwrap_or_default();
        let body = req.into_body().collect().await.unwrap().to_bytes();
        Ok(Response::new(Full::new(Bytes::from(format!(
            "{key}:{}",
            body.len()
        )))))
    }

    fn signed(method: &str, url: &str, body: &'static [u8], ts: u64) -> Request<Full<Bytes>> {
        let signer = Signer::new("k1", SECRET.to_vec())
            .unwrap()
            .with_clock(Arc::new(FixedClock::new(ts)));
        let sig = signer
            .sign(&sigwire_core::Request::new(method, url).body(body))
            .unwrap();
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
        (
            parts.status,
            parts.headers,
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn verified_key_id_reaches_the_inner_service() {
        let (status, _, body) = run(signed(
            "POST",
            "http://api.test:8080/v1/x?b=2&a=1",
            b"hello",
            NOW,
        ))
        .await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "k1:5"));
    }

    #[tokio::test]
    async fn failure_is_json_with_server_time() {
        let (status, headers, body) =
            run(signed("GET", "http://api.test/x", b"", NOW - 1000)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body, r#"{"error":"stale_timestamp"}"#);
        assert_eq!(headers[SERVER_TIME_HEADER], NOW.to_string().as_str());
        assert_eq!(headers[CONTENT_TYPE], "application/json");

        let mut tampered = signed("POST", "http://api.test/x", b"hello", NOW);
        *tampered.body_mut() = Full::new(Bytes::from_static(b"hellO"));
        let (status, _, body) = run(tampered).await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::UNAUTHORIZED,
                r#"{"error":"signature_mismatch"}"#
            )
        );

        let unsigned = Request::builder()
            .uri("/x")
            .header(HOST, "api.test")
            .body(Full::default())
            .unwrap();
        let (status, _, body) = run(unsigned).await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::UNAUTHORIZED,
                r#"{"error":"missing_authorization"}"#
            )
        );
    }

    #[tokio::test]
    async fn body_over_the_limit_is_413() {
        let (status, headers, body) = run(signed(
            "POST",
            "http://api.test/x",
            b"0123456789abcdefX",
            NOW,
        ))
        .await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                r#"{"error":"body_too_large"}"#
            )
        );
        assert!(headers.contains_key(SERVER_TIME_HEADER));
        // Exactly at the limit is fine.
        let (status, _, _) = run(signed(
            "POST",
            "http://api.test/x",
            b"0123456789abcdef",
            NOW,
        ))
        .await;
        assert_eq!(status, StatusCode::OK);
        // A declared length over the limit is refused before reading.
        let mut req = signed("POST", "http://api.test/x", b"small", NOW);
        req.headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from_static("1000000"));
        assert_eq!(run(req).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn missing_host_is_400() {
        let req = Request::builder().uri("/x").body(Full::default()).unwrap();
        let (status, _, body) = run(req).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::BAD_REQUEST, r#"{"error":"invalid_request"}"#)
        );
    }

    fn layer_with(f: impl FnOnce(SigwireLayer) -> SigwireLayer) -> SigwireLayer {
        let keys = Arc::new(InMemoryKeyStore::new());
        keys.insert("k1", SECRET.to_vec(), None).unwrap();
        let verifier = Verifier::builder(keys)
            .clock(Arc::new(FixedClock::new(NOW)))
            .build();
        f(SigwireLayer::new(Arc::new(verifier)))
    }

    async fn run_with(layer: SigwireLayer, req: Request<Full<Bytes>>) -> (StatusCode, String) {
        let resp = layer
            .layer(service_fn(echo_key))
            .oneshot(req)
            .await
            .unwrap();
        let status = resp.status();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn public_scheme_behind_a_tls_proxy() {
        let layer = layer_with(|l| l.scheme("HTTPS").authority("api.example.com"));
        let (status, _) =
            run_with(layer, signed("GET", "https://api.example.com/v1", b"", NOW)).await;
        assert_eq!(status, StatusCode::OK);
    }

    /// Issue 12 item 7: a request signed for service A, sent to service B that shares the key.
    /// Without declared authorities B accepts it (the signed host is whatever Host says);
    /// with them, B refuses it with 421 before verifying.
    #[tokio::test]
    async fn a_request_for_another_service_is_misdirected() {
        let for_a = || signed("POST", "http://a.internal/transfer", b"{}", NOW);
        let open = layer_with(|l| l);
        assert_eq!(
            run_with(open, for_a()).await.0,
            StatusCode::OK,
            "the attack, without audience binding"
        );

        let b = layer_with(|l| l.authorities(["b.internal", "b.example.com:8443"]));
        let (status, body) = run_with(b.clone(), for_a()).await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::MISDIRECTED_REQUEST,
                r#"{"error":"misdirected_request"}"#
            )
        );
        let (status, _) =
            run_with(b.clone(), signed("GET", "http://B.internal:80/x", b"", NOW)).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "declared authorities compare canonically"
        );

        // `.authority()` set and a Host that differs: refused, even though the URL would verify.
        let mut rewritten = signed("GET", "https://api.example.com/v1", b"", NOW);
        rewritten
            .headers_mut()
            .insert(HOST, HeaderValue::from_static("10.0.0.7:8080"));
        let proxied = layer_with(|l| l.scheme("https").authority("api.example.com"));
        assert_eq!(
            run_with(proxied, rewritten).await.0,
            StatusCode::MISDIRECTED_REQUEST
        );

        // Two Host lines are refused outright.
        let mut twice = signed("GET", "http://b.internal/x", b"", NOW);
        twice
            .headers_mut()
            .append(HOST, HeaderValue::from_static("a.internal"));
        assert_eq!(run_with(b, twice).await.0, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn loopback_authorities_accept_any_local_port_only() {
        let local = layer_with(SigwireLayer::loopback_authorities);
        for url in [
            "http://127.0.0.1:41234/x",
            "http://localhost:9/x",
            "http://[::1]:8080/x",
        ] {
            assert_eq!(
                run_with(local.clone(), signed("GET", url, b"", NOW))
                    .await
                    .0,
                StatusCode::OK,
                "{url}"
            );
        }
        let (status, _) =
            run_with(local, signed("GET", "http://api.example.com/x", b"", NOW)).await;
        assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
    }

    #[tokio::test]
    async fn an_invalid_declared_authority_fails_closed() {
        let layer = layer_with(|l| l.authorities(["not a host"]));
        let (status, body) = run_with(layer, signed("GET", "http://h/x", b"", NOW)).await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"error":"invalid_config"}"#
            )
        );
    }

    /// A body that records whether anyone read it.
    struct Watched {
        read: Arc<std::sync::atomic::AtomicBool>,
        inner: Full<Bytes>,
    }

    impl Body for Watched {
        type Data = Bytes;
        type Error = Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
            self.read.store(true, std::sync::atomic::Ordering::SeqCst);
            Pin::new(&mut self.inner).poll_frame(cx)
        }
    }

    async fn was_body_read(req: Request<Full<Bytes>>) -> (StatusCode, String, bool) {
        let read = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let req = req.map(|inner| Watched {
            read: Arc::clone(&read),
            inner,
        });
        let resp = layer()
            .layer(service_fn(echo_key))
            .oneshot(req)
            .await
            .unwrap();
        let status = resp.status();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            String::from_utf8(body.to_vec()).unwrap(),
            read.load(std::sync::atomic::Ordering::SeqCst),
        )
    }

    /// Issue 12 item 3: the layer read (up to the limit of) every body before looking at
    /// `Authorization`, so unauthenticated clients could make it buffer. Now the head is checked
    /// first and a refused request's body is never polled (hyper then never sends 100 Continue).
    #[tokio::test]
    async fn the_header_is_checked_before_the_body_is_read() {
        let mut unsigned = signed("POST", "http://api.test/x", b"0123456789", NOW);
        unsigned.headers_mut().remove("authorization");
        let (status, body, read) = was_body_read(unsigned).await;
        assert_eq!(
            (status, body.as_str(), read),
            (
                StatusCode::UNAUTHORIZED,
                r#"{"error":"missing_authorization"}"#,
                false
            )
        );

        let stale = signed("POST", "http://api.test/x", b"0123456789", NOW - 1000);
        assert!(
            !was_body_read(stale).await.2,
            "a stale header is answered before the body"
        );

        let other_key = Signer::new("nobody", SECRET.to_vec())
            .unwrap()
            .with_clock(Arc::new(FixedClock::new(NOW)));
        let mut unknown = signed("POST", "http://api.test/x", b"0123456789", NOW);
        let sig = other_key
            .sign(&sigwire_core::Request::new("POST", "http://api.test/x").body(b"0123456789"))
            .unwrap();
        unknown.headers_mut().insert(
            "authorization",
            HeaderValue::try_from(sig.authorization).unwrap(),
        );
        let (status, body, read) = was_body_read(unknown).await;
        assert_eq!(
            (status, body.as_str(), read),
            (
                StatusCode::UNAUTHORIZED,
                r#"{"error":"unknown_key"}"#,
                false
            )
        );

        let good = signed("POST", "http://api.test/x", b"0123456789", NOW);
        let (status, _, read) = was_body_read(good).await;
        assert_eq!((status, read), (StatusCode::OK, true));
    }

    /// Issue 12 item 11: `X-HTTP-Method-Override: DELETE` added on the path to a signed POST.
    /// With the defaults it reaches the application; with a verifier that requires the header to
    /// be signed, the layer answers 401 `unsigned_header` from the head, without reading the body;
    /// a client that signs every end-to-end header (`AllEndToEnd`) gets through.
    #[tokio::test]
    async fn an_unsigned_method_override_is_refused_when_required() {
        let requiring = |required: &[&str]| {
            let keys = Arc::new(InMemoryKeyStore::new());
            keys.insert("k1", SECRET.to_vec(), None).unwrap();
            let verifier = Verifier::builder(keys)
                .clock(Arc::new(FixedClock::new(NOW)))
                .require_signed_headers(required)
                .unwrap()
                .build();
            SigwireLayer::new(Arc::new(verifier))
        };
        let with_override = || {
            let mut req = signed("POST", "http://api.test/orders/7", b"{}", NOW);
            req.headers_mut()
                .insert("x-http-method-override", HeaderValue::from_static("DELETE"));
            req
        };
        assert_eq!(
            run_with(requiring(&[]), with_override()).await.0,
            StatusCode::OK,
            "the attack, with the defaults"
        );

        let read = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let watched = with_override().map(|inner| Watched {
            read: Arc::clone(&read),
            inner,
        });
        let resp = requiring(&["X-HTTP-Method-Override"])
            .layer(service_fn(echo_key))
            .oneshot(watched)
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert!(resp.headers().contains_key(SERVER_TIME_HEADER));
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], br#"{"error":"unsigned_header"}"#);
        assert!(
            !read.load(std::sync::atomic::Ordering::SeqCst),
            "refused before the body"
        );

        // Signed with every end-to-end header, the override is covered and accepted.
        let signer = Signer::new("k1", SECRET.to_vec())
            .unwrap()
            .with_clock(Arc::new(FixedClock::new(NOW)))
            .with_header_policy(sigwire_core::SignedHeaderPolicy::AllEndToEnd);
        let sig = signer
            .sign(
                &sigwire_core::Request::new("POST", "http://api.test/orders/7")
                    .header("X-HTTP-Method-Override", "PATCH")
                    .body(b"{}"),
            )
            .unwrap();
        assert_eq!(sig.signed_headers, "host;x-http-method-override");
        let covered = Request::builder()
            .method("POST")
            .uri("/orders/7")
            .header(HOST, "api.test")
            .header("x-http-method-override", "PATCH")
            .header("authorization", sig.authorization)
            .body(Full::new(Bytes::from_static(b"{}")))
            .unwrap();
        let (status, body) = run_with(requiring(&["x-http-method-override"]), covered).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "k1:2"));
    }

    /// A body larger than the spool threshold, sent in many frames.
    fn signed_large(body: Vec<u8>, tamper: bool) -> Request<http_body_util::StreamBody<BoxStream>> {
        let url = "http://api.test/upload";
        let signer = Signer::new("k1", SECRET.to_vec())
            .unwrap()
            .with_clock(Arc::new(FixedClock::new(NOW)));
        let sig = signer
            .sign(
                &sigwire_core::Request::new("PUT", url)
                    .header("content-type", "application/octet-stream")
                    .body(&body),
            )
            .unwrap();
        let mut sent = body;
        if tamper {
            let last = sent.len() - 1;
            sent[last] ^= 1;
        }
        let frames: Vec<Result<http_body::Frame<Bytes>, Infallible>> = sent
            .chunks(10_000)
            .map(|c| Ok(http_body::Frame::data(Bytes::copy_from_slice(c))))
            .collect();
        let stream: BoxStream = Box::pin(futures_util_stream(frames));
        Request::builder()
            .method("PUT")
            .uri("/upload")
            .header(HOST, "api.test")
            .header(CONTENT_TYPE, "application/octet-stream")
            .header("authorization", sig.authorization)
            .body(http_body_util::StreamBody::new(stream))
            .unwrap()
    }

    type BoxStream = Pin<
        Box<dyn futures_core::Stream<Item = Result<http_body::Frame<Bytes>, Infallible>> + Send>,
    >;

    fn futures_util_stream(
        frames: Vec<Result<http_body::Frame<Bytes>, Infallible>>,
    ) -> impl futures_core::Stream<Item = Result<http_body::Frame<Bytes>, Infallible>> + Send {
        struct Iter(std::vec::IntoIter<Result<http_body::Frame<Bytes>, Infallible>>);
        impl futures_core::Stream for Iter {
            type Item = Result<http_body::Frame<Bytes>, Infallible>;
            fn poll_next(
                mut self: Pin<&mut Self>,
                _: &mut Context<'_>,
            ) -> Poll<Option<Self::Item>> {
                Poll::Ready(self.0.next())
            }
        }
        Iter(frames.into_iter())
    }

    async fn run_large(
        layer: SigwireLayer,
        req: Request<http_body_util::StreamBody<BoxStream>>,
    ) -> (StatusCode, String, Option<(bool, Vec<u8>)>) {
        let seen = Arc::new(std::sync::Mutex::new(None));
        let record = Arc::clone(&seen);
        let svc = layer.layer(service_fn(move |req: Request<VerifiedBody>| {
            let record = Arc::clone(&record);
            async move {
                let spooled = req.body().is_spooled();
                let body = req.into_body().collect().await.unwrap().to_bytes();
                *record.lock().unwrap() = Some((spooled, body.to_vec()));
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"ok"))))
            }
        }));
        let resp = svc.oneshot(req).await.unwrap();
        let status = resp.status();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let seen = seen.lock().unwrap().take();
        (status, String::from_utf8_lossy(&body).into_owned(), seen)
    }

    fn big_body(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 253) as u8).collect()
    }

    fn spool_layer(dir: &std::path::Path) -> SigwireLayer {
        layer()
            .body_limit(1_000_000)
            .spool_threshold(64 * 1024)
            .spool_dir(dir)
    }

    fn files_in(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    #[tokio::test]
    async fn a_large_body_is_spooled_verified_and_replayed_whole() {
        let dir = tempfile::tempdir().unwrap();
        let body = big_body(700_000);
        let (status, _, seen) =
            run_large(spool_layer(dir.path()), signed_large(body.clone(), false)).await;
        assert_eq!(status, StatusCode::OK);
        let (spooled, received) = seen.expect("the handler ran");
        assert!(spooled, "700 kB is past the 64 KiB threshold");
        assert!(received == body, "the handler gets the exact bytes");
        assert_eq!(files_in(dir.path()), 0);

        // Below the threshold: memory, as before.
        let small = big_body(1000);
        let (status, _, seen) =
            run_large(spool_layer(dir.path()), signed_large(small.clone(), false)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(seen, Some((false, small)));
    }

    #[tokio::test]
    async fn a_tampered_spooled_body_is_401_and_the_handler_never_runs() {
        let dir = tempfile::tempdir().unwrap();
        let (status, body, seen) = run_large(
            spool_layer(dir.path()),
            signed_large(big_body(300_000), true),
        )
        .await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::UNAUTHORIZED,
                r#"{"error":"signature_mismatch"}"#
            )
        );
        assert!(seen.is_none(), "the handler must not run");
        assert_eq!(files_in(dir.path()), 0);
    }

    #[tokio::test]
    async fn the_limit_holds_for_spooled_bodies() {
        let dir = tempfile::tempdir().unwrap();
        let (status, body, seen) = run_large(
            spool_layer(dir.path()),
            signed_large(big_body(1_000_001), false),
        )
        .await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                r#"{"error":"body_too_large"}"#
            )
        );
        assert!(seen.is_none());
        assert_eq!(files_in(dir.path()), 0);
    }

    #[tokio::test]
    async fn a_sha512_signature_is_spooled_with_sha512() {
        let dir = tempfile::tempdir().unwrap();
        let body = big_body(200_000);
        let url = "http://api.test/upload";
        let signer = Signer::new("k1", SECRET.to_vec())
            .unwrap()
            .with_algorithm(sigwire_core::Algorithm::HmacSha512)
            .with_clock(Arc::new(FixedClock::new(NOW)));
        let sig = signer
            .sign(&sigwire_core::Request::new("PUT", url).body(&body))
            .unwrap();
        let mut req = signed_large(body.clone(), false);
        req.headers_mut().insert(
            "authorization",
            HeaderValue::from_str(&sig.authorization).unwrap(),
        );
        req.headers_mut().remove(CONTENT_TYPE);
        let (status, _, seen) = run_large(spool_layer(dir.path()), req).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(seen, Some((true, body)));
    }
}
