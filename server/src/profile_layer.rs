//! [`ProfileLayer`]: a `tower::Layer` that verifies requests signed with a profile — AWS SigV4
//! ([`AwsSigV4Verifier`]) or RFC 9421 ([`Rfc9421Verifier`]) — before the inner service.
//!
//! The same checks as the Python `ProfileMiddleware` and the Node `profileExpress` /
//! `profileFastify`, in the same order as [`crate::SigwireLayer`]'s:
//!
//! 1. declared authorities ([`ProfileLayer::authorities`]): any other `Host` gets **421**
//!    `{"error":"misdirected_request"}`;
//! 2. a declared `Content-Length` above the limit gets **413** before a byte is read;
//! 3. the body is read whole, up to the limit (**413** `{"error":"body_too_large"}` beyond it):
//!    both profiles sign the exact bytes (SigV4 their SHA-256, RFC 9421 through
//!    `Content-Digest`), so nothing is spooled;
//! 4. method, absolute URL as received ([`sigwire_core::wire::request_url`]), header lines and
//!    body are verified at the layer's clock;
//! 5. a failure is answered with the error's status (401, or 400 for a malformed request) and
//!    `{"error":"<machine code>"}` (the profile codes: `signature_mismatch`,
//!    `timestamp_out_of_tolerance`, …), `Cache-Control: no-store`; the inner service is not called;
//! 6. on success the verifier's result ([`AwsVerified`] or [`Rfc9421Verified`]) is in the request
//!    extensions and the inner service gets the verified bytes as a [`VerifiedBody`].
//!
//! With [`ProfileLayer::replay_store`], step 4 is followed by the replay check of an RFC 9421
//! `nonce`: the pair (key id, nonce) is recorded until the signature could no longer verify
//! (`created + max_age`, or `expires`), a second use gets **401** `{"error":"replayed_nonce"}`, and a
//! store that cannot record answers **503** `{"error":"replay_store_unavailable"}` (fail closed).
//! Without a store the nonce is only reported ([`Rfc9421Verified::nonce`]). A signature without a
//! nonce (RFC 9421 makes it optional; Sigwire's clients always send one) is not replay-checked.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use http::{Request, Response, StatusCode};
use http_body::Body;
use http_body_util::{Either, Full};
use sigwire_core::profiles::aws_sigv4::{AwsCredentials, AwsSigV4Verifier, AwsVerified};
use sigwire_core::profiles::rfc9421::{Rfc9421Key, Rfc9421Verified, Rfc9421Verifier};
use sigwire_core::profiles::{ProfileError, ProfileErrorCode};
use sigwire_core::wire::Rejection;
use sigwire_core::{Clock, ReplayStore, SystemClock};
use tower_layer::Layer;
use tower_service::Service;

use crate::front::{header_lines, reject, Front};
use crate::layer::{SigwireBody, DEFAULT_BODY_LIMIT};
use crate::spool::{self, ReadError};
use crate::VerifiedBody;

/// A boxed error, as tower and hyper use.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request verifier the [`ProfileLayer`] can run: implemented for [`AwsSigV4Verifier`] and
/// [`Rfc9421Verifier`] (requests).
pub trait ProfileVerifier: Send + Sync + 'static {
    /// What a verified request proved; inserted into the request extensions.
    type Verified: Clone + Send + Sync + 'static;

    /// Verifies `request` (its body the exact bytes received) at `unix_now` seconds.
    fn verify_request(
        &self,
        request: &sigwire_core::Request<'_>,
        unix_now: u64,
    ) -> Result<Self::Verified, ProfileError>;

    /// What [`ProfileLayer::replay_store`] records for `verified`: the key id, the nonce and the
    /// last second (Unix, inclusive) at which the same signature would still verify. `None` when
    /// the signature carries no nonce (the default: SigV4 has none).
    fn replay_entry<'a>(&self, verified: &'a Self::Verified) -> Option<(&'a str, &'a str, u64)> {
        let _ = verified;
        None
    }
}

