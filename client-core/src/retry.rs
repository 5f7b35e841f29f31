//! Retry policy: which outcomes are retried, exponential backoff with full jitter, `Retry-After`,
//! and the next step of a call ([`Call`]).

use std::time::Duration;

use sigwire_core::ErrorCode;

use crate::skew::Observation;

/// When and how a call is retried.
///
/// Retried outcomes: connection errors, dropped connections, attempt timeouts, and the statuses
/// 408, 429 and 5xx — for idempotent methods (`GET`, `HEAD`, `OPTIONS`, `TRACE`, `PUT`,
/// `DELETE`) always, and for other methods (`POST`, `PATCH`) only when the call carries an
/// `Idempotency-Key` (generated once per call when [`RetryPolicy::idempotency_keys`] is on, the
/// default, and reused on every attempt).
///
/// The delay before retry `n` (1-based) is uniform in `[0, min(max_delay, base_delay·2ⁿ⁻¹)]`
/// ("full jitter"), unless the response carries `Retry-After` (seconds or an HTTP-date), which is
/// honoured up to [`RetryPolicy::max_retry_after`]. No retry starts after the total deadline.
///
/// ```
/// use std::time::Duration;
/// use sigwire_client_core::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .base_delay(Duration::from_millis(50))
///     .max_delay(Duration::from_secs(2));
/// assert_eq!(policy.attempts(), 5);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
    idempotency_keys: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, 100 ms base delay, 5 s max delay, `Retry-After` capped at 30 s, idempotency
    /// keys generated for `POST`/`PATCH`.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            idempotency_keys: true,
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in all, the first included (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff's base delay (the cap of the first retry's jitter range).
    #[must_use]
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The largest backoff delay.
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest `Retry-After` honoured; longer values wait this long.
    #[must_use]
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// Whether `POST`/`PATCH` calls get a generated `Idempotency-Key` (reused on every attempt)
    /// so they can be retried. Off: they are retried only if the caller set the header.
    #[must_use]
    pub fn idempotency_keys(mut self, on: bool) -> Self {
        self.idempotency_keys = on;
        self
    }

    /// Attempts in all.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether calls of non-idempotent methods get a generated `Idempotency-Key` (keys on, and
    /// more than one attempt).
    pub fn generates_idempotency_keys(&self) -> bool {
        self.idempotency_keys && self.max_attempts > 1
    }

    /// The full-jitter backoff before retry number `retry` (1-based), given a uniformly random
    /// `u64` (the driver's jitter source; tests pass fixed values).
    pub fn backoff(&self, retry: u32, random: u64) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let ceiling = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(random % (nanos + 1))
    }

    /// The `Retry-After` delay (see [`parse_retry_after`]), capped at
    /// [`RetryPolicy::max_retry_after`].
    pub fn retry_after_delay(
        &self,
        retry_after: Option<&str>,
        date: Option<&str>,
        now_unix_seconds: f64,
    ) -> Option<Duration> {
        parse_retry_after(retry_after, date, now_unix_seconds).map(|d| d.min(self.max_retry_after))
    }
}

/// Methods that are idempotent by RFC 9110 §9.2.2 (case-sensitive, as methods are).
pub fn is_idempotent(method: &str) -> bool {
    matches!(
        method,
        "GET" | "HEAD" | "OPTIONS" | "TRACE" | "PUT" | "DELETE"
    )
}

/// Statuses worth retrying: 408, 429 and 5xx.
pub fn is_retryable_status(status: u16) -> bool {
    status == 408 || status == 429 || (500..600).contains(&status)
}

/// `Retry-After` as a delay: delta-seconds, or an HTTP-date measured against the response's
/// `Date` (the server's own clock, so client clock skew does not matter) or else
/// `now_unix_seconds` (the local clock). `None` when absent or unreadable; a date in the past is
/// zero.
pub fn parse_retry_after(
    retry_after: Option<&str>,
    date: Option<&str>,
    now_unix_seconds: f64,
) -> Option<Duration> {
    let value = retry_after?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Huge numbers saturate rather than fail: the cap applies next.
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let at = crate::date::parse_http_date(value)? as f64;
    let reference = date
        .and_then(crate::date::parse_http_date)
        .map_or(now_unix_seconds, |d| d as f64);
    Some(Duration::try_from_secs_f64(at - reference).unwrap_or(Duration::ZERO))
}

