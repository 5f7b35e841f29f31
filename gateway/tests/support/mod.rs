//! Test harness: a real `redis-server` on a free loopback port, an in-process upstream, gateway
//! processes started from the built binary, and a signing HTTP client.
//!
//! Nothing is skipped silently: without `redis-server` on the PATH the Redis tests fail with a
//! message saying what to install.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo};
use sigwire_core::{SignOptions, Signer};

/// A secret of the test keys (its UTF-8 bytes are the HMAC key).
pub const SECRET: &str = "test-secret-0123456789abcdef";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

// ------------------------------------------------------------------ redis-server

/// A `redis-server` child on 127.0.0.1, no persistence, in a temporary folder.
pub struct RedisServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl RedisServer {
    pub fn start() -> RedisServer {
        let mut server = RedisServer {
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
            child: None,
        };
        server.spawn();
        server
    }

    /// A free port and folder for a server that is not started yet (see [`RedisServer::spawn`]).
    pub fn not_started() -> RedisServer {
        RedisServer {
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
            child: None,
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Starts the server and waits until it answers PING.
    pub fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--dir", self.dir.path().to_str().unwrap(), "--protected-mode", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start redis-server ({e}): install Debian's `redis-server` package (scripts/ci/gateway.sh does)")
            });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.ping() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "redis-server on port {} did not answer PING within 10 s",
            self.port
        );
    }

    /// Whether Redis answers PING now.
    pub fn ping(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        s.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        if s.write_all(b"PING\r\n").is_err() {
            return false;
        }
        let mut buf = [0u8; 7];
        s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
    }

    /// Kills the server (SIGKILL): all data is lost.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts a fresh, empty server on the same port.
    pub fn restart_empty(&mut self) {
        self.kill();
        self.spawn();
    }

    /// Freezes the server (SIGSTOP): connections stay open but nothing is answered.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Resumes a frozen server (SIGCONT).
    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, sig: &str) {
        let pid = self.child.as_ref().expect("redis-server running").id();
        let ok = Command::new("kill")
            .args([sig, &pid.to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig} {pid} failed");
    }

    /// A synchronous connection for assertions.
    pub fn conn(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .unwrap()
            .get_connection()
            .unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(c) = &self.child {
            let _ = Command::new("kill")
                .args(["-CONT", &c.id().to_string()])
                .status();
        }
        self.kill();
    }
}

// ------------------------------------------------------------------ upstream

