//! The timing loop the same-run ratio benches share (a module, not a bench target).

use std::time::{Duration, Instant};

/// Nanoseconds per call of `f`: 1,000 warm-up calls, then doubling iteration counts until one
/// measurement fills `target`.
pub fn time_per_iter(mut f: impl FnMut(), target: Duration) -> f64 {
    for _ in 0..1000 {
        f();
    }
    let mut iters = 1000u64;
    loop {
        let start = Instant::now();
        for _ in 0..iters {
            f();
        }
        let elapsed = start.elapsed();
        if elapsed >= target {
            return elapsed.as_nanos() as f64 / iters as f64;
        }
        iters *= 2;
    }
}