impl<F> ProfileVerifier for AwsSigV4Verifier<F>
where
    F: Fn(&str) -> Option<AwsCredentials> + Send + Sync + 'static,
{
    type Verified = AwsVerified;

    fn verify_request(
        &self,
        request: &sigwire_core::Request<'_>,
        unix_now: u64,
    ) -> Result<AwsVerified, ProfileError> {
        self.verify(request, unix_now)
    }
}

impl<F> ProfileVerifier for Rfc9421Verifier<F>
where
    F: Fn(&str) -> Option<Rfc9421Key> + Send + Sync + 'static,
{
    type Verified = Rfc9421Verified;

    fn verify_request(
        &self,
        request: &sigwire_core::Request<'_>,
        unix_now: u64,
    ) -> Result<Rfc9421Verified, ProfileError> {
        Rfc9421Verifier::verify_request(self, request, unix_now)
    }

    fn replay_entry<'a>(&self, verified: &'a Rfc9421Verified) -> Option<(&'a str, &'a str, u64)> {
        let nonce = verified.nonce.as_deref()?;
        Some((
            verified.key_id.as_str(),
            nonce,
            self.nonce_expires_at(verified),
        ))
    }
}

struct Config<V> {
    verifier: Arc<V>,
    clock: Arc<dyn Clock>,
    front: Front,
    replay: Option<Arc<dyn ReplayStore>>,
}

impl<V> Clone for Config<V> {
    fn clone(&self) -> Self {
        Config {
            verifier: Arc::clone(&self.verifier),
            clock: Arc::clone(&self.clock),
            front: self.front.clone(),
            replay: self.replay.clone(),
        }
    }
}

/// Verifies profile-signed requests (SigV4, RFC 9421) in front of an HTTP service.
///
/// ```
/// use sigwire_core::profiles::aws_sigv4::{AwsCredentials, AwsSigV4Verifier, AwsVerified};
/// use sigwire_server::ProfileLayer;
///
/// let creds = AwsCredentials::new("AKID", "secret")?;
/// let verifier = AwsSigV4Verifier::new("eu-west-1", "execute-api", move |id: &str| {
///     (id == "AKID").then(|| creds.clone())
/// });
/// let layer = ProfileLayer::new(verifier)
///     .body_limit(64 * 1024)             // 413 beyond 64 KiB
///     .scheme("https")                   // behind a TLS-terminating proxy
///     .authorities(["api.example.com"]); // 421 for any other Host
/// // axum: Router::new().route(..).layer(layer); the handler reads Extension<AwsVerified>
/// # let _ = layer;
/// # Ok::<(), sigwire_core::profiles::ProfileError>(())
/// ```
pub struct ProfileLayer<V> {
    config: Arc<Config<V>>,
}

impl<V> Clone for ProfileLayer<V> {
    fn clone(&self) -> Self {
        ProfileLayer {
            config: Arc::clone(&self.config),
        }
    }
}

impl<V> std::fmt::Debug for ProfileLayer<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileLayer")
            .field("front", &self.config.front)
            .finish_non_exhaustive()
    }
}

impl<V: ProfileVerifier> ProfileLayer<V> {
    /// A layer verifying with `verifier` at the system clock, a 1 MiB body limit, the request's
    /// own scheme (or `http`) and its `Host` (or URI authority), whatever it is. Declare the
    /// authorities you serve with [`authorities`](Self::authorities).
    pub fn new(verifier: V) -> Self {
        ProfileLayer {
            config: Arc::new(Config {
                verifier: Arc::new(verifier),
                clock: Arc::new(SystemClock),
                front: Front::new(DEFAULT_BODY_LIMIT),
                replay: None,
            }),
        }
    }

