//! Rate limits: GCRA (generic cell rate algorithm) in Redis, shared by every instance, timed by
//! the Redis server's own clock so instances' clocks do not matter. The script is part of the
//! one-round-trip admission script ([`crate::admission`]); this module holds its answer.
//!
//! A limit of `rate` per `per_seconds` with bursts of `burst` has an emission interval
//! `T = per_seconds / rate` (whole milliseconds, rounded up) and admits a request when the
//! theoretical arrival time after it, `max(tat, now) + T`, is at most `now + burst × T`.

use http::HeaderValue;

use crate::config::Limit;

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
        let t = if self.allowed {
            self.reset_ms.div_ceil(1000)
        } else {
            self.retry_after_seconds()
        };
        // Written by hand: these run for every rate-limited request, and `format!` costs several
        // times more.
        let field = |a: (&str, u64), b: (&str, u64)| {
            let mut v = String::with_capacity(self.policy.len() + 48);
            v.push('"');
            v.push_str(&self.policy);
            v.push('"');
            for (name, n) in [a, b] {
                v.push(';');
                v.push_str(name);
                v.push('=');
                push_u64(&mut v, n);
            }
            HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static("\"limit\""))
        };
        [
            (
                "ratelimit-policy",
                field(("q", self.limit.rate), ("w", self.limit.per_seconds)),
            ),
            ("ratelimit", field(("r", self.remaining), ("t", t))),
        ]
    }
}

/// Appends `n` in decimal.
fn push_u64(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    out.extend(
        crate::resp::decimal(&mut digits, n)
            .iter()
            .map(|&d| char::from(d)),
    );
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
