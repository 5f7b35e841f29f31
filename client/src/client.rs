//! [`Client`] and [`ClientBuilder`].

use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use reqwest::Url;
use sigwire_core::{Algorithm, SignedHeaderPolicy, Signer};

use crate::error::Error;
use crate::no_echo;
use crate::profile::{self, DynScheme};
use crate::request::RequestBuilder;
use crate::retry::RetryPolicy;
use crate::skew::{self, SkewClock};

/// How error messages call the list of extra signed header names (`signed_headers[2]`).
pub(crate) const SIGNED_HEADERS: &str = "signed_headers";

pub use sigwire_client_core::IDEMPOTENCY_KEY;

/// Time limits of a client (each `None` means no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timeouts {
    pub(crate) connect: Option<Duration>,
    pub(crate) attempt: Option<Duration>,
    pub(crate) total: Option<Duration>,
}

/// Clock-skew correction settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SkewSettings {
    pub(crate) enabled: bool,
    pub(crate) threshold: u64,
    pub(crate) max: u64,
}

/// How a client signs.
// One per client, inside its `Arc<Inner>`: the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Auth {
    /// `sigwire-v1`.
    V1 {
        signer: Signer,
        /// The same signer, also signing `idempotency-key` (for calls that carry one).
        signer_idempotent: Signer,
    },
    /// Any other [`SigningScheme`](sigwire_core::signing::SigningScheme) (a signing profile).
    Profile(Arc<dyn DynScheme>),
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) auth: Auth,
    /// The extra signed header names as configured (error messages give their position).
    pub(crate) signed_headers: Vec<String>,
    /// The caller's own sensitive header names (lowercase), dropped on a change of origin.
    pub(crate) sensitive_headers: Vec<String>,
    pub(crate) clock: Arc<SkewClock>,
    pub(crate) default_headers: HeaderMap,
    pub(crate) timeouts: Timeouts,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_redirects: usize,
    pub(crate) skew: SkewSettings,
}

/// An HTTP client that signs every attempt with `sigwire-v1`.
///
/// Cheap to clone; clones share the connection pool and the measured clock offset.
///
/// ```no_run
/// # async fn demo() -> Result<(), sigwire_client::Error> {
/// use std::time::Duration;
/// use sigwire_client::{Client, RetryPolicy};
///
/// let client = Client::builder()
///     .base_url("https://api.example.com")
///     .credentials("client-1", b"0123456789abcdef0123456789abcdef".to_vec())
///     .attempt_timeout(Duration::from_secs(10))
///     .total_timeout(Duration::from_secs(30))
///     .retry(RetryPolicy::default().max_attempts(4))
///     .build()?;
/// let order: serde_json::Value = client
///     .post("/v1/orders")
///     .json(&serde_json::json!({"amount": 100}))
///     .send()
///     .await?
///     .json()?;
/// # let _ = order; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Client");
        d.field("base_url", &self.inner.base.as_str());
        match &self.inner.auth {
            Auth::V1 { signer, .. } => d
                .field("key_id", &signer.key_id())
                .field("algorithm", &signer.algorithm()),
            Auth::Profile(scheme) => d.field("profile", &scheme.name()),
        };
        d.field("clock_offset", &self.inner.clock.offset())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder with defaults: `hmac-sha256`; connect timeout 10 s, attempt 30 s, total 60 s;
    /// [`RetryPolicy::default`]; at most 5 redirects; skew correction on, 2 s threshold, 1 day maximum.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A request to `path`, resolved under the base URL (`"/v1/x"` and `"v1/x"` both append to
    /// the base path). An absolute `http(s)://` URL is used as is; it is signed only when its
    /// origin is the base URL's.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        RequestBuilder::new(self.clone(), method, path)
    }

    /// A `GET` request.
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    /// A `POST` request.
    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    /// A `PUT` request.
    pub fn put(&self, path: &str) -> RequestBuilder {
        self.request(Method::PUT, path)
    }

    /// A `PATCH` request.
    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.request(Method::PATCH, path)
    }

    /// A `DELETE` request.
    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.request(Method::DELETE, path)
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The key id (`sigwire-v1`); empty for a client that signs with a profile.
    pub fn key_id(&self) -> &str {
        match &self.inner.auth {
            Auth::V1 { signer, .. } => signer.key_id(),
            Auth::Profile(_) => "",
        }
    }

    /// The signing scheme's name: `"sigwire-v1"`, or the profile's (`"binance"`, `"aws-sigv4"`, …).
    pub fn scheme(&self) -> &'static str {
        match &self.inner.auth {
            Auth::V1 { .. } => sigwire_core::v1::NAME,
            Auth::Profile(scheme) => scheme.name(),
        }
    }

    /// The clock offset to the server now in use (server − local, seconds), as last measured.
    pub fn clock_offset(&self) -> i64 {
        self.inner.clock.offset()
    }
}

