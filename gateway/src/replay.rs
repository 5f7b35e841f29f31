//! The Redis replay store's epoch (docs/redis-layout.md §3), kept present between requests.
//!
//! The claim itself (epoch rule, then `SET <ns>:replay:<key id>:<nonce> <timestamp> NX EX <ttl>`)
//! is part of the one-round-trip admission script in [`crate::admission`]. Any failure to get an
//! answer is an error: the caller answers 503 `replay_store_unavailable` and never forwards an
//! unrecorded request.

use crate::redis_conn::{RedisConn, RedisFailure};

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
