//! Key stores: where a verifier finds the secrets of a key id, with rotation.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::credentials::{KeyId, Secret};
use crate::error::{Error, ErrorCode};

/// Looks up the secrets of a key id.
///
/// A key id may have several secrets at once so that a secret rotates without downtime:
/// the verifier accepts a signature made with any secret that is active at `now`.
pub trait KeyStore: Send + Sync {
    /// Every secret of `key_id` that is active (not retired) at `now`, newest first.
    /// An empty list means the key is unknown or fully retired.
    fn active_secrets(&self, key_id: &str, now: u64) -> Result<Vec<Arc<Secret>>, Error>;
}

#[derive(Clone)]
struct Entry {
    secret: Arc<Secret>,
    not_after: Option<u64>,
}

/// A key store in memory, safe to share between threads.
///
/// ```
/// use sigwire_core::{InMemoryKeyStore, KeyStore};
///
/// let store = InMemoryKeyStore::new();
/// store.insert("client-1", b"old-secret-0123456789".to_vec(), None)?;
/// // Rotate: the new secret is active now, the old one until t = 2_000.
/// store.rotate("client-1", b"new-secret-0123456789".to_vec(), 2_000)?;
/// assert_eq!(store.active_secrets("client-1", 1_500)?.len(), 2);
/// assert_eq!(store.active_secrets("client-1", 2_001)?.len(), 1);
/// # Ok::<(), sigwire_core::Error>(())
/// ```
#[derive(Default)]
pub struct InMemoryKeyStore {
    keys: RwLock<HashMap<String, Vec<Entry>>>,
}

impl core::fmt::Debug for InMemoryKeyStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let count = self.keys.read().map(|k| k.len()).unwrap_or(0);
        f.debug_struct("InMemoryKeyStore")
            .field("key_ids", &count)
            .finish_non_exhaustive()
    }
}

impl InMemoryKeyStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a secret to `key_id` (beside any it already has), active until `not_after`
    /// (Unix seconds, inclusive) or forever.
    pub fn insert(
        &self,
        key_id: &str,
        secret: impl Into<Vec<u8>>,
        not_after: Option<u64>,
    ) -> Result<(), Error> {
        let key_id = KeyId::new(key_id)?;
        let secret = Arc::new(Secret::new(secret)?);
        let mut keys = self.write()?;
        keys.entry(key_id.as_str().to_owned())
            .or_default()
            .insert(0, Entry { secret, not_after });
        Ok(())
    }

    /// Rotates `key_id`: adds `new_secret` and retires every existing secret after `old_not_after`
    /// (keeping an earlier retirement time where one was set).
    pub fn rotate(
        &self,
        key_id: &str,
        new_secret: impl Into<Vec<u8>>,
        old_not_after: u64,
    ) -> Result<(), Error> {
        let key_id = KeyId::new(key_id)?;
        let secret = Arc::new(Secret::new(new_secret)?);
        let mut keys = self.write()?;
        let entries = keys.entry(key_id.as_str().to_owned()).or_default();
        for e in entries.iter_mut() {
            e.not_after = Some(e.not_after.map_or(old_not_after, |t| t.min(old_not_after)));
        }
        entries.insert(
            0,
            Entry {
                secret,
                not_after: None,
            },
        );
        Ok(())
    }

    /// Number of key ids held.
    pub fn len(&self) -> usize {
        self.keys.read().map(|k| k.len()).unwrap_or(0)
    }

    /// Whether no key id is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes `key_id` and all its secrets; returns whether it existed.
    pub fn remove(&self, key_id: &str) -> Result<bool, Error> {
        Ok(self.write()?.remove(key_id).is_some())
    }

    fn write(&self) -> Result<std::sync::RwLockWriteGuard<'_, HashMap<String, Vec<Entry>>>, Error> {
        self.keys.write().map_err(|_| poisoned())
    }
}

fn poisoned() -> Error {
    Error::new(
        ErrorCode::InvalidConfig,
        "key store lock poisoned by a panic elsewhere",
    )
}

impl KeyStore for InMemoryKeyStore {
    fn active_secrets(&self, key_id: &str, now: u64) -> Result<Vec<Arc<Secret>>, Error> {
        let keys = self.keys.read().map_err(|_| poisoned())?;
        Ok(keys
            .get(key_id)
            .map(|entries| {
                entries
                    .iter()
                    .filter(|e| e.not_after.map_or(true, |t| now <= t))
                    .map(|e| Arc::clone(&e.secret))
                    .collect()
            })
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_old_until_not_after() {
        let s = InMemoryKeyStore::new();
        s.insert("k", vec![1u8; 16], None).unwrap();
        s.rotate("k", vec![2u8; 16], 100).unwrap();
        assert_eq!(s.active_secrets("k", 100).unwrap().len(), 2);
        let after = s.active_secrets("k", 101).unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(after[0].expose(), &[2u8; 16]);
        assert!(s.active_secrets("other", 0).unwrap().is_empty());
        assert!(s.remove("k").unwrap());
        assert!(s.active_secrets("k", 0).unwrap().is_empty());
    }

    #[test]
    fn bad_inputs_are_typed() {
        let s = InMemoryKeyStore::new();
        assert_eq!(
            s.insert("k", vec![1u8; 3], None).unwrap_err().code(),
            ErrorCode::InvalidSecret
        );
        assert_eq!(
            s.insert("bad id", vec![1u8; 16], None).unwrap_err().code(),
            ErrorCode::InvalidKeyId
        );
    }
}