/// Builds a [`Client`]. Errors surface from [`ClientBuilder::build`].
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: Option<String>,
    signer: Option<Result<Signer, sigwire_core::Error>>,
    profile: Option<Arc<dyn DynScheme>>,
    header_policy: SignedHeaderPolicy,
    algorithm: Algorithm,
    signed_headers: Vec<String>,
    sensitive_headers: Vec<String>,
    default_headers: HeaderMap,
    error: Option<Error>,
    timeouts: Timeouts,
    retry: RetryPolicy,
    max_redirects: usize,
    skew: SkewSettings,
    user_agent: String,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            signer: None,
            profile: None,
            header_policy: SignedHeaderPolicy::default(),
            algorithm: Algorithm::default(),
            signed_headers: Vec::new(),
            sensitive_headers: Vec::new(),
            default_headers: HeaderMap::new(),
            error: None,
            timeouts: Timeouts {
                connect: Some(Duration::from_secs(10)),
                attempt: Some(Duration::from_secs(30)),
                total: Some(Duration::from_secs(60)),
            },
            retry: RetryPolicy::default(),
            max_redirects: 5,
            skew: SkewSettings {
                enabled: true,
                threshold: 2,
                max: 86_400,
            },
            user_agent: concat!("sigwire-client/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl ClientBuilder {
    /// The base URL (`http` or `https`, no query), e.g. `https://api.example.com/v1`.
    #[must_use]
    pub fn base_url(mut self, url: &str) -> Self {
        self.base_url = Some(url.to_owned());
        self
    }

    /// The key id and secret (at least 16 bytes). The secret is kept only inside the core signer,
    /// which zeroes it on drop and never prints it.
    #[must_use]
    pub fn credentials(mut self, key_id: &str, secret: impl Into<Vec<u8>>) -> Self {
        self.signer = Some(Signer::new(key_id, secret));
        self
    }

    /// Signs with a signing profile instead of `sigwire-v1`: any
    /// [`SigningScheme`](sigwire_core::signing::SigningScheme) — AWS SigV4, RFC 9421, the exchange
    /// presets of `sigwire_core::profiles`, or your own. Replaces [`ClientBuilder::credentials`]
    /// (setting both is a `Config` error); retries, re-signing per attempt, clock correction and
    /// the redirect policy are the same. The profile decides which headers it covers, so
    /// [`ClientBuilder::signed_headers`] does not apply.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use sigwire_core::profiles::exchanges::{binance::Binance, ApiCredentials};
    ///
    /// let binance = Binance::new(ApiCredentials::new("my-api-key", "my-secret")?);
    /// let client = sigwire_client::Client::builder()
    ///     .base_url("https://api.binance.com")
    ///     .profile(binance)
    ///     .build()?;
    /// let orders = client.get("/api/v3/openOrders").query([("symbol", "BTCUSDT")]).send().await?;
    /// # let _ = orders; Ok(()) }
    /// ```
    #[must_use]
    pub fn profile<S>(mut self, scheme: S) -> Self
    where
        S: sigwire_core::signing::SigningScheme + Send + Sync + 'static,
        S::Error: From<sigwire_core::Error> + Into<sigwire_core::Error>,
    {
        self.profile = Some(profile::erase(scheme));
        self
    }

    /// Which headers `sigwire-v1` signs (SPEC §3.5): [`SignedHeaderPolicy::Listed`] (default:
    /// host, content-type, the [`ClientBuilder::signed_headers`]) or
    /// [`SignedHeaderPolicy::AllEndToEnd`] (every end-to-end header on the request). Headers
    /// reqwest adds at send time (`accept`, `accept-encoding`, the default `user-agent`) are not
    /// on the request when it is signed, so they are not signed unless set on the request (or
    /// with [`ClientBuilder::default_header`]) beforehand.
    #[must_use]
    pub fn signed_header_policy(mut self, policy: SignedHeaderPolicy) -> Self {
        self.header_policy = policy;
        self
    }

    /// The algorithm (default `hmac-sha256`).
    #[must_use]
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Extra header names to sign on every request (each must then be present on every request,
    /// e.g. through [`ClientBuilder::default_header`]).
    #[must_use]
    pub fn signed_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.signed_headers = names.into_iter().map(Into::into).collect();
        self
    }

    /// More header names never sent to another origin on a redirect, besides
    /// [`SENSITIVE_HEADERS`](crate::SENSITIVE_HEADERS) (`Authorization`, `Proxy-Authorization`,
    /// `Cookie`, `X-Api-Key`, `X-Auth-Token`, …) and values marked sensitive. Names are
    /// case-insensitive.
    #[must_use]
    pub fn sensitive_headers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.sensitive_headers = names
            .into_iter()
            .map(|n| n.as_ref().to_ascii_lowercase())
            .collect();
        self
    }

    /// A header sent on every request (a request's own header of the same name replaces it).
    #[must_use]
    pub fn default_header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(n), Ok(v)) => {
                self.default_headers.append(n, v);
            }
            _ => {
                // Neither the name nor the value is shown: a swapped pair would print a credential.
                self.error
                    .get_or_insert(Error::config("invalid default header name or value"));
            }
        }
        self
    }

    /// The `User-Agent` (default `sigwire-client/<version>`; native only, browsers set their own).
    #[must_use]
    pub fn user_agent(mut self, user_agent: &str) -> Self {
        self.user_agent = user_agent.to_owned();
        self
    }

    /// Limit on establishing a connection (native only; `None`: no limit).
    #[must_use]
    pub fn connect_timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.timeouts.connect = limit.into();
        self
    }

    /// Limit on one attempt: sending, following redirects and reading the whole body.
    #[must_use]
    pub fn attempt_timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.timeouts.attempt = limit.into();
        self
    }

    /// Limit on the whole call, every attempt and backoff sleep included.
    #[must_use]
    pub fn total_timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.timeouts.total = limit.into();
        self
    }

    /// The retry policy.
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Redirects followed per attempt (0: none; a redirect is then returned as the response).
    #[must_use]
    pub fn max_redirects(mut self, limit: usize) -> Self {
        self.max_redirects = limit;
        self
    }

    /// Whether to correct the signing clock from the server's `Date` and `X-Sigwire-Server-Time`
    /// (default on).
    #[must_use]
    pub fn clock_skew_correction(mut self, on: bool) -> Self {
        self.skew.enabled = on;
        self
    }

    /// A new measurement replaces the offset in use only when they differ by more than this
    /// (default 2 s; `Date` has one-second resolution).
    #[must_use]
    pub fn clock_skew_threshold(mut self, threshold: Duration) -> Self {
        self.skew.threshold = threshold.as_secs();
        self
    }

    /// The largest offset the client corrects (default 1 day). A `stale_timestamp` rejection
    /// whose measured offset is larger fails with [`Error::ClockSkewTooLarge`].
    #[must_use]
    pub fn max_clock_skew(mut self, max: Duration) -> Self {
        self.skew.max = max.as_secs();
        self
    }

    /// The client. Errors: `Config` (no base URL or credentials, bad URL, bad header),
    /// `Sign` (bad key id, secret shorter than 16 bytes, bad signed header name).
    pub fn build(self) -> Result<Client, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let base = self
            .base_url
            .ok_or_else(|| Error::config("a base URL is required"))?;
        let base = Url::parse(&base).map_err(|e| Error::config(format!("base URL: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(Error::config(
                "the base URL must be an absolute http(s) URL",
            ));
        }
        if base.query().is_some() || base.fragment().is_some() || !base.username().is_empty() {
            return Err(Error::config(
                "the base URL must not have a query, a fragment or credentials",
            ));
        }
        let clock = skew::shared();
        let auth = match (self.profile, self.signer) {
            (Some(_), Some(_)) => {
                return Err(Error::config(
                    "set either credentials (sigwire-v1) or a profile, not both",
                ))
            }
            (Some(_), None) if !self.signed_headers.is_empty() => {
                return Err(Error::config(
                    "signed_headers applies to sigwire-v1; a profile decides what it covers",
                ))
            }
            (Some(scheme), None) => Auth::Profile(scheme),
            (None, None) => return Err(Error::config("credentials or a profile are required")),
            (None, Some(signer)) => {
                let signer = signer?;
                let no_echo = |e| no_echo::header_names(e, &self.signed_headers, SIGNED_HEADERS);
                let signer = signer
                    .with_algorithm(self.algorithm)
                    .with_clock(Arc::clone(&clock) as Arc<dyn sigwire_core::Clock>)
                    .with_signed_headers(self.signed_headers.iter().cloned())
                    .map_err(no_echo)?
                    .with_header_policy(self.header_policy);
                let signer_idempotent = if self
                    .signed_headers
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(IDEMPOTENCY_KEY))
                {
                    signer.clone()
                } else {
                    let mut names = self.signed_headers.clone();
                    names.push(IDEMPOTENCY_KEY.to_owned());
                    signer.clone().with_signed_headers(names).map_err(no_echo)?
                };
                Auth::V1 {
                    signer,
                    signer_idempotent,
                }
            }
        };
        let http = http_client(&self.timeouts, &self.user_agent)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                auth,
                signed_headers: self.signed_headers,
                sensitive_headers: self.sensitive_headers,
                clock,
                default_headers: self.default_headers,
                timeouts: self.timeouts,
                retry: self.retry,
                max_redirects: self.max_redirects,
                skew: self.skew,
            }),
        })
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn http_client(timeouts: &Timeouts, user_agent: &str) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder()
        // Redirects are followed by the client itself, so that each hop is re-signed or stripped.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent);
    if let Some(limit) = timeouts.connect {
        builder = builder.connect_timeout(limit);
    }
    builder
        .build()
        .map_err(|e| Error::config(crate::error::describe(&e)))
}

#[cfg(target_arch = "wasm32")]
fn http_client(_timeouts: &Timeouts, _user_agent: &str) -> Result<reqwest::Client, Error> {
    // The browser's fetch follows redirects itself and owns connections and the User-Agent.
    reqwest::Client::builder()
        .build()
        .map_err(|e| Error::config(crate::error::describe(&e)))
}
