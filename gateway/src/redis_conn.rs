//! The shared Redis connection and the key layout (normative text: docs/redis-layout.md).
//!
//! The connection is made lazily and remade after a failure, so the gateway starts while Redis is
//! down (not ready) and recovers without a restart when it returns. Every command runs under the
//! configured time limit: a slow or absent Redis is an error, never a wait without end.
//!
//! Two connections per handle: the request path's scripts go through the gateway's own pipelined
//! RESP connection ([`crate::resp::Pipe`], [`RedisConn::eval`]); everything else (health, keys,
//! the epoch) through redis-rs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::resp::{Dial, Pipe, PipeError, Reply, Target};

/// Why a Redis command did not give an answer.
#[derive(Debug, thiserror::Error)]
pub enum RedisFailure {
    /// Redis answered with an error or the connection failed.
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// No answer within the time limit.
    #[error("redis: no answer within {0:?}")]
    Timeout(Duration),
    /// Redis answered something the script cannot return (a different script under its hash?).
    #[error("redis: unexpected answer: {0}")]
    Unexpected(&'static str),
    /// The request path's connection failed ([`crate::resp`]).
    #[error("redis: {0}")]
    Pipe(#[from] PipeError),
    /// Redis refused a command (its error reply, e.g. `OOM …`).
    #[error("redis refused the command: {0}")]
    Refused(String),
}

/// A Lua script: its body and the SHA-1 Redis knows it by.
#[derive(Debug)]
pub struct LuaScript {
    body: String,
    sha: String,
}

impl LuaScript {
    /// The script `body`.
    pub fn new(body: String) -> Self {
        let sha = redis::Script::new(&body).get_hash().to_owned();
        LuaScript { body, sha }
    }

    /// The script's text.
    pub fn body(&self) -> &str {
        &self.body
    }
}

/// Names of every key the gateway uses, under one namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    namespace: String,
}

impl Layout {
    /// The layout under `namespace` (e.g. `sigwire`).
    pub fn new(namespace: &str) -> Self {
        Layout {
            namespace: namespace.to_owned(),
        }
    }

    /// `<ns>` followed by `parts`, in one allocation (these keys are built for every request:
    /// `format!` cost several times more).
    fn key(&self, parts: &[&str]) -> String {
        let mut key = String::with_capacity(
            self.namespace.len() + parts.iter().map(|p| p.len()).sum::<usize>(),
        );
        key.push_str(&self.namespace);
        for part in parts {
            key.push_str(part);
        }
        key
    }

    /// `<ns>:epoch`: Unix second at which the replay store began.
    pub fn epoch(&self) -> String {
        self.key(&[":epoch"])
    }

    /// `<ns>:replay:<key id>:<nonce>`: one claimed nonce (the nonce has no `:`, so the last `:`
    /// separates it from the key id).
    pub fn replay(&self, key_id: &str, nonce: &str) -> String {
        self.key(&[":replay:", key_id, ":", nonce])
    }

    /// `<ns>:rl:key:<key id>`: GCRA state of a key id's request limit.
    pub fn rate(&self, key_id: &str) -> String {
        self.key(&[":rl:key:", key_id])
    }

    /// `<ns>:rl:fail-key:<key id>`: GCRA state of failed verifications claiming a key id.
    pub fn fail_key(&self, key_id: &str) -> String {
        self.key(&[":rl:fail-key:", key_id])
    }

    /// `<ns>:rl:fail-ip:<ip>`: GCRA state of failed verifications from a client IP.
    pub fn fail_ip(&self, ip: &str) -> String {
        self.key(&[":rl:fail-ip:", ip])
    }

    /// `<ns>:keys`: hash of key id → JSON array of its secret records.
    pub fn keys(&self) -> String {
        format!("{}:keys", self.namespace)
    }