    /// Refuses a replayed RFC 9421 `nonce`: each verified (key id, nonce) is recorded in `store`
    /// (e.g. [`sigwire_core::InMemoryReplayStore`], or a shared one for several instances) until
    /// the signature could no longer verify; a second use gets 401 `{"error":"replayed_nonce"}`,
    /// a store error 503 `{"error":"replay_store_unavailable"}`. Signatures without a nonce, and
    /// SigV4 (which has none), pass unchecked.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sigwire_core::profiles::rfc9421::{Rfc9421Key, Rfc9421Verifier};
    /// use sigwire_core::InMemoryReplayStore;
    /// use sigwire_server::ProfileLayer;
    ///
    /// let key = Rfc9421Key::new("client-key", b"0123456789abcdef0123456789abcdef".to_vec())?;
    /// let verifier = Rfc9421Verifier::new(move |id: &str| (id == "client-key").then(|| key.clone()));
    /// let layer = ProfileLayer::new(verifier).replay_store(Arc::new(InMemoryReplayStore::default()));
    /// # let _ = layer;
    /// # Ok::<(), sigwire_core::profiles::ProfileError>(())
    /// ```
    #[must_use]
    pub fn replay_store(self, store: Arc<dyn ReplayStore>) -> Self {
        self.map(|c| c.replay = Some(store))
    }

    /// Verifies at `clock` instead of the system clock (tests, a corrected clock).
    #[must_use]
    pub fn clock(self, clock: Arc<dyn Clock>) -> Self {
        self.map(|c| c.clock = clock)
    }

    /// Accepts at most `bytes` of body (held in memory); larger bodies get 413
    /// `{"error":"body_too_large"}`.
    #[must_use]
    pub fn body_limit(self, bytes: usize) -> Self {
        self.map(|c| c.front.body_limit = bytes)
    }

    /// The scheme clients sign (`http` or `https`), when it differs from what this server sees,
    /// e.g. behind a proxy that terminates TLS.
    #[must_use]
    pub fn scheme(self, scheme: &str) -> Self {
        self.map(|c| c.front.set_scheme(scheme))
    }

    /// Serves only `authority` (`host[:port]`): shorthand for
    /// [`authorities`](Self::authorities) with one entry.
    #[must_use]
    pub fn authority(self, authority: &str) -> Self {
        self.authorities([authority])
    }

    /// The authorities (`host[:port]`) this service is reached at, as clients sign them; any
    /// other `Host` gets 421 `{"error":"misdirected_request"}` (as [`crate::SigwireLayer::authorities`]).
    #[must_use]
    pub fn authorities<I, S>(self, authorities: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let list = authorities
            .into_iter()
            .map(|a| a.as_ref().to_owned())
            .collect();
        self.map(|c| c.front.set_authorities(list))
    }

    /// Serves only loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`) on any port.
    #[must_use]
    pub fn loopback_authorities(self) -> Self {
        self.map(|c| c.front.loopback_only = true)
    }

    /// The verifier in use.
    pub fn verifier(&self) -> &Arc<V> {
        &self.config.verifier
    }

    fn map(self, f: impl FnOnce(&mut Config<V>)) -> Self {
        let mut config = (*self.config).clone();
        f(&mut config);
        ProfileLayer {
            config: Arc::new(config),
        }
    }
}

impl<S, V> Layer<S> for ProfileLayer<V> {
    type Service = ProfileService<S, V>;

    fn layer(&self, inner: S) -> Self::Service {
        ProfileService {
            inner,
            config: Arc::clone(&self.config),
        }
    }
}

/// The service produced by [`ProfileLayer`].
pub struct ProfileService<S, V> {
    inner: S,
    config: Arc<Config<V>>,
}

impl<S: Clone, V> Clone for ProfileService<S, V> {
    fn clone(&self) -> Self {
        ProfileService {
            inner: self.inner.clone(),
            config: Arc::clone(&self.config),
        }
    }
}

impl<S: std::fmt::Debug, V> std::fmt::Debug for ProfileService<S, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, V, ReqBody, ResBody> Service<Request<ReqBody>> for ProfileService<S, V>
where
    S: Service<Request<VerifiedBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    V: ProfileVerifier,
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

