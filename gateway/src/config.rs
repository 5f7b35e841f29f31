//! The gateway's one declarative file (TOML), parsed and validated at start-up.
//!
//! Every validation error names the field it is about (`routes[1].upstream`, `window`, …) so an
//! operator can fix the file without reading code. The format is documented in `docs/gateway.md`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// A configuration error: the field it concerns and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("config field `{field}`: {message}")]
pub struct ConfigError {
    /// The dotted path of the field, e.g. `routes[0].upstream`.
    pub field: String,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl ConfigError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The validated configuration of one gateway instance.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Where the proxy listens.
    pub listen: SocketAddr,
    /// Where `/metrics`, `/healthz` and `/readyz` are served (never on the proxy port).
    pub admin_listen: SocketAddr,
    /// Proxy worker threads, each with its own event loop and upstream connection pool
    /// (default: the number of CPUs the process may use).
    pub workers: usize,
    /// Most client connections open at once on the proxy listener (default 10 000). At the cap
    /// the gateway stops accepting until one closes: further clients wait in the kernel's
    /// backlog instead of costing memory here.
    pub max_connections: usize,
    /// Header names (lowercase) a signature must cover: a request carrying one unsigned is
    /// refused with 401 `unsigned_header`, as the SDK middleware's `require_signed_headers`.
    pub require_signed_headers: Vec<String>,
    /// Timestamp window in seconds either side of the gateway's clock.
    pub window: u64,
    /// Largest request body accepted, in bytes (413 `body_too_large` beyond it).
    pub body_limit: usize,
    /// Request bodies larger than this many bytes are not held in memory: they are hashed while
    /// written to an unnamed temporary file, verified at the end, and streamed to the upstream
    /// from that file only after the signature holds (default 1 MiB).
    pub spool_threshold: usize,
    /// Where spool files are created (default: the system's temporary directory).
    pub spool_dir: Option<PathBuf>,
    /// Forward the client's `Authorization` header to the upstream (default: never).
    pub forward_authorization: bool,
    /// The scheme clients sign (`http` or `https`), e.g. `https` behind a TLS terminator.
    pub scheme: String,
    /// The `host[:port]` values clients may sign (canonical form); requests for any other host
    /// are refused with 421. `None`: any `Host` the request carries.
    pub audience: Option<sigwire_core::wire::Audience>,
    /// Time limits.
    pub timeouts: Timeouts,
    /// Upstreams by name.
    pub upstreams: BTreeMap<String, Upstream>,
    /// Routes, longest prefix first.
    pub routes: Vec<Route>,
    /// Where nonces are recorded.
    pub replay: ReplayBackend,
    /// Redis connection, when any feature uses it.
    pub redis: Option<RedisConfig>,
    /// Rate limits.
    pub rate_limits: RateLimits,
    /// Where keys come from.
    pub keys: KeySources,
}

/// Time limits, all in milliseconds in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Time for a client to send the request line and headers.
    pub header: Duration,
    /// Time for a client to send the whole body once the headers are in.
    pub body: Duration,
    /// Time to open a connection to the upstream (502 `upstream_unavailable` beyond it).
    pub upstream_connect: Duration,
    /// Time for the upstream to answer with its status and headers (504 `upstream_timeout`).
    pub upstream_response: Duration,
    /// Time for one Redis command (503 `replay_store_unavailable` beyond it).
    pub redis: Duration,
}

/// An upstream service.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Upstream {
    /// Its name, used by routes.
    pub name: String,
    /// `http://host:port` (no path): the request's path and query are appended unchanged.
    pub url: http::Uri,
}

/// A path prefix sent to an upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// Requests whose path starts with this prefix take this route (the longest prefix wins).
    pub prefix: String,
    /// The upstream's name.
    pub upstream: String,
    /// Forwarded without a signature (the key id header is still stripped).
    pub public: bool,
    /// The signing scheme requests on this route must carry (default `sigwire-v1`).
    pub profile: RouteProfile,
}

