//! [`KeyStore`] (secrets by key id, with rotation) and [`ReplayStore`] (nonces seen).

use std::fmt;
use std::sync::Arc;

use sigwire_core::{InMemoryKeyStore, InMemoryReplayStore, KeyStore as _};

use crate::error::SigwireError;

/// Secrets by key id, in memory, safe to share between threads; rotation without downtime.
///
/// A key id may hold several secrets at once; a verifier accepts a signature made with any of
/// them that is still active.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct KeyStore {
    pub(crate) inner: Arc<InMemoryKeyStore>,
}

impl fmt::Display for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only how many key ids there are; never a key id's secrets.
        write!(
            f,
            "KeyStore(keyIds={}, secrets=<redacted>)",
            self.inner.len()
        )
    }
}

#[uniffi::export]
impl KeyStore {
    /// An empty store.
    #[uniffi::constructor]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        KeyStore {
            inner: Arc::new(InMemoryKeyStore::new()),
        }
    }

    /// Adds `secret` (at least 16 bytes) to `key_id`, beside any it already has, active until
    /// `not_after` (Unix seconds, inclusive) or forever. Errors: `InvalidKeyId`, `InvalidSecret`.
    #[uniffi::method(default(not_after = None))]
    pub fn insert(
        &self,
        key_id: String,
        secret: Vec<u8>,
        not_after: Option<u64>,
    ) -> Result<(), SigwireError> {
        Ok(self.inner.insert(&key_id, secret, not_after)?)
    }

    /// Rotates `key_id`: `new_secret` becomes active now and every older secret is retired after
    /// `old_not_after` (Unix seconds; an earlier retirement already set is kept).
    pub fn rotate(
        &self,
        key_id: String,
        new_secret: Vec<u8>,
        old_not_after: u64,
    ) -> Result<(), SigwireError> {
        Ok(self.inner.rotate(&key_id, new_secret, old_not_after)?)
    }

    /// Removes `key_id` and all its secrets; returns whether it existed.
    pub fn remove(&self, key_id: String) -> Result<bool, SigwireError> {
        Ok(self.inner.remove(&key_id)?)
    }

    /// How many secrets of `key_id` are active at `now` (0: unknown or fully retired).
    pub fn active_secret_count(&self, key_id: String, now: u64) -> Result<u32, SigwireError> {
        let n = self.inner.active_secrets(&key_id, now)?.len();
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}

/// Records nonces so that each is accepted once. Implement it in Kotlin or Swift to share nonces
/// between server instances (e.g. in Redis), or use [`in_memory_replay_store`].
#[uniffi::export(with_foreign)]
pub trait ReplayStore: Send + Sync {
    /// Records `(key_id, nonce)` until `expires_at` (Unix seconds, inclusive).
    ///
    /// Returns `true` when the pair is new, `false` when it was already recorded and has not
    /// expired. A store that cannot record must throw (`ReplayStoreUnavailable`), never return
    /// `true`; any exception it throws is treated as `replay_store_unavailable`.
    fn check_and_record(
        &self,
        key_id: String,
        nonce: String,
        expires_at: u64,
        now: u64,
    ) -> Result<bool, SigwireError>;
}

/// The core's bounded in-memory store behind the exported trait.
struct MemoryReplayStore(InMemoryReplayStore);

impl ReplayStore for MemoryReplayStore {
    fn check_and_record(
        &self,
        key_id: String,
        nonce: String,
        expires_at: u64,
        now: u64,
    ) -> Result<bool, SigwireError> {
        use sigwire_core::ReplayStore as _;
        Ok(self.0.check_and_record(&key_id, &nonce, expires_at, now)?)
    }
}

/// The built-in replay store for one process, holding at most `capacity` live nonces (default
/// 1,000,000). When full it refuses new nonces (`replay_store_unavailable`, the server answers
/// 503) rather than forget a live one.
#[uniffi::export(default(capacity = 1000000))]
pub fn in_memory_replay_store(capacity: u64) -> Arc<dyn ReplayStore> {
    let capacity = usize::try_from(capacity).unwrap_or(usize::MAX);
    Arc::new(MemoryReplayStore(InMemoryReplayStore::with_capacity(
        capacity,
    )))
}

/// Adapts an exported [`ReplayStore`] (possibly written in Kotlin or Swift) to the core's trait.
/// Fails closed: any error from the store becomes `replay_store_unavailable`.
pub(crate) struct HostReplayStore(pub(crate) Arc<dyn ReplayStore>);

impl sigwire_core::ReplayStore for HostReplayStore {
    fn check_and_record(
        &self,
        key_id: &str,
        nonce: &str,
        expires_at: u64,
        now: u64,
    ) -> Result<bool, sigwire_core::Error> {
        self.0
            .check_and_record(key_id.to_owned(), nonce.to_owned(), expires_at, now)
            .map_err(|e| {
                let detail = match e {
                    SigwireError::ReplayStoreUnavailable { detail, .. } => detail,
                    other => format!(
                        "the replay store failed with {}: {}",
                        other.error_code(),
                        other.error_detail()
                    ),
                };
                sigwire_core::Error::new(sigwire_core::ErrorCode::ReplayStoreUnavailable, detail)
            })
    }
}