async fn verify<V, B>(
    config: &Config<V>,
    request: Request<B>,
) -> Result<Request<VerifiedBody>, Response<Full<Bytes>>>
where
    V: ProfileVerifier,
    B: Body,
    B::Error: Into<BoxError>,
{
    let now = config.clock.now();
    let (mut parts, body) = request.into_parts();
    let url = config.front.admit(&parts, now).map_err(reject)?;
    let received = match spool::read(body, config.front.body_limit, usize::MAX, None, None).await {
        Ok(received) => received,
        Err(ReadError::TooLarge) => {
            tracing::debug!(
                limit = config.front.body_limit,
                "sigwire: body exceeds the limit"
            );
            return Err(reject(Rejection::body_too_large(config.clock.now())));
        }
        Err(ReadError::Failed) => return Err(reject(Rejection::invalid_request(now))),
    };
    let spool::Received::Memory(bytes) = &received else {
        // Never spooled with an unbounded threshold.
        return Err(reject(Rejection::invalid_request(now)));
    };
    let lines = header_lines(&parts.headers);
    let message = sigwire_core::Request::new(parts.method.as_str(), &url)
        .headers(lines.iter().map(|(n, v)| (*n, v.as_ref())))
        .body(bytes);
    let verified = match config.verifier.verify_request(&message, now) {
        Ok(v) => v,
        Err(e) => {
            tracing::debug!(code = e.code().as_str(), method = %parts.method, path = parts.uri.path(), "sigwire: profile signature rejected");
            return Err(profile_rejection(&e));
        }
    };
    drop(lines);
    if let Some(store) = &config.replay {
        if let Some((key_id, nonce, until)) = config.verifier.replay_entry(&verified) {
            match store.check_and_record(key_id, nonce, until, now) {
                Ok(true) => {}
                Ok(false) => {
                    tracing::debug!(key_id, method = %parts.method, path = parts.uri.path(), "sigwire: replayed profile nonce");
                    return Err(profile_rejection(&ProfileError::new(
                        ProfileErrorCode::ReplayedNonce,
                        "this nonce was already used",
                    )));
                }
                Err(e) => {
                    tracing::warn!(
                        code = e.code().as_str(),
                        "sigwire: replay store unavailable"
                    );
                    return Err(reject(Rejection::from_error(&e, now)));
                }
            }
        }
    }
    parts.extensions.insert(verified);
    Ok(Request::from_parts(
        parts,
        VerifiedBody::from_received(received),
    ))
}

