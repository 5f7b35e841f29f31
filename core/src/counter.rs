//! Increasing nonces (Kraken style): each key's nonce must exceed its previous one.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::{Error, ErrorCode};

/// Remembers the largest nonce accepted per key id, for [`ReplayPolicy::IncreasingNonce`].
///
/// [`ReplayPolicy::IncreasingNonce`]: crate::ReplayPolicy::IncreasingNonce
pub trait CounterStore: Send + Sync {
    /// Records `nonce` for `key_id` when it is larger than every earlier one: `Ok(true)`;
    /// `Ok(false)` when it is not (a replay or a reordering). A store that cannot record must
    /// return an error (`replay_store_unavailable`), never `Ok(true)`.
    fn advance(&self, key_id: &str, nonce: u64) -> Result<bool, Error>;
}

/// A [`CounterStore`] in memory for one process: one `u64` per key id.
///
/// ```
/// use sigwire_core::{CounterStore, InMemoryCounterStore};
///
/// let store = InMemoryCounterStore::default();
/// assert!(store.advance("k", 10)?);
/// assert!(!store.advance("k", 10)?); // same nonce again
/// assert!(!store.advance("k", 9)?);  // smaller
/// assert!(store.advance("k", 11)?);
/// # Ok::<(), sigwire_core::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct InMemoryCounterStore {
    last: Mutex<HashMap<String, u64>>,
}

impl CounterStore for InMemoryCounterStore {
    fn advance(&self, key_id: &str, nonce: u64) -> Result<bool, Error> {
        let mut last = self.last.lock().map_err(|_| {
            Error::new(
                ErrorCode::ReplayStoreUnavailable,
                "counter store lock poisoned",
            )
        })?;
        match last.get_mut(key_id) {
            Some(previous) if *previous >= nonce => Ok(false),
            Some(previous) => {
                *previous = nonce;
                Ok(true)
            }
            None => {
                last.insert(key_id.to_owned(), nonce);
                Ok(true)
            }
        }
    }
}
