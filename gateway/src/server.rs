//! Start-up and the two listeners: the proxy (hyper HTTP/1.1 with header and keep-alive limits)
//! and the admin listener (`/metrics`, `/healthz`, `/readyz`).
//!
//! The proxy runs thread per core: `config.workers` threads, each with a single-threaded tokio
//! runtime, its own upstream connection pool and its own Redis connection. The acceptor hands each new connection to the
//! next worker in turn, and the connection, its requests and their upstream connections then stay
//! on that thread: no work stealing, no cross-thread wake-ups on the request path.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::config::Config;
use crate::key_sources::{log_event, KeyLoader};
use crate::keys::LiveKeys;
use crate::proxy::{Gateway, Lane};
use crate::redis_conn::RedisConn;
use crate::replay;

/// Largest request head (request line and headers) accepted, in bytes; larger heads get 431.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// A started gateway: its bound addresses and state.
#[derive(Debug)]
pub struct Running {
    /// The proxy's address.
    pub proxy: SocketAddr,
    /// The admin listener's address.
    pub admin: SocketAddr,
    /// The shared state.
    pub gateway: Arc<Gateway>,
}

/// Builds the gateway from `config`, loads keys, binds both listeners and spawns their loops.
pub async fn start(config: Config, log_requests: bool) -> Result<Running, String> {
    let redis = match &config.redis {
        Some(r) => Some(Arc::new(
            RedisConn::new(&r.url, &r.namespace, config.timeouts.redis)
                .map_err(|e| e.to_string())?,
        )),
        None => None,
    };
    let keys = Arc::new(LiveKeys::new());
    KeyLoader::new(config.keys.clone(), redis.clone(), Arc::clone(&keys))
        .start()
        .await?;

    let proxy_listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("listen: cannot bind {}: {e}", config.listen))?;
    let admin_listener = TcpListener::bind(config.admin_listen)
        .await
        .map_err(|e| format!("admin_listen: cannot bind {}: {e}", config.admin_listen))?;
    let proxy = proxy_listener.local_addr().map_err(|e| e.to_string())?;
    let admin = admin_listener.local_addr().map_err(|e| e.to_string())?;
    let header_timeout = config.timeouts.header;
    let workers = config.workers.max(1);
    let max_connections = config.max_connections;
    let gateway = Arc::new(Gateway::new(config, keys, redis, log_requests)?);

    let mut lanes = Vec::with_capacity(workers);
    for i in 0..workers {
        lanes.push(spawn_worker(i, Arc::clone(&gateway), header_timeout)?);
    }
    tokio::spawn(health_loop(Arc::clone(&gateway)));
    tokio::spawn(distribute(
        proxy_listener,
        lanes,
        Arc::new(tokio::sync::Semaphore::new(max_connections)),
    ));
    let g = Arc::clone(&gateway);
    tokio::spawn(async move {
        loop {
            let (stream, _) = accept(&admin_listener).await;
            let g = Arc::clone(&g);
            tokio::spawn(serve(stream, header_timeout, move |req| {
                serve_admin(Arc::clone(&g), req)
            }));
        }
    });
    Ok(Running {
        proxy,
        admin,
        gateway,
    })
}

/// A connection handed from the acceptor to a worker, with its place under `max_connections`
/// (given back when the connection closes).
type Handoff = (
    std::net::TcpStream,
    SocketAddr,
    tokio::sync::OwnedSemaphorePermit,
);

/// Starts proxy worker `index` on a thread of its own; returns where to send it connections.
fn spawn_worker(
    index: usize,
    gateway: Arc<Gateway>,
    header_timeout: Duration,
) -> Result<mpsc::UnboundedSender<Handoff>, String> {
    let (lane, mut incoming) = mpsc::unbounded_channel::<Handoff>();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start worker {index}'s runtime: {e}"))?;
    std::thread::Builder::new()
        .name(format!("sigwire-gw-{index}"))
        .spawn(move || {
            runtime.block_on(async move {
                let lane: Arc<Lane> = Arc::new(gateway.lane());
                let warm = Arc::clone(&lane);
                tokio::spawn(async move { warm.warm_up().await });
                while let Some((stream, peer, permit)) = incoming.recv().await {
                    let Ok(stream) = TcpStream::from_std(stream) else {
                        continue;
                    };
                    let (g, l) = (Arc::clone(&gateway), Arc::clone(&lane));
                    tokio::spawn(async move {
                        serve(stream, header_timeout, move |req| {
                            Arc::clone(&g).handle(req, peer, Arc::clone(&l))
                        })
                        .await;
                        drop(permit);
                    });
                }
            });
        })
        .map_err(|e| format!("cannot start worker thread {index}: {e}"))?;
    Ok(lane)
}

