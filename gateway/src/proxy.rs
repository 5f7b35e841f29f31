//! The request path: refuse what a reverse proxy must not serve, route, verify, claim the nonce,
//! rate-limit, forward, stream the answer back, log one line.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{
    HeaderName, HeaderValue, AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, HOST,
};
use http::{Method, Request, Response, StatusCode, Uri};
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sigwire_core::{wire, ErrorCode, InMemoryReplayStore, ReplayStore as _, SERVER_TIME_HEADER};

use crate::access_log::LogLine;
use crate::admission::{self, Admission, Limiter};
use crate::config::{Config, ReplayBackend, Route};
use crate::keys::LiveKeys;
use crate::metrics::Metrics;
use crate::profile_routes::{ProfileCheck, Proof};
use crate::ratelimit::Decision;
use crate::redis_conn::RedisConn;
use crate::verify::{Authenticator, Rejected};
use sigwire_server::spool::{self, ReadError, Received, SpooledBody};

/// The header carrying the verified key id to the upstream (always stripped from incoming requests).
pub const KEY_ID_HEADER: &str = "x-sigwire-key-id";
/// The request id header sent to the upstream and back to the client.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// A pooled keep-alive HTTP/1.1 client to the upstreams.
pub type UpstreamClient = Client<HttpConnector, SpooledBody>;

/// What one proxy worker thread owns ([`Gateway::lane`]): its upstream connection pool and its
/// Redis connection, so a request, its upstream connection and its Redis commands stay on one
/// thread. The Redis connection shares the instance's client and error count.
pub struct Lane {
    client: UpstreamClient,
    redis: Option<RedisConn>,
    replay_in_redis: bool,
    blocked: Blocked,
}

impl std::fmt::Debug for Lane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lane")
            .field("redis", &self.redis)
            .finish_non_exhaustive()
    }
}

impl Lane {
    fn replay_redis(&self) -> Option<&RedisConn> {
        self.redis.as_ref().filter(|_| self.replay_in_redis)
    }

    /// Connects this worker's Redis connection and loads the scripts ahead of the first request,
    /// which otherwise pays the connection and the script load inside its Redis time limit. A
    /// failure (Redis down) changes nothing: the connection is then made on first use, as before.
    pub async fn warm_up(&self) {
        if let Some(conn) = &self.redis {
            let _ = admission::load_scripts(conn).await;
        }
    }
}

/// Failure budgets this worker has seen spent (limiter key → when it refills and Redis's answer),
/// so a client that keeps failing is refused before its body is read, without a Redis round
/// trip. Only a shortcut: Redis stays the authority (it is asked again once the time has passed,
/// and every verified request's admission script asks the budgets anyway).
#[derive(Debug, Default)]
struct Blocked(std::sync::Mutex<std::collections::HashMap<String, (Instant, Decision)>>);

impl Blocked {
    /// At most this many entries; expired ones are dropped first, then all of them.
    const CAPACITY: usize = 4096;

    fn remember(&self, key: &str, decision: &Decision) {
        let until = Instant::now() + Duration::from_millis(decision.retry_after_ms);
        if let Ok(mut map) = self.0.lock() {
            if map.len() >= Self::CAPACITY {
                let now = Instant::now();
                map.retain(|_, (t, _)| *t > now);
                if map.len() >= Self::CAPACITY {
                    map.clear();
                }
            }
            map.insert(key.to_owned(), (until, decision.clone()));
        }
    }

    /// Whether no refusal is remembered (expired ones included until [`check`](Self::check)
    /// drops them).
    fn is_empty(&self) -> bool {
        self.0.lock().map_or(true, |m| m.is_empty())
    }

    /// Redis's refusal for `key` with the time left, while it lasts.
    fn check(&self, key: &str) -> Option<Decision> {
        let mut map = self.0.lock().ok()?;
        let (until, decision) = map.get(key)?;
        let now = Instant::now();
        if *until <= now {
            map.remove(key);
            return None;
        }
        let mut d = decision.clone();
        d.retry_after_ms = u64::try_from((*until - now).as_millis()).unwrap_or(u64::MAX);
        Some(d)
    }
}

/// The body of a gateway response: the upstream's, streamed, or the gateway's own JSON.
pub type ResponseBody = Either<Incoming, Full<Bytes>>;