/// The answer to a profile verification failure: the code's status, `{"error":"<code>"}`.
fn profile_rejection(e: &ProfileError) -> Response<Full<Bytes>> {
    let code = e.code();
    let mut response = Response::new(Full::new(Bytes::from(format!(
        r#"{{"error":"{}"}}"#,
        code.as_str()
    ))));
    *response.status_mut() =
        StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::UNAUTHORIZED);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::HOST;
    use http_body_util::BodyExt;
    use sigwire_core::profiles::aws_sigv4::{AwsSigV4, SignableBody};
    use sigwire_core::profiles::rfc9421::{Rfc9421, SignatureInputs};
    use sigwire_core::signing::SigningInstructions;
    use sigwire_core::FixedClock;
    use std::convert::Infallible;
    use tower::{service_fn, ServiceExt};

    const NOW: u64 = 1_700_000_000;
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn creds() -> AwsCredentials {
        AwsCredentials::new("AKID", SECRET).unwrap()
    }

    fn aws_layer() -> ProfileLayer<impl ProfileVerifier<Verified = AwsVerified>> {
        let c = creds();
        let verifier = AwsSigV4Verifier::new("eu-west-1", "execute-api", move |id: &str| {
            (id == "AKID").then(|| c.clone())
        });
        ProfileLayer::new(verifier)
            .clock(Arc::new(FixedClock::new(NOW)))
            .body_limit(64)
    }

    fn rfc_key() -> Rfc9421Key {
        Rfc9421Key::new("k1", b"0123456789abcdef0123456789abcdef".to_vec()).unwrap()
    }

    fn rfc_layer() -> ProfileLayer<impl ProfileVerifier<Verified = Rfc9421Verified>> {
        let key = rfc_key();
        let verifier = Rfc9421Verifier::new(move |id: &str| (id == "k1").then(|| key.clone()));
        ProfileLayer::new(verifier).clock(Arc::new(FixedClock::new(NOW)))
    }

    /// An http request for `url` carrying `body` and the signing instructions' headers.
    fn to_http(
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &'static [u8],
        ins: &SigningInstructions,
    ) -> Request<Full<Bytes>> {
        let uri: http::Uri = ins.apply_to_url(url).parse().unwrap();
        let mut b = Request::builder()
            .method(method)
            .uri(uri.path_and_query().unwrap().as_str())
            .header(HOST, uri.authority().unwrap().as_str());
        for (n, v) in headers {
            b = b.header(*n, *v);
        }
        for p in ins.headers() {
            b = b.header(p.name(), p.value());
        }
        b.body(Full::new(Bytes::from_static(body))).unwrap()
    }

    fn aws_signed(url: &str, body: &'static [u8], at: u64) -> Request<Full<Bytes>> {
        let signer = AwsSigV4::new(creds(), "eu-west-1", "execute-api").unwrap();
        let headers = [("content-type", "application/json")];
        let request = sigwire_core::Request::new("POST", url)
            .headers(headers)
            .body(body);
        let out = signer
            .sign(&request, SignableBody::Bytes(body), at)
            .unwrap();
        to_http("POST", url, &headers, body, out.instructions())
    }

    async fn echo<T: Clone + Send + Sync + std::fmt::Debug + 'static>(
        req: Request<VerifiedBody>,
    ) -> Result<Response<Full<Bytes>>, Infallible> {
        let seen = req.extensions().get::<T>().map(|v| format!("{v:?}"));
        let body = req.into_body().collect().await.unwrap().to_bytes();
        Ok(Response::new(Full::new(Bytes::from(format!(
            "{}|{}",
            seen.unwrap_or_default(),
            String::from_utf8_lossy(&body)
        )))))
    }

    async fn run<V: ProfileVerifier>(
        layer: ProfileLayer<V>,
        req: Request<Full<Bytes>>,
    ) -> (StatusCode, http::HeaderMap, String)
    where
        V::Verified: std::fmt::Debug,
    {
        let resp = layer
            .layer(service_fn(echo::<V::Verified>))
            .oneshot(req)
            .await
            .unwrap();
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        (
            parts.status,
            parts.headers,
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }

    #[tokio::test]
    async fn sigv4_verified_result_and_bytes_reach_the_handler() {
        let req = aws_signed("http://api.test/v1/orders?b=2&a=1", b"{\"n\":1}", NOW - 5);
        let (status, _, body) = run(aws_layer(), req).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains(r#"access_key_id: "AKID""#), "{body}");
        assert!(body.ends_with(r#"|{"n":1}"#), "{body}");
    }

    #[tokio::test]
    async fn sigv4_failures_answer_the_profile_code() {
        let mut tampered = aws_signed("http://api.test/v1/orders", b"{\"n\":1}", NOW);
        *tampered.body_mut() = Full::new(Bytes::from_static(b"{\"n\":2}"));
        let (status, headers, body) = run(aws_layer(), tampered).await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::UNAUTHORIZED,
                r#"{"error":"signature_mismatch"}"#
            )
        );
        assert_eq!(headers[CACHE_CONTROL], "no-store");
        assert_eq!(headers[CONTENT_TYPE], "application/json");

        let stale = aws_signed("http://api.test/v1/orders", b"{}", NOW - 3600);
        let (status, _, body) = run(aws_layer(), stale).await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::UNAUTHORIZED,
                r#"{"error":"timestamp_out_of_tolerance"}"#
            )
        );

        let unsigned = Request::builder()
            .uri("/v1/orders")
            .header(HOST, "api.test")
            .body(Full::default())
            .unwrap();
        let (status, _, body) = run(aws_layer(), unsigned).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body, r#"{"error":"missing_signature"}"#);
    }

    #[tokio::test]
    async fn sigv4_body_limit_and_audience() {
        let big: &'static [u8] = &[b'x'; 65];
        let (status, _, body) = run(aws_layer(), aws_signed("http://api.test/x", big, NOW)).await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::PAYLOAD_TOO_LARGE,
                r#"{"error":"body_too_large"}"#
            )
        );
        let at_limit: &'static [u8] = &[b'x'; 64];
        let (status, _, _) = run(aws_layer(), aws_signed("http://api.test/x", at_limit, NOW)).await;
        assert_eq!(status, StatusCode::OK);

        let elsewhere = aws_layer().authorities(["api.example.com"]);
        let (status, _, body) = run(elsewhere, aws_signed("http://api.test/x", b"", NOW)).await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::MISDIRECTED_REQUEST,
                r#"{"error":"misdirected_request"}"#
            )
        );
        let behind_tls = aws_layer().scheme("https").authority("api.example.com");
        let req = aws_signed("https://api.example.com/x", b"", NOW);
        assert_eq!(run(behind_tls, req).await.0, StatusCode::OK);
    }

    fn rfc_signed(url: &str, body: &'static [u8], at: u64) -> Request<Full<Bytes>> {
        let request = sigwire_core::Request::new("PUT", url).body(body);
        let out = Rfc9421::new(rfc_key())
            .sign_request(&request, SignatureInputs::at(at).nonce("n-1"))
            .unwrap();
        to_http("PUT", url, &[], body, out.instructions())
    }

    #[tokio::test]
    async fn rfc9421_request_verifies_and_reports_the_nonce() {
        let (status, _, body) =
            run(rfc_layer(), rfc_signed("http://h.test/a?q=1", b"hi", NOW)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.contains(r#"key_id: "k1""#), "{body}");
        assert!(body.contains(r#"nonce: Some("n-1")"#), "{body}");
        assert!(body.ends_with("|hi"), "{body}");
    }

    #[tokio::test]
    async fn rfc9421_failures_answer_the_profile_code() {
        let mut tampered = rfc_signed("http://h.test/a", b"hi", NOW);
        *tampered.body_mut() = Full::new(Bytes::from_static(b"ho"));
        let (status, _, body) = run(rfc_layer(), tampered).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::UNAUTHORIZED, r#"{"error":"digest_mismatch"}"#)
        );

        // Signed for another path: the signature base differs.
        let mut moved = rfc_signed("http://h.test/a", b"", NOW);
        *moved.uri_mut() = "/b".parse().unwrap();
        let (status, _, body) = run(rfc_layer(), moved).await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::UNAUTHORIZED,
                r#"{"error":"signature_mismatch"}"#
            )
        );

        let old = rfc_signed("http://h.test/a", b"", NOW - 3600);
        let (status, _, body) = run(rfc_layer(), old).await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::UNAUTHORIZED,
                r#"{"error":"timestamp_out_of_tolerance"}"#
            )
        );
    }

    /// A store that records what it was asked, answering like an in-memory one, or failing.
    #[derive(Default)]
    struct Recording {
        fail: bool,
        seen: std::sync::Mutex<Vec<(String, String, u64, u64)>>,
    }

    impl ReplayStore for Recording {
        fn check_and_record(
            &self,
            key_id: &str,
            nonce: &str,
            expires_at: u64,
            now: u64,
        ) -> Result<bool, sigwire_core::Error> {
            if self.fail {
                return Err(sigwire_core::Error::new(
                    sigwire_core::ErrorCode::ReplayStoreUnavailable,
                    "redis down",
                ));
            }
            let mut seen = self.seen.lock().unwrap();
            let new = !seen.iter().any(|(k, n, ..)| k == key_id && n == nonce);
            seen.push((key_id.into(), nonce.into(), expires_at, now));
            Ok(new)
        }
    }

    fn rfc_signed_with(url: &str, at: u64, nonce: Option<&str>) -> Request<Full<Bytes>> {
        let request = sigwire_core::Request::new("GET", url);
        let mut inputs = SignatureInputs::at(at);
        if let Some(n) = nonce {
            inputs = inputs.nonce(n);
        }
        let out = Rfc9421::new(rfc_key())
            .sign_request(&request, inputs)
            .unwrap();
        to_http("GET", url, &[], b"", out.instructions())
    }

    #[tokio::test]
    async fn rfc9421_replay_store_refuses_a_second_use_of_a_nonce() {
        let store = Arc::new(Recording::default());
        let layer = rfc_layer().replay_store(store.clone());
        let first = run(
            layer.clone(),
            rfc_signed("http://h.test/a", b"hi", NOW - 10),
        )
        .await;
        assert_eq!(first.0, StatusCode::OK, "{}", first.2);
        let again = run(
            layer.clone(),
            rfc_signed("http://h.test/a", b"hi", NOW - 10),
        )
        .await;
        assert_eq!(
            (again.0, again.2.as_str()),
            (StatusCode::UNAUTHORIZED, r#"{"error":"replayed_nonce"}"#)
        );
        assert_eq!(again.1[CACHE_CONTROL], "no-store");
        // Another nonce of the same key passes; the entry lives until created + max_age (300 s).
        let other = run(
            layer.clone(),
            rfc_signed_with("http://h.test/a", NOW, Some("n-2")),
        )
        .await;
        assert_eq!(other.0, StatusCode::OK, "{}", other.2);
        let seen = store.seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            vec![
                ("k1".into(), "n-1".into(), NOW - 10 + 300, NOW),
                ("k1".into(), "n-1".into(), NOW - 10 + 300, NOW),
                ("k1".into(), "n-2".into(), NOW + 300, NOW),
            ]
        );
    }

    #[tokio::test]
    async fn rfc9421_replay_checks_only_verified_signatures_with_a_nonce() {
        let store = Arc::new(Recording::default());
        let layer = rfc_layer().replay_store(store.clone());
        // No nonce: nothing to record, both pass.
        for _ in 0..2 {
            let r = run(layer.clone(), rfc_signed_with("http://h.test/a", NOW, None)).await;
            assert_eq!(r.0, StatusCode::OK, "{}", r.2);
        }
        // A signature that fails never reaches the store (no nonce burnt by a forgery).
        let mut moved = rfc_signed("http://h.test/a", b"", NOW);
        *moved.uri_mut() = "/b".parse().unwrap();
        assert_eq!(run(layer, moved).await.0, StatusCode::UNAUTHORIZED);
        assert!(store.seen.lock().unwrap().is_empty());
        // SigV4 has no nonce: the store is not consulted.
        let aws = aws_layer().replay_store(store.clone());
        let req = aws_signed("http://api.test/v1/orders", b"{}", NOW);
        assert_eq!(run(aws, req).await.0, StatusCode::OK);
        assert!(store.seen.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn rfc9421_replay_store_failure_is_503_fail_closed() {
        let store = Arc::new(Recording {
            fail: true,
            ..Recording::default()
        });
        let (status, headers, body) = run(
            rfc_layer().replay_store(store),
            rfc_signed("http://h.test/a", b"hi", NOW),
        )
        .await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::SERVICE_UNAVAILABLE,
                r#"{"error":"replay_store_unavailable"}"#
            )
        );
        assert!(!body.contains("redis"), "{body}");
        assert!(headers.contains_key("x-sigwire-server-time"));
    }

    #[test]
    fn debug_shows_no_verifier_state() {
        let text = format!("{:?}", aws_layer());
        assert!(text.starts_with("ProfileLayer"), "{text}");
        assert!(!text.contains("EXAMPLEKEY"), "{text}");
    }
}
