//! One gateway on a real `redis-server`: the replay claim and its key layout, fail-closed outages
//! and recovery, data loss (epoch), rate limits and their headers, the failed-verification guard,
//! and the keys CLI against Redis.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use redis::Commands;
use support::*;

const HOST: &str = "api.test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_layout_outage_recovery_and_data_loss() {
    let mut redis = RedisServer::start();
    let upstream = Upstream::start().await;
    let secret = create_key(&redis, "client-1", &[]);
    let gw = GatewayProc::start(&redis_config(upstream.addr, &redis, ""), &[]);
    let c = TestClient::default();
    // The epoch is created at start-up; requests signed in that same second would be refused.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let a_req = sign("client-1", &secret, "GET", HOST, "/v1/a", b"");
    let a = c.send(gw.proxy, HOST, &a_req, &[]).await;
    assert_eq!(a.status, 200, "{}", a.code());
    // The claim is `t:replay:<key id>:<nonce>`, expiring at timestamp + window.
    let mut r = redis.conn();
    let key = format!("t:replay:client-1:{}", a_req.nonce);
    let ttl: i64 = r.ttl(&key).unwrap();
    assert!((295..=301).contains(&ttl), "ttl {ttl}");
    let epoch: u64 = r.get("t:epoch").unwrap();
    assert!(epoch <= now() && epoch + 60 > now());
    assert_eq!(
        c.send(gw.proxy, HOST, &a_req, &[]).await.code(),
        "replayed_nonce"
    );
    assert_eq!(c.admin(gw.admin, "/readyz").await.0, 200);

    // Redis frozen: fail closed within the Redis time limit, nothing forwarded.
    let hits = upstream.hits();
    redis.freeze();
    let started = Instant::now();
    let b = c
        .send(
            gw.proxy,
            HOST,
            &sign("client-1", &secret, "GET", HOST, "/v1/b", b""),
            &[],
        )
        .await;
    assert_eq!(
        (b.status, b.code().as_str()),
        (503, "replay_store_unavailable")
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(c.admin(gw.admin, "/readyz").await.0, 503);
    assert_eq!(upstream.hits(), hits);
    // Back: accepted again without a restart.
    redis.thaw();
    wait_until("recovery after thaw", Duration::from_secs(5), || async {
        c.send(
            gw.proxy,
            HOST,
            &sign("client-1", &secret, "GET", HOST, "/v1/c", b""),
            &[],
        )
        .await
        .status
            == 200
    })
    .await;

    // Data loss: signed before the loss, sent after it → refused, sent or not before.
    let unsent = sign("client-1", &secret, "GET", HOST, "/v1/d", b"");
    redis.kill();
    let d = c.send(gw.proxy, HOST, &unsent, &[]).await;
    assert_eq!(
        (d.status, d.code().as_str()),
        (503, "replay_store_unavailable")
    );
    redis.restart_empty();
    // The keys lived in Redis too: put the key back (an operator restoring them).
    let mut r = redis.conn();
    let record = format!(r#"[{{"id":"client-1","secret":"{secret}"}}]"#);
    let _: () = redis::pipe()
        .hset("t:keys", "client-1", record)
        .set("t:keys:version", "restored")
        .query(&mut r)
        .unwrap();
    wait_until("ready after restart", Duration::from_secs(5), || async {
        c.admin(gw.admin, "/readyz").await.0 == 200
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for earlier in [&a_req, &unsent] {
        let x = c.send(gw.proxy, HOST, earlier, &[]).await;
        assert_eq!(
            (x.status, x.code().as_str()),
            (401, "stale_timestamp"),
            "{}",
            earlier.path
        );
    }
    let epoch: u64 = r.get("t:epoch").unwrap();
    assert!(epoch >= unsent_timestamp(&unsent));
    // Signed after the epoch second: accepted.
    while now() <= epoch {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let e = c
        .send(
            gw.proxy,
            HOST,
            &sign("client-1", &secret, "GET", HOST, "/v1/e", b""),
            &[],
        )
        .await;
    assert_eq!(e.status, 200, "{}", e.code());

    let (_, metrics) = c.admin(gw.admin, "/metrics").await;
    let errors: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("sigwire_gateway_redis_errors_total "))
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(errors > 0, "{metrics}");
}

fn unsent_timestamp(p: &Prepared) -> u64 {
    let auth = &p.headers[0].1;
    let ts = auth.split("timestamp=\"").nth(1).unwrap();
    ts[..ts.find('"').unwrap()].parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_and_failure_guard() {
    let redis = RedisServer::start();
    let upstream = Upstream::start().await;
    let gold = create_key(&redis, "client-1", &["--tier", "gold"]);
    let other = create_key(&redis, "client-2", &[]);
    let extra = r#"
[rate_limits]
default_tier = "basic"
[rate_limits.tiers.gold]
rate = 5
per_seconds = 60
[rate_limits.tiers.basic]
rate = 100
per_seconds = 1
[rate_limits.failures_per_key]
rate = 2
per_seconds = 60
[rate_limits.failures_per_ip]
rate = 50
per_seconds = 60
"#;
    let gw = GatewayProc::start(&redis_config(upstream.addr, &redis, extra), &[]);
    let c = TestClient::default();
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let mut statuses = Vec::new();
    for i in 0..7 {
        let a = c
            .send(
                gw.proxy,
                HOST,
                &sign("client-1", &gold, "GET", HOST, &format!("/v1/{i}"), b""),
                &[],
            )
            .await;
        if i == 0 {
            assert_eq!(a.headers["ratelimit-policy"], "\"gold\";q=5;w=60");
            assert_eq!(
                a.headers["ratelimit"].to_str().unwrap().split(';').nth(1),
                Some("r=4")
            );
        }
        if a.status == 429 {
            assert_eq!(a.code(), "rate_limited");
            let retry: u64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
            assert!((1..=12).contains(&retry), "retry-after {retry}");
            assert!(a.headers["ratelimit"]
                .to_str()
                .unwrap()
                .starts_with("\"gold\";r=0;"));
        }
        statuses.push(a.status);
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429]);

    // Failed verifications claiming client-2: two allowed, then even a good request is refused.
    for _ in 0..2 {
        let bad = sign(
            "client-2",
            "wrong-secret-0123456789abc",
            "GET",
            HOST,
            "/v1/x",
            b"",
        );
        assert_eq!(
            c.send(gw.proxy, HOST, &bad, &[]).await.code(),
            "signature_mismatch"
        );
    }
    let good = c
        .send(
            gw.proxy,
            HOST,
            &sign("client-2", &other, "GET", HOST, "/v1/x", b""),
            &[],
        )
        .await;
    assert_eq!(
        (good.status, good.code().as_str()),
        (429, "too_many_failures")
    );
    assert!(good.headers.contains_key("retry-after"));
    assert!(good.headers["ratelimit-policy"]
        .to_str()
        .unwrap()
        .starts_with("\"failures-key\""));
    // Other keys are unaffected (the per-IP budget is larger).
    assert_eq!(
        c.send(
            gw.proxy,
            HOST,
            &sign("client-1", &gold, "GET", HOST, "/v1/y", b""),
            &[]
        )
        .await
        .code(),
        "rate_limited"
    );
    assert_eq!(upstream.hits(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_per_ip_guard_before_the_body_is_read() {
    let redis = RedisServer::start();
    let upstream = Upstream::start().await;
    let secret = create_key(&redis, "client-1", &[]);
    let extra = "[rate_limits.failures_per_ip]\nrate = 3\nper_seconds = 60\n";
    let gw = GatewayProc::start(&redis_config(upstream.addr, &redis, extra), &[]);
    let c = TestClient::default();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let unsigned = Prepared {
        method: "GET".into(),
        path: "/v1/x".into(),
        headers: vec![],
        body: bytes::Bytes::new(),
        nonce: String::new(),
    };
    for _ in 0..3 {
        assert_eq!(
            c.send(gw.proxy, HOST, &unsigned, &[]).await.code(),
            "missing_authorization"
        );
    }
    let a = c
        .send(
            gw.proxy,
            HOST,
            &sign("client-1", &secret, "GET", HOST, "/v1/x", b""),
            &[],
        )
        .await;
    assert_eq!((a.status, a.code().as_str()), (429, "too_many_failures"));
    assert_eq!(upstream.hits(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_cli_rotate_revoke_list_on_redis() {
    let redis = RedisServer::start();
    let upstream = Upstream::start().await;
    let old = create_key(&redis, "client-1", &["--tier", "gold"]);
    let (ok, _, stderr) = keys_cli(&redis, &["create", "client-1"]);
    assert!(!ok && stderr.contains("already exists"), "{stderr}");
    let gw = GatewayProc::start(&redis_config(upstream.addr, &redis, ""), &[]);
    let c = TestClient::default();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let send = |secret: String| {
        let c = c.clone();
        let addr = gw.proxy;
        async move {
            c.send(
                addr,
                HOST,
                &sign("client-1", &secret, "GET", HOST, "/v1/x", b""),
                &[],
            )
            .await
        }
    };
    assert_eq!(send(old.clone()).await.status, 200);

    let (ok, stdout, _) = keys_cli(&redis, &["rotate", "client-1", "--grace", "600"]);
    assert!(ok);
    let new = stdout.trim().to_owned();
    assert_eq!(new.len(), 43);
    wait_until("rotated secret live", Duration::from_secs(1), || {
        let s = send(new.clone());
        async move { s.await.status == 200 }
    })
    .await;
    assert_eq!(
        send(old.clone()).await.status,
        200,
        "old secret within its grace period"
    );

    let (ok, listing, _) = keys_cli(&redis, &["list"]);
    assert!(ok);
    assert!(
        listing.starts_with("client-1\ttier=gold\tsecrets=2\tnot_after=never,"),
        "{listing}"
    );
    assert!(!listing.contains(&old) && !listing.contains(&new));

    let (ok, _, _) = keys_cli(&redis, &["revoke", "client-1"]);
    assert!(ok);
    let took = wait_until("revocation", Duration::from_secs(1), || {
        let s = send(new.clone());
        async move { s.await.code() == "unknown_key" }
    })
    .await;
    eprintln!("revocation seen after {took:?}");
    let log = std::fs::read_to_string(&gw.log).unwrap();
    assert!(
        !log.contains(&old) && !log.contains(&new),
        "secrets never logged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_while_redis_is_down_and_becomes_ready_when_it_comes() {
    let mut redis = RedisServer::not_started();
    let upstream = Upstream::start().await;
    let keys = format!(r#"[{{"id":"client-1","secret":"{SECRET}"}}]"#);
    let config =
        redis_config(upstream.addr, &redis, "").replace("redis = true", "env = \"GW_KEYS\"");
    let gw = GatewayProc::start(&config, &[("GW_KEYS", &keys)]);
    let c = TestClient::default();
    assert_eq!(c.admin(gw.admin, "/healthz").await.0, 200);
    assert_eq!(c.admin(gw.admin, "/readyz").await.0, 503);
    let a = c
        .send(
            gw.proxy,
            HOST,
            &sign("client-1", SECRET, "GET", HOST, "/v1/x", b""),
            &[],
        )
        .await;
    assert_eq!(
        (a.status, a.code().as_str()),
        (503, "replay_store_unavailable")
    );
    assert_eq!(upstream.hits(), 0);

    redis.spawn();
    wait_until(
        "ready once Redis answers",
        Duration::from_secs(5),
        || async { c.admin(gw.admin, "/readyz").await.0 == 200 },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let a = c
        .send(
            gw.proxy,
            HOST,
            &sign("client-1", SECRET, "GET", HOST, "/v1/x", b""),
            &[],
        )
        .await;
    let epoch: Option<String> = redis::cmd("GET")
        .arg("t:epoch")
        .query(&mut redis.conn())
        .unwrap();
    assert_eq!(
        a.status,
        200,
        "{} (epoch {epoch:?}, now {:?})",
        a.code(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)
    );
}

/// Script calls (`EVALSHA`/`EVAL`/`SCRIPT`) and all commands Redis executed since the last
/// `CONFIG RESETSTAT`, from `INFO commandstats`.
fn script_calls(redis: &RedisServer) -> (u64, HashMap<String, u64>) {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query(&mut redis.conn())
        .unwrap();
    let mut calls = HashMap::new();
    for line in info.lines() {
        let Some((name, stats)) = line
            .strip_prefix("cmdstat_")
            .and_then(|l| l.split_once(':'))
        else {
            continue;
        };
        let n = stats
            .split(',')
            .find_map(|kv| kv.strip_prefix("calls="))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        calls.insert(name.to_owned(), n);
    }
    let scripts = ["evalsha", "eval", "script"]
        .iter()
        .map(|c| calls.get(*c).copied().unwrap_or(0))
        .sum();
    (scripts, calls)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_redis_round_trip_per_accepted_request() {
    // Every Redis feature on: nonce claim, a tier's rate limit, both failure budgets. An accepted
    // request must still cost exactly one script call, a failed one one more (its failures
    // counted), and a replay two (admission refused, failure counted).
    let redis = RedisServer::start();
    let upstream = Upstream::start().await;
    let secret = create_key(&redis, "client-1", &["--tier", "gold"]);
    let extra = r#"
[rate_limits]
default_tier = "gold"
[rate_limits.tiers.gold]
rate = 1000
per_seconds = 1
[rate_limits.failures_per_key]
rate = 100
per_seconds = 60
[rate_limits.failures_per_ip]
rate = 100
per_seconds = 60
"#;
    let gw = GatewayProc::start(&redis_config(upstream.addr, &redis, extra), &[]);
    let c = TestClient::default();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let get = |i: usize| {
        sign(
            "client-1",
            &secret,
            "GET",
            HOST,
            &format!("/v1/rt/{i}"),
            b"",
        )
    };
    // The first call of each script loads it into Redis (EVALSHA, NOSCRIPT, SCRIPT LOAD, EVALSHA).
    assert_eq!(c.send(gw.proxy, HOST, &get(0), &[]).await.status, 200);
    let bad = |path: &str| {
        sign(
            "client-1",
            "wrong-secret-0123456789abc",
            "GET",
            HOST,
            path,
            b"",
        )
    };
    let warm_up = c.send(gw.proxy, HOST, &bad("/v1/rt/warm-up"), &[]).await;
    assert_eq!(warm_up.code(), "signature_mismatch");
    redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query::<()>(&mut redis.conn())
        .unwrap();

    for i in 1..=10 {
        let a = c.send(gw.proxy, HOST, &get(i), &[]).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        assert!(a.headers.contains_key("ratelimit"), "rate limit applied");
    }
    let (scripts, calls) = script_calls(&redis);
    assert_eq!(
        scripts, 10,
        "one script call per accepted request: {calls:?}"
    );
    // The commands run inside the script count too; nothing else is sent per request (the
    // background polls are GETs of the keys version and `SET <ns>:epoch NX`).
    for name in calls.keys() {
        assert!(
            ["evalsha", "get", "mget", "set", "time", "config|resetstat"].contains(&name.as_str()),
            "unexpected command `{name}`: {calls:?}"
        );
    }

    let bad = bad("/v1/rt/bad");
    assert_eq!(
        c.send(gw.proxy, HOST, &bad, &[]).await.code(),
        "signature_mismatch"
    );
    assert_eq!(
        script_calls(&redis).0,
        11,
        "a failed verification: one call"
    );
    let once = get(11);
    assert_eq!(c.send(gw.proxy, HOST, &once, &[]).await.status, 200);
    assert_eq!(
        c.send(gw.proxy, HOST, &once, &[]).await.code(),
        "replayed_nonce"
    );
    assert_eq!(
        script_calls(&redis).0,
        14,
        "accepted 1 + replay (admission + failure) 2"
    );
    // Both failures were counted against the IP and the key id (GCRA state present).
    let mut conn = redis.conn();
    assert!(conn.exists::<_, bool>("t:rl:fail-key:client-1").unwrap());
    assert!(conn.exists::<_, bool>("t:rl:fail-ip:127.0.0.1").unwrap());
    assert_eq!(upstream.hits(), 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_route_claims_its_replay_id_in_redis() {
    use sigwire_core::profiles::rfc9421::{Rfc9421, Rfc9421Key, SignatureInputs};
    let redis = RedisServer::start();
    let upstream = Upstream::start().await;
    let secret = create_key(&redis, "client-1", &[]);
    let routes = "[[routes]]\nprefix = \"/rfc/\"\nupstream = \"app\"\nprofile = \"rfc9421\"\n\
                  [[routes]]\nprefix = \"/aws/\"\nupstream = \"app\"\nprofile = \"aws-sigv4\"\n\
                  aws_region = \"eu-west-1\"\naws_service = \"s3\"\n";
    let gw = GatewayProc::start(&redis_config(upstream.addr, &redis, routes), &[]);
    let c = TestClient::default();
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let key = Rfc9421Key::new("client-1", secret.as_bytes().to_vec()).unwrap();
    let url = format!("http://{HOST}/rfc/pay");
    let out = Rfc9421::new(key)
        .sign_request(
            &sigwire_core::Request::new("GET", &url),
            SignatureInputs::at(now()),
        )
        .unwrap();
    let signed = Prepared {
        method: "GET".into(),
        path: "/rfc/pay".into(),
        headers: out.instructions().apply_to_headers(&[]),
        body: bytes::Bytes::new(),
        nonce: String::new(),
    };
    let a = c.send(gw.proxy, HOST, &signed, &[]).await;
    assert_eq!(a.status, 200, "{a:?}");
    // Claimed under the layout's replay key: a 64-hex replay id, kept for the window.
    let mut r = redis.conn();
    let claimed: Vec<String> = r.keys("t:replay:client-1:*").unwrap();
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    let id = claimed[0].rsplit(':').next().unwrap();
    assert!(
        id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{id}"
    );
    let ttl: i64 = r.ttl(&claimed[0]).unwrap();
    assert!((295..=301).contains(&ttl), "ttl {ttl}");
    // The log line splits out the admission's round trip, part of the verification time.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let line = gw.log_lines().pop().unwrap();
    let (verify, redis) = (line["verify_us"].as_u64(), line["redis_us"].as_u64());
    assert!(redis.is_some() && redis <= verify, "{line}");
    let again = c.send(gw.proxy, HOST, &signed, &[]).await;
    assert_eq!(
        (again.status, again.code().as_str()),
        (401, "replayed_nonce")
    );
    assert_eq!(upstream.hits(), 1);

    // A presigned SigV4 URL valid 60 s: its replay id is kept until its own expiry plus the
    // window (X-Amz-Date + X-Amz-Expires + 300), not the longest a URL may live (7 days).
    r.del::<_, ()>(&claimed[0]).unwrap();
    let presigned = presigned_get(&secret, "/aws/report.csv", 60);
    let a = c.send(gw.proxy, HOST, &presigned, &[]).await;
    assert_eq!(a.status, 200, "{a:?}");
    let claimed: Vec<String> = r.keys("t:replay:client-1:*").unwrap();
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    let ttl: i64 = r.ttl(&claimed[0]).unwrap();
    assert!((355..=361).contains(&ttl), "ttl {ttl}");
    let again = c.send(gw.proxy, HOST, &presigned, &[]).await;
    assert_eq!(
        (again.status, again.code().as_str()),
        (401, "replayed_nonce")
    );
    assert_eq!(upstream.hits(), 2);
}

/// `GET <path>` as a SigV4 URL presigned now by `client-1` for `expires_in` seconds (eu-west-1,
/// s3).
fn presigned_get(secret: &str, path: &str, expires_in: u64) -> Prepared {
    use sigwire_core::profiles::aws_sigv4::{
        AwsCredentials, AwsSigV4, AwsSigV4Settings, SignableBody, SignatureLocation,
    };
    let mut settings = AwsSigV4Settings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = expires_in;
    let signer = AwsSigV4::new(
        AwsCredentials::new("client-1", secret).unwrap(),
        "eu-west-1",
        "s3",
    )
    .unwrap()
    .with_settings(settings);
    let url = format!("http://{HOST}{path}");
    let request = sigwire_core::Request::new("GET", &url);
    let out = signer
        .sign(&request, SignableBody::Bytes(b""), now())
        .unwrap();
    let presigned = out.instructions().apply_to_url(&url);
    Prepared {
        method: "GET".into(),
        path: presigned[presigned.find(path).unwrap()..].to_owned(),
        headers: out
            .instructions()
            .apply_to_headers(&[])
            .into_iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("host"))
            .collect(),
        body: bytes::Bytes::new(),
        nonce: String::new(),
    }
}

/// The Lua blocks of docs/redis-layout.md, in order: §2's claim script, then §4's GCRA script.
fn layout_scripts() -> (redis::Script, redis::Script) {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/redis-layout.md"
    ))
    .unwrap();
    let blocks: Vec<&str> = doc
        .split("```lua\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), 2, "docs/redis-layout.md has two Lua blocks");
    (redis::Script::new(blocks[0]), redis::Script::new(blocks[1]))
}

/// An admission's answer in comparable form: kind, limiter index (failure budgets, from 1),
/// remaining, retry and reset in ms.
type Outcome = (&'static str, usize, u64, u64, u64);

fn outcome(a: &sigwire_gateway::admission::Admission, fails: &[String]) -> Outcome {
    use sigwire_gateway::admission::Admission;
    let d = |d: &sigwire_gateway::ratelimit::Decision| (d.remaining, d.retry_after_ms, d.reset_ms);
    match a {
        Admission::Admitted(None) => ("admitted", 0, 0, 0, 0),
        Admission::Admitted(Some(x)) => ("admitted", 0, d(x).0, d(x).1, d(x).2),
        Admission::Replayed => ("replayed", 0, 0, 0, 0),
        Admission::BeforeEpoch { .. } => ("epoch", 0, 0, 0, 0),
        Admission::TooManyFailures(x) => {
            let i = ["failures-ip", "failures-key"]
                .iter()
                .position(|p| *p == x.policy)
                .unwrap();
            assert!(i < fails.len());
            ("failures", i + 1, d(x).0, d(x).1, d(x).2)
        }
        Admission::RateLimited(x) => ("rate", 0, d(x).0, d(x).1, d(x).2),
    }
}

/// The layout's scripts run one after the other in the order docs/redis-layout.md §4 gives:
/// the failure budgets asked, the claim, the rate limit taken.
fn layout_admit(
    r: &mut redis::Connection,
    fails: &[String],
    claim: Option<(&str, &str, u64, u64)>,
    rate: Option<&str>,
    now: u64,
) -> Outcome {
    let (claim_script, gcra) = layout_scripts();
    for (i, key) in fails.iter().enumerate() {
        let d: Vec<i64> = gcra.key(key).arg(100).arg(3).arg(0).invoke(r).unwrap();
        if d[0] == 0 {
            return ("failures", i + 1, d[1] as u64, d[2] as u64, d[3] as u64);
        }
    }
    if let Some((epoch, replay, ts, ttl)) = claim {
        let c: Vec<i64> = claim_script
            .key(epoch)
            .key(replay)
            .arg(now)
            .arg(ts)
            .arg(ttl)
            .invoke(r)
            .unwrap();
        match c[0] {
            0 => return ("epoch", 0, 0, 0, 0),
            2 => return ("replayed", 0, 0, 0, 0),
            _ => {}
        }
    }
    let Some(key) = rate else {
        return ("admitted", 0, 0, 0, 0);
    };
    let d: Vec<i64> = gcra.key(key).arg(100).arg(3).arg(1).invoke(r).unwrap();
    let kind = if d[0] == 1 { "admitted" } else { "rate" };
    (kind, 0, d[1] as u64, d[2] as u64, d[3] as u64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admission_script_answers_and_writes_as_the_layout_scripts() {
    // The gateway's one admission script against docs/redis-layout.md's own scripts run one
    // after the other, from the same state in separate namespaces: the same answer, and the same
    // keys, values and expiries afterwards (GCRA times in ms within the time the runs take), both
    // when the script reads TIME and when the gateway passes its estimate of the server's clock.
    use sigwire_gateway::admission::{admit, Limiter, NonceClaim};
    use sigwire_gateway::config::Limit;
    use sigwire_gateway::redis_conn::RedisConn;
    let redis = RedisServer::start();
    let mut r = redis.conn();
    // T = 100 ms, burst 3: a limit of 300 ms ahead.
    let limit = Limit {
        rate: 10,
        per_seconds: 1,
        burst: Some(3),
    };
    let limiter = |key: String, policy: &str| Limiter {
        key,
        policy: policy.into(),
        limit,
    };
    // (name, ts relative to now, what is asked: c claim, r rate limit, f both failure limiters,
    // keys set beforehand: (suffix, value)).
    // A value "+N"/"-N" is the Redis clock in ms plus/minus N (a GCRA state); "E-N" is the epoch
    // N s before now; "R" a claimed nonce.
    type Case = (
        &'static str,
        i64,
        &'static str,
        &'static [(&'static str, &'static str)],
    );
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("fresh store: epoch created, same second refused", 0, "crf", &[]),
        ("admitted", -1, "crf", &[("epoch", "E-100")]),
        ("signed at the epoch", -1, "crf", &[("epoch", "E-1")]),
        ("replayed", -1, "crf", &[("epoch", "E-100"), ("replay", "R")]),
        ("ip budget spent", -1, "crf", &[("epoch", "E-100"), ("fail-ip", "+300")]),
        ("key budget spent", -1, "crf", &[("epoch", "E-100"), ("fail-key", "+250")]),
        ("budgets used, not spent", -1, "crf", &[("epoch", "E-100"), ("fail-ip", "+100"), ("fail-key", "+150")]),
        ("stale failure state", -1, "crf", &[("epoch", "E-100"), ("fail-ip", "-5000")]),
        ("rate spent", -1, "crf", &[("epoch", "E-100"), ("rate", "+250")]),
        ("rate partly used", -1, "crf", &[("epoch", "E-100"), ("rate", "+100")]),
        ("stale rate state", -1, "crf", &[("epoch", "E-100"), ("rate", "-5000")]),
        ("no rate limit", -1, "cf", &[("epoch", "E-100"), ("fail-key", "+100")]),
        ("no failure limiters", -1, "cr", &[("epoch", "E-100"), ("rate", "+100")]),
        ("no claim", -1, "rf", &[("rate", "+150"), ("fail-ip", "+50")]),
        ("replayed, rate spent", -1, "crf", &[("epoch", "E-100"), ("replay", "R"), ("rate", "+300")]),
    ];
    for (i, &(name, ts_rel, asked, state)) in cases.iter().enumerate() {
        let (with_claim, with_rate, with_fails) = (
            asked.contains('c'),
            asked.contains('r'),
            asked.contains('f'),
        );
        let now = now();
        let ts = now.checked_add_signed(ts_rel).unwrap();
        // The gateway without and with its estimate of the server's clock (ServerClock), and
        // the layout's scripts.
        let (gw_ns, est_ns, doc_ns) = (format!("g{i}"), format!("e{i}"), format!("d{i}"));
        let key = |ns: &str, suffix: &str| match suffix {
            "epoch" => format!("{ns}:epoch"),
            "replay" => format!("{ns}:replay:client-1:nonce-{i}"),
            "rate" => format!("{ns}:rl:key:client-1"),
            "fail-ip" => format!("{ns}:rl:fail-ip:192.0.2.1"),
            "fail-key" => format!("{ns}:rl:fail-key:client-1"),
            _ => unreachable!(),
        };
        let (secs, micros): (u64, u64) = redis::cmd("TIME").query(&mut r).unwrap();
        let clock_ms = secs * 1000 + micros / 1000;
        for ns in [&gw_ns, &est_ns, &doc_ns] {
            for &(suffix, value) in state {
                let k = key(ns, suffix);
                let _: () = match value.as_bytes()[0] {
                    b'E' => r.set(&k, now - value[2..].parse::<u64>().unwrap()).unwrap(),
                    b'R' => r.set_ex(&k, ts, 300).unwrap(),
                    _ => {
                        let tat = clock_ms.checked_add_signed(value.parse().unwrap()).unwrap();
                        r.pset_ex(&k, tat, 10_000).unwrap()
                    }
                };
            }
        }
        let fails = |ns: &str| -> Vec<String> {
            if with_fails {
                vec![key(ns, "fail-ip"), key(ns, "fail-key")]
            } else {
                Vec::new()
            }
        };
        let nonce = format!("nonce-{i}");
        let mut gateway = Vec::new();
        for (ns, estimate) in [(&gw_ns, false), (&est_ns, true)] {
            let conn = RedisConn::new(&redis.url(), ns, Duration::from_secs(2)).unwrap();
            if estimate {
                // A sample is kept only from a quick TIME (2 ms): a loaded machine may need tries.
                let mut held = false;
                for _ in 0..200 {
                    held = conn.sample_server_clock().await;
                    if held {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                assert!(held, "no TIME answered within 2 ms in 200 tries");
            }
            let gw_fails: Vec<Limiter> = fails(ns)
                .into_iter()
                .zip(["failures-ip", "failures-key"])
                .map(|(k, p)| limiter(k, p))
                .collect();
            let gw_rate = with_rate.then(|| limiter(key(ns, "rate"), "bench"));
            let claim = with_claim.then_some(NonceClaim {
                key_id: "client-1",
                nonce: &nonce,
                timestamp: ts,
                expires_at: ts + 300,
            });
            let a = admit(&conn, &gw_fails, claim, gw_rate.as_ref(), now)
                .await
                .unwrap();
            gateway.push((ns, outcome(&a, &fails(ns))));
        }
        let ttl = (ts + 300).saturating_sub(now) + 1;
        let (doc_epoch, doc_replay) = (key(&doc_ns, "epoch"), key(&doc_ns, "replay"));
        let doc = layout_admit(
            &mut r,
            &fails(&doc_ns),
            with_claim.then_some((doc_epoch.as_str(), doc_replay.as_str(), ts, ttl)),
            with_rate.then(|| key(&doc_ns, "rate")).as_deref(),
            now,
        );
        let close = |a: u64, b: u64| a.abs_diff(b) <= 50;
        for (ns, gw) in gateway {
            let clock = if ns == &est_ns {
                "estimated clock"
            } else {
                "TIME"
            };
            assert!(
                gw.0 == doc.0
                    && gw.1 == doc.1
                    && gw.2 == doc.2
                    && close(gw.3, doc.3)
                    && close(gw.4, doc.4),
                "{name} ({clock}): gateway {gw:?}, layout {doc:?}"
            );
            for suffix in ["epoch", "replay", "rate", "fail-ip", "fail-key"] {
                let read = |r: &mut redis::Connection, ns: &str| -> (Option<u64>, i64) {
                    let k = key(ns, suffix);
                    (r.get(&k).unwrap(), r.pttl(&k).unwrap())
                };
                let (g, d) = (read(&mut r, ns), read(&mut r, &doc_ns));
                let same = match suffix {
                    "rate" | "fail-ip" | "fail-key" => {
                        g.0.zip(d.0).map_or(g.0 == d.0, |(a, b)| close(a, b))
                            && close(g.1.unsigned_abs(), d.1.unsigned_abs())
                            && g.1.signum() == d.1.signum()
                    }
                    _ => g.0 == d.0 && g.1.abs_diff(d.1) <= 1_000 && g.1.signum() == d.1.signum(),
                };
                assert!(
                    same,
                    "{name} ({clock}): {suffix}: gateway {g:?}, layout {d:?}"
                );
            }
        }
    }
}
