//! Admission in Redis in **one round trip**: everything a verified request needs from Redis — the
//! failure budgets of its client IP and key id (asked, not taken), the epoch rule, the nonce claim
//! (`SET … NX`) and the key's GCRA rate limit (taken) — in one atomic Lua script (`EVALSHA`).
//! Failed verifications are counted with one more script call ([`record_failures`]), also one round
//! trip whatever the number of limiters.
//!
//! The keys, their values and expiries and the arithmetic are those of docs/redis-layout.md §2–§4
//! (the claim script and the GCRA script, run one after the other inside one script), so a Python
//! or Node service following the layout shares state with the gateway unchanged.
//! Concurrent requests of one worker share its pipelined connection ([`crate::resp`]): their
//! scripts are written together, never waiting for each other's answers.

use crate::config::Limit;
use crate::ratelimit::Decision;
#[cfg(doc)]
use crate::redis_conn::ServerClock;
use crate::redis_conn::{LuaScript, RedisConn, RedisFailure};
use crate::resp::{self, Reply};

/// The GCRA step of docs/redis-layout.md §4 as a Lua function, for the failure-recording script:
/// `cur` is the limiter key's value, already read (with every other key, by one `MGET`), `take`
/// false = only ask; and the Redis server's clock in milliseconds.
///
/// The layout's arithmetic and stored values are unchanged; only how they are read differs: one
/// `MGET` for all keys instead of a `GET` per key. (Numbers are formatted in Lua with
/// `string.format('%d', …)`: a Lua number passed to `redis.call` is formatted by Redis with
/// `%.17g`, which costs more.)
const GCRA_FN: &str = r"
local function gcra(key, cur, T, burst, take, now)
  local limit = T * burst
  local tat = tonumber(cur) or now
  if tat < now then tat = now end
  local new_tat = tat + T
  if new_tat - now > limit then
    return {0, 0, new_tat - now - limit, tat - now}
  end
  if take then
    redis.call('SET', key, string.format('%d', new_tat), 'PX', string.format('%d', new_tat - now))
    tat = new_tat
  end
  return {1, math.floor((limit - (tat - now)) / T), 0, tat - now}
end
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
";

/// The admission script: the failure budgets asked, the epoch rule, the claim and the rate
/// limit's GCRA step (docs/redis-layout.md §2–§4), self-contained and shaped for the cost of a
/// script inside redis-server, where every `redis.call`, every `ARGV` slot, every closure and every
/// string-to-number conversion shows up in the round trip of an otherwise idle Redis.
///
/// KEYS: `[<ns>:epoch, <ns>:replay:<key id>:<nonce>]` when claiming, then the rate limiter's key
/// when there is one, then one key per failure limiter.
/// ARGV: now (s), the timestamp (`''`: no claim), ttl, the rate limit's `T` and `burst` (`''`,
/// `''`: none), the Redis server's clock in ms as the gateway estimates it ([`ServerClock`];
/// `''`: the script reads `TIME`), then `T, burst` per failure limiter.
/// Returns `{status, epoch or limiter index, remaining, retry_ms, reset_ms}` with status
/// 1 admitted, 0 at or before the epoch, 2 replayed, 3 a failure budget is spent (the index of
/// its limiter, from 1), 4 rate limited.
///
/// Redis commands per admitted request, every limit on: one `MGET` (epoch, rate and failure
/// keys; not the nonce's key, whose `SET … NX` answers for it), the claim's `SET … NX` and the
/// rate limit's `SET`, and `TIME` only when the gateway holds no estimate of the server's clock.
/// A failure budget whose key is absent is full, so asking it admits without any arithmetic or
/// clock: only a limiter key that exists (a failure within its last refill period) is
/// evaluated, and only such a key's `T` and `burst` are converted. The GCRA
/// arithmetic is §4's, written out where it is used (no function values are made per call), and
/// the keys, values and expiries written are the layout's: same answers as the layout's
/// scripts run one after the other.
const ADMIT_LUA: &str = r"
local c = ARGV[2] ~= ''
local v, k, w
if c then
  v = redis.call('MGET', KEYS[1], unpack(KEYS, 3))
  k, w = 3, 2