/// An in-process upstream on a free port.
///
/// * `/slow/…` answers after 5 s;
/// * `/big/<n>` streams `n` bytes in 64 KiB chunks;
/// * `/drip/…` sends `first-chunk\n` at once and `rest-of-body\n` only once `release` is
///   notified (a gateway that stores and forwards never shows the first chunk);
/// * `/hop/…` answers with hop-by-hop headers (`Connection: x-hop`, `X-Hop`, `Keep-Alive`,
///   `Upgrade`) beside an end-to-end `X-Upstream`;
/// * anything else echoes method, path, headers and body length as JSON.
///
/// `hits` counts requests that reached it.
pub struct Upstream {
    pub addr: SocketAddr,
    pub hits: Arc<AtomicU64>,
    /// Lets a `/drip/…` answer finish.
    pub release: Arc<tokio::sync::Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl Upstream {
    pub async fn start() -> Upstream {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicU64::new(0));
        let release = Arc::new(tokio::sync::Notify::new());
        let counter = Arc::clone(&hits);
        let drip = Arc::clone(&release);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let (counter, drip) = (Arc::clone(&counter), Arc::clone(&drip));
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        upstream_answer(req, Arc::clone(&drip))
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Upstream {
            addr,
            hits,
            release,
            task,
        }
    }

    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type UpBody = http_body_util::combinators::BoxBody<Bytes, std::convert::Infallible>;

async fn upstream_answer(
    req: http::Request<hyper::body::Incoming>,
    release: Arc<tokio::sync::Notify>,
) -> Result<http::Response<UpBody>, std::convert::Infallible> {
    let path = req.uri().path().to_owned();
    if path.starts_with("/slow/") {
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    if path.starts_with("/drip/") {
        let frames = futures_util::stream::unfold(0u8, move |step| {
            let release = Arc::clone(&release);
            async move {
                let data: &'static [u8] = match step {
                    0 => b"first-chunk\n",
                    1 => {
                        release.notified().await;
                        b"rest-of-body\n"
                    }
                    _ => return None,
                };
                Some((
                    Ok::<_, std::convert::Infallible>(Frame::data(Bytes::from_static(data))),
                    step + 1,
                ))
            }
        });
        return Ok(http::Response::new(StreamBody::new(frames).boxed()));
    }
    if path.starts_with("/hop/") {
        let mut resp = http::Response::new(Full::new(Bytes::from_static(b"hop")).boxed());
        let h = resp.headers_mut();
        for (name, value) in [
            ("connection", "x-hop"),
            ("x-hop", "1"),
            ("keep-alive", "timeout=5"),
            ("upgrade", "h2c"),
            ("x-upstream", "1"),
        ] {
            h.insert(name, http::HeaderValue::from_static(value));
        }
        return Ok(resp);
    }
    if let Some(n) = path.strip_prefix("/big/") {
        let n: usize = n.parse().unwrap_or(0);
        let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
        let mut frames = Vec::new();
        let mut left = n;
        while left > 0 {
            let take = left.min(chunk.len());
            frames.push(Ok(Frame::data(chunk.slice(..take))));
            left -= take;
        }
        let body = StreamBody::new(futures_util::stream::iter(frames));
        return Ok(http::Response::new(body.boxed()));
    }
    let mut headers = serde_json::Map::new();
    for (name, value) in req.headers() {
        headers.insert(
            name.as_str().to_owned(),
            serde_json::Value::from(value.to_str().unwrap_or("?")),
        );
    }
    let method = req.method().to_string();
    let uri = req.uri().to_string();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes().len())
        .unwrap_or(0);
    let json =
        serde_json::json!({ "method": method, "uri": uri, "headers": headers, "body_len": body });
    let mut resp = http::Response::new(Full::new(Bytes::from(json.to_string())).boxed());
    resp.headers_mut().insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    resp.headers_mut()
        .insert("x-upstream", http::HeaderValue::from_static("1"));
    Ok(resp)
}

// ------------------------------------------------------------------ gateway processes

/// A `sigwire-gateway run` child process.
pub struct GatewayProc {
    pub proxy: SocketAddr,
    pub admin: SocketAddr,
    child: Child,
    pub log: PathBuf,
    _dir: tempfile::TempDir,
}

impl GatewayProc {
    /// Starts the gateway with `config` (TOML; `listen`/`admin_listen` are added on port 0)
    /// and `env` variables.
    pub fn start(config: &str, env: &[(&str, &str)]) -> GatewayProc {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gateway.toml");
        let text = format!(
            "listen = \"127.0.0.1:0\"\nadmin_listen = \"127.0.0.1:{}\"\n{config}",
            free_port()
        );
        std::fs::write(&path, text).unwrap();
        Self::start_file(&path, env, dir)
    }