/// The signing scheme a route verifies, checked by the core's verifier for it. Keys come from the
/// gateway's key sources (a key id's newest live secret; for SigV4 the key id is the access key id
/// and the secret the secret access key), and a verified request is claimed against replay and
/// rate-limited like a `sigwire-v1` one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RouteProfile {
    /// `sigwire-v1` (SPEC.md).
    SigwireV1,
    /// AWS Signature Version 4 (header or presigned URL) for this region and service.
    AwsSigV4 {
        /// The region in the credential scope (`aws_region`).
        region: String,
        /// The service in the credential scope (`aws_service`).
        service: String,
    },
    /// RFC 9421 HTTP Message Signatures, `hmac-sha256`.
    Rfc9421 {
        /// Components every signature must cover (`rfc9421_required`; default: the core's).
        required: Option<Vec<String>>,
    },
}

/// Where the replay store lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayBackend {
    /// In this process only: correct for a single instance.
    Memory,
    /// In Redis, shared by every instance.
    Redis,
}

/// Redis connection settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RedisConfig {
    /// `redis://[user:password@]host:port[/db]`.
    pub url: String,
    /// Prefix of every key the gateway writes (`<namespace>:replay:…`), see docs/redis-layout.md.
    pub namespace: String,
}

/// One GCRA limit: `rate` requests per `per_seconds`, with bursts of up to `burst`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// Requests admitted per period at the sustained rate.
    pub rate: u64,
    /// The period in seconds.
    pub per_seconds: u64,
    /// Requests that may arrive at once (default: `rate`).
    #[serde(default)]
    pub burst: Option<u64>,
}

impl Limit {
    /// The burst size (defaults to `rate`).
    pub fn burst(&self) -> u64 {
        self.burst.unwrap_or(self.rate)
    }
}

/// Rate limits applied after the signature verifies, and the brute-force guard before it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimits {
    /// Tier applied to keys that name none (absent: verified requests are not rate limited).
    pub default_tier: Option<String>,
    /// Named tiers.
    pub tiers: BTreeMap<String, Limit>,
    /// Per key id limits, overriding its tier.
    pub keys: BTreeMap<String, Limit>,
    /// Failed verifications allowed per claimed key id.
    pub failures_per_key: Option<Limit>,
    /// Failed verifications allowed per client IP.
    pub failures_per_ip: Option<Limit>,
}

impl RateLimits {
    /// The limit that applies to `key_id` with the tier its key record names, and the policy name.
    pub fn for_key(&self, key_id: &str, tier: Option<&str>) -> Option<(String, Limit)> {
        if let Some(limit) = self.keys.get(key_id) {
            return Some(("key".to_owned(), *limit));
        }
        let tier = tier
            .filter(|t| self.tiers.contains_key(*t))
            .or(self.default_tier.as_deref())?;
        self.tiers.get(tier).map(|l| (tier.to_owned(), *l))
    }
}

/// Key sources; several may be combined (a key id found in several sources keeps all its secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeySources {
    /// A keys file (TOML), reloaded on SIGHUP and when it changes.
    pub file: Option<PathBuf>,
    /// An environment variable holding the same records as JSON, read at start-up.
    pub env: Option<String>,
    /// Keys kept in Redis (managed with `sigwire-gateway keys …`).
    pub redis: bool,
    /// How often the file and Redis are checked for changes.
    pub reload_interval: Duration,
}

