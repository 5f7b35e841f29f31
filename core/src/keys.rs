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

    /// Calls `visit` once with the secrets of `key_id` active at `now`, newest first (empty when
    /// the key is unknown or fully retired): what a [`Verifier`](crate::Verifier) uses on every
    /// request. The default collects [`active_secrets`](Self::active_secrets); a store that can
    /// lend its secrets without building a list overrides it ([`InMemoryKeyStore`] does, so a
    /// verification allocates no list and touches no reference count). `visit` may run while the
    /// store holds a read lock: it must not call back into the store.
    fn with_active_secrets(
        &self,
        key_id: &str,
        now: u64,
        visit: &mut dyn FnMut(&[Arc<Secret>]),
    ) -> Result<(), Error> {
        let secrets = self.active_secrets(key_id, now)?;
        visit(&secrets);
        Ok(())
    }
}

/// One key id's secrets, newest first, and until when each is active (Unix seconds, inclusive;
/// `None`: forever). Two parallel lists, so the usual case — every secret active — is lent as
/// the slice itself.
#[derive(Clone, Default)]
struct Entries {
    secrets: Vec<Arc<Secret>>,
    not_after: Vec<Option<u64>>,
}

impl Entries {
    fn push_newest(&mut self, secret: Arc<Secret>, not_after: Option<u64>) {
        self.secrets.insert(0, secret);
        self.not_after.insert(0, not_after);
    }

    fn is_active(not_after: Option<u64>, now: u64) -> bool {
        not_after.map_or(true, |t| now <= t)
    }

    /// The secrets active at `now`, newest first, as a list of their own.
    fn active(&self, now: u64) -> Vec<Arc<Secret>> {
        self.secrets
            .iter()
            .zip(&self.not_after)
            .filter(|&(_, &t)| Self::is_active(t, now))
            .map(|(s, _)| Arc::clone(s))
            .collect()
    }
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
    keys: RwLock<HashMap<String, Entries>>,
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
            .push_newest(secret, not_after);
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
        for t in entries.not_after.iter_mut() {
            *t = Some(t.map_or(old_not_after, |t| t.min(old_not_after)));
        }
        entries.push_newest(secret, None);
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

    fn write(&self) -> Result<std::sync::RwLockWriteGuard<'_, HashMap<String, Entries>>, Error> {
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
            .map(|entries| entries.active(now))
            .unwrap_or_default())
    }

    fn with_active_secrets(
        &self,
        key_id: &str,
        now: u64,
        visit: &mut dyn FnMut(&[Arc<Secret>]),
    ) -> Result<(), Error> {
        let keys = self.keys.read().map_err(|_| poisoned())?;
        match keys.get(key_id) {
            None => visit(&[]),
            // The usual case: every secret active, lent as it is.
            Some(entries)
                if entries
                    .not_after
                    .iter()
                    .all(|&t| Entries::is_active(t, now)) =>
            {
                visit(&entries.secrets)
            }
            Some(entries) => visit(&entries.active(now)),
        }
        Ok(())
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
        // The lending path sees the same secrets, in the same order.
        let lent = |now| {
            let mut seen = Vec::new();
            s.with_active_secrets("k", now, &mut |secrets| {
                seen = secrets.iter().map(|x| x.expose().to_vec()).collect()
            })
            .unwrap();
            seen
        };
        assert_eq!(lent(100), vec![vec![2u8; 16], vec![1u8; 16]]);
        assert_eq!(lent(101), vec![vec![2u8; 16]]);
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
