//! Prometheus metrics in the text exposition format: requests per outcome code, verification and
//! upstream latency histograms, Redis errors. Served on the admin listener only.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Histogram bucket upper bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5,
];

/// A latency histogram with fixed buckets. Each observation increments one bucket (its own, not
/// every bucket above it); the cumulative counts Prometheus expects are summed when rendering.
#[derive(Debug, Default)]
pub struct Histogram {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    /// Records one observation.
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        if let Some((_, count)) = BUCKETS.iter().zip(&self.counts).find(|(b, _)| secs <= **b) {
            count.fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(
            u64::try_from(d.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    fn render(&self, name: &str, help: &str, out: &mut String) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&self.counts) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
    }
}

/// Every metric of one gateway instance.
#[derive(Debug, Default)]
pub struct Metrics {
    outcomes: Mutex<BTreeMap<(&'static str, u16), u64>>,
    /// Time spent verifying signatures (including the replay claim and rate limit).
    pub verify: Histogram,
    /// Time until the upstream's response headers.
    pub upstream: Histogram,
}

impl Metrics {
    /// Counts one request finished with `code` and `status`.
    pub fn count(&self, code: &'static str, status: u16) {
        if let Ok(mut m) = self.outcomes.lock() {
            *m.entry((code, status)).or_default() += 1;
        }
    }

    /// Requests counted with `code` so far.
    pub fn outcome_total(&self, code: &str) -> u64 {
        self.outcomes
            .lock()
            .map(|m| {
                m.iter()
                    .filter(|((c, _), _)| *c == code)
                    .map(|(_, n)| n)
                    .sum()
            })
            .unwrap_or(0)
    }

    /// The text exposition; `redis_errors` comes from the Redis connection.
    pub fn render(&self, redis_errors: u64) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP sigwire_gateway_requests_total Requests by outcome code and HTTP status.\n",
        );
        out.push_str("# TYPE sigwire_gateway_requests_total counter\n");
        if let Ok(m) = self.outcomes.lock() {
            for ((code, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "sigwire_gateway_requests_total{{outcome=\"{code}\",status=\"{status}\"}} {n}"
                );
            }
        }
        self.verify.render(
            "sigwire_gateway_verify_seconds",
            "Verification time: signature, replay claim and rate limit.",
            &mut out,
        );
        self.upstream.render(
            "sigwire_gateway_upstream_seconds",
            "Time until the upstream's response headers.",
            &mut out,
        );
        out.push_str(
            "# HELP sigwire_gateway_redis_errors_total Redis commands that failed or timed out.\n",
        );
        out.push_str("# TYPE sigwire_gateway_redis_errors_total counter\n");
        let _ = writeln!(out, "sigwire_gateway_redis_errors_total {redis_errors}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_buckets() {
        let m = Metrics::default();
        m.count("ok", 200);
        m.count("ok", 200);
        m.count("replayed_nonce", 401);
        m.verify.observe(Duration::from_micros(80));
        let text = m.render(3);
        assert!(
            text.contains("sigwire_gateway_requests_total{outcome=\"ok\",status=\"200\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("sigwire_gateway_verify_seconds_bucket{le=\"0.00005\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("sigwire_gateway_verify_seconds_bucket{le=\"0.0001\"} 1"),
            "{text}"
        );
        assert!(text.contains("sigwire_gateway_redis_errors_total 3"));
        // Buckets are cumulative: a 1 ms observation counts from `le="0.001"` up, and +Inf holds all.
        m.verify.observe(Duration::from_millis(1));
        m.verify.observe(Duration::from_secs(10));
        let text = m.render(0);
        for (le, n) in [("0.0005", 1), ("0.001", 2), ("2.5", 2), ("+Inf", 3)] {
            let want = format!("sigwire_gateway_verify_seconds_bucket{{le=\"{le}\"}} {n}\n");
            assert!(text.contains(&want), "{want} in {text}");
        }
        assert!(
            text.contains("sigwire_gateway_verify_seconds_count 3"),
            "{text}"
        );
        assert_eq!(m.outcome_total("ok"), 2);
    }
}