// ---------------------------------------------------------------- the file as written

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<String>,
    admin_listen: Option<String>,
    workers: Option<i64>,
    max_connections: Option<i64>,
    #[serde(default)]
    require_signed_headers: Vec<String>,
    window: Option<i64>,
    body_limit: Option<i64>,
    spool_threshold: Option<i64>,
    spool_dir: Option<PathBuf>,
    forward_authorization: Option<bool>,
    scheme: Option<String>,
    #[serde(default)]
    authorities: Vec<String>,
    #[serde(default)]
    timeouts: RawTimeouts,
    #[serde(default)]
    upstreams: Vec<RawUpstream>,
    #[serde(default)]
    routes: Vec<RawRoute>,
    replay: Option<String>,
    redis: Option<RawRedis>,
    #[serde(default)]
    rate_limits: RawRateLimits,
    #[serde(default)]
    keys: RawKeys,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimeouts {
    header_ms: Option<u64>,
    body_ms: Option<u64>,
    upstream_connect_ms: Option<u64>,
    upstream_response_ms: Option<u64>,
    redis_ms: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUpstream {
    name: Option<String>,
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    prefix: Option<String>,
    upstream: Option<String>,
    #[serde(default)]
    public: bool,
    profile: Option<String>,
    aws_region: Option<String>,
    aws_service: Option<String>,
    rfc9421_required: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRedis {
    url: Option<String>,
    namespace: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRateLimits {
    default_tier: Option<String>,
    #[serde(default)]
    tiers: BTreeMap<String, Limit>,
    #[serde(default)]
    keys: BTreeMap<String, Limit>,
    failures_per_key: Option<Limit>,
    failures_per_ip: Option<Limit>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeys {
    file: Option<PathBuf>,
    env: Option<String>,
    #[serde(default)]
    redis: bool,
    reload_ms: Option<u64>,
}

/// Most connections accepted for `max_connections`.
const MAX_CONNECTIONS: i64 = 1_000_000;
/// Largest window accepted (one day): a longer one keeps nonces for too long.
const MAX_WINDOW: i64 = 86_400;
/// Most proxy worker threads accepted.
const MAX_WORKERS: i64 = 256;
/// Largest body limit accepted (1 GiB): the gateway buffers the body to verify it.
const MAX_BODY_LIMIT: i64 = 1 << 30;

impl Config {
    /// Reads and validates the file at `path`; relative paths inside it (the keys file) are
    /// resolved against the file's folder.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new("(file)", format!("cannot read {}: {e}", path.display()))
        })?;
        let mut config = Config::parse(&text)?;
        if let (Some(file), Some(dir)) = (&config.keys.file, path.parent()) {
            if file.is_relative() {
                config.keys.file = Some(dir.join(file));
            }
        }
        Ok(config)
    }

    /// Parses and validates TOML text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(syntax_error)?;
        raw.validate()
    }
}

/// Turns a TOML/serde error into a field error: serde names unknown fields and bad types in its
/// message; the TOML span gives the line.
fn syntax_error(e: toml::de::Error) -> ConfigError {
    let message = e.message().to_owned();
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.starts_with("unknown field"))
        .map_or_else(|| "(syntax)".to_owned(), str::to_owned);
    ConfigError::new(field, message.replace('\n', " "))
}

fn required<T>(value: Option<T>, field: &str) -> Result<T, ConfigError> {
    value.ok_or_else(|| ConfigError::new(field, "is required"))
}

fn socket(value: Option<String>, field: &str) -> Result<SocketAddr, ConfigError> {
    let text = required(value, field)?;
    text.parse().map_err(|_| {
        ConfigError::new(
            field,
            format!("`{text}` is not an IP address and port like 127.0.0.1:8080"),
        )
    })
}

fn millis(value: Option<u64>, default: u64, field: &str) -> Result<Duration, ConfigError> {
    let ms = value.unwrap_or(default);
    if ms == 0 || ms > 3_600_000 {
        return Err(ConfigError::new(
            field,
            "must be between 1 and 3600000 milliseconds",
        ));
    }
    Ok(Duration::from_millis(ms))
}

fn check_limit(limit: &Limit, field: &str) -> Result<(), ConfigError> {
    if limit.rate == 0 {
        return Err(ConfigError::new(
            format!("{field}.rate"),
            "must be at least 1",
        ));
    }
    if limit.per_seconds == 0 || limit.per_seconds > 86_400 {
        return Err(ConfigError::new(
            format!("{field}.per_seconds"),
            "must be between 1 and 86400",
        ));
    }
    if limit.burst() == 0 {
        return Err(ConfigError::new(
            format!("{field}.burst"),
            "must be at least 1",
        ));
    }
    Ok(())
}

