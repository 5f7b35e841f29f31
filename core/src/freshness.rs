//! What a signature says about time and reuse: its clock unit, its freshness rule and its replay
//! policy. Signing schemes declare them; the generic [`Verifier`](crate::Verifier) enforces them.

/// The unit a scheme writes its timestamps in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ClockUnit {
    /// Unix seconds (`sigwire-v1`, AWS SigV4, RFC 9421).
    #[default]
    Seconds,
    /// Unix milliseconds (Binance `timestamp`, many exchange APIs).
    Milliseconds,
}

impl ClockUnit {
    /// Unix milliseconds converted to this unit (rounded down).
    pub const fn from_ms(self, unix_ms: u64) -> u64 {
        match self {
            ClockUnit::Seconds => unix_ms / 1000,
            ClockUnit::Milliseconds => unix_ms,
        }
    }

    /// Milliseconds per unit.
    pub const fn ms_per_unit(self) -> u64 {
        match self {
            ClockUnit::Seconds => 1000,
            ClockUnit::Milliseconds => 1,
        }
    }
}

/// A point in time as a scheme wrote it: a value and its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// The value in `unit`s since the Unix epoch.
    pub value: u64,
    /// The unit of `value`.
    pub unit: ClockUnit,
}

impl Timestamp {
    /// Unix seconds.
    pub const fn seconds(value: u64) -> Self {
        Timestamp {
            value,
            unit: ClockUnit::Seconds,
        }
    }

    /// Unix milliseconds.
    pub const fn millis(value: u64) -> Self {
        Timestamp {
            value,
            unit: ClockUnit::Milliseconds,
        }
    }

    /// Whole Unix seconds (rounded down).
    pub const fn as_seconds(self) -> u64 {
        match self.unit {
            ClockUnit::Seconds => self.value,
            ClockUnit::Milliseconds => self.value / 1000,
        }
    }
}

/// When a signature may be accepted, as the signed request states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Freshness {
    /// Signed at `created`; accepted while `created − max_ahead ≤ now ≤ created + max_age`, both
    /// in `created`'s unit. `None` uses the verifier's window (the `sigwire-v1` rule: ± window).
    /// Binance-style `recvWindow` is `max_age = recvWindow`, `max_ahead = 1000` ms.
    Created {
        /// The signing time.
        at: Timestamp,
        /// How long after `at` the request is accepted (`None`: the verifier's window).
        max_age: Option<u64>,
        /// How far ahead of the verifier's clock `at` may be (`None`: the verifier's window).
        max_ahead: Option<u64>,
    },
    /// Valid from `not_before` (if any) to `expires`, inclusive: presigned URLs, RFC 9421
    /// `created`/`expires`.
    Interval {
        /// The earliest acceptable time, if any.
        not_before: Option<Timestamp>,
        /// The last acceptable time.
        expires: Timestamp,
    },
    /// The request carries no time (e.g. Kraken-style increasing nonces only): never stale.
    Untimed,
}

/// How a scheme prevents a signed request from being accepted twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ReplayPolicy {
    /// A random nonce, remembered until the signature expires (`sigwire-v1`).
    #[default]
    RandomNonce,
    /// A decimal nonce that must be larger than every earlier one of the same key (Kraken).
    IncreasingNonce,
    /// No replay protection beyond freshness (the scheme carries no nonce).
    None,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert() {
        assert_eq!(ClockUnit::Seconds.from_ms(1_700_000_000_999), 1_700_000_000);
        assert_eq!(ClockUnit::Milliseconds.from_ms(5), 5);
        assert_eq!(Timestamp::millis(1_999).as_seconds(), 1);
        assert_eq!(Timestamp::seconds(7).as_seconds(), 7);
    }
}