/// Gateway-specific outcome codes (beside the core's verification codes).
pub mod codes {
    /// Verified (or public) and forwarded; the upstream answered.
    pub const OK: &str = "ok";
    /// A public route, forwarded without verification.
    pub const PUBLIC: &str = "public";
    /// No route for the path (404).
    pub const ROUTE_NOT_FOUND: &str = "route_not_found";
    /// A CONNECT request (405): this is not a forward proxy.
    pub const CONNECT_NOT_ALLOWED: &str = "connect_not_allowed";
    /// An absolute-form request target (400): this is not a forward proxy.
    pub const ABSOLUTE_FORM_NOT_ALLOWED: &str = "absolute_form_not_allowed";
    /// The path has a `.` or `..` segment (literal or percent-encoded), which an upstream could
    /// resolve into another route than the one matched here (400).
    pub const DOT_SEGMENT_IN_PATH: &str = "dot_segment_in_path";
    /// The Host is not one this gateway serves (421).
    pub const MISDIRECTED_REQUEST: &str = sigwire_core::wire::MISDIRECTED_REQUEST;
    /// The body exceeds the limit (413).
    pub const BODY_TOO_LARGE: &str = sigwire_core::wire::BODY_TOO_LARGE;
    /// The body did not arrive in time (408).
    pub const BODY_TIMEOUT: &str = "body_timeout";
    /// The key id's request limit is exhausted (429).
    pub const RATE_LIMITED: &str = "rate_limited";
    /// Too many failed verifications from this client IP or for this key id (429).
    pub const TOO_MANY_FAILURES: &str = "too_many_failures";
    /// The upstream could not be reached (502).
    pub const UPSTREAM_UNAVAILABLE: &str = "upstream_unavailable";
    /// The upstream did not answer in time (504).
    pub const UPSTREAM_TIMEOUT: &str = "upstream_timeout";
}

/// One gateway instance's shared state.
pub struct Gateway {
    config: Config,
    keys: Arc<LiveKeys>,
    auth: Authenticator,
    /// Some when nonces are claimed in Redis (else in this process).
    replay_redis: Option<Arc<RedisConn>>,
    redis: Option<Arc<RedisConn>>,
    /// The verifier of each profile route, by prefix.
    profiles: std::collections::HashMap<String, ProfileCheck>,
    /// This process's replay store (profile requests' claims when nonces are not in Redis).
    memory: Arc<InMemoryReplayStore>,
    /// Metrics served on the admin listener.
    pub metrics: Metrics,
    log_requests: bool,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("listen", &self.config.listen)
            .finish_non_exhaustive()
    }
}

/// Hop-by-hop headers (RFC 9110 §7.6.1): never forwarded in either direction.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn skew(timestamp: u64, now: u64) -> i64 {
    let s = i128::from(timestamp) - i128::from(now);
    i64::try_from(s).unwrap_or(if s > 0 { i64::MAX } else { i64::MIN })
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// A gateway error response: `status`, `{"error":"<code>"}`, the server time, no caching.
pub fn error_response(status: StatusCode, code: &str) -> Response<ResponseBody> {
    let mut response = Response::new(Either::Right(Full::new(Bytes::from(format!(
        "{{\"error\":\"{code}\"}}"
    )))));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(SERVER_TIME_HEADER, HeaderValue::from(now_unix()));
    response
}

/// An early answer: status and code, plus rate-limit headers when a limiter decided.
struct Stop {
    status: StatusCode,
    code: &'static str,
    limit: Option<Decision>,
}

impl Stop {
    fn new(status: StatusCode, code: &'static str) -> Self {
        Stop {
            status,
            code,
            limit: None,
        }
    }

    fn store_unavailable() -> Self {
        Stop::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ReplayStoreUnavailable.as_str(),
        )
    }

    fn into_response(self) -> Response<ResponseBody> {
        let mut response = error_response(self.status, self.code);
        if let Some(d) = &self.limit {
            let h = response.headers_mut();
            h.insert(
                http::header::RETRY_AFTER,
                HeaderValue::from(d.retry_after_seconds()),
            );
            for (name, value) in d.headers() {
                h.insert(name, value);
            }
        }
        response
    }
}

