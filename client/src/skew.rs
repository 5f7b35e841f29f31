//! Clock-skew correction: a clock that adds a shared, re-measured offset to the system clock.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use http::HeaderMap;
use sigwire_core::{Clock, SERVER_TIME_HEADER};

use crate::rt;

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

/// Where a server time reading came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// `X-Sigwire-Server-Time` (the verifier's clock).
    ServerTimeHeader,
    /// The `Date` header.
    Date,
}

/// The server's clock reading in a response, if usable: `X-Sigwire-Server-Time` first, then
/// `Date` — unless the response carries `Age` (it may come from a cache, so its `Date` is old).
pub(crate) fn server_time(headers: &HeaderMap) -> Option<(u64, Source)> {
    if let Some(t) = headers
        .get(SERVER_TIME_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return Some((t, Source::ServerTimeHeader));
    }
    if headers.contains_key(http::header::AGE) {
        return None;
    }
    let date = headers.get(http::header::DATE)?.to_str().ok()?;
    let at = httpdate::parse_http_date(date).ok()?;
    let secs = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some((secs, Source::Date))
}

/// Offset (server − local, whole seconds) from a reading of whole seconds taken somewhere between
/// `sent` and `received` (local fractional Unix seconds): the reading stands for the middle of
/// its second, compared with the middle of the round trip.
pub(crate) fn measure(server_seconds: u64, sent: f64, received: f64) -> i64 {
    let midpoint = (sent + received) / 2.0;
    let server = server_seconds as f64 + 0.5;
    (server - midpoint).round() as i64
}

/// The outcome of observing a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Observation {
    /// No usable server time.
    None,
    /// Within the threshold of the current offset: nothing changed.
    Kept(i64),
    /// The offset was replaced by this value.
    Applied {
        /// The previous offset.
        from: i64,
        /// The new offset.
        to: i64,
    },
    /// The measured offset exceeds the maximum the client corrects; not applied.
    TooLarge(i64),
}

/// Applies a measurement: replace the shared offset when it differs from the measured one by
/// more than `threshold` seconds (so a server whose clock is fixed again brings it back to 0).
pub(crate) fn observe(clock: &SkewClock, measured: i64, threshold: u64, max: u64) -> Observation {
    if measured.unsigned_abs() > max {
        return Observation::TooLarge(measured);
    }
    let current = clock.offset();
    if measured.abs_diff(current) > threshold {
        clock.set_offset(measured);
        Observation::Applied {
            from: current,
            to: measured,
        }
    } else {
        Observation::Kept(current)
    }
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
    fn midpoint_measurement() {
        // Server reads 1000 (i.e. 1000.0..1001.0) during a round trip from local 400.2 to 400.4.
        assert_eq!(measure(1000, 400.2, 400.4), 600);
        assert_eq!(measure(1000, 1600.2, 1600.4), -600);
        assert_eq!(measure(1000, 999.6, 999.8), 1);
        assert_eq!(measure(1000, 1000.0, 1000.2), 0);
    }

    #[test]
    fn threshold_and_maximum() {
        let c = SkewClock::default();
        assert_eq!(observe(&c, 1, 2, 3600), Observation::Kept(0));
        assert_eq!(
            observe(&c, 600, 2, 3600),
            Observation::Applied { from: 0, to: 600 }
        );
        assert_eq!(observe(&c, 601, 2, 3600), Observation::Kept(600));
        assert_eq!(
            observe(&c, 0, 2, 3600),
            Observation::Applied { from: 600, to: 0 }
        );
        assert_eq!(observe(&c, -7200, 2, 3600), Observation::TooLarge(-7200));
        assert_eq!(c.offset(), 0);
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
    fn readings() {
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
        h.insert(SERVER_TIME_HEADER, HeaderValue::from_static("soon"));
        assert_eq!(server_time(&h), None);
    }
}