    fn start_file(path: &Path, env: &[(&str, &str)], dir: tempfile::TempDir) -> GatewayProc {
        let log = dir.path().join("access.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_sigwire-gateway"))
            .args(["run", "--config", path.to_str().unwrap()])
            .envs(env.iter().copied())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent && line.contains("\"event\":\"listening\"") {
                    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
                    let _ = tx.send(Ok((
                        v["proxy"].as_str().unwrap().to_owned(),
                        v["admin"].as_str().unwrap().to_owned(),
                    )));
                    sent = true;
                } else if !sent && line.starts_with("error") {
                    let _ = tx.send(Err(line.clone()));
                    sent = true;
                }
            }
            if !sent {
                let _ = tx.send(Err("gateway exited before listening".to_owned()));
            }
        });
        let (proxy, admin) = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(Ok(addrs)) => addrs,
            Ok(Err(e)) => panic!("gateway failed to start: {e}"),
            Err(_) => panic!("gateway did not start within 20 s"),
        };
        GatewayProc {
            proxy: proxy.parse().unwrap(),
            admin: admin.parse().unwrap(),
            child,
            log,
            _dir: dir,
        }
    }

    /// A `/proc/<pid>/status` field in KiB (`VmRSS`, `VmHWM`, …).
    pub fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc/<pid>/status"))
    }

    /// SIGKILL.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGHUP (reload the keys file).
    pub fn hangup(&self) {
        assert!(Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success());
    }

    /// The access log lines written so far.
    pub fn log_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.proxy)
    }
}

impl Drop for GatewayProc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Writes a keys file with one key per `(id, secret)`.
pub fn keys_toml(keys: &[(&str, &str)]) -> String {
    keys.iter()
        .map(|(id, secret)| format!("[[keys]]\nid = \"{id}\"\nsecret = \"{secret}\"\n"))
        .collect()
}

// ------------------------------------------------------------------ signing client

/// A response as the tests see it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// The `error` code of a JSON error body.
    pub fn code(&self) -> String {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// The upstream's echo of the request.
    pub fn echo(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_default()
    }
}

/// A prepared request: send it as often as you like (replays).
#[derive(Debug, Clone)]
pub struct Prepared {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub nonce: String,
}

/// Signs `method path` for `host` (the `Host` the gateway sees) with `key_id`/`secret`.
pub fn sign(
    key_id: &str,
    secret: &str,
    method: &str,
    host: &str,
    path: &str,
    body: &[u8],
) -> Prepared {
    let signer = Signer::new(key_id, secret.as_bytes().to_vec()).unwrap();
    let url = format!("http://{host}{path}");
    let content_type = [("content-type", "application/octet-stream")];
    let mut request = sigwire_core::Request::new(method, &url).body(body);
    if !body.is_empty() {
        request = request.headers(content_type);
    }
    let sig = signer.sign(&request).unwrap();
    prepared(method, path, &sig.authorization, &sig.nonce, body)
}

/// Signs with a fixed timestamp and nonce.
pub fn sign_at(
    key_id: &str,
    secret: &str,
    host: &str,
    path: &str,
    ts: u64,
    nonce: &str,
) -> Prepared {
    let signer = Signer::new(key_id, secret.as_bytes().to_vec()).unwrap();
    let url = format!("http://{host}{path}");
    let sig = signer
        .sign_with(
            &sigwire_core::Request::new("GET", &url),
            &SignOptions::fixed(ts, nonce),
        )
        .unwrap();
    prepared("GET", path, &sig.authorization, nonce, b"")
}

fn prepared(method: &str, path: &str, authorization: &str, nonce: &str, body: &[u8]) -> Prepared {
    let mut headers = vec![("authorization".to_owned(), authorization.to_owned())];
    if !body.is_empty() {
        headers.push((
            "content-type".to_owned(),
            "application/octet-stream".to_owned(),
        ));
    }
    Prepared {
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
        body: Bytes::copy_from_slice(body),
        nonce: nonce.to_owned(),
    }
}

/// An HTTP/1.1 client for the tests; an exchange that takes longer than its time limit (20 s
/// unless [`TestClient::with_time_limit`]) fails the test instead of hanging it.
#[derive(Clone)]
pub struct TestClient {
    client: Client<HttpConnector, Full<Bytes>>,
    limit: Duration,
}

impl Default for TestClient {
    fn default() -> Self {
        TestClient {
            client: Client::builder(TokioExecutor::new()).build(HttpConnector::new()),
            limit: Duration::from_secs(20),
        }
    }
}

