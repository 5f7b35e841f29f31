//! Load generator for the gateway benchmark (`gateway/bench/run.sh`), and the trivial upstream it
//! measures against. Every request is signed afresh (new nonce, current time), whatever the target,
//! so each configuration pays the same client cost.
//!
//! ```text
//! loadgen upstream --listen 127.0.0.1:7000
//! loadgen load --url http://127.0.0.1:8080/v1/x --host api.test --key client-1 --secret S \
//!              --conns 32 --seconds 5 --label gateway-redis [--keys 32] [--rate 5000]
//! ```
//! With `--keys N` the key ids are `<key>-0` … `<key>-N-1` (same secret), connection `c` signing
//! with `<key>-(c mod N)`: many clients, as in front of a real API, so no single key id reaches
//! the in-memory replay store's per-key quota.
//! `load` prints one JSON line: label, requests (measured), answered (warm-up included), errors
//! (non-2xx answers, warm-up included), throughput, p50/p99 in microseconds.
//!
//! Two modes. **Closed loop** (the default): every connection sends its next request as soon as
//! the previous answer arrived, so the target is saturated and the figure that matters is the
//! throughput; its latency is mostly queueing on a shared machine. **Open loop** (`--rate R`):
//! the connections together offer `R` requests per second on a fixed schedule whatever the target
//! answers (connection `c` sends its `k`-th request at `start + (k·conns + c) / R`), so every
//! target gets the same offered load and the latency is comparable below saturation. A request's
//! latency runs to the end of its answer from its scheduled time when the previous answer on its
//! connection came after that time (a slow target is charged for the requests it made wait: no
//! coordinated omission), else from when it was sent (the timer's own lateness — tokio sleeps in
//! whole milliseconds — is the generator's, not the target's). The JSON line
//! then also has `offered_rps` and `behind` (requests that found their connection still busy at
//! their scheduled time: above a few per cent, the target is saturated at this rate).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::convert::Infallible;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use sigwire_core::Signer;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    match args.first().map(String::as_str) {
        Some("upstream") => rt.block_on(upstream(arg(&args, "--listen").expect("--listen"))),
        Some("load") => rt.block_on(load(&args)),
        // `cargo bench` runs bench targets with `--bench`: nothing to do without a subcommand.
        _ => eprintln!("usage: loadgen upstream --listen ADDR | loadgen load --url URL ... (see gateway/bench/run.sh)"),
    }
}

async fn upstream(listen: String) {
    let listener = tokio::net::TcpListener::bind(&listen).await.unwrap();
    eprintln!("upstream listening on {}", listener.local_addr().unwrap());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(|_req| async {
                Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(
                    b"{\"ok\":true}",
                ))))
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn load(args: &[String]) {
    let url: http::Uri = arg(args, "--url").expect("--url").parse().unwrap();
    let host = arg(args, "--host").expect("--host");
    let key = arg(args, "--key").expect("--key");
    let secret = arg(args, "--secret").expect("--secret");
    let conns: usize = arg(args, "--conns").map_or(32, |v| v.parse().unwrap());
    let seconds: u64 = arg(args, "--seconds").map_or(5, |v| v.parse().unwrap());
    let label = arg(args, "--label").unwrap_or_else(|| "run".into());
    let addr = format!("{}:{}", url.host().unwrap(), url.port_u16().unwrap_or(80));
    let path = url
        .path_and_query()
        .map_or("/".to_owned(), |p| p.as_str().to_owned());
    let signed_url = format!("http://{host}{path}");
    let key_count: usize = arg(args, "--keys").map_or(1, |v| v.parse().unwrap());
    let signers: Vec<_> = (0..key_count.max(1))
        .map(|i| {
            let id = if key_count > 1 {
                format!("{key}-{i}")
            } else {
                key.clone()
            };
            std::sync::Arc::new(Signer::new(&id, secret.clone().into_bytes()).unwrap())
        })
        .collect();

    // Open loop: connection `c`'s requests are `conns / rate` seconds apart, offset by `c / rate`.
    let rate: Option<f64> = arg(args, "--rate").map(|v| v.parse().unwrap());
    let interval = rate.map(|r| Duration::from_secs_f64(conns as f64 / r));
    let warmup = Duration::from_millis(500);
    let started = Instant::now();
    let end = started + warmup + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..conns)
        .map(|c| {
            let first = rate.map(|r| started + Duration::from_secs_f64(c as f64 / r));
            let (addr, host, path, signed_url, signer) = (
                addr.clone(),
                host.clone(),
                path.clone(),
                signed_url.clone(),
                signers[c % signers.len()].clone(),
            );
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                let mut behind = 0u64;
                let mut answered = 0u64;
                let mut sender: Option<http1::SendRequest<Full<Bytes>>> = None;
                let mut next = first;
                while Instant::now() < end {
                    if sender.as_mut().map_or(true, |s| s.is_closed()) {
                        // (Re)connect: servers may close keep-alive connections after N requests.
                        let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
                        stream.set_nodelay(true).unwrap();
                        let (s, conn) = http1::handshake(TokioIo::new(stream)).await.unwrap();
                        tokio::spawn(conn);
                        sender = Some(s);
                    }
                    let Some(s) = sender.as_mut() else { continue };
                    let sig = signer
                        .sign(&sigwire_core::Request::new("GET", &signed_url))
                        .unwrap();
                    let request = http::Request::get(path.as_str())
                        .header("host", host.as_str())
                        .header("authorization", sig.authorization)
                        .body(Full::<Bytes>::default())
                        .unwrap();
                    // Open loop: wait for this request's slot; when the previous answer came
                    // after it, the request starts late and that wait is the target's.
                    let (t, late) = match (next.as_mut(), interval) {
                        (Some(slot), Some(every)) => {
                            let scheduled = *slot;
                            *slot += every;
                            if Instant::now() > scheduled {
                                // Still busy with the previous answer at the slot: charged from
                                // the slot.
                                (scheduled, true)
                            } else {
                                // The timer's lateness is the generator's, not the target's.
                                tokio::time::sleep_until(scheduled.into()).await;
                                (Instant::now(), false)
                            }
                        }
                        _ => (Instant::now(), false),
                    };
                    if t >= end {
                        break;
                    }
                    if s.ready().await.is_err() {
                        sender = None;
                        continue;
                    }
                    match s.send_request(request).await {
                        Ok(resp) => {
                            let ok = resp.status().is_success();
                            let _ = resp.into_body().collect().await;
                            if !ok {
                                errors += 1;
                            }
                        }
                        Err(_) => {
                            sender = None;
                            continue;
                        }
                    }
                    answered += 1;
                    if t >= started + warmup {
                        latencies.push(u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX));
                        behind += u64::from(late);
                    }
                }
                (latencies, errors, behind, answered)
            })
        })
        .collect();
    let mut all = Vec::new();
    let (mut errors, mut behind, mut answered) = (0, 0, 0);
    for t in tasks {
        let (l, e, b, a) = t.await.unwrap();
        all.extend(l);
        errors += e;
        behind += b;
        answered += a;
    }
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    let rps = all.len() as f64 / seconds as f64;
    let mut line = serde_json::json!({
        "label": label, "requests": all.len(), "answered": answered, "errors": errors, "rps": rps.round(),
        "p50_us": pct(0.50), "p99_us": pct(0.99),
    });
    if let Some(r) = rate {
        line["offered_rps"] = serde_json::json!(r.round());
        line["behind"] = serde_json::json!(behind);
    }
    println!("{line}");
}