else
  v = redis.call('MGET', unpack(KEYS))
  k, w = 1, 1
end
local rk, rv
if ARGV[4] ~= '' then
  rk, rv = KEYS[k], v[w]
  k, w = k + 1, w + 1
end
local now
local a = 7
while KEYS[k] do
  if v[w] then
    if not now then
      if ARGV[6] ~= '' then
        now = tonumber(ARGV[6])
      else
        local t = redis.call('TIME')
        now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      end
    end
    local T = tonumber(ARGV[a])
    local limit = T * tonumber(ARGV[a + 1])
    local tat = tonumber(v[w]) or now
    if tat < now then tat = now end
    local new_tat = tat + T
    if new_tat - now > limit then
      return {3, (a - 5) / 2, 0, new_tat - now - limit, tat - now}
    end
  end
  k, w, a = k + 1, w + 1, a + 2
end
local epoch = 0
if c then
  local e = v[1]
  if not e then
    redis.call('SET', KEYS[1], ARGV[1])
    e = ARGV[1]
  end
  epoch = tonumber(e)
  if tonumber(ARGV[2]) <= epoch then return {0, epoch, 0, 0, 0} end
  if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3]) then
    return {2, epoch, 0, 0, 0}
  end
end
if rk then
  if not now then
    if ARGV[6] ~= '' then
      now = tonumber(ARGV[6])
    else
      local t = redis.call('TIME')
      now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    end
  end
  local T = tonumber(ARGV[4])
  local limit = T * tonumber(ARGV[5])
  local tat = tonumber(rv) or now
  if tat < now then tat = now end
  local new_tat = tat + T
  if new_tat - now > limit then
    return {4, epoch, 0, new_tat - now - limit, tat - now}
  end
  redis.call('SET', rk, string.format('%d', new_tat), 'PX', string.format('%d', new_tat - now))
  return {1, epoch, math.floor((limit - (new_tat - now)) / T), 0, new_tat - now}
end
return {1, epoch, 0, 0, 0}
";

/// The failure-recording script body (after [`GCRA_FN`]): takes one from each limiter given.
/// KEYS: one per limiter (at least one). ARGV: `T, burst` per limiter. Returns `{allowed,
/// remaining, retry_ms, reset_ms}` per limiter, flattened.
const FAIL_LUA: &str = r"
local v = redis.call('MGET', unpack(KEYS))
local now_ms = clock()
local out = {}
for i = 1, #KEYS do
  local d = gcra(KEYS[i], v[i], tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i]), true, now_ms)
  for j = 1, 4 do out[#out + 1] = d[j] end
end
return out
";

fn admit_script() -> &'static LuaScript {
    static SCRIPT: std::sync::OnceLock<LuaScript> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| LuaScript::new(ADMIT_LUA.to_owned()))
}

fn fail_script() -> &'static LuaScript {
    static SCRIPT: std::sync::OnceLock<LuaScript> = std::sync::OnceLock::new();
    SCRIPT.get_or_init(|| LuaScript::new(format!("{GCRA_FN}{FAIL_LUA}")))
}

/// Connects the request path's connection and loads both scripts into Redis (`SCRIPT LOAD`), so
/// that a worker's first request does not pay the connection, the `NOSCRIPT` answer and the load
/// on top of its round trip. Only a warm-up: [`RedisConn::eval`] still loads a script itself
/// when Redis lost it (restart, `SCRIPT FLUSH`).
pub async fn load_scripts(conn: &RedisConn) -> Result<(), RedisFailure> {
    for script in [admit_script(), fail_script()] {
        let mut command = resp::command(3);
        resp::arg(&mut command, b"SCRIPT");
        resp::arg(&mut command, b"LOAD");
        resp::arg(&mut command, script.body().as_bytes());
        conn.call(command).await?;
    }
    Ok(())
}

/// The integers of a script's array reply.
fn integers(reply: &Reply) -> Result<Vec<i64>, RedisFailure> {
    let Reply::Array(items) = reply else {
        return Err(RedisFailure::Unexpected(
            "a script reply that is not an array",
        ));
    };
    items
        .iter()
        .map(|item| match item {
            Reply::Int(n) => Ok(*n),
            _ => Err(RedisFailure::Unexpected(
                "a script reply with a non-integer",
            )),
        })
        .collect()
}