impl Gateway {
    /// A gateway for `config`, verifying with `keys`; nonces go to Redis when the configuration
    /// says so (`replay = "redis"`), else to this process's memory. Fails (naming the field) only
    /// for a configuration that was not validated by [`Config::parse`].
    pub fn new(
        config: Config,
        keys: Arc<LiveKeys>,
        redis: Option<Arc<RedisConn>>,
        log_requests: bool,
    ) -> Result<Self, String> {
        let memory = Arc::new(InMemoryReplayStore::default());
        let profiles = crate::profile_routes::build(&config, &keys);
        let auth = Authenticator::new(
            Arc::clone(&keys) as Arc<dyn sigwire_core::KeyStore>,
            config.window,
            Arc::clone(&memory),
            &config.require_signed_headers,
        )
        .map_err(|e| format!("require_signed_headers: {}", e.message()))?;
        let replay_redis = if config.replay == ReplayBackend::Redis {
            redis.clone()
        } else {
            None
        };
        Ok(Gateway {
            config,
            keys,
            auth,
            replay_redis,
            redis,
            profiles,
            memory,
            metrics: Metrics::default(),
            log_requests,
        })
    }

    /// A new [`Lane`] for one worker thread: an upstream client (keep-alive pool, the configured
    /// connect timeout) and a Redis connection of its own, both made on first use on the runtime
    /// of the thread that uses them.
    pub fn lane(&self) -> Lane {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(self.config.timeouts.upstream_connect));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Lane {
            client,
            redis: self.redis.as_deref().map(RedisConn::another),
            replay_in_redis: self.replay_redis.is_some(),
            blocked: Blocked::default(),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The Redis connection, when one is configured.
    pub fn redis(&self) -> Option<&Arc<RedisConn>> {
        self.redis.as_ref()
    }

    /// The Redis connection nonces are claimed in, when they are claimed in Redis.
    pub fn replay_redis(&self) -> Option<&Arc<RedisConn>> {
        self.replay_redis.as_ref()
    }

    /// Handles one request from `peer` with the worker's `lane`; never fails (errors are
    /// responses).
    pub async fn handle(
        self: Arc<Self>,
        request: Request<Incoming>,
        peer: SocketAddr,
        lane: Arc<Lane>,
    ) -> Result<Response<ResponseBody>, Infallible> {
        let started = Instant::now();
        let mut line = LogLine::start(&request, peer);
        let mut response = match self.process(request, &lane, &mut line).await {
            Ok(response) => response,
            Err(stop) => {
                line.code = stop.code;
                stop.into_response()
            }
        };
        if let Ok(v) = HeaderValue::from_str(&line.request_id) {
            response.headers_mut().insert(REQUEST_ID_HEADER, v);
        }
        line.status = response.status().as_u16();
        self.metrics.count(line.code, line.status);
        if self.log_requests {
            line.finish(started);
        }
        Ok(response)
    }

    async fn process(
        &self,
        request: Request<Incoming>,
        lane: &Lane,
        line: &mut LogLine,
    ) -> Result<Response<ResponseBody>, Stop> {
        if request.method() == Method::CONNECT {
            return Err(Stop::new(
                StatusCode::METHOD_NOT_ALLOWED,
                codes::CONNECT_NOT_ALLOWED,
            ));
        }
        if request.uri().scheme().is_some() || request.uri().authority().is_some() {
            return Err(Stop::new(
                StatusCode::BAD_REQUEST,
                codes::ABSOLUTE_FORM_NOT_ALLOWED,
            ));
        }
        let host = single_host(&request).ok_or(Stop::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidRequest.as_str(),
        ))?;
        if self
            .config
            .audience
            .as_ref()
            .is_some_and(|a| !a.allows(&host))
        {
            return Err(Stop::new(
                StatusCode::MISDIRECTED_REQUEST,
                wire::MISDIRECTED_REQUEST,
            ));
        }
        if has_dot_segment(request.uri().path()) {
            return Err(Stop::new(
                StatusCode::BAD_REQUEST,
                codes::DOT_SEGMENT_IN_PATH,
            ));
        }
        let route = self
            .config
            .route(request.uri().path())
            .ok_or(Stop::new(StatusCode::NOT_FOUND, codes::ROUTE_NOT_FOUND))?;
        line.route = Some(route.prefix.clone());

        let (mut parts, body) = request.into_parts();
        parts.headers.remove(KEY_ID_HEADER);
        let declared = parts
            .headers
            .get_all(CONTENT_LENGTH)
            .iter()
            .map(|v| v.to_str().unwrap_or("?"));
        if let Err(rejection) =
            wire::check_declared_length(declared, self.config.body_limit, now_unix())
        {
            return Err(Stop::new(
                StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::BAD_REQUEST),
                rejection.code(),
            ));
        }
        let ip = line.client_ip.clone();
        let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
        let url = wire::request_url(&self.config.scheme, &host, path_and_query)
            .map_err(|_| Stop::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest.as_str()))?;
        // Built once, for the header-only precheck and the verification with the body both.
        let lines = if route.public {
            Vec::new()
        } else {
            header_lines(&parts)
        };
        let mut verify_time = Duration::ZERO;
        let mut body_algorithm = None;
        let profile = self.profiles.get(&route.prefix);
        if route.public {
            line.code = codes::PUBLIC;
        } else if profile.is_some() {
            // A profile signs the exact bytes: the body is read whole (in memory, up to
            // body_limit) and verified with it; only the IP's failure budget is checked first.
            self.failure_guard(FailureScope::Ip(&ip), lane)?;
        } else {
            let started = Instant::now();
            let result = self.precheck(&parts, &lines, &url, &ip, lane, line).await;
            verify_time += started.elapsed();
            body_algorithm = result?;
        }
        // Past the spool threshold the body goes to a temporary file, hashed on the way with the
        // digest the signature names; a verified route whose scheme names none keeps it in memory.
        let threshold = if route.public || body_algorithm.is_some() {
            self.config.spool_threshold
        } else {
            usize::MAX
        };
        let read = spool::read(
            body,
            self.config.body_limit,
            threshold,
            body_algorithm,
            self.config.spool_dir.as_deref(),
        );
        let body = match tokio::time::timeout(self.config.timeouts.body, read).await {
            Err(_) => return Err(Stop::new(StatusCode::REQUEST_TIMEOUT, codes::BODY_TIMEOUT)),
            Ok(Err(ReadError::TooLarge)) => {
                return Err(Stop::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    codes::BODY_TOO_LARGE,
                ))
            }
            Ok(Err(ReadError::Failed)) => {
                return Err(Stop::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::InvalidRequest.as_str(),
                ))
            }
            Ok(Ok(received)) => received,
        };

        let mut limit = None;
        if !route.public {
            let started = Instant::now();
            let result = match profile {
                Some(check) => {
                    self.verify_profile(check, &parts, &lines, &url, &body, &ip, lane, line)
                        .await
                }
                None => {
                    self.verify(&parts, &lines, &url, &body, &ip, lane, line)
                        .await
                }
            };
            verify_time += started.elapsed();
            line.verify_us = Some(micros(verify_time));
            self.metrics.verify.observe(verify_time);
            limit = result?;
            if let Some(key_id) = &line.key_id {
                if let Ok(v) = HeaderValue::from_str(key_id) {
                    parts.headers.insert(KEY_ID_HEADER, v);
                }
            }
            line.code = codes::OK;
        }
        let mut response = self
            .forward(
                &lane.client,
                route,
                parts,
                SpooledBody::from_received(body),
                line,
            )
            .await?;
        if let Some(d) = limit {
            for (name, value) in d.headers() {
                response.headers_mut().insert(name, value);
            }
        }
        Ok(response)
    }

    /// Before the body is read: the failure budget of the IP as this worker last saw it, the
    /// header-only checks, then the claimed key id's budget as last seen (no Redis round trip:
    /// Redis asks both budgets again in the admission script).
    async fn precheck(
        &self,
        parts: &http::request::Parts,
        lines: &[HeaderLine<'_>],
        url: &str,
        ip: &str,
        lane: &Lane,
        line: &mut LogLine,
    ) -> Result<Option<sigwire_core::Algorithm>, Stop> {
        self.failure_guard(FailureScope::Ip(ip), lane)?;
        let headers_only = sigwire_core::Request::new(parts.method.as_str(), url)
            .headers(lines.iter().map(|(n, v)| (*n, v.as_ref())));
        match self.auth.precheck(&headers_only, now_unix()) {
            Ok((key_id, body_algorithm)) => {
                let guard = self.failure_guard(FailureScope::Key(&key_id), lane);
                line.key_id = Some(key_id);
                guard.map(|()| body_algorithm)
            }
            Err(rejected) => Err(self.rejected(rejected, ip, lane, line).await),
        }
    }

    /// Records a failed verification and turns it into the answer.
    async fn rejected(
        &self,
        rejected: Rejected,
        ip: &str,
        lane: &Lane,
        line: &mut LogLine,
    ) -> Stop {
        line.key_id.clone_from(&rejected.claimed_key_id);
        line.skew = rejected.error.skew_seconds();
        let code = rejected.error.code();
        self.failed(code, ip, rejected.claimed_key_id.as_deref(), lane)
            .await
    }

    /// Counts a failed verification (one Redis round trip for both budgets) and turns it into the
    /// answer: `code`'s, or 429 `too_many_failures` when a budget was already spent — the same
    /// answer a correctly signed request from that client gets, so the two cannot be told apart.
    async fn failed(&self, code: ErrorCode, ip: &str, key_id: Option<&str>, lane: &Lane) -> Stop {
        if let Some(refusal) = self.record_failure(ip, key_id, lane).await {
            return refusal;
        }
        Stop::new(
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::UNAUTHORIZED),
            code.as_str(),
        )
    }

    /// With the body: verifies the signature, claims the nonce and applies the key's rate limit.
    /// Returns the rate-limit decision (for the response headers) when a limit applies.
    #[allow(clippy::too_many_arguments)]
    async fn verify(
        &self,
        parts: &http::request::Parts,
        lines: &[HeaderLine<'_>],
        url: &str,
        body: &Received,
        ip: &str,
        lane: &Lane,
        line: &mut LogLine,
    ) -> Result<Option<Decision>, Stop> {
        let head = sigwire_core::Request::new(parts.method.as_str(), url)
            .headers(lines.iter().map(|(n, v)| (*n, v.as_ref())));
        let core_request = match body {
            Received::Memory(bytes) => head.body(bytes),
            Received::Spooled {
                digest: Some(digest),
                ..
            } => head.precomputed_body_digest(digest.algorithm(), digest.as_str()),
            // Spooled unhashed only on public routes, which are never verified.
            Received::Spooled { digest: None, .. } => {
                return Err(Stop::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::InvalidRequest.as_str(),
                ))
            }
        };
        let now = now_unix();
        let authenticated = match self.auth.authenticate(&core_request, now) {
            Ok(a) => a,
            Err(rejected) => return Err(self.rejected(rejected, ip, lane, line).await),
        };
        line.skew = Some(authenticated.skew);
        self.admit_verified(Proof::Ticket(authenticated), ip, lane, line, now)
            .await
    }

    /// A verified request (either scheme): claims it against replay and applies the key's rate
    /// limit, in Redis in one round trip or in this process. Returns the rate-limit decision.
    async fn admit_verified(
        &self,
        proof: Proof,
        ip: &str,
        lane: &Lane,
        line: &mut LogLine,
        now: u64,
    ) -> Result<Option<Decision>, Stop> {
        let key_id = proof.key_id().to_owned();
        line.key_id = Some(key_id.clone());
        let failure_limiters: Vec<Limiter> = [FailureScope::Ip(ip), FailureScope::Key(&key_id)]
            .into_iter()
            .filter_map(|scope| self.failure_limiter(scope))
            .collect();
        let tier = self.keys.tier(&key_id);
        let rate = self
            .config
            .rate_limits
            .for_key(&key_id, tier.as_deref())
            .zip(self.redis.as_ref())
            .map(|((policy, limit), conn)| Limiter {
                key: conn.layout().rate(&key_id),
                policy,
                limit,
            });
        let claim = if lane.replay_redis().is_some() {
            Some(proof.claim(&key_id))
        } else {
            let recorded = match proof {
                Proof::Ticket(authenticated) => match self.auth.commit_in_memory(authenticated) {
                    Ok(()) => Ok(true),
                    Err(e) if e.code() == ErrorCode::ReplayedNonce => Ok(false),
                    Err(e) => Err(e),
                },
                Proof::Profile {
                    nonce, expires_at, ..
                } => self
                    .memory
                    .check_and_record(&key_id, &nonce, expires_at, now),
            };
            match recorded {
                Ok(true) => None,
                Ok(false) => {
                    return Err(self
                        .failed(ErrorCode::ReplayedNonce, ip, Some(&key_id), lane)
                        .await)
                }
                Err(_) => return Err(Stop::store_unavailable()),
            }
        };
        if claim.is_none() && failure_limiters.is_empty() && rate.is_none() {
            return Ok(None);
        }
        // One round trip: failure budgets asked, epoch rule, nonce claimed, rate limit taken.
        let conn = lane.redis.as_ref().ok_or_else(Stop::store_unavailable)?;
        let asked = Instant::now();
        let admission = admission::admit(conn, &failure_limiters, claim, rate.as_ref(), now).await;
        line.redis_us = Some(micros(asked.elapsed()));
        let admission = admission.map_err(|_| Stop::store_unavailable())?;
        match admission {
            Admission::Admitted(decision) => Ok(decision),
            Admission::Replayed => Err(self
                .failed(ErrorCode::ReplayedNonce, ip, Some(&key_id), lane)
                .await),
            Admission::BeforeEpoch { .. } => Err(Stop::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::StaleTimestamp.as_str(),
            )),
            Admission::TooManyFailures(decision) => {
                if let Some(l) = failure_limiters
                    .iter()
                    .find(|l| l.policy == decision.policy)
                {
                    lane.blocked.remember(&l.key, &decision);
                }
                Err(Stop {
                    status: StatusCode::TOO_MANY_REQUESTS,
                    code: codes::TOO_MANY_FAILURES,
                    limit: Some(decision),
                })
            }
            Admission::RateLimited(decision) => Err(Stop {
                status: StatusCode::TOO_MANY_REQUESTS,
                code: codes::RATE_LIMITED,
                limit: Some(decision),
            }),
        }
    }

    /// A profile route: verifies the request with the route's core verifier, then claims and
    /// rate-limits it as [`verify`](Self::verify) does.
    #[allow(clippy::too_many_arguments)]
    async fn verify_profile(
        &self,
        check: &ProfileCheck,
        parts: &http::request::Parts,
        lines: &[HeaderLine<'_>],
        url: &str,
        body: &Received,
        ip: &str,
        lane: &Lane,
        line: &mut LogLine,
    ) -> Result<Option<Decision>, Stop> {
        let Received::Memory(bytes) = body else {
            // Profile routes never spool (threshold: none).
            return Err(Stop::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidRequest.as_str(),
            ));
        };
        let request = sigwire_core::Request::new(parts.method.as_str(), url)
            .headers(lines.iter().map(|(n, v)| (*n, v.as_ref())))
            .body(bytes);
        let now = now_unix();
        match check.verify(&request, &parts.headers, url, self.config.window, now) {
            Ok(proof) => {
                line.skew = Some(skew(proof.timestamp(), now));
                self.admit_verified(proof, ip, lane, line, now).await
            }
            Err(e) => {
                let code = e.code();
                if let Some(refusal) = self.record_failure(ip, None, lane).await {
                    return Err(refusal);
                }
                Err(Stop::new(
                    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::UNAUTHORIZED),
                    code.as_str(),
                ))
            }
        }
    }

    /// Refuses early when this worker saw the failure budget of this IP or key id spent and it
    /// has not refilled yet (no Redis round trip).
    fn failure_guard(&self, scope: FailureScope<'_>, lane: &Lane) -> Result<(), Stop> {
        if lane.blocked.is_empty() {
            // The usual case: nothing refused lately, no key to build.
            return Ok(());
        }
        let Some(limiter) = self.failure_limiter(scope) else {
            return Ok(());
        };
        match lane.blocked.check(&limiter.key) {
            None => Ok(()),
            Some(decision) => Err(Stop {
                status: StatusCode::TOO_MANY_REQUESTS,
                code: codes::TOO_MANY_FAILURES,
                limit: Some(decision),
            }),
        }
    }

    /// The failure limiter of an IP or a claimed key id, when one is configured (needs Redis).
    fn failure_limiter(&self, scope: FailureScope<'_>) -> Option<Limiter> {
        let conn = self.redis.as_ref()?;
        let limits = &self.config.rate_limits;
        let (key, policy, limit) = match scope {
            FailureScope::Ip(ip) => (
                conn.layout().fail_ip(ip),
                "failures-ip",
                limits.failures_per_ip?,
            ),
            FailureScope::Key(k) => (
                conn.layout().fail_key(k),
                "failures-key",
                limits.failures_per_key?,
            ),
        };
        Some(Limiter {
            key,
            policy: policy.to_owned(),
            limit,
        })
    }

    /// Counts one failed verification against the IP and the claimed key id (one script call).
    /// Returns the 429 answer when a budget was already spent.
    async fn record_failure(&self, ip: &str, key_id: Option<&str>, lane: &Lane) -> Option<Stop> {
        let scopes = [Some(FailureScope::Ip(ip)), key_id.map(FailureScope::Key)];
        let limiters: Vec<Limiter> = scopes
            .into_iter()
            .flatten()
            .filter_map(|scope| self.failure_limiter(scope))
            .collect();
        let conn = lane.redis.as_ref()?;
        // A Redis failure here is counted in the metrics; the request is refused anyway.
        let refusal = admission::record_failures(conn, &limiters).await.ok()??;
        if let Some(l) = limiters.iter().find(|l| l.policy == refusal.policy) {
            lane.blocked.remember(&l.key, &refusal);
        }
        Some(Stop {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: codes::TOO_MANY_FAILURES,
            limit: Some(refusal),
        })
    }

    async fn forward(
        &self,
        client: &UpstreamClient,
        route: &Route,
        mut parts: http::request::Parts,
        body: SpooledBody,
        line: &mut LogLine,
    ) -> Result<Response<ResponseBody>, Stop> {
        let upstream = self.config.upstreams.get(&route.upstream).ok_or(Stop::new(
            StatusCode::BAD_GATEWAY,
            codes::UPSTREAM_UNAVAILABLE,
        ))?;
        let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
        let authority = upstream.url.authority().map_or("", |a| a.as_str());
        parts.uri = Uri::builder()
            .scheme("http")
            .authority(authority)
            .path_and_query(path_and_query)
            .build()
            .map_err(|_| Stop::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest.as_str()))?;
        strip_hop_by_hop(&mut parts.headers);
        if !self.config.forward_authorization {
            parts.headers.remove(AUTHORIZATION);
        }
        if let Ok(v) = HeaderValue::from_str(&line.request_id) {
            parts.headers.insert(REQUEST_ID_HEADER, v);
        }
        let forwarded_for = match parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        {
            Some(prior) => [prior, ", ", &line.client_ip].concat(),
            None => line.client_ip.clone(),
        };
        if let Ok(v) = HeaderValue::from_str(&forwarded_for) {
            parts
                .headers
                .insert(HeaderName::from_static("x-forwarded-for"), v);
        }
        let length = http_body::Body::size_hint(&body).exact().unwrap_or(0);
        parts
            .headers
            .insert(CONTENT_LENGTH, HeaderValue::from(length));
        parts.version = http::Version::HTTP_11;
        let request = Request::from_parts(parts, body);

        let started = Instant::now();
        let result = tokio::time::timeout(
            self.config.timeouts.upstream_response,
            client.request(request),
        )
        .await;
        let elapsed = started.elapsed();
        line.upstream_us = Some(micros(elapsed));
        self.metrics.upstream.observe(elapsed);
        let mut response = match result {
            Err(_) => {
                return Err(Stop::new(
                    StatusCode::GATEWAY_TIMEOUT,
                    codes::UPSTREAM_TIMEOUT,
                ))
            }
            Ok(Err(_)) => {
                return Err(Stop::new(
                    StatusCode::BAD_GATEWAY,
                    codes::UPSTREAM_UNAVAILABLE,
                ))
            }
            Ok(Ok(response)) => response,
        };
        line.upstream_status = Some(response.status().as_u16());
        strip_hop_by_hop(response.headers_mut());
        Ok(response.map(Either::Left))
    }
}