impl RawConfig {
    fn validate(self) -> Result<Config, ConfigError> {
        let listen = socket(self.listen, "listen")?;
        let admin_listen = socket(self.admin_listen, "admin_listen")?;
        if admin_listen == listen {
            return Err(ConfigError::new(
                "admin_listen",
                "must differ from `listen` (metrics stay off the proxy port)",
            ));
        }
        let default_workers = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers = match self.workers {
            None => default_workers,
            Some(n @ 1..=MAX_WORKERS) => usize::try_from(n).unwrap_or(1),
            Some(_) => {
                return Err(ConfigError::new(
                    "workers",
                    format!("must be between 1 and {MAX_WORKERS} (or left out: one per CPU)"),
                ))
            }
        };
        let max_connections = match self.max_connections {
            None => 10_000,
            Some(n @ 1..=MAX_CONNECTIONS) => usize::try_from(n).unwrap_or(10_000),
            Some(_) => {
                return Err(ConfigError::new(
                    "max_connections",
                    format!("must be between 1 and {MAX_CONNECTIONS}"),
                ))
            }
        };
        let mut require_signed_headers = Vec::with_capacity(self.require_signed_headers.len());
        for (i, name) in self.require_signed_headers.iter().enumerate() {
            // The core's own check (a header name, not a hop-by-hop or signature header).
            let keys = std::sync::Arc::new(sigwire_core::InMemoryKeyStore::new());
            if let Err(e) = sigwire_core::Verifier::builder(keys).require_signed_headers([name]) {
                return Err(ConfigError::new(
                    format!("require_signed_headers[{i}]"),
                    format!("`{name}`: {}", e.message()),
                ));
            }
            require_signed_headers.push(name.to_ascii_lowercase());
        }
        let window = self.window.unwrap_or(300);
        if !(1..=MAX_WINDOW).contains(&window) {
            return Err(ConfigError::new(
                "window",
                format!("must be between 1 and {MAX_WINDOW} seconds"),
            ));
        }
        let body_limit = self.body_limit.unwrap_or(1 << 20);
        if !(0..=MAX_BODY_LIMIT).contains(&body_limit) {
            return Err(ConfigError::new(
                "body_limit",
                format!("must be between 0 and {MAX_BODY_LIMIT} bytes"),
            ));
        }
        let spool_threshold = self.spool_threshold.unwrap_or(1 << 20);
        if !(0..=MAX_BODY_LIMIT).contains(&spool_threshold) {
            return Err(ConfigError::new(
                "spool_threshold",
                format!("must be between 0 and {MAX_BODY_LIMIT} bytes"),
            ));
        }
        if let Some(dir) = &self.spool_dir {
            if !dir.is_dir() {
                return Err(ConfigError::new(
                    "spool_dir",
                    format!("{} is not a directory", dir.display()),
                ));
            }
        }
        let scheme = self
            .scheme
            .unwrap_or_else(|| "http".to_owned())
            .to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return Err(ConfigError::new(
                "scheme",
                "must be `http` or `https` (the scheme clients sign)",
            ));
        }
        for (i, a) in self.authorities.iter().enumerate() {
            if let Err(e) = sigwire_core::wire::Audience::new([a], &scheme) {
                return Err(ConfigError::new(
                    format!("authorities[{i}]"),
                    format!("`{a}`: {}", e.message()),
                ));
            }
        }
        let audience = if self.authorities.is_empty() {
            None
        } else {
            sigwire_core::wire::Audience::new(&self.authorities, &scheme).ok()
        };
        let timeouts = Timeouts {
            header: millis(self.timeouts.header_ms, 5_000, "timeouts.header_ms")?,
            body: millis(self.timeouts.body_ms, 10_000, "timeouts.body_ms")?,
            upstream_connect: millis(
                self.timeouts.upstream_connect_ms,
                2_000,
                "timeouts.upstream_connect_ms",
            )?,
            upstream_response: millis(
                self.timeouts.upstream_response_ms,
                30_000,
                "timeouts.upstream_response_ms",
            )?,
            redis: millis(self.timeouts.redis_ms, 1_000, "timeouts.redis_ms")?,
        };

        let mut upstreams = BTreeMap::new();
        if self.upstreams.is_empty() {
            return Err(ConfigError::new(
                "upstreams",
                "at least one upstream is required",
            ));
        }
        for (i, u) in self.upstreams.into_iter().enumerate() {
            let name = required(u.name, &format!("upstreams[{i}].name"))?;
            if name.is_empty() {
                return Err(ConfigError::new(
                    format!("upstreams[{i}].name"),
                    "must not be empty",
                ));
            }
            let field = format!("upstreams[{i}].url");
            let text = required(u.url, &field)?;
            let url: http::Uri = text
                .parse()
                .map_err(|_| ConfigError::new(&field, format!("`{text}` is not a URL")))?;
            if url.scheme_str() != Some("http") || url.authority().is_none() {
                return Err(ConfigError::new(
                    &field,
                    "must be http://host:port (TLS to upstreams is not supported)",
                ));
            }
            if url.path_and_query().is_some_and(|pq| pq.as_str() != "/") {
                return Err(ConfigError::new(
                    &field,
                    "must have no path or query: the request's own path is appended",
                ));
            }
            if upstreams
                .insert(
                    name.clone(),
                    Upstream {
                        name: name.clone(),
                        url,
                    },
                )
                .is_some()
            {
                return Err(ConfigError::new(
                    format!("upstreams[{i}].name"),
                    format!("`{name}` is defined twice"),
                ));
            }
        }