/// One limiter: its Redis key, its policy name (for the headers) and its limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limiter {
    /// The Redis key (`<ns>:rl:…`).
    pub key: String,
    /// The policy name: a tier name, `key`, `failures-key` or `failures-ip`.
    pub policy: String,
    /// The limit.
    pub limit: Limit,
}

impl Limiter {
    /// `T = ceil(per_seconds × 1000 / rate)` milliseconds, at least 1.
    fn interval_ms(&self) -> u64 {
        self.limit
            .per_seconds
            .saturating_mul(1000)
            .div_ceil(self.limit.rate.max(1))
            .max(1)
    }

    fn decision(&self, allowed: bool, remaining: i64, retry: i64, reset: i64) -> Decision {
        Decision {
            allowed,
            remaining: remaining.max(0).unsigned_abs(),
            retry_after_ms: retry.max(0).unsigned_abs(),
            reset_ms: reset.max(0).unsigned_abs(),
            policy: self.policy.clone(),
            limit: self.limit,
        }
    }
}

/// The nonce claim part of an admission (docs/redis-layout.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NonceClaim<'a> {
    /// The verified key id.
    pub key_id: &'a str,
    /// The nonce.
    pub nonce: &'a str,
    /// The request's timestamp (Unix seconds).
    pub timestamp: u64,
    /// The last second the request is acceptable (timestamp + window).
    pub expires_at: u64,
}

/// What Redis decided for a verified request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Admitted (and its nonce recorded when one was claimed); the rate limit's state when one
    /// applies.
    Admitted(Option<Decision>),
    /// The nonce was already recorded: a replay.
    Replayed,
    /// The timestamp is not after the store's epoch (answered as `stale_timestamp`).
    BeforeEpoch {
        /// The store's epoch (Unix seconds).
        epoch: u64,
    },
    /// A failure budget (of the IP or the key id) is spent; nothing was recorded.
    TooManyFailures(Decision),
    /// The key's rate limit refused it (its nonce is recorded).
    RateLimited(Decision),
}

/// Admits a verified request in one script call: asks each of `failure_limiters` (IP first, then
/// key id), then claims `claim` when given, then takes one from `rate` when given. `now` is this
/// gateway's clock (Unix seconds), used for the epoch and the nonce's expiry.
pub async fn admit(
    conn: &RedisConn,
    failure_limiters: &[Limiter],
    claim: Option<NonceClaim<'_>>,
    rate: Option<&Limiter>,
    now: u64,
) -> Result<Admission, RedisFailure> {
    let layout = conn.layout();
    let mut keys: Vec<String> = Vec::with_capacity(2 + 1 + failure_limiters.len());
    // ARGV: now, timestamp, ttl, the rate's T and burst, the server's clock (ms), then T, burst
    // per failure limiter; an absent claim, rate limit or clock estimate is an empty argument.
    let mut args: Vec<Option<u64>> = Vec::with_capacity(6 + 2 * failure_limiters.len());
    args.push(Some(now));
    match &claim {
        Some(c) => {
            keys.push(layout.epoch());
            keys.push(layout.replay(c.key_id, c.nonce));
            // Kept one second past `expires_at`, since `expires_at` itself is still accepted.
            let ttl = c.expires_at.saturating_sub(now).saturating_add(1).max(1);
            args.extend([Some(c.timestamp), Some(ttl)]);
        }
        None => args.extend([None, None]),
    }
    match rate {
        Some(l) => {
            keys.push(l.key.clone());
            args.extend([Some(l.interval_ms()), Some(l.limit.burst())]);
        }
        None => args.extend([None, None]),
    }
    args.push(conn.server_clock_ms());
    for l in failure_limiters {
        keys.push(l.key.clone());
        args.extend([Some(l.interval_ms()), Some(l.limit.burst())]);
    }
    if keys.is_empty() {
        // Nothing to ask Redis (and `MGET` needs a key).
        return Ok(Admission::Admitted(None));
    }
    let reply = conn
        .eval(admit_script(), |verb, script| {
            let mut c = resp::command(3 + keys.len() + args.len());
            resp::arg(&mut c, verb);
            resp::arg(&mut c, script);
            resp::arg_u64(&mut c, keys.len() as u64);
            for k in &keys {
                resp::arg(&mut c, k.as_bytes());
            }
            for a in &args {
                match a {
                    Some(n) => resp::arg_u64(&mut c, *n),
                    None => resp::arg(&mut c, b""),
                }
            }
            c
        })
        .await?;
    let &[status, which, remaining, retry, reset] = integers(&reply)?.as_slice() else {
        return Err(RedisFailure::Unexpected(
            "an admission reply of another length",
        ));
    };
    let epoch = which.max(0).unsigned_abs();
    Ok(match status {
        1 => Admission::Admitted(rate.map(|l| l.decision(true, remaining, retry, reset))),
        2 => Admission::Replayed,
        3 => {
            let index = usize::try_from(which.max(1) - 1).unwrap_or(0);
            let limiter = failure_limiters
                .get(index)
                .or(failure_limiters.first())
                .ok_or(RedisFailure::Unexpected(
                    "a failure limiter that was not sent",
                ))?;
            Admission::TooManyFailures(limiter.decision(false, remaining, retry, reset))
        }
        4 => match rate {
            Some(l) => Admission::RateLimited(l.decision(false, remaining, retry, reset)),
            None => return Err(RedisFailure::Unexpected("a rate limit that was not sent")),
        },
        _ => Admission::BeforeEpoch { epoch },
    })
}

