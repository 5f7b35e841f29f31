//! Injectable time source, so signing and verifying are deterministic in tests and vectors.

use std::sync::atomic::{AtomicU64, Ordering};

/// A source of Unix time in whole seconds.
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch.
    fn now(&self) -> u64;

    /// Milliseconds since the Unix epoch, for schemes that sign in milliseconds. The default is
    /// [`now`](Self::now) × 1000; clocks that know better override it.
    fn now_ms(&self) -> u64 {
        self.now().saturating_mul(1000)
    }
}

/// The real clock: `std::time::SystemTime` natively, `Date.now()` in a browser.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    fn now(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    fn now(&self) -> u64 {
        // `SystemTime::now` panics on wasm32-unknown-unknown; ask JavaScript instead.
        let ms = js_sys::Date::now();
        if ms.is_finite() && ms > 0.0 {
            (ms / 1000.0) as u64
        } else {
            0
        }
    }

    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    fn now_ms(&self) -> u64 {
        let ms = js_sys::Date::now();
        if ms.is_finite() && ms > 0.0 {
            ms as u64
        } else {
            0
        }
    }
}

/// A clock that says what it is told: for tests and vectors.
#[derive(Debug, Default)]
pub struct FixedClock(AtomicU64);

impl FixedClock {
    /// A clock stopped at `now`.
    pub fn new(now: u64) -> Self {
        FixedClock(AtomicU64::new(now))
    }

    /// Moves the clock to `now`.
    pub fn set(&self, now: u64) {
        self.0.store(now, Ordering::SeqCst);
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_is_recent() {
        assert!(SystemClock.now() > 1_700_000_000);
        let (s, ms) = (SystemClock.now(), SystemClock.now_ms());
        assert!(ms / 1000 >= s && ms / 1000 <= s + 1, "{s} {ms}");
        assert_eq!(FixedClock::new(7).now_ms(), 7000);
    }

    #[test]
    fn fixed_clock_moves_when_told() {
        let c = FixedClock::new(10);
        c.advance(5);
        assert_eq!(c.now(), 15);
        c.set(3);
        assert_eq!(c.now(), 3);
    }
}