impl TestClient {
    /// A client whose exchanges may take up to `limit` (large bodies on a loaded machine).
    pub fn with_time_limit(limit: Duration) -> Self {
        TestClient {
            limit,
            ..TestClient::default()
        }
    }

    /// Sends `p` to `addr` with `Host: host` and extra headers.
    pub async fn send(
        &self,
        addr: SocketAddr,
        host: &str,
        p: &Prepared,
        extra: &[(&str, &str)],
    ) -> Answer {
        let mut builder = http::Request::builder()
            .method(p.method.as_str())
            .uri(format!("http://{addr}{}", p.path));
        builder = builder.header("host", host);
        for (n, v) in &p.headers {
            builder = builder.header(n.as_str(), v.as_str());
        }
        for (n, v) in extra {
            builder = builder.header(*n, *v);
        }
        let request = builder.body(Full::new(p.body.clone())).unwrap();
        let response = tokio::time::timeout(self.limit, self.client.request(request))
            .await
            .unwrap_or_else(|_| panic!("gateway answered within {:?}", self.limit))
            .expect("HTTP exchange");
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        Answer {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        }
    }

    /// GET on the admin listener: (status, body).
    pub async fn admin(&self, addr: SocketAddr, path: &str) -> (u16, String) {
        let request = http::Request::get(format!("http://{addr}{path}"))
            .body(Full::default())
            .unwrap();
        let response = self.client.request(request).await.unwrap();
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

/// Writes raw bytes to `addr` and reads what comes back until the server closes or 5 s pass.
pub fn raw_exchange(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(bytes).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Counts `(status, code)` pairs.
pub fn tally(answers: &[Answer]) -> HashMap<(u16, String), usize> {
    let mut m = HashMap::new();
    for a in answers {
        *m.entry((a.status, a.code())).or_insert(0) += 1;
    }
    m
}

// ------------------------------------------------------------------ Redis-backed gateways

/// A gateway on `redis` with a 300 ms Redis time limit, short enough for a test to wait it out
/// (a frozen Redis answers 503 quickly).
pub fn redis_config(upstream: std::net::SocketAddr, redis: &RedisServer, extra: &str) -> String {
    redis_config_timed(upstream, redis, extra, 300)
}

/// [`redis_config`] with a Redis time limit of `redis_ms`: a test that does not stop Redis uses a
/// long one, so that a slow answer on a loaded machine is not an outage (503) the test did not
/// cause.
pub fn redis_config_timed(
    upstream: std::net::SocketAddr,
    redis: &RedisServer,
    extra: &str,
    redis_ms: u64,
) -> String {
    format!(
        r#"
window = 300
{extra}
[timeouts]
redis_ms = {redis_ms}
[redis]
url = "{}"
namespace = "t"
[[upstreams]]
name = "app"
url = "http://{upstream}"
[[routes]]
prefix = "/"
upstream = "app"
[keys]
redis = true
reload_ms = 100
"#,
        redis.url()
    )
}

/// `sigwire-gateway keys …` against `redis`; returns (success, stdout, stderr).
pub fn keys_cli(redis: &RedisServer, args: &[&str]) -> (bool, String, String) {
    let url = redis.url();
    let out = Command::new(env!("CARGO_BIN_EXE_sigwire-gateway"))
        .arg("keys")
        .args(args)
        .args(["--redis", &url, "--namespace", "t"])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Creates `id` through the CLI and returns its secret.
pub fn create_key(redis: &RedisServer, id: &str, extra: &[&str]) -> String {
    let mut args = vec!["create", id];
    args.extend_from_slice(extra);
    let (ok, stdout, stderr) = keys_cli(redis, &args);
    assert!(ok, "keys create failed: {stderr}");
    let secret = stdout.trim().to_owned();
    assert_eq!(secret.len(), 43, "one secret printed on stdout: {stdout:?}");
    assert!(
        !stderr.contains(&secret),
        "the secret is printed once, on stdout only"
    );
    secret
}

pub async fn wait_until<F, Fut>(what: &str, limit: Duration, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !f().await {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}