        if self.routes.is_empty() {
            return Err(ConfigError::new("routes", "at least one route is required"));
        }
        let mut routes = Vec::new();
        for (i, r) in self.routes.into_iter().enumerate() {
            let prefix = required(r.prefix, &format!("routes[{i}].prefix"))?;
            if !prefix.starts_with('/') {
                return Err(ConfigError::new(
                    format!("routes[{i}].prefix"),
                    "must start with `/`",
                ));
            }
            let upstream = required(r.upstream, &format!("routes[{i}].upstream"))?;
            if !upstreams.contains_key(&upstream) {
                return Err(ConfigError::new(
                    format!("routes[{i}].upstream"),
                    format!("no upstream is named `{upstream}`"),
                ));
            }
            if routes.iter().any(|x: &Route| x.prefix == prefix) {
                return Err(ConfigError::new(
                    format!("routes[{i}].prefix"),
                    format!("`{prefix}` is routed twice"),
                ));
            }
            let field = |name: &str| format!("routes[{i}].{name}");
            let profile = match r.profile.as_deref().unwrap_or("sigwire-v1") {
                "sigwire-v1" => RouteProfile::SigwireV1,
                "aws-sigv4" => {
                    let mut scope = [
                        ("aws_region", &r.aws_region),
                        ("aws_service", &r.aws_service),
                    ]
                    .into_iter()
                    .map(|(name, value)| {
                        let value = value.clone().unwrap_or_default();
                        let ok = !value.is_empty()
                            && value.bytes().all(|b| b.is_ascii_graphic() && b != b'/');
                        if ok {
                            Ok(value)
                        } else {
                            Err(ConfigError::new(
                                field(name),
                                "required with `aws-sigv4`: printable ASCII without `/`",
                            ))
                        }
                    });
                    let region = scope.next().unwrap_or(Ok(String::new()))?;
                    let service = scope.next().unwrap_or(Ok(String::new()))?;
                    RouteProfile::AwsSigV4 { region, service }
                }
                "rfc9421" => {
                    if let Some(list) = &r.rfc9421_required {
                        for (j, id) in list.iter().enumerate() {
                            if let Err(e) = sigwire_core::profiles::rfc9421::Component::parse(id) {
                                return Err(ConfigError::new(
                                    format!("routes[{i}].rfc9421_required[{j}]"),
                                    format!("`{id}`: {}", e.message()),
                                ));
                            }
                        }
                    }
                    RouteProfile::Rfc9421 {
                        required: r.rfc9421_required.clone(),
                    }
                }
                other => {
                    return Err(ConfigError::new(
                        field("profile"),
                        format!("`{other}`: expected `sigwire-v1`, `aws-sigv4` or `rfc9421`"),
                    ))
                }
            };
            let is_aws = matches!(profile, RouteProfile::AwsSigV4 { .. });
            let is_rfc = matches!(profile, RouteProfile::Rfc9421 { .. });
            for (name, set, fits) in [
                ("aws_region", r.aws_region.is_some(), is_aws),
                ("aws_service", r.aws_service.is_some(), is_aws),
                ("rfc9421_required", r.rfc9421_required.is_some(), is_rfc),
            ] {
                if set && !fits {
                    return Err(ConfigError::new(
                        field(name),
                        "does not apply to this route's profile",
                    ));
                }
            }
            if r.public && profile != RouteProfile::SigwireV1 {
                return Err(ConfigError::new(
                    field("profile"),
                    "a public route verifies nothing: remove `profile` or `public`",
                ));
            }
            routes.push(Route {
                prefix,
                upstream,
                public: r.public,
                profile,
            });
        }
        routes.sort_by_key(|r| std::cmp::Reverse(r.prefix.len()));