/// A failure without a response, as the driver classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// No connection could be established.
    Connect,
    /// Establishing the connection timed out.
    ConnectTimeout,
    /// The connection failed after it was established.
    Transport,
    /// One attempt took longer than the attempt timeout.
    AttemptTimeout,
    /// The whole call hit its total deadline.
    TotalTimeout,
    /// Anything else (an invalid request, a signing error): never retried.
    Other,
}

impl Failure {
    /// Whether a retryable call is retried after this failure.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            Failure::Connect
                | Failure::ConnectTimeout
                | Failure::Transport
                | Failure::AttemptTimeout
        )
    }
}

/// What the driver does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Return the last outcome (response or error) to the caller.
    Done,
    /// A `stale_timestamp` rejection after the clock offset was measured: sign again with the
    /// corrected clock and send at once (once per call, whatever the method).
    Resign,
    /// Sleep this long, then sign afresh (new timestamp and nonce) and send again — if the total
    /// deadline allows (see [`within_deadline`]); otherwise return the last outcome.
    Retry(Duration),
    /// A `stale_timestamp` rejection whose measured offset (seconds) exceeds the maximum the
    /// client corrects: fail with a clock-skew error.
    SkewTooLarge(i64),
}

/// The retry state of one logical call.
///
/// ```
/// use sigwire_client_core::retry::{Call, Failure, Next, RetryPolicy};
///
/// let policy = RetryPolicy::default(); // 3 attempts
/// let mut call = Call::new("POST", false); // no Idempotency-Key: not retried
/// assert_eq!(call.after_failure(&policy, Failure::Connect, 7), Next::Done);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    may_retry: bool,
    retries: u32,
    skew_resigned: bool,
}

impl Call {
    /// A call with `method`, carrying an `Idempotency-Key` or not.
    pub fn new(method: &str, has_idempotency_key: bool) -> Self {
        Call {
            may_retry: is_idempotent(method) || has_idempotency_key,
            retries: 0,
            skew_resigned: false,
        }
    }

    /// A call resumed from state its driver keeps itself (a driver whose Rust objects may not
    /// outlive one call into the rules, such as the browser module): `retries` so far, and
    /// whether the one clock-skew re-sign was used ([`Next::Resign`] was returned).
    pub fn resume(
        method: &str,
        has_idempotency_key: bool,
        retries: u32,
        skew_resigned: bool,
    ) -> Self {
        Call {
            retries,
            skew_resigned,
            ..Call::new(method, has_idempotency_key)
        }
    }

    /// Retries so far.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// After a response (redirects already followed) with `status`, its Sigwire rejection code
    /// if any ([`crate::rejection::rejection_code`]), the clock observation of its signed hop,
    /// its capped `Retry-After` delay, and a random `u64` for the jitter.
    pub fn after_response(
        &mut self,
        policy: &RetryPolicy,
        status: u16,
        rejection: Option<ErrorCode>,
        observation: Observation,
        retry_after: Option<Duration>,
        random: u64,
    ) -> Next {
        if rejection == Some(ErrorCode::StaleTimestamp) && !self.skew_resigned {
            match observation {
                Observation::TooLarge(offset) => return Next::SkewTooLarge(offset),
                Observation::Applied { .. } | Observation::Kept(_) => {
                    self.skew_resigned = true;
                    return Next::Resign;
                }
                Observation::None => {}
            }
        }
        if !(self.may_retry && is_retryable_status(status)) {
            return Next::Done;
        }
        self.retry(policy, retry_after, random)
    }

    /// After a failure without a response.
    pub fn after_failure(&mut self, policy: &RetryPolicy, failure: Failure, random: u64) -> Next {
        if !(self.may_retry && failure.is_retryable()) {
            return Next::Done;
        }
        self.retry(policy, None, random)
    }

    fn retry(&mut self, policy: &RetryPolicy, retry_after: Option<Duration>, random: u64) -> Next {
        if self.retries + 1 >= policy.attempts() {
            return Next::Done;
        }
        self.retries += 1;
        Next::Retry(retry_after.unwrap_or_else(|| policy.backoff(self.retries, random)))
    }
}

