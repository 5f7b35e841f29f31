//! Replay protection: remember each (key id, nonce) for as long as its timestamp can be accepted.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};

use crate::error::{Error, ErrorCode};

/// Records nonces so that each is accepted once.
pub trait ReplayStore: Send + Sync {
    /// Records `(key_id, nonce)` until `expires_at` (Unix seconds, inclusive).
    ///
    /// Returns `Ok(true)` when the pair is new, `Ok(false)` when it was already recorded and has
    /// not expired. A store that cannot record must return an error
    /// (`replay_store_unavailable`), never `Ok(true)`.
    fn check_and_record(&self, key_id: &str, nonce: &str, expires_at: u64, now: u64) -> Result<bool, Error>;
}

/// Default capacity of [`InMemoryReplayStore`].
pub const DEFAULT_REPLAY_CAPACITY: usize = 1_000_000;

/// A bounded in-memory replay store for a single process.
///
/// It never forgets a nonce before it expires: when it holds `capacity` live nonces it refuses new
/// ones with `replay_store_unavailable` (the server answers 503) rather than evict a live one.
/// Expired entries are dropped as new ones arrive, so memory stays proportional to the traffic of
/// one window. Use a shared store (e.g. Redis) when a service runs on several instances.
#[derive(Debug)]
pub struct InMemoryReplayStore {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    expiry: HashMap<Arc<str>, u64>,
    queue: BinaryHeap<Reverse<(u64, Arc<str>)>>,
}

impl Default for InMemoryReplayStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_REPLAY_CAPACITY)
    }
}

impl InMemoryReplayStore {
    /// A store holding at most `capacity` live nonces.
    pub fn with_capacity(capacity: usize) -> Self {
        InMemoryReplayStore { capacity: capacity.max(1), inner: Mutex::new(Inner::default()) }
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
        while let Some(Reverse((at, _))) = self.queue.peek() {
            if *at >= now {
                break;
            }
            if let Some(Reverse((at, key))) = self.queue.pop() {
                // Only drop the map entry if it was not re-recorded with a later expiry.
                if self.expiry.get(&key) == Some(&at) {
                    self.expiry.remove(&key);
                }
            }
        }
    }
}

impl ReplayStore for InMemoryReplayStore {
    fn check_and_record(&self, key_id: &str, nonce: &str, expires_at: u64, now: u64) -> Result<bool, Error> {
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| Error::new(ErrorCode::ReplayStoreUnavailable, "replay store lock poisoned"))?;
        // Key ids and nonces never contain a space, so "key_id nonce" is unambiguous. Built on
        // the stack for the lookup; only a new entry allocates (once, as an `Arc<str>`).
        let mut buf = [0u8; 2 * 128 + 1];
        let total = key_id.len() + 1 + nonce.len();
        let owned;
        let key: &str = match buf.get_mut(..total) {
            Some(slot) => {
                slot[..key_id.len()].copy_from_slice(key_id.as_bytes());
                slot[key_id.len()] = b' ';
                slot[key_id.len() + 1..].copy_from_slice(nonce.as_bytes());
                core::str::from_utf8(slot).unwrap_or_default()
            }
            None => {
                owned = format!("{key_id} {nonce}");
                &owned
            }
        };
        if let Some(&at) = inner.expiry.get(key) {
            if at >= now {
                return Ok(false);
            }
        }
        inner.sweep(now);
        if inner.expiry.len() >= self.capacity {
            return Err(Error::new(
                ErrorCode::ReplayStoreUnavailable,
                "replay store is full of live nonces; refusing rather than forgetting one",
            ));
        }
        let key: Arc<str> = Arc::from(key);
        inner.expiry.insert(Arc::clone(&key), expires_at);
        inner.queue.push(Reverse((expires_at, key)));
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
        assert!(!s.check_and_record("k", "a", 100, 10).unwrap(), "live nonce must still be known");
        // Once the first two expire, room is made.
        assert!(s.check_and_record("k", "c", 300, 101).unwrap());
        assert_eq!(s.len(), 1);
    }
}