        let redis = match self.redis {
            None => None,
            Some(r) => {
                let url = required(r.url, "redis.url")?;
                if redis::parse_redis_url(&url).is_none()
                    || !(url.starts_with("redis://") || url.starts_with("unix://"))
                {
                    return Err(ConfigError::new(
                        "redis.url",
                        "must be redis://host:port[/db] or unix:///path",
                    ));
                }
                let namespace = r.namespace.unwrap_or_else(|| "sigwire".to_owned());
                let ok = !namespace.is_empty()
                    && namespace.len() <= 64
                    && namespace
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
                if !ok {
                    return Err(ConfigError::new(
                        "redis.namespace",
                        "must be 1-64 characters of A-Z a-z 0-9 - _ .",
                    ));
                }
                Some(RedisConfig { url, namespace })
            }
        };
        let replay = match self.replay.as_deref() {
            None if redis.is_some() => ReplayBackend::Redis,
            None | Some("memory") => ReplayBackend::Memory,
            Some("redis") => ReplayBackend::Redis,
            Some(other) => {
                return Err(ConfigError::new(
                    "replay",
                    format!("`{other}`: expected `memory` or `redis`"),
                ))
            }
        };
        if replay == ReplayBackend::Redis && redis.is_none() {
            return Err(ConfigError::new(
                "replay",
                "`redis` needs a [redis] section",
            ));
        }

        let rl = self.rate_limits;
        for (name, limit) in &rl.tiers {
            check_limit(limit, &format!("rate_limits.tiers.{name}"))?;
        }
        for (key, limit) in &rl.keys {
            check_limit(limit, &format!("rate_limits.keys.{key}"))?;
        }
        if let Some(tier) = &rl.default_tier {
            if !rl.tiers.contains_key(tier) {
                return Err(ConfigError::new(
                    "rate_limits.default_tier",
                    format!("no tier is named `{tier}`"),
                ));
            }
        }
        if let Some(l) = &rl.failures_per_key {
            check_limit(l, "rate_limits.failures_per_key")?;
        }
        if let Some(l) = &rl.failures_per_ip {
            check_limit(l, "rate_limits.failures_per_ip")?;
        }
        let limits_used = !rl.tiers.is_empty()
            || !rl.keys.is_empty()
            || rl.failures_per_ip.is_some()
            || rl.failures_per_key.is_some();
        if limits_used && redis.is_none() {
            return Err(ConfigError::new(
                "rate_limits",
                "rate limits are kept in Redis: add a [redis] section",
            ));
        }
        let rate_limits = RateLimits {
            default_tier: rl.default_tier,
            tiers: rl.tiers,
            keys: rl.keys,
            failures_per_key: rl.failures_per_key,
            failures_per_ip: rl.failures_per_ip,
        };

        let k = self.keys;
        if k.file.is_none() && k.env.is_none() && !k.redis {
            return Err(ConfigError::new(
                "keys",
                "name at least one key source: `file`, `env` or `redis = true`",
            ));
        }
        if let Some(env) = &k.env {
            if env.is_empty() || env.contains('=') {
                return Err(ConfigError::new(
                    "keys.env",
                    "must be an environment variable name",
                ));
            }
        }
        if k.redis && redis.is_none() {
            return Err(ConfigError::new(
                "keys.redis",
                "keys in Redis need a [redis] section",
            ));
        }
        let keys = KeySources {
            file: k.file,
            env: k.env,
            redis: k.redis,
            reload_interval: millis(k.reload_ms, 250, "keys.reload_ms")?,
        };

        Ok(Config {
            listen,
            admin_listen,
            workers,
            max_connections,
            require_signed_headers,
            window: window.unsigned_abs(),
            body_limit: usize::try_from(body_limit).unwrap_or(usize::MAX),
            spool_threshold: usize::try_from(spool_threshold).unwrap_or(usize::MAX),
            spool_dir: self.spool_dir,
            forward_authorization: self.forward_authorization.unwrap_or(false),
            scheme,
            audience,
            timeouts,
            upstreams,
            routes,
            replay,
            redis,
            rate_limits,
            keys,
        })
    }
}