    /// `<ns>:keys:version`: random token replaced on every change of `<ns>:keys`.
    pub fn keys_version(&self) -> String {
        format!("{}:keys:version", self.namespace)
    }
}

/// An estimate of the Redis server's clock, so that the admission script need not run `TIME`
/// (one `redis.call` of the four it made: about 9 % of its instructions, 5–7 µs of a cold call).
///
/// A sample is a `TIME` answer with the instant halfway between sending and receiving it: the
/// server read its clock somewhere in that interval, so the estimate is off by at most half the
/// round trip. Only samples with a round trip of at most [`MAX_RTT`](Self::MAX_RTT) are kept,
/// and a sample older than [`MAX_AGE`](Self::MAX_AGE) is not used: the estimate is within 1 ms
/// of the server's clock (this process's monotonic clock advances it between samples; drift is
/// micro-seconds over the age allowed). Without a usable sample there is no estimate and the
/// script reads `TIME` itself, as docs/redis-layout.md §4 has it.
#[derive(Debug, Default)]
pub struct ServerClock {
    sample: std::sync::Mutex<Option<(Instant, u64)>>,
}

impl ServerClock {
    /// The longest `TIME` round trip whose answer is kept.
    pub const MAX_RTT: Duration = Duration::from_millis(2);
    /// The oldest sample used.
    pub const MAX_AGE: Duration = Duration::from_secs(2);

    /// Keeps `server_us` (the server's Unix time in µs, as `TIME` gave it) asked at `sent` and
    /// answered at `received`, if the round trip was short enough.
    pub fn record(&self, sent: Instant, received: Instant, server_us: u64) {
        let rtt = received.saturating_duration_since(sent);
        if rtt > Self::MAX_RTT {
            return;
        }
        if let Ok(mut sample) = self.sample.lock() {
            *sample = Some((sent + rtt / 2, server_us));
        }
    }

