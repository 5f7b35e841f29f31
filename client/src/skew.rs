//! Clock-skew correction: a clock that adds a shared, re-measured offset to the system clock.
//! The estimation rules are [`sigwire_client_core::skew`]'s; this module holds the shared offset.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use http::HeaderMap;
use sigwire_core::{Clock, SERVER_TIME_HEADER};

use crate::retry::header;
use crate::rt;

pub(crate) use sigwire_client_core::skew::{measure, Observation, Source};

/// The signer's clock: the system clock plus the offset to the server, shared by every request
/// of one client (and its clones) and updated from every response.
#[derive(Debug, Default)]
pub(crate) struct SkewClock {
    offset: AtomicI64,
}

impl SkewClock {
    pub(crate) fn offset(&self) -> i64 {
        self.offset.load(Ordering::SeqCst)
    }

    pub(crate) fn set_offset(&self, seconds: i64) {
        self.offset.store(seconds, Ordering::SeqCst);
    }
}

impl Clock for SkewClock {
    fn now(&self) -> u64 {
        let t = rt::wall_seconds().floor() as i64;
        u64::try_from(t.saturating_add(self.offset())).unwrap_or(0)
    }

    /// Milliseconds (profiles such as Binance sign millisecond timestamps), with the same offset.
    fn now_ms(&self) -> u64 {
        let ms = (rt::wall_seconds() * 1000.0).floor() as i64;
        u64::try_from(ms.saturating_add(self.offset().saturating_mul(1000))).unwrap_or(0)
    }
}

/// The server's clock reading in a response, if usable: `X-Sigwire-Server-Time` first, then
/// `Date` — unless the response carries `Age`.
pub(crate) fn server_time(headers: &HeaderMap) -> Option<(u64, Source)> {
    sigwire_client_core::skew::server_time(
        header(headers, SERVER_TIME_HEADER),
        header(headers, http::header::DATE),
        headers.contains_key(http::header::AGE),
    )
}

/// Applies a measurement to the shared offset by client-core's rule (replace it when it differs
/// by more than `threshold` seconds; refuse more than `max`).
pub(crate) fn observe(clock: &SkewClock, measured: i64, threshold: u64, max: u64) -> Observation {
    let current = clock.offset();
    let observation = sigwire_client_core::skew::observe(current, measured, threshold, max);
    clock.set_offset(observation.offset(current));
    observation
}

/// A skew-corrected clock shared by a client and its signer.
pub(crate) fn shared() -> Arc<SkewClock> {
    Arc::new(SkewClock::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn threshold_and_maximum_move_the_shared_offset() {
        let c = SkewClock::default();
        assert_eq!(observe(&c, 1, 2, 3600), Observation::Kept(0));
        assert_eq!(
            observe(&c, 600, 2, 3600),
            Observation::Applied { from: 0, to: 600 }
        );
        assert_eq!(c.offset(), 600);
        assert_eq!(observe(&c, -7200, 2, 3600), Observation::TooLarge(-7200));
        assert_eq!(c.offset(), 600);
    }

    #[test]
    fn clock_adds_offset() {
        let c = SkewClock::default();
        let base = c.now();
        c.set_offset(-600);
        let shifted = c.now();
        assert!((599..=601).contains(&(base - shifted)), "{base} {shifted}");
    }

    #[test]
    fn readings_from_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(server_time(&h), None);
        h.insert(
            "date",
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        assert_eq!(server_time(&h), Some((784_111_777, Source::Date)));
        h.insert("age", HeaderValue::from_static("30"));
        assert_eq!(server_time(&h), None, "a cached response's Date is ignored");
        h.insert(SERVER_TIME_HEADER, HeaderValue::from_static("1700000000"));
        assert_eq!(
            server_time(&h),
            Some((1_700_000_000, Source::ServerTimeHeader))
        );
        assert_eq!(measure(1000, 400.2, 400.4), 600);
    }
}
