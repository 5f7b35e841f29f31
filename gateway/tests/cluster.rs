//! Three gateway processes, one `redis-server`, one upstream: each nonce is accepted exactly once
//! whichever instances it is sent to, rate limits hold across instances, a revocation reaches all
//! three within one second, a frozen Redis lets nothing through unrecorded, and a killed instance
//! does not stop the others.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::Commands;
use support::*;

const HOST: &str = "api.test";
/// The Redis time limit of the tests that keep Redis running: on a loaded machine (CI runs
/// several test binaries at once) a 300 ms limit turned slow answers into scattered 503s and
/// an empty key set at start-up (`unknown_key`), which these tests do not test.
const PATIENT: u64 = 2000;

struct Cluster {
    redis: RedisServer,
    upstream: Upstream,
    gateways: Vec<GatewayProc>,
    secret: String,
}

/// Three gateways on one Redis. `redis_ms`: their Redis time limit, long ([`PATIENT`]) unless
/// the test stops Redis and waits for the limit to pass.
async fn cluster(extra: &str, redis_ms: u64) -> Cluster {
    let redis = RedisServer::start();
    let upstream = Upstream::start().await;
    let secret = create_key(&redis, "client-1", &["--tier", "small"]);
    let config = redis_config_timed(upstream.addr, &redis, extra, redis_ms);
    let gateways = (0..3).map(|_| GatewayProc::start(&config, &[])).collect();
    // Requests signed in the second the epoch was created are refused by design.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    Cluster {
        redis,
        upstream,
        gateways,
        secret,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_nonce_is_accepted_exactly_once_across_instances() {
    let cl = cluster("", PATIENT).await;
    let c = TestClient::default();
    let addrs: Vec<_> = cl.gateways.iter().map(|g| g.proxy).collect();
    let mut accepted_total = 0;
    for i in 0..40 {
        let p = Arc::new(sign(
            "client-1",
            &cl.secret,
            "POST",
            HOST,
            &format!("/v1/pay/{i}"),
            b"amount=100",
        ));
        let sends = addrs.iter().map(|&addr| {
            let (c, p) = (c.clone(), Arc::clone(&p));
            tokio::spawn(async move { c.send(addr, HOST, &p, &[]).await })
        });
        let answers: Vec<Answer> = futures_util::future::join_all(sends)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let t = tally(&answers);
        assert_eq!(t.get(&(200, String::new())), Some(&1), "request {i}: {t:?}");
        assert_eq!(
            t.get(&(401, "replayed_nonce".to_owned())),
            Some(&2),
            "request {i}: {t:?}"
        );
        accepted_total += 1;
    }
    assert_eq!(
        cl.upstream.hits(),
        accepted_total,
        "the upstream saw each request once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limit_holds_across_instances() {
    let extra = "[rate_limits.tiers.small]\nrate = 10\nper_seconds = 60\nburst = 6\n";
    let cl = cluster(extra, PATIENT).await;
    let c = TestClient::default();
    let sends = (0..30).map(|i| {
        let addr = cl.gateways[i % 3].proxy;
        let p = sign(
            "client-1",
            &cl.secret,
            "GET",
            HOST,
            &format!("/v1/{i}"),
            b"",
        );
        let c = c.clone();
        tokio::spawn(async move { c.send(addr, HOST, &p, &[]).await })
    });
    let answers: Vec<Answer> = futures_util::future::join_all(sends)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let t = tally(&answers);
    let admitted = t.get(&(200, String::new())).copied().unwrap_or(0);
    let limited = t
        .get(&(429, "rate_limited".to_owned()))
        .copied()
        .unwrap_or(0);
    // Burst 6, then one every 6 s: the run takes far less than 6 s, so at most one more.
    assert!((6..=7).contains(&admitted), "{t:?}");
    assert_eq!(admitted + limited, 30, "{t:?}");
    assert_eq!(cl.upstream.hits() as usize, admitted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rotation_and_revocation_reach_every_instance_within_one_second_and_a_killed_one_does_not_matter(
) {
    let mut cl = cluster("", PATIENT).await;
    let c = TestClient::default();
    for g in &cl.gateways {
        let a = c
            .send(
                g.proxy,
                HOST,
                &sign("client-1", &cl.secret, "GET", HOST, "/v1/x", b""),
                &[],
            )
            .await;
        assert_eq!(a.status, 200);
    }
    // Rotation: the new secret is live on every instance within 1 s (the old one stays live for
    // its grace period).
    let (ok, stdout, _) = keys_cli(&cl.redis, &["rotate", "client-1", "--grace", "600"]);
    assert!(ok);
    let new = stdout.trim().to_owned();
    let rotated_at = Instant::now();
    let mut pending: HashSet<usize> = [0, 1, 2].into();
    while !pending.is_empty() {
        assert!(
            rotated_at.elapsed() < Duration::from_secs(1),
            "instances {pending:?} still refuse the rotated secret after 1 s"
        );
        for i in pending.clone() {
            let p = sign("client-1", &new, "GET", HOST, "/v1/rotated", b"");
            if c.send(cl.gateways[i].proxy, HOST, &p, &[]).await.status == 200 {
                pending.remove(&i);
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    eprintln!(
        "rotated secret live on every instance after {:?}",
        rotated_at.elapsed()
    );
    for g in &cl.gateways {
        let p = sign("client-1", &cl.secret, "GET", HOST, "/v1/grace", b"");
        assert_eq!(
            c.send(g.proxy, HOST, &p, &[]).await.status,
            200,
            "old secret in its grace"
        );
    }

    // One instance killed: the others carry on.
    cl.gateways[0].kill();
    for g in &cl.gateways[1..] {
        let a = c
            .send(
                g.proxy,
                HOST,
                &sign("client-1", &cl.secret, "GET", HOST, "/v1/y", b""),
                &[],
            )
            .await;
        assert_eq!(a.status, 200);
    }
    let (ok, _, _) = keys_cli(&cl.redis, &["revoke", "client-1"]);
    assert!(ok);
    let revoked_at = Instant::now();
    let mut pending: HashSet<usize> = [1, 2].into();
    while !pending.is_empty() {
        assert!(
            revoked_at.elapsed() < Duration::from_secs(1),
            "instances {pending:?} still accept after 1 s"
        );
        for i in pending.clone() {
            let p = sign("client-1", &cl.secret, "GET", HOST, "/v1/z", b"");
            if c.send(cl.gateways[i].proxy, HOST, &p, &[]).await.code() == "unknown_key" {
                pending.remove(&i);
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    eprintln!(
        "revocation seen by every live instance after {:?}",
        revoked_at.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn frozen_redis_lets_nothing_through_unrecorded() {
    let cl = cluster("", 300).await;
    let c = TestClient::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let workers: Vec<_> = cl
        .gateways
        .iter()
        .map(|g| {
            let (c, addr, secret, stop) =
                (c.clone(), g.proxy, cl.secret.clone(), Arc::clone(&stop));
            tokio::spawn(async move {
                let mut out = Vec::new();
                let mut i = 0;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) && i < 400 {
                    let p = sign("client-1", &secret, "GET", HOST, &format!("/v1/{i}"), b"");
                    let a = c.send(addr, HOST, &p, &[]).await;
                    out.push((p.nonce, a.status, a.code()));
                    i += 1;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                out
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(400)).await;
    cl.redis.freeze();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    cl.redis.thaw();
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let results: Vec<_> = futures_util::future::join_all(workers)
        .await
        .into_iter()
        .flat_map(Result::unwrap)
        .collect();

    let accepted: Vec<&String> = results
        .iter()
        .filter(|r| r.1 == 200)
        .map(|r| &r.0)
        .collect();
    let unavailable = results
        .iter()
        .filter(|r| (r.1, r.2.as_str()) == (503, "replay_store_unavailable"))
        .count();
    let other: Vec<_> = results
        .iter()
        .filter(|r| r.1 != 200 && r.1 != 503)
        .collect();
    assert!(other.is_empty(), "unexpected answers: {other:?}");
    assert!(unavailable > 0, "the freeze was seen");
    let last_ok = results.iter().rev().find(|r| r.1 == 200);
    assert!(
        last_ok.is_some() && accepted.len() > 20,
        "accepted {}",
        accepted.len()
    );
    // Every accepted request's nonce is in Redis, and the upstream saw exactly those.
    let mut r = cl.redis.conn();
    for nonce in &accepted {
        let exists: bool = r.exists(format!("t:replay:client-1:{nonce}")).unwrap();
        assert!(exists, "nonce {nonce} accepted but not recorded");
    }
    assert_eq!(cl.upstream.hits() as usize, accepted.len());
    // Recovered on every instance after the thaw.
    for g in &cl.gateways {
        let a = c
            .send(
                g.proxy,
                HOST,
                &sign("client-1", &cl.secret, "GET", HOST, "/v1/after", b""),
                &[],
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.code());
    }
}