/// Accepts proxy connections and hands them to the workers in turn; with `open` (one permit per
/// `max_connections`) used up, accepts nothing until a connection closes: new clients wait in the
/// kernel's listen backlog, costing the gateway nothing.
async fn distribute(
    listener: TcpListener,
    lanes: Vec<mpsc::UnboundedSender<Handoff>>,
    open: Arc<tokio::sync::Semaphore>,
) {
    let mut next = 0usize;
    loop {
        let Ok(permit) = Arc::clone(&open).acquire_owned().await else {
            return; // never closed
        };
        let (stream, peer) = accept(&listener).await;
        let Ok(stream) = stream.into_std() else {
            continue;
        };
        if let Some(lane) = lanes.get(next % lanes.len().max(1)) {
            // A worker only stops when the process does.
            let _ = lane.send((stream, peer, permit));
        }
        next = next.wrapping_add(1);
    }
}

/// The next connection, with `TCP_NODELAY` set. Out of file descriptors or similar: back off
/// instead of spinning.
async fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                return (stream, peer);
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Serves HTTP/1.1 on one connection with the head size and head time limits.
async fn serve<F, Fut, B>(stream: TcpStream, header_timeout: Duration, handler: F)
where
    F: Fn(Request<Incoming>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Response<B>, std::convert::Infallible>>
        + Send
        + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let _ = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(MAX_HEAD_BYTES)
        .serve_connection(TokioIo::new(stream), service_fn(handler))
        .await;
}

/// Every 500 ms: create the replay store's epoch if it is missing (a new or emptied Redis), and
/// sample the Redis server's clock for the admission script.
async fn health_loop(gateway: Arc<Gateway>) {
    let mut was_up = true;
    loop {
        if let Some(conn) = gateway.replay_redis() {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let up = replay::ensure_epoch(conn, now).await.is_ok();
            if up != was_up {
                log_event(if up { "redis_up" } else { "redis_down" }, "replay store");
                was_up = up;
            }
        }
        if let Some(conn) = gateway.redis() {
            // The admission script's clock, so it need not run `TIME` (redis_conn::ServerClock).
            conn.sample_server_clock().await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn serve_admin(
    gateway: Arc<Gateway>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let text = |status: StatusCode, body: String| {
        let mut r = Response::new(Full::new(Bytes::from(body)));
        *r.status_mut() = status;
        r
    };
    Ok(match request.uri().path() {
        "/healthz" => text(StatusCode::OK, "ok\n".into()),
        "/readyz" => {
            // With nonces in Redis, ready means the store's epoch exists (set here when absent,
            // as the health loop does every 500 ms): a request signed after `ready` is then never
            // refused for being signed in the second a lagging health loop created the epoch.
            let up = match (gateway.replay_redis(), gateway.redis()) {
                (Some(conn), _) => {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs());
                    crate::replay::ensure_epoch(conn, now).await.is_ok()
                }
                (None, Some(conn)) => conn.ping().await,
                (None, None) => true,
            };
            if up {
                text(StatusCode::OK, "ready\n".into())
            } else {
                text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "redis unreachable\n".into(),
                )
            }
        }
        "/metrics" => {
            let errors = gateway.redis().map_or(0, |c| c.error_count());
            let mut r = text(StatusCode::OK, gateway.metrics.render(errors));
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/plain; version=0.0.4"),
            );
            r
        }
        _ => text(StatusCode::NOT_FOUND, "not found\n".into()),
    })
}
