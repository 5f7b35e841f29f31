//! Rate limits: GCRA (generic cell rate algorithm) in Redis, one Lua script, atomic, shared by
//! every instance, timed by the Redis server's own clock so instances' clocks do not matter.
//!
//! A limit of `rate` per `per_seconds` with bursts of `burst` has an emission interval
//! `T = per_seconds / rate` (whole milliseconds, rounded up) and admits a request when the
//! theoretical arrival time after it, `max(tat, now) + T`, is at most `now + burst × T`.

use http::HeaderValue;

use crate::config::Limit;
use crate::redis_conn::{RedisConn, RedisFailure};

/// KEYS: limiter. ARGV: T (ms), burst, take (1) or peek (0).
/// Returns {allowed, remaining, retry_after_ms, reset_ms}.
const GCRA_LUA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local T = tonumber(ARGV[1])
local limit = T * tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + T
if new_tat - now > limit then
  return {0, 0, new_tat - now - limit, tat - now}
end
if ARGV[3] == '1' then
  redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', new_tat - now)
  tat = new_tat
end
return {1, math.floor((limit - (tat - now)) / T), 0, tat - now}
";

/// The script, hashed once (`EVALSHA`, falling back to `EVAL` when Redis does not know it yet).
fn gcra_script() -> &'static redis::Script {
    static SCRIPT: std::sync::OnceLock<redis::Script> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| redis::Script::new(GCRA_LUA))
}

/// The answer of one limiter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request is admitted.
    pub allowed: bool,
    /// Requests that could still be admitted at once.
    pub remaining: u64,
    /// When refused: milliseconds until one request would be admitted.
    pub retry_after_ms: u64,
    /// Milliseconds until the limiter is back to a full burst.
    pub reset_ms: u64,
    /// The policy's name (a tier name, `key`, `failures-key` or `failures-ip`).
    pub policy: String,
    /// The limit applied.
    pub limit: Limit,
}

impl Decision {
    /// `Retry-After` in whole seconds, at least 1.
    pub fn retry_after_seconds(&self) -> u64 {
        self.retry_after_ms.div_ceil(1000).max(1)
    }

    /// The IETF `RateLimit-Policy` and `RateLimit` header values (draft-ietf-httpapi-ratelimit-headers):
    /// `"<policy>";q=<rate>;w=<seconds>` and `"<policy>";r=<remaining>;t=<seconds to reset>`.
    pub fn headers(&self) -> [(&'static str, HeaderValue); 2] {
        let policy = format!(
            "\"{}\";q={};w={}",
            self.policy, self.limit.rate, self.limit.per_seconds
        );
        let t = if self.allowed {
            self.reset_ms.div_ceil(1000)
        } else {
            self.retry_after_seconds()
        };
        let state = format!("\"{}\";r={};t={}", self.policy, self.remaining, t);
        [
            (
                "ratelimit-policy",
                HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("\"limit\"")),
            ),
            (
                "ratelimit",
                HeaderValue::from_str(&state).unwrap_or(HeaderValue::from_static("\"limit\"")),
            ),
        ]
    }
}

/// Whether a limiter call records the request (`Take`) or only asks (`Peek`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Count the request if admitted.
    Take,
    /// Only tell whether one more would be admitted.
    Peek,
}

/// Applies `limit` under the Redis key `key`.
pub async fn check(
    conn: &RedisConn,
    key: String,
    policy: &str,
    limit: Limit,
    mode: Mode,
) -> Result<Decision, RedisFailure> {
    let interval_ms = (limit.per_seconds.saturating_mul(1000))
        .div_ceil(limit.rate)
        .max(1);
    let take = if mode == Mode::Take { "1" } else { "0" };
    let key = &key;
    let (allowed, remaining, retry, reset): (u8, i64, i64, i64) = conn
        .run_retrying(|mut c| async move {
            gcra_script()
                .key(key)
                .arg(interval_ms)
                .arg(limit.burst())
                .arg(take)
                .invoke_async(&mut c)
                .await
        })
        .await?;
    Ok(Decision {
        allowed: allowed == 1,
        remaining: remaining.max(0).unsigned_abs(),
        retry_after_ms: retry.max(0).unsigned_abs(),
        reset_ms: reset.max(0).unsigned_abs(),
        policy: policy.to_owned(),
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values() {
        let d = Decision {
            allowed: false,
            remaining: 0,
            retry_after_ms: 1500,
            reset_ms: 9000,
            policy: "gold".into(),
            limit: Limit {
                rate: 10,
                per_seconds: 60,
                burst: Some(5),
            },
        };
        assert_eq!(d.retry_after_seconds(), 2);
        let [(p, pv), (s, sv)] = d.headers();
        assert_eq!(
            (p, pv.to_str().unwrap()),
            ("ratelimit-policy", "\"gold\";q=10;w=60")
        );
        assert_eq!((s, sv.to_str().unwrap()), ("ratelimit", "\"gold\";r=0;t=2"));
        let ok = Decision {
            allowed: true,
            remaining: 3,
            retry_after_ms: 0,
            reset_ms: 1,
            ..d
        };
        assert_eq!(ok.retry_after_seconds(), 1);
        assert_eq!(ok.headers()[1].1.to_str().unwrap(), "\"gold\";r=3;t=1");
    }
}
