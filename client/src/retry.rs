//! Retry policy: which outcomes are retried, exponential backoff with full jitter, `Retry-After`.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method, StatusCode};

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
/// use sigwire_client::RetryPolicy;
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

    pub(crate) fn generates_idempotency_keys(&self) -> bool {
        self.idempotency_keys && self.max_attempts > 1
    }

    /// The full-jitter backoff before retry number `retry` (1-based), given a random `u64`.
    pub(crate) fn backoff(&self, retry: u32, random: u64) -> Duration {
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

    /// The `Retry-After` delay, capped.
    pub(crate) fn retry_after(&self, headers: &HeaderMap) -> Option<Duration> {
        parse_retry_after(headers, SystemTime::now()).map(|d| d.min(self.max_retry_after))
    }
}

/// Methods that are idempotent by RFC 9110 §9.2.2.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    )
}

/// Statuses worth retrying: 408, 429 and 5xx.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
}

/// `Retry-After` as a delay: delta-seconds, or an HTTP-date measured against the response's
/// `Date` (the server's own clock, so client clock skew does not matter) or else `now`.
pub(crate) fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Huge numbers saturate rather than fail: the cap applies next.
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let reference = headers
        .get(http::header::DATE)
        .and_then(|d| d.to_str().ok())
        .and_then(|d| httpdate::parse_http_date(d).ok())
        .unwrap_or(now);
    Some(at.duration_since(reference).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

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
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        assert_eq!(parse_retry_after(&h, now), None);
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(2)));
        h.insert(
            "retry-after",
            HeaderValue::from_static("99999999999999999999999"),
        );
        assert_eq!(
            RetryPolicy::default().retry_after(&h),
            Some(Duration::from_secs(30))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(5));
        h.insert("retry-after", HeaderValue::from_str(&later).unwrap());
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(5)));
        // Against the server's Date header rather than the local clock.
        h.insert(
            "date",
            HeaderValue::from_str(&httpdate::fmt_http_date(now + Duration::from_secs(3))).unwrap(),
        );
        assert_eq!(
            parse_retry_after(&h, SystemTime::UNIX_EPOCH),
            Some(Duration::from_secs(2))
        );
        // A date in the past means now.
        h.remove("date");
        assert_eq!(
            parse_retry_after(&h, now + Duration::from_secs(60)),
            Some(Duration::ZERO)
        );
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&h, now), None);
        h.insert("retry-after", HeaderValue::from_static("-1"));
        assert_eq!(parse_retry_after(&h, now), None);
    }

    #[test]
    fn what_is_retried() {
        assert!(
            is_idempotent(&Method::PUT)
                && !is_idempotent(&Method::POST)
                && !is_idempotent(&Method::PATCH)
        );
        for s in [408u16, 429, 500, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [200u16, 301, 400, 401, 404, 409] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(s).unwrap()),
                "{s}"
            );
        }
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
        assert!(!RetryPolicy::none().generates_idempotency_keys());
    }
}
