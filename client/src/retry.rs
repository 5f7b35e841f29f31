//! The retry rules of [`sigwire_client_core::retry`] on `http` types.

use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};

pub use sigwire_client_core::retry::RetryPolicy;

/// `Retry-After` of a response, read with the response's own `Date` (client-core's rule).
pub(crate) trait RetryAfter {
    /// The capped `Retry-After` delay of a response with `headers`, if it has one.
    fn retry_after(&self, headers: &HeaderMap) -> Option<Duration>;
}

impl RetryAfter for RetryPolicy {
    fn retry_after(&self, headers: &HeaderMap) -> Option<Duration> {
        self.retry_after_delay(
            header(headers, http::header::RETRY_AFTER),
            header(headers, http::header::DATE),
            crate::rt::wall_seconds(),
        )
    }
}

/// A header's value as text, if present and visible ASCII.
pub(crate) fn header(headers: &HeaderMap, name: impl http::header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Methods that are idempotent by RFC 9110 §9.2.2.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    sigwire_client_core::retry::is_idempotent(method.as_str())
}

/// Statuses worth retrying: 408, 429 and 5xx.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    sigwire_client_core::retry::is_retryable_status(status.as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use std::time::SystemTime;

    #[test]
    fn retry_after_is_read_from_the_headers_against_date() {
        let now = SystemTime::now();
        let mut h = HeaderMap::new();
        assert_eq!(RetryPolicy::default().retry_after(&h), None);
        h.insert(
            "retry-after",
            HeaderValue::from_str(&httpdate::fmt_http_date(now + Duration::from_secs(3600)))
                .unwrap(),
        );
        h.insert(
            "date",
            HeaderValue::from_str(&httpdate::fmt_http_date(now + Duration::from_secs(3598)))
                .unwrap(),
        );
        // Two seconds by the server's clock, though the local clock is an hour behind.
        assert_eq!(
            RetryPolicy::default().retry_after(&h),
            Some(Duration::from_secs(2))
        );
        assert!(is_idempotent(&Method::DELETE) && !is_idempotent(&Method::POST));
        assert!(is_retryable_status(StatusCode::BAD_GATEWAY));
    }
}