    /// The server's clock now, in Unix milliseconds, from a sample at most
    /// [`MAX_AGE`](Self::MAX_AGE) old.
    pub fn now_ms(&self) -> Option<u64> {
        let (at, server_us) = (*self.sample.lock().ok()?)?;
        let age = at.elapsed();
        if age > Self::MAX_AGE {
            return None;
        }
        let age_us = u64::try_from(age.as_micros()).ok()?;
        Some((server_us + age_us) / 1000)
    }
}

/// A Redis connection shared by every task of one gateway instance.
pub struct RedisConn {
    client: redis::Client,
    pipe: Pipe,
    manager: RwLock<Option<ConnectionManager>>,
    connecting: tokio::sync::Mutex<()>,
    timeout: Duration,
    layout: Layout,
    errors: Arc<AtomicU64>,
    clock: Arc<ServerClock>,
}

impl std::fmt::Debug for RedisConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may hold a password: not printed.
        f.debug_struct("RedisConn")
            .field("layout", &self.layout)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl RedisConn {
    /// A handle for `url` (no connection is made yet).
    pub fn new(url: &str, namespace: &str, timeout: Duration) -> Result<Self, RedisFailure> {
        let client = redis::Client::open(url)?;
        let info = client.get_connection_info();
        let target = match &info.addr {
            redis::ConnectionAddr::Tcp(host, port) => Target::Tcp(host.clone(), *port),
            redis::ConnectionAddr::Unix(path) => Target::Unix(path.clone()),
            _ => return Err(RedisFailure::Unexpected("only redis:// and unix:// URLs")),
        };
        let r = &info.redis;
        let dial = Dial::new(
            target,
            r.username.as_deref(),
            r.password.as_deref(),
            r.db,
            timeout,
        );
        Ok(RedisConn {
            client,
            pipe: Pipe::new(dial),
            manager: RwLock::new(None),
            connecting: tokio::sync::Mutex::new(()),
            timeout,
            layout: Layout::new(namespace),
            errors: Arc::new(AtomicU64::new(0)),
            clock: Arc::new(ServerClock::default()),
        })
    }

    /// A second connection to the same Redis with the same layout and time limit, made on first
    /// use (on the runtime that first uses it); its failures count in this one's
    /// [`error_count`](Self::error_count). Each proxy worker thread has one.
    pub fn another(&self) -> Self {
        RedisConn {
            client: self.client.clone(),
            pipe: self.pipe.another(),
            manager: RwLock::new(None),
            connecting: tokio::sync::Mutex::new(()),
            timeout: self.timeout,
            layout: self.layout.clone(),
            errors: Arc::clone(&self.errors),
            clock: Arc::clone(&self.clock),
        }
    }

    /// The key layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Commands that failed or timed out since start (for `/metrics`).
    pub fn error_count(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Asks Redis the time (`TIME`) and keeps it as the estimate of the server's clock when the
    /// answer came quickly enough ([`ServerClock`]); every connection made by
    /// [`another`](Self::another) shares it. Returns whether an estimate is held now. The
    /// gateway calls it every 500 ms.
    pub async fn sample_server_clock(&self) -> bool {
        let sent = Instant::now();
        let time = self
            .run(|mut c| async move { redis::cmd("TIME").query_async::<(u64, u64)>(&mut c).await })
            .await;
        if let Ok((secs, micros)) = time {
            self.clock
                .record(sent, Instant::now(), secs * 1_000_000 + micros);
        }
        self.clock.now_ms().is_some()
    }

    /// The Redis server's clock in Unix milliseconds, estimated from a recent quick `TIME`
    /// ([`ServerClock::now_ms`]); `None` when there is no such estimate (the admission script
    /// then reads `TIME` itself).
    pub fn server_clock_ms(&self) -> Option<u64> {
        self.clock.now_ms()
    }

    async fn manager(&self) -> Result<ConnectionManager, RedisFailure> {
        if let Some(m) = self.manager.read().ok().and_then(|m| m.clone()) {
            return Ok(m);
        }
        let _one_at_a_time = self.connecting.lock().await;
        if let Some(m) = self.manager.read().ok().and_then(|m| m.clone()) {
            return Ok(m);
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(self.timeout)
            .set_response_timeout(self.timeout)
            .set_number_of_retries(1)
            .set_max_delay(200);
        let manager = self
            .client
            .get_connection_manager_with_config(config)
            .await?;
        if let Ok(mut slot) = self.manager.write() {
            *slot = Some(manager.clone());
        }
        Ok(manager)
    }

    /// Runs `f` with a connection under the time limit; failures are counted.
    pub async fn run<T, F, Fut>(&self, f: F) -> Result<T, RedisFailure>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        self.timed(async {
            let manager = self.manager().await?;
            Ok::<T, RedisFailure>(f(manager).await?)
        })
        .await
    }

    /// Like [`run`](Self::run), but when the connection turns out to be broken (Redis restarted
    /// or the socket dropped since the last command) `f` runs once more, on the reconnected
    /// connection, within the same time limit. For the request path, where a worker's
    /// connection may have been idle through a Redis restart: the first request after it is
    /// answered instead of refused. Safe for the claim and the rate limit: if the first attempt
    /// did reach Redis, the second finds the nonce claimed (a refusal, never an unrecorded
    /// acceptance) or takes one more token (stricter, never looser).
    pub async fn run_retrying<T, F, Fut>(&self, f: F) -> Result<T, RedisFailure>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        self.timed(async {
            let manager = self.manager().await?;
            match f(manager.clone()).await {
                Err(e) if broken_connection(&e) => Ok::<T, RedisFailure>(f(manager).await?),
                result => Ok(result?),
            }
        })
        .await
    }

    /// Runs `script` on the request path's pipelined connection: `EVALSHA`, and `EVAL` with the
    /// body when Redis does not have the script (restart, `SCRIPT FLUSH`). `build(verb, script)`
    /// encodes the whole command (see [`crate::resp::command`]) with `verb` and `script` as its first two
    /// arguments. Within one time limit; a connection found broken is remade and the command
    /// sent once more (safe for the admission scripts, as [`run_retrying`](Self::run_retrying)
    /// explains). An error reply from Redis is a [`RedisFailure::Refused`].
    pub async fn eval(
        &self,
        script: &LuaScript,
        build: impl Fn(&[u8], &[u8]) -> Vec<u8>,
    ) -> Result<Reply, RedisFailure> {
        self.timed(async {
            match self
                .call_once_more(|| build(b"EVALSHA", script.sha.as_bytes()))
                .await?
            {
                Reply::Error(e) if e.starts_with("NOSCRIPT") => refused(
                    self.call_once_more(|| build(b"EVAL", script.body.as_bytes()))
                        .await?,
                ),
                reply => refused(reply),
            }
        })
        .await
    }

    /// Sends one command on the pipelined connection, within the time limit (an error reply is a
    /// [`RedisFailure::Refused`]). For the worker's warm-up (`PING`, `SCRIPT LOAD`).
    pub async fn call(&self, command: Vec<u8>) -> Result<Reply, RedisFailure> {
        self.timed(async { refused(self.pipe.call(command).await?) })
            .await
    }

    async fn call_once_more(&self, build: impl Fn() -> Vec<u8>) -> Result<Reply, RedisFailure> {
        match self.pipe.call(build()).await {
            Err(PipeError::Connection(_)) => Ok(self.pipe.call(build()).await?),
            result => Ok(result?),
        }
    }

    async fn timed<T>(
        &self,
        attempt: impl std::future::Future<Output = Result<T, RedisFailure>>,
    ) -> Result<T, RedisFailure> {
        let result = match tokio::time::timeout(self.timeout, attempt).await {
            Ok(r) => r,
            Err(_) => Err(RedisFailure::Timeout(self.timeout)),
        };
        if result.is_err() {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        result
    }

    /// `PING`: whether Redis answers now.
    pub async fn ping(&self) -> bool {
        self.run(|mut c| async move { redis::cmd("PING").query_async::<String>(&mut c).await })
            .await
            .is_ok()
    }
}

/// An error reply as a [`RedisFailure::Refused`].
fn refused(reply: Reply) -> Result<Reply, RedisFailure> {
    match reply {
        Reply::Error(e) => Err(RedisFailure::Refused(e)),
        reply => Ok(reply),
    }
}

/// Whether `e` says the connection is gone (as opposed to an answer from Redis).
fn broken_connection(e: &redis::RedisError) -> bool {
    e.is_io_error()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.is_unrecoverable_error()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_clock_keeps_quick_fresh_samples_only() {
        let clock = ServerClock::default();
        assert_eq!(clock.now_ms(), None);
        let sent = Instant::now();
        // A slow answer is not kept: its error could be half its round trip.
        clock.record(sent, sent + Duration::from_millis(3), 5_000_000);
        assert_eq!(clock.now_ms(), None);
        // A quick one is, read halfway through the round trip, and advances with time.
        clock.record(sent, sent + Duration::from_micros(800), 7_000_000_123);
        let a = clock.now_ms().unwrap();
        assert!((7_000_000..7_000_100).contains(&a), "{a}");
        std::thread::sleep(Duration::from_millis(20));
        let b = clock.now_ms().unwrap();
        assert!(b >= a + 19 && b < a + 1000, "{a} {b}");
        // Too old a sample is not used.
        let old = Instant::now() - ServerClock::MAX_AGE - Duration::from_millis(10);
        clock.record(old, old, 1_000_000);
        assert_eq!(clock.now_ms(), None);
    }

    #[test]
    fn layout_keys_are_namespaced_and_unambiguous() {
        let l = Layout::new("sw");
        assert_eq!(l.epoch(), "sw:epoch");
        assert_eq!(l.replay("a:b", "NONCE_-x"), "sw:replay:a:b:NONCE_-x");
        assert_eq!(l.rate("k"), "sw:rl:key:k");
        assert_eq!(l.fail_ip("::1"), "sw:rl:fail-ip:::1");
        assert_eq!(
            (l.keys(), l.keys_version()),
            ("sw:keys".into(), "sw:keys:version".into())
        );
    }
}
