//! Shared state of the reference server: clock offset, fault rules, request log.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sigwire_core::Clock;

/// Unix time in milliseconds (system clock, no offset).
pub(crate) fn system_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The server's clock: the system clock plus a test-controlled offset in seconds.
#[derive(Debug, Clone, Default)]
pub struct OffsetClock {
    offset: Arc<AtomicI64>,
}

impl OffsetClock {
    /// The offset in seconds (positive: the server is ahead of the real time).
    pub fn offset(&self) -> i64 {
        self.offset.load(Ordering::SeqCst)
    }

    /// Sets the offset in seconds.
    pub fn set_offset(&self, seconds: i64) {
        self.offset.store(seconds, Ordering::SeqCst);
    }

    /// The offset time as a `SystemTime` (for the `Date` header).
    pub fn system_time(&self) -> SystemTime {
        let offset = self.offset();
        let now = SystemTime::now();
        let shifted = if offset >= 0 {
            now.checked_add(Duration::from_secs(offset.unsigned_abs()))
        } else {
            now.checked_sub(Duration::from_secs(offset.unsigned_abs()))
        };
        shifted.unwrap_or(now)
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> u64 {
        self.system_time()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// A fault the server injects into a matching request, after verifying it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// Answer with `status` (e.g. 503) and, if given, this `Retry-After` value verbatim
    /// (`"2"` or an HTTP-date).
    Status {
        /// The status code.
        status: u16,
        /// The `Retry-After` header value.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<String>,
    },
    /// Wait `ms` milliseconds, then answer normally (a slow response).
    Delay {
        /// Milliseconds to wait.
        ms: u64,
    },
    /// Drop the connection instead of answering (the response body fails mid-flight).
    Drop,
    /// Redirect to `location` (absolute or relative) with `status` (default 307).
    Redirect {
        /// The `Location` header value.
        location: String,
        /// The redirect status (301, 302, 303, 307 or 308).
        #[serde(default = "default_redirect_status")]
        status: u16,
    },
}

fn default_redirect_status() -> u16 {
    307
}

impl Fault {
    /// A 503 with `Retry-After: <retry_after>` if given.
    pub fn unavailable(retry_after: Option<&str>) -> Self {
        Fault::Status {
            status: 503,
            retry_after: retry_after.map(str::to_owned),
        }
    }

    /// A response delayed by `delay`.
    pub fn delay(delay: Duration) -> Self {
        Fault::Delay {
            ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// A 307 redirect to `location`.
    pub fn redirect(location: impl Into<String>) -> Self {
        Fault::Redirect {
            location: location.into(),
            status: 307,
        }
    }
}

/// A fault rule: the next `times` requests whose path is `path` get `fault`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// The exact request path (no query), e.g. `/echo`.
    pub path: String,
    /// How many requests it still applies to.
    #[serde(default = "one")]
    pub times: u32,
    /// The fault.
    pub fault: Fault,
}

fn one() -> u32 {
    1
}

/// One request the server saw (after verification for signed paths).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RequestRecord {
    /// The method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query, if any.
    pub query: Option<String>,
    /// The verified key id (absent on unsigned paths).
    pub key_id: Option<String>,
    /// The nonce from the `Authorization` header, if it parsed.
    pub nonce: Option<String>,
    /// The `Idempotency-Key` header, if present.
    pub idempotency_key: Option<String>,
    /// Whether the request carried an `Authorization` header.
    pub authorization_present: bool,
    /// Arrival time, Unix milliseconds of the real (not offset) clock.
    pub at_ms: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) clock: OffsetClock,
    faults: Mutex<Vec<FaultRule>>,
    log: Mutex<Vec<RequestRecord>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere cannot leave these lists inconsistent; keep serving.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Handle on the test controls of a running reference server (cheap to clone).
#[derive(Debug, Clone, Default)]
pub struct Controls {
    pub(crate) shared: Arc<Shared>,
}

/// Most requests kept in the log; older ones are dropped first.
pub const MAX_LOG: usize = 10_000;

impl Controls {
    /// The server clock's offset from the real time, in seconds.
    pub fn clock_offset(&self) -> i64 {
        self.shared.clock.offset()
    }

    /// Moves the server clock `seconds` away from the real time (verifier, `Date` header and
    /// `X-Sigwire-Server-Time` all follow).
    pub fn set_clock_offset(&self, seconds: i64) {
        self.shared.clock.set_offset(seconds);
    }

    /// The server's current Unix time (offset applied).
    pub fn now(&self) -> u64 {
        self.shared.clock.now()
    }

    /// The server's clock.
    pub fn clock(&self) -> OffsetClock {
        self.shared.clock.clone()
    }

    /// Injects `fault` into the next `times` requests to `path`.
    pub fn push_fault(&self, path: &str, fault: Fault, times: u32) {
        self.add_rule(FaultRule {
            path: path.to_owned(),
            times,
            fault,
        });
    }

    /// Adds a fault rule.
    pub fn add_rule(&self, rule: FaultRule) {
        if rule.times > 0 {
            lock(&self.shared.faults).push(rule);
        }
    }

    /// The pending fault rules.
    pub fn faults(&self) -> Vec<FaultRule> {
        lock(&self.shared.faults).clone()
    }

    /// Removes every pending fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Takes one use of the first rule matching `path`.
    pub(crate) fn take_fault(&self, path: &str) -> Option<Fault> {
        let mut faults = lock(&self.shared.faults);
        let index = faults.iter().position(|r| r.path == path)?;
        let rule = &mut faults[index];
        rule.times -= 1;
        let fault = rule.fault.clone();
        if rule.times == 0 {
            faults.remove(index);
        }
        Some(fault)
    }

    pub(crate) fn record(&self, record: RequestRecord) {
        let mut log = lock(&self.shared.log);
        if log.len() >= MAX_LOG {
            log.remove(0);
        }
        log.push(record);
    }

    /// Every request seen, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.log).clone()
    }

    /// The requests seen on `path`, oldest first.
    pub fn requests_for(&self, path: &str) -> Vec<RequestRecord> {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// The nonces seen on `path`, in arrival order.
    pub fn nonces(&self, path: &str) -> Vec<String> {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.path == path)
            .filter_map(|r| r.nonce.clone())
            .collect()
    }

    /// The nonces seen, grouped by path.
    pub fn nonces_by_path(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in lock(&self.shared.log).iter() {
            if let Some(n) = &r.nonce {
                out.entry(r.path.clone()).or_default().push(n.clone());
            }
        }
        out
    }

    /// Forgets the request log.
    pub fn clear_log(&self) {
        lock(&self.shared.log).clear();
    }

    /// Clock offset 0, no faults, empty log.
    pub fn reset(&self) {
        self.set_clock_offset(0);
        self.clear_faults();
        self.clear_log();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_consumed_in_order() {
        let c = Controls::default();
        c.push_fault("/a", Fault::unavailable(Some("1")), 2);
        c.push_fault("/a", Fault::Drop, 1);
        assert_eq!(c.take_fault("/b"), None);
        assert_eq!(c.take_fault("/a"), Some(Fault::unavailable(Some("1"))));
        assert_eq!(c.take_fault("/a"), Some(Fault::unavailable(Some("1"))));
        assert_eq!(c.take_fault("/a"), Some(Fault::Drop));
        assert_eq!(c.take_fault("/a"), None);
    }

    #[test]
    fn fault_json_shape() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"path":"/echo","times":2,"fault":{"type":"status","status":503,"retry_after":"1"}}"#,
        )
        .unwrap();
        assert_eq!(rule.fault, Fault::unavailable(Some("1")));
        let rule: FaultRule = serde_json::from_str(
            r#"{"path":"/echo","fault":{"type":"redirect","location":"http://x/"}}"#,
        )
        .unwrap();
        assert_eq!((rule.times, rule.fault), (1, Fault::redirect("http://x/")));
    }

    #[test]
    fn offset_clock_moves() {
        let c = Controls::default();
        let before = c.now();
        c.set_clock_offset(-600);
        assert!(before - c.now() >= 599);
    }
}