/// Whether a retry after `delay` still starts before the total deadline (`total`, measured from
/// the start of the call; `None`: no deadline). Out of time, the driver returns the last outcome
/// (the last response, not a timeout).
pub fn within_deadline(elapsed: Duration, delay: Duration, total: Option<Duration>) -> bool {
    total.map_or(true, |total| elapsed.saturating_add(delay) < total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn backoff_is_full_jitter_and_capped() {
        let p = RetryPolicy::default()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350));
        assert_eq!(p.backoff(1, 0), Duration::ZERO);
        assert_eq!(p.backoff(1, 100_000_000), Duration::from_millis(100));
        assert_eq!(p.backoff(2, 200_000_000), Duration::from_millis(200));
        for r in [1, 2, 3, 10, 40, 1000] {
            for random in [0, 1, 12345, u64::MAX / 3, u64::MAX] {
                assert!(p.backoff(r, random) <= Duration::from_millis(350));
            }
        }
        assert_eq!(
            RetryPolicy::default()
                .base_delay(Duration::ZERO)
                .backoff(3, 99),
            Duration::ZERO
        );
    }

    #[test]
    fn retry_after_forms() {
        let now = 1_700_000_000.0;
        let at = |t: f64| httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs_f64(t));
        assert_eq!(parse_retry_after(None, None, now), None);
        assert_eq!(
            parse_retry_after(Some("2"), None, now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            RetryPolicy::default().retry_after_delay(Some("99999999999999999999999"), None, now),
            Some(Duration::from_secs(30))
        );
        let later = at(now + 5.0);
        assert_eq!(
            parse_retry_after(Some(&later), None, now),
            Some(Duration::from_secs(5))
        );
        // Against the server's Date header rather than the local clock.
        let date = at(now + 3.0);
        assert_eq!(
            parse_retry_after(Some(&later), Some(&date), 0.0),
            Some(Duration::from_secs(2))
        );
        // A date in the past means now.
        assert_eq!(
            parse_retry_after(Some(&later), None, now + 60.0),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(Some("soon"), None, now), None);
        assert_eq!(parse_retry_after(Some("-1"), None, now), None);
    }

    #[test]
    fn what_is_retried() {
        assert!(is_idempotent("PUT") && !is_idempotent("POST") && !is_idempotent("PATCH"));
        for s in [408u16, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [200u16, 301, 400, 401, 404, 409, 600] {
            assert!(!is_retryable_status(s), "{s}");
        }
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
        assert!(!RetryPolicy::none().generates_idempotency_keys());
    }

    #[test]
    fn a_call_retries_within_its_attempts() {
        let p = RetryPolicy::default().base_delay(Duration::from_millis(100));
        let mut get = Call::new("GET", false);
        let ra = Some(Duration::from_secs(1));
        assert_eq!(
            get.after_response(&p, 503, None, Observation::None, ra, 0),
            Next::Retry(Duration::from_secs(1))
        );
        assert_eq!(
            get.after_failure(&p, Failure::Transport, 50_000_000),
            Next::Retry(Duration::from_millis(50))
        );
        assert_eq!(get.retries(), 2);
        assert_eq!(
            get.after_response(&p, 503, None, Observation::None, None, 0),
            Next::Done
        );
        let mut post = Call::new("POST", false);
        assert_eq!(
            post.after_response(&p, 503, None, Observation::None, None, 0),
            Next::Done
        );
        let mut keyed = Call::new("POST", true);
        assert!(matches!(
            keyed.after_response(&p, 429, None, Observation::None, None, 0),
            Next::Retry(_)
        ));
        assert_eq!(
            keyed.after_response(&p, 404, None, Observation::None, None, 0),
            Next::Done
        );
        assert_eq!(keyed.after_failure(&p, Failure::Other, 0), Next::Done);
        assert_eq!(
            keyed.after_failure(&p, Failure::TotalTimeout, 0),
            Next::Done
        );
    }

    #[test]
    fn stale_timestamp_resigns_once() {
        let p = RetryPolicy::none();
        let stale = Some(ErrorCode::StaleTimestamp);
        let mut c = Call::new("POST", false);
        let applied = Observation::Applied { from: 0, to: 600 };
        assert_eq!(
            c.after_response(&p, 401, stale, applied, None, 0),
            Next::Resign
        );
        assert_eq!(
            c.after_response(&p, 401, stale, applied, None, 0),
            Next::Done
        );
        let mut c = Call::new("GET", false);
        assert_eq!(
            c.after_response(&p, 401, stale, Observation::TooLarge(-90_000), None, 0),
            Next::SkewTooLarge(-90_000)
        );
        assert_eq!(
            c.after_response(&p, 401, stale, Observation::None, None, 0),
            Next::Done
        );
    }

    #[test]
    fn deadline() {
        let s = Duration::from_secs;
        assert!(within_deadline(s(1), s(1), None));
        assert!(within_deadline(s(1), s(1), Some(s(3))));
        assert!(!within_deadline(s(1), s(2), Some(s(3))));
    }
}