/// Counts one failed verification against each of `limiters` in one script call. Returns the
/// first limiter's refusal when a budget was already spent (the caller answers 429, as it would
/// to any further request from that client), else `None`.
pub async fn record_failures(
    conn: &RedisConn,
    limiters: &[Limiter],
) -> Result<Option<Decision>, RedisFailure> {
    if limiters.is_empty() {
        return Ok(None);
    }
    let reply = conn
        .eval(fail_script(), |verb, script| {
            let mut c = resp::command(3 + 3 * limiters.len());
            resp::arg(&mut c, verb);
            resp::arg(&mut c, script);
            resp::arg_u64(&mut c, limiters.len() as u64);
            for l in limiters {
                resp::arg(&mut c, l.key.as_bytes());
            }
            for l in limiters {
                resp::arg_u64(&mut c, l.interval_ms());
                resp::arg_u64(&mut c, l.limit.burst());
            }
            c
        })
        .await?;
    let answers = integers(&reply)?;
    Ok(limiters
        .iter()
        .zip(answers.chunks_exact(4))
        .find(|(_, d)| d[0] == 0)
        .map(|(l, d)| l.decision(false, d[1], d[2], d[3])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_the_layout_functions_in_one_body() {
        // The GCRA arithmetic is the layout's (§4) line for line, in both scripts; the claim's
        // SET is §2's. (tests/redis.rs checks the admission script's answers and writes against
        // the layout's own scripts in a real Redis.)
        for line in [
            "local limit = T * burst",
            "if new_tat - now > limit then",
            "string.format('%d', new_tat), 'PX', string.format('%d', new_tat - now))",
            "tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)",
        ] {
            assert!(GCRA_FN.contains(line), "{line}");
            assert!(
                ADMIT_LUA.contains(&line.replace("T * burst", "T * tonumber(ARGV[5])")),
                "{line}"
            );
        }
        assert!(ADMIT_LUA.contains("redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3])"));
        assert!(ADMIT_LUA.contains("if tonumber(ARGV[2]) <= epoch then"));
        // No function values made per call, and the nonce's key is not read (its SET NX answers).
        assert!(!ADMIT_LUA.contains("function"));
        assert!(ADMIT_LUA.contains("redis.call('MGET', KEYS[1], unpack(KEYS, 3))"));
    }

    #[test]
    fn interval_rounds_up_and_is_never_zero() {
        let l = |rate, per_seconds| Limiter {
            key: "k".into(),
            policy: "p".into(),
            limit: Limit {
                rate,
                per_seconds,
                burst: None,
            },
        };
        assert_eq!(l(3, 1).interval_ms(), 334);
        assert_eq!(l(5, 60).interval_ms(), 12_000);
        assert_eq!(l(1_000_000, 1).interval_ms(), 1);
    }
}
