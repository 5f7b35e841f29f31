//! The few runtime services the client needs, for tokio natively and for the browser on wasm32:
//! sleeping, racing a future against a timer, a monotonic instant and the wall clock.

use std::future::Future;
use std::time::Duration;

/// Sleeps for `duration`.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
}

/// Sleeps for `duration` (browser `setTimeout`).
#[cfg(target_arch = "wasm32")]
pub(crate) async fn sleep(duration: Duration) {
    let ms = u32::try_from(duration.as_millis()).unwrap_or(u32::MAX);
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Runs `future` for at most `limit`; `None` when the timer fired first.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) async fn timeout<F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    tokio::time::timeout(limit, future).await.ok()
}

/// Runs `future` for at most `limit`; `None` when the timer fired first.
#[cfg(target_arch = "wasm32")]
pub(crate) async fn timeout<F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    use futures_util::future::{select, Either};
    let future = std::pin::pin!(future);
    let timer = std::pin::pin!(sleep(limit));
    match select(future, timer).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(((), _)) => None,
    }
}

/// A monotonic instant (`std::time::Instant` natively; `performance`-free `Date.now()` on wasm32,
/// where `Instant::now` panics).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Instant {
    #[cfg(not(target_arch = "wasm32"))]
    inner: std::time::Instant,
    #[cfg(target_arch = "wasm32")]
    ms: f64,
}

impl Instant {
    /// Now.
    pub(crate) fn now() -> Self {
        #[cfg(not(target_arch = "wasm32"))]
        {
            Instant {
                inner: std::time::Instant::now(),
            }
        }
        #[cfg(target_arch = "wasm32")]
        {
            Instant {
                ms: js_sys::Date::now(),
            }
        }
    }

    /// Time since `self`.
    pub(crate) fn elapsed(&self) -> Duration {
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.inner.elapsed()
        }
        #[cfg(target_arch = "wasm32")]
        {
            let ms = js_sys::Date::now() - self.ms;
            if ms.is_finite() && ms > 0.0 {
                Duration::from_secs_f64(ms / 1000.0)
            } else {
                Duration::ZERO
            }
        }
    }
}

/// The wall clock in fractional Unix seconds (for clock-skew measurement).
pub(crate) fn wall_seconds() -> f64 {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
    }
    #[cfg(target_arch = "wasm32")]
    {
        let ms = js_sys::Date::now();
        if ms.is_finite() && ms > 0.0 {
            ms / 1000.0
        } else {
            0.0
        }
    }
}

/// A uniformly distributed random `u64` from the OS (falls back to the clock if that fails: the
/// value only spreads retries, it protects nothing).
pub(crate) fn random_u64() -> u64 {
    getrandom::u64().unwrap_or_else(|_| (wall_seconds() * 1e9) as u64)
}
