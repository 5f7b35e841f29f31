//! Replay protection: remember each (key id, nonce) for as long as its timestamp can be accepted.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::Mutex;

use crate::error::{Error, ErrorCode};

/// Records nonces so that each is accepted once.
pub trait ReplayStore: Send + Sync {
    /// Records `(key_id, nonce)` until `expires_at` (Unix seconds, inclusive).
    ///
    /// Returns `Ok(true)` when the pair is new, `Ok(false)` when it was already recorded and has
    /// not expired. A store that cannot record must return an error
    /// (`replay_store_unavailable`), never `Ok(true)`.
    fn check_and_record(
        &self,
        key_id: &str,
        nonce: &str,
        expires_at: u64,
        now: u64,
    ) -> Result<bool, Error>;
}

/// Default capacity of [`InMemoryReplayStore`].
pub const DEFAULT_REPLAY_CAPACITY: usize = 1_000_000;

/// A bounded in-memory replay store for a single process.
///
/// It never forgets a nonce before it expires: when it holds `capacity` live nonces it refuses new
/// ones with `replay_store_unavailable` (the server answers 503) rather than evict a live one.
/// Expired entries are swept as new ones arrive (amortised O(1)), so memory stays proportional to
/// the traffic of one window. Use a shared store (e.g. Redis) when a service runs on several
/// instances.
///
/// Each `(key id, nonce)` pair is stored as a 64-bit SipHash under a per-process random key,
/// 16 bytes per entry. Two different pairs colliding would make the later one look replayed (a
/// refused request, never an accepted replay); with a million live nonces the chance per request
/// is about 2⁻⁴⁴, and nobody can aim for it without the random key.
#[derive(Debug)]
pub struct InMemoryReplayStore {
    capacity: usize,
    hasher: RandomState,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Pair hash → expiry (Unix seconds, inclusive).
    expiry: HashMap<u64, u64, BuildHasherDefault<PreHashed>>,
    /// Sweep expired entries once the map reaches this size.
    next_sweep: usize,
}

/// The map's keys are already SipHash outputs: hashing them again would only cost time.
#[derive(Debug, Default)]
struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used for u64 keys; fold anything else in for completeness.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Smallest size at which a sweep runs.
const MIN_SWEEP: usize = 1024;

impl Default for InMemoryReplayStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_REPLAY_CAPACITY)
    }
}

impl InMemoryReplayStore {
    /// A store holding at most `capacity` live nonces.
    pub fn with_capacity(capacity: usize) -> Self {
        InMemoryReplayStore {
            capacity: capacity.max(1),
            hasher: RandomState::new(),
            inner: Mutex::new(Inner {
                expiry: HashMap::default(),
                next_sweep: MIN_SWEEP,
            }),
        }
    }

    /// The most live nonces this store holds before refusing new ones.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Number of nonces currently held (live or not yet swept).
    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.expiry.len()).unwrap_or(0)
    }

    /// Whether the store holds no nonce.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Inner {
    fn sweep(&mut self, now: u64) {
        self.expiry.retain(|_, at| *at >= now);
        // Next sweep when the map has doubled: each entry is swept O(1) times on average.
        self.next_sweep = (2 * self.expiry.len()).max(MIN_SWEEP);
    }
}

impl ReplayStore for InMemoryReplayStore {
    fn check_and_record(
        &self,
        key_id: &str,
        nonce: &str,
        expires_at: u64,
        now: u64,
    ) -> Result<bool, Error> {
        // `(&str, &str)` hashes each string with its length, so the pair is unambiguous.
        let key = self.hasher.hash_one((key_id, nonce));
        let mut inner = self.inner.lock().map_err(|_| {
            Error::new(
                ErrorCode::ReplayStoreUnavailable,
                "replay store lock poisoned",
            )
        })?;
        if let Some(&at) = inner.expiry.get(&key) {
            if at >= now {
                return Ok(false);
            }
        }
        if inner.expiry.len() >= inner.next_sweep || inner.expiry.len() >= self.capacity {
            inner.sweep(now);
        }
        if inner.expiry.len() >= self.capacity {
            return Err(Error::new(
                ErrorCode::ReplayStoreUnavailable,
                "replay store is full of live nonces; refusing rather than forgetting one",
            ));
        }
        inner.expiry.insert(key, expires_at);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_use_is_a_replay_until_expiry() {
        let s = InMemoryReplayStore::with_capacity(10);
        assert!(s.check_and_record("k", "n1", 100, 0).unwrap());
        assert!(!s.check_and_record("k", "n1", 100, 50).unwrap());
        assert!(!s.check_and_record("k", "n1", 100, 100).unwrap());
        // Same nonce, other key: independent.
        assert!(s.check_and_record("k2", "n1", 100, 50).unwrap());
        // After expiry the entry may be forgotten (the timestamp is then outside the window anyway).
        assert!(s.check_and_record("k", "n1", 300, 101).unwrap());
    }

    #[test]
    fn full_store_refuses_instead_of_forgetting() {
        let s = InMemoryReplayStore::with_capacity(2);
        assert!(s.check_and_record("k", "a", 100, 0).unwrap());
        assert!(s.check_and_record("k", "b", 100, 0).unwrap());
        let err = s.check_and_record("k", "c", 100, 0).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ReplayStoreUnavailable);
        assert!(
            !s.check_and_record("k", "a", 100, 10).unwrap(),
            "live nonce must still be known"
        );
        // Once the first two expire, room is made.
        assert!(s.check_and_record("k", "c", 300, 101).unwrap());
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn expired_entries_are_swept() {
        let s = InMemoryReplayStore::with_capacity(100_000);
        for i in 0..10_000u64 {
            assert!(s
                .check_and_record("k", &format!("n{i}"), i + 10, i)
                .unwrap());
        }
        // Only ~11 are live at the end; sweeps keep the map near the sweep threshold.
        assert!(s.len() <= MIN_SWEEP + 1, "{}", s.len());
        assert!(!s.check_and_record("k", "n9999", 10_009, 9_999).unwrap());
    }
}
