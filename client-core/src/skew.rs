//! Clock-skew estimation: the server's clock reading in a response, the offset it implies, and
//! when a client replaces its current offset.

/// Where a server time reading came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `X-Sigwire-Server-Time` (the verifier's clock).
    ServerTimeHeader,
    /// The `Date` header.
    Date,
}

/// The server's clock reading (Unix seconds) in a response, if usable: `X-Sigwire-Server-Time`
/// first, then `Date` — unless the response carries `Age` (it may come from a cache, so its
/// `Date` is old). Pass each header's value, if present.
pub fn server_time(
    server_time_header: Option<&str>,
    date: Option<&str>,
    has_age: bool,
) -> Option<(u64, Source)> {
    if let Some(t) = server_time_header.and_then(|v| v.trim().parse::<u64>().ok()) {
        return Some((t, Source::ServerTimeHeader));
    }
    if has_age {
        return None;
    }
    Some((crate::date::parse_http_date(date?)?, Source::Date))
}

/// Offset (server − local, whole seconds) from a reading of whole seconds taken somewhere between
/// `sent` and `received` (local fractional Unix seconds): the reading stands for the middle of
/// its second, compared with the middle of the round trip.
pub fn measure(server_seconds: u64, sent: f64, received: f64) -> i64 {
    let midpoint = (sent + received) / 2.0;
    let server = server_seconds as f64 + 0.5;
    (server - midpoint).round() as i64
}

/// The outcome of observing a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observation {
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

impl Observation {
    /// The offset to use from now on, given the `current` one.
    pub fn offset(self, current: i64) -> i64 {
        match self {
            Observation::Applied { to, .. } => to,
            _ => current,
        }
    }
}

/// Judges a measurement against the `current` offset: replace it when they differ by more than
/// `threshold` seconds (so a server whose clock is fixed again brings it back to 0); refuse an
/// offset larger than `max` seconds. The caller stores [`Observation::offset`].
pub fn observe(current: i64, measured: i64, threshold: u64, max: u64) -> Observation {
    if measured.unsigned_abs() > max {
        return Observation::TooLarge(measured);
    }
    if measured.abs_diff(current) > threshold {
        Observation::Applied {
            from: current,
            to: measured,
        }
    } else {
        Observation::Kept(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(observe(0, 1, 2, 3600), Observation::Kept(0));
        let applied = observe(0, 600, 2, 3600);
        assert_eq!(applied, Observation::Applied { from: 0, to: 600 });
        assert_eq!(applied.offset(0), 600);
        assert_eq!(observe(600, 601, 2, 3600), Observation::Kept(600));
        assert_eq!(
            observe(600, 0, 2, 3600),
            Observation::Applied { from: 600, to: 0 }
        );
        let too_large = observe(0, -7200, 2, 3600);
        assert_eq!(too_large, Observation::TooLarge(-7200));
        assert_eq!(too_large.offset(5), 5);
    }

    #[test]
    fn readings() {
        assert_eq!(server_time(None, None, false), None);
        let date = Some("Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(
            server_time(None, date, false),
            Some((784_111_777, Source::Date))
        );
        assert_eq!(
            server_time(None, date, true),
            None,
            "a cached response's Date is ignored"
        );
        assert_eq!(
            server_time(Some("1700000000"), date, true),
            Some((1_700_000_000, Source::ServerTimeHeader))
        );
        assert_eq!(server_time(Some("soon"), None, true), None);
        assert_eq!(server_time(None, Some("yesterday"), false), None);
    }
}