#[derive(Clone, Copy)]
enum FailureScope<'a> {
    Ip(&'a str),
    Key(&'a str),
}

/// One header line as text: its name and its value.
type HeaderLine<'a> = (&'a str, std::borrow::Cow<'a, str>);

/// The header lines as text: invalid UTF-8 becomes U+FFFD, which the core refuses in a signed
/// header and ignores otherwise. (Visible ASCII, the usual case, is borrowed after one cheap
/// check; only other bytes go through the UTF-8 decoder.)
fn header_lines(parts: &http::request::Parts) -> Vec<HeaderLine<'_>> {
    parts
        .headers
        .iter()
        .map(|(n, v)| {
            let text = match v.to_str() {
                Ok(ascii) => std::borrow::Cow::Borrowed(ascii),
                Err(_) => String::from_utf8_lossy(v.as_bytes()),
            };
            (n.as_str(), text)
        })
        .collect()
}

/// The request's one `Host` value (HTTP/1.1 requires exactly one).
fn single_host<B>(request: &Request<B>) -> Option<String> {
    let mut hosts = request.headers().get_all(HOST).iter();
    let host = hosts.next()?;
    if hosts.next().is_some() {
        return None;
    }
    let host = host.to_str().ok()?.trim();
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Whether `path` has a `.` or `..` segment once `%2e`, `%2f`, `%5c` and `\` are read as the
/// characters upstreams may take them for: `/public/../admin` must not pass as a public route.
fn has_dot_segment(path: &str) -> bool {
    // One pass, no copy: per segment, how many characters it has and whether all are dots.
    let bytes = path.as_bytes();
    let (mut len, mut dots) = (0usize, true);
    let mut i = 0;
    loop {
        let escape = |a: u8, b: u8| {
            bytes.get(i) == Some(&b'%')
                && bytes.get(i + 1) == Some(&a)
                && bytes.get(i + 2).map(u8::to_ascii_lowercase) == Some(b)
        };
        let (dot, separator, width) = if i == bytes.len() {
            (false, true, 1)
        } else if escape(b'2', b'e') {
            (true, false, 3)
        } else if escape(b'2', b'f') || escape(b'5', b'c') {
            (false, true, 3)
        } else {
            (bytes[i] == b'.', matches!(bytes[i], b'/' | b'\\'), 1)
        };
        if separator {
            if dots && (len == 1 || len == 2) {
                return true;
            }
            (len, dots) = (0, true);
        } else {
            len += 1;
            dots &= dot;
        }
        i += width;
        if i > bytes.len() {
            return false;
        }
    }
}

/// Removes hop-by-hop headers, including those the `Connection` header names.
fn strip_hop_by_hop(headers: &mut http::HeaderMap) {
    // One pass over the (few) names present instead of a lookup per hop-by-hop name, each of
    // which parses the name: this runs twice per request.
    let mut doomed: Vec<HeaderName> = Vec::new();
    for name in headers.keys() {
        if HOP_BY_HOP.contains(&name.as_str()) {
            doomed.push(name.clone());
        }
    }
    if doomed.is_empty() {
        return;
    }
    let named: Vec<String> = headers
        .get_all(http::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(',').map(|s| s.trim().to_ascii_lowercase()))
        .filter(|s| !s.is_empty())
        .collect();
    for name in &doomed {
        headers.remove(name);
    }
    for name in &named {
        headers.remove(name.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_and_connection_named_headers_are_removed() {
        let mut h = http::HeaderMap::new();
        h.insert(
            "connection",
            HeaderValue::from_static("close, x-secret-hop"),
        );
        h.insert("x-secret-hop", HeaderValue::from_static("1"));
        h.insert("transfer-encoding", HeaderValue::from_static("chunked"));
        h.insert("x-kept", HeaderValue::from_static("1"));
        strip_hop_by_hop(&mut h);
        assert_eq!(h.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["x-kept"]);
    }

    #[test]
    fn dot_segments_are_found_in_every_spelling() {
        for p in [
            "/public/../admin",
            "/a/./b",
            "/public/%2e%2E/admin",
            "/public/..%2fadmin",
            "/x/..",
            "/public%5c..%5cadmin",
        ] {
            assert!(has_dot_segment(p), "{p}");
        }
        for p in [
            "/",
            "/a.b/c",
            "/v1/..x",
            "/.well-known/x",
            "/a/...",
            "/%2e%2e%2e",
        ] {
            assert!(!has_dot_segment(p), "{p}");
        }
    }

    #[test]
    fn error_responses_carry_code_and_server_time() {
        let r = error_response(StatusCode::BAD_GATEWAY, codes::UPSTREAM_UNAVAILABLE);
        assert_eq!(r.status(), StatusCode::BAD_GATEWAY);
        assert!(r.headers().contains_key(SERVER_TIME_HEADER));
        assert_eq!(r.headers()[CONTENT_TYPE], "application/json");
    }
}