impl Config {
    /// The route for `path`: the longest matching prefix.
    pub fn route(&self, path: &str) -> Option<&Route> {
        self.routes.iter().find(|r| path.starts_with(&r.prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
listen = "127.0.0.1:8080"
admin_listen = "127.0.0.1:9090"
[[upstreams]]
name = "api"
url = "http://127.0.0.1:3000"
[[routes]]
prefix = "/"
upstream = "api"
[keys]
env = "SIGWIRE_GATEWAY_KEYS"
"#;

    fn err(text: &str) -> ConfigError {
        Config::parse(text).expect_err("config should be refused")
    }

    fn with(extra: &str) -> String {
        format!("{MINIMAL}\n{extra}")
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let c = Config::parse(MINIMAL).expect("valid");
        assert_eq!(
            (c.window, c.body_limit, c.forward_authorization),
            (300, 1 << 20, false)
        );
        assert_eq!(c.replay, ReplayBackend::Memory);
        assert_eq!(c.scheme, "http");
        assert_eq!(c.route("/v1/x").map(|r| r.upstream.as_str()), Some("api"));
    }

    #[test]
    fn longest_prefix_wins() {
        let text = MINIMAL.replace(
            "[keys]",
            "[[routes]]\nprefix = \"/public/\"\nupstream = \"api\"\npublic = true\n[keys]",
        );
        let c = Config::parse(&text).expect("valid");
        assert!(c.route("/public/x").is_some_and(|r| r.public));
        assert!(c.route("/publicx").is_some_and(|r| !r.public));
    }

    #[test]
    fn each_error_names_its_field() {
        let cases: Vec<(String, &str)> = vec![
            (MINIMAL.replace("listen = \"127.0.0.1:8080\"\n", ""), "listen"),
            (MINIMAL.replace("127.0.0.1:8080", "localhost"), "listen"),
            (MINIMAL.replace("127.0.0.1:9090", "127.0.0.1:8080"), "admin_listen"),
            (format!("window = 0\n{MINIMAL}"), "window"),
            (format!("workers = 0\n{MINIMAL}"), "workers"),
            (format!("workers = 100000\n{MINIMAL}"), "workers"),
            (format!("max_connections = 0\n{MINIMAL}"), "max_connections"),
            (
                MINIMAL.replace("upstream = \"api\"", "upstream = \"api\"\nprofile = \"sigv5\""),
                "routes[0].profile",
            ),
            (
                MINIMAL.replace("upstream = \"api\"", "upstream = \"api\"\nprofile = \"aws-sigv4\"\naws_region = \"eu-west-1\""),
                "routes[0].aws_service",
            ),
            (
                MINIMAL.replace("upstream = \"api\"", "upstream = \"api\"\nprofile = \"aws-sigv4\"\naws_region = \"eu/1\"\naws_service = \"s3\""),
                "routes[0].aws_region",
            ),
            (
                MINIMAL.replace("upstream = \"api\"", "upstream = \"api\"\naws_region = \"eu-west-1\""),
                "routes[0].aws_region",
            ),
            (
                MINIMAL.replace("upstream = \"api\"", "upstream = \"api\"\nprofile = \"rfc9421\"\nrfc9421_required = [\"@method\", \"@nonsense\"]"),
                "routes[0].rfc9421_required[1]",
            ),
            (
                MINIMAL.replace("upstream = \"api\"", "upstream = \"api\"\nprofile = \"rfc9421\"\npublic = true"),
                "routes[0].profile",
            ),
            (format!("max_connections = 2000000\n{MINIMAL}"), "max_connections"),
            (
                format!("require_signed_headers = [\"x-ok\", \"bad header\"]\n{MINIMAL}"),
                "require_signed_headers[1]",
            ),
            (
                format!("require_signed_headers = [\"\"]\n{MINIMAL}"),
                "require_signed_headers[0]",
            ),
            (format!("window = -5\n{MINIMAL}"), "window"),
            (format!("body_limit = -1\n{MINIMAL}"), "body_limit"),
            (format!("spool_threshold = -5\n{MINIMAL}"), "spool_threshold"),
            (
                format!("spool_dir = \"/nonexistent/sigwire-spool\"\n{MINIMAL}"),
                "spool_dir",
            ),
            (format!("scheme = \"ftp\"\n{MINIMAL}"), "scheme"),
            (format!("authorities = [\"a b\"]\n{MINIMAL}"), "authorities[0]"),
            (format!("authorities = [\"user@host\"]\n{MINIMAL}"), "authorities[0]"),
            (MINIMAL.replace("http://127.0.0.1:3000", "https://127.0.0.1:3000"), "upstreams[0].url"),
            (MINIMAL.replace("http://127.0.0.1:3000", "http://127.0.0.1:3000/base"), "upstreams[0].url"),
            (MINIMAL.replace("name = \"api\"\n", ""), "upstreams[0].name"),
            (MINIMAL.replace("upstream = \"api\"", "upstream = \"nope\""), "routes[0].upstream"),
            (MINIMAL.replace("prefix = \"/\"", "prefix = \"v1\""), "routes[0].prefix"),
            (format!("replay = \"redis\"\n{MINIMAL}"), "replay"),
            (format!("replay = \"disk\"\n{MINIMAL}"), "replay"),
            (MINIMAL.replace("env = \"SIGWIRE_GATEWAY_KEYS\"", ""), "keys"),
            (MINIMAL.replace("SIGWIRE_GATEWAY_KEYS", "A=B"), "keys.env"),
            (with("redis = true"), "keys.redis"),
            (with("reload_ms = 0"), "keys.reload_ms"),
            (with("[timeouts]\nheader_ms = 0"), "timeouts.header_ms"),
            (with("[redis]\nurl = \"http://x\""), "redis.url"),
            (with("[redis]\nurl = \"redis://127.0.0.1:6379\"\nnamespace = \"a:b\""), "redis.namespace"),
            (with("[rate_limits.tiers.gold]\nrate = 10\nper_seconds = 1"), "rate_limits"),
            (
                with("[redis]\nurl = \"redis://127.0.0.1:6379\"\n[rate_limits.tiers.gold]\nrate = 0\nper_seconds = 1"),
                "rate_limits.tiers.gold.rate",
            ),
            (
                with("[redis]\nurl = \"redis://127.0.0.1:6379\"\n[rate_limits]\ndefault_tier = \"x\""),
                "rate_limits.default_tier",
            ),
            (
                with("[redis]\nurl = \"redis://127.0.0.1:6379\"\n[rate_limits.failures_per_ip]\nrate = 5\nper_seconds = 0"),
                "rate_limits.failures_per_ip.per_seconds",
            ),
            (format!("listen_on = \"x\"\n{MINIMAL}"), "listen_on"),
        ];
        for (text, field) in cases {
            let e = err(&text);
            assert_eq!(e.field, field, "for config:\n{text}\n→ {e}");
        }
    }

    #[test]
    fn syntax_errors_are_reported_not_panicked() {
        let e = err("listen = ");
        assert_eq!(e.field, "(syntax)");
        let e = err("window = \"five\"\n");
        assert!(e.message.contains("invalid type"), "{e}");
    }

    #[test]
    fn rate_limit_lookup_prefers_key_then_tier_then_default() {
        let text = with(
            "[redis]\nurl = \"redis://127.0.0.1:6379\"\n[rate_limits]\ndefault_tier = \"std\"\n\
             [rate_limits.tiers.std]\nrate = 10\nper_seconds = 1\n[rate_limits.tiers.gold]\nrate = 100\nper_seconds = 1\nburst = 5\n\
             [rate_limits.keys.vip]\nrate = 1000\nper_seconds = 1",
        );
        let c = Config::parse(&text).expect("valid");
        let rl = &c.rate_limits;
        assert_eq!(
            rl.for_key("vip", Some("gold")).map(|(n, l)| (n, l.rate)),
            Some(("key".into(), 1000))
        );
        assert_eq!(
            rl.for_key("a", Some("gold")).map(|(n, l)| (n, l.burst())),
            Some(("gold".into(), 5))
        );
        assert_eq!(
            rl.for_key("a", None).map(|(n, l)| (n, l.burst())),
            Some(("std".into(), 10))
        );
        assert_eq!(
            rl.for_key("a", Some("unknown")).map(|(n, _)| n),
            Some("std".into())
        );
        assert_eq!(
            c.replay,
            ReplayBackend::Redis,
            "a [redis] section makes Redis the default replay store"
        );
    }
}
