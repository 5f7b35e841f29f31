//! The replay guard: one atomic claim per `(key id, nonce)`, in this process or in Redis.
//!
//! The Redis claim is one Lua script (atomic on the server): it reads the store's epoch (creating
//! it when absent, i.e. when the store is new or lost its data), refuses a timestamp at or before
//! the epoch, then `SET <ns>:replay:<key id>:<nonce> <timestamp> NX EX <ttl>` with the expiry at
//! `timestamp + window`. Any failure to get an answer is an error: the caller answers 503
//! `replay_store_unavailable` and never forwards an unrecorded request.

use crate::redis_conn::{RedisConn, RedisFailure};

/// What a claim found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The nonce was new and is now recorded.
    Fresh,
    /// The nonce was already recorded: a replay.
    Replayed,
    /// The timestamp is not after the store's epoch: the store cannot know whether the nonce was
    /// used before it lost its data, so the request is refused (answered as `stale_timestamp`).
    BeforeEpoch {
        /// The store's epoch (Unix seconds).
        epoch: u64,
    },
}

/// The claim script. KEYS: epoch, nonce. ARGV: now, timestamp, ttl seconds.
/// Returns {1|2|0, epoch}: 1 fresh, 2 replayed, 0 at or before the epoch.
const CLAIM_LUA: &str = r"
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  redis.call('SET', KEYS[1], ARGV[1])
  epoch = ARGV[1]
end
if tonumber(ARGV[2]) <= tonumber(epoch) then
  return {0, tonumber(epoch)}
end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3]) then
  return {1, tonumber(epoch)}
end
return {2, tonumber(epoch)}
";

/// The script, hashed once (`EVALSHA`, falling back to `EVAL` when Redis does not know it yet).
fn claim_script() -> &'static redis::Script {
    static SCRIPT: std::sync::OnceLock<redis::Script> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| redis::Script::new(CLAIM_LUA))
}

/// Records `(key_id, nonce)` signed at `timestamp` in Redis, to be kept until `expires_at`
/// (Unix seconds, inclusive); `now` is this gateway's clock.
pub async fn claim(
    conn: &RedisConn,
    key_id: &str,
    nonce: &str,
    timestamp: u64,
    expires_at: u64,
    now: u64,
) -> Result<Claim, RedisFailure> {
    let layout = conn.layout();
    let (epoch_key, nonce_key) = (layout.epoch(), layout.replay(key_id, nonce));
    // Kept one second past `expires_at`, since `expires_at` itself is still accepted.
    let ttl = expires_at.saturating_sub(now).saturating_add(1).max(1);
    let (epoch_key, nonce_key) = (&epoch_key, &nonce_key);
    let (status, epoch): (u8, u64) = conn
        .run_retrying(|mut c| async move {
            claim_script()
                .key(epoch_key)
                .key(nonce_key)
                .arg(now)
                .arg(timestamp)
                .arg(ttl)
                .invoke_async(&mut c)
                .await
        })
        .await?;
    Ok(match status {
        1 => Claim::Fresh,
        2 => Claim::Replayed,
        _ => Claim::BeforeEpoch { epoch },
    })
}

/// Makes sure the store has an epoch (`SET <ns>:epoch <now> NX`), so that a new store's first
/// requests are not refused for being signed in the second the epoch is created.
pub async fn ensure_epoch(conn: &RedisConn, now: u64) -> Result<(), RedisFailure> {
    let key = conn.layout().epoch();
    conn.run(|mut c| async move {
        redis::cmd("SET")
            .arg(key)
            .arg(now)
            .arg("NX")
            .query_async::<Option<String>>(&mut c)
            .await
    })
    .await?;
    Ok(())
}
