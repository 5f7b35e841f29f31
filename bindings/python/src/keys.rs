//! `sigwire.KeyStore` and `sigwire.InMemoryReplayStore`: the core's in-memory stores.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyAny;
use sigwire_core::{Clock, ErrorCode, KeyStore as _, ReplayStore as _, SystemClock};

use crate::convert;
use crate::errors::CoreResultExt;

/// The secrets a :class:`Verifier` accepts, per key id, with rotation.
///
/// A key id may hold several secrets at once, so a secret rotates without downtime: the verifier
/// accepts a signature made with any secret that is active at the request's verification time.
/// Secrets live only in Rust memory (zeroized when dropped) and are never shown.
///
/// >>> keys = KeyStore()
/// >>> keys.insert("client-1", b"old-secret-0123456789")
/// >>> keys.rotate("client-1", b"new-secret-0123456789", old_not_after=2_000)
/// >>> keys.active_count("client-1", now=1_500), keys.active_count("client-1", now=2_001)
/// (2, 1)
#[pyclass(module = "sigwire", name = "KeyStore", frozen)]
pub struct KeyStore {
    pub(crate) inner: Arc<sigwire_core::InMemoryKeyStore>,
}

impl KeyStore {
    /// An empty store (Rust side).
    pub(crate) fn empty() -> Self {
        KeyStore {
            inner: Arc::new(sigwire_core::InMemoryKeyStore::new()),
        }
    }

    /// Adds a secret given as any accepted Python type.
    pub(crate) fn insert_py(
        &self,
        py: Python<'_>,
        key_id: &Bound<'_, PyAny>,
        secret: &Bound<'_, PyAny>,
        not_after: Option<u64>,
    ) -> PyResult<()> {
        let key_id = convert::text(key_id, "key_id", ErrorCode::InvalidKeyId)?;
        let secret = convert::secret(secret)?;
        self.inner.insert(&key_id, secret, not_after).py_err(py)
    }
}

#[pymethods]
impl KeyStore {
    #[new]
    fn new() -> Self {
        Self::empty()
    }

    /// Adds ``secret`` to ``key_id`` (beside any it already has), active until ``not_after``
    /// (Unix seconds, inclusive) or forever. Raises ``InvalidKeyId`` or ``InvalidSecret``.
    #[pyo3(signature = (key_id, secret, not_after = None))]
    fn insert(
        &self,
        py: Python<'_>,
        key_id: &Bound<'_, PyAny>,
        secret: &Bound<'_, PyAny>,
        not_after: Option<u64>,
    ) -> PyResult<()> {
        self.insert_py(py, key_id, secret, not_after)
    }

    /// Rotates ``key_id``: ``new_secret`` becomes active now and every existing secret is
    /// retired after ``old_not_after`` (Unix seconds; an earlier retirement time is kept).
    fn rotate(
        &self,
        py: Python<'_>,
        key_id: &Bound<'_, PyAny>,
        new_secret: &Bound<'_, PyAny>,
        old_not_after: u64,
    ) -> PyResult<()> {
        let key_id = convert::text(key_id, "key_id", ErrorCode::InvalidKeyId)?;
        let secret = convert::secret(new_secret)?;
        self.inner.rotate(&key_id, secret, old_not_after).py_err(py)
    }

    /// Removes ``key_id`` and all its secrets; returns whether it existed.
    fn remove(&self, py: Python<'_>, key_id: &Bound<'_, PyAny>) -> PyResult<bool> {
        let key_id = convert::text(key_id, "key_id", ErrorCode::InvalidKeyId)?;
        self.inner.remove(&key_id).py_err(py)
    }

    /// How many secrets of ``key_id`` are active at ``now`` (default: the current time).
    /// The secrets themselves are never returned.
    #[pyo3(signature = (key_id, now = None))]
    fn active_count(
        &self,
        py: Python<'_>,
        key_id: &Bound<'_, PyAny>,
        now: Option<u64>,
    ) -> PyResult<usize> {
        let key_id = convert::text(key_id, "key_id", ErrorCode::InvalidKeyId)?;
        let now = now.unwrap_or_else(|| SystemClock.now());
        Ok(self.inner.active_secrets(&key_id, now).py_err(py)?.len())
    }

    fn __repr__(&self) -> String {
        // The core's Debug shows only the number of key ids.
        format!("<sigwire.KeyStore: {:?}>", self.inner)
    }
}

/// A bounded in-memory replay store for one process (the default of :class:`Verifier`).
///
/// It never forgets a nonce before it expires: when it holds ``capacity`` live nonces it refuses
/// new ones (``ReplayStoreUnavailable``, HTTP 503) rather than evict a live one. Use a shared
/// store (any object with a ``check_and_record`` method, see :class:`sigwire.ReplayStore`) when
/// a service runs several processes.
#[pyclass(module = "sigwire", name = "InMemoryReplayStore", frozen)]
pub struct InMemoryReplayStore {
    pub(crate) inner: Arc<sigwire_core::InMemoryReplayStore>,
    capacity: usize,
}

#[pymethods]
impl InMemoryReplayStore {
    #[new]
    #[pyo3(signature = (capacity = sigwire_core::DEFAULT_REPLAY_CAPACITY))]
    fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        InMemoryReplayStore {
            inner: Arc::new(sigwire_core::InMemoryReplayStore::with_capacity(capacity)),
            capacity,
        }
    }

    /// Records ``(key_id, nonce)`` until ``expires_at`` (Unix seconds, inclusive). Returns
    /// ``True`` when new, ``False`` when already recorded and not expired; raises
    /// ``ReplayStoreUnavailable`` when full of live nonces.
    fn check_and_record(
        &self,
        py: Python<'_>,
        key_id: String,
        nonce: String,
        expires_at: u64,
        now: u64,
    ) -> PyResult<bool> {
        self.inner
            .check_and_record(&key_id, &nonce, expires_at, now)
            .py_err(py)
    }

    /// The most live nonces held at once.
    #[getter]
    fn capacity(&self) -> usize {
        self.capacity
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "InMemoryReplayStore(capacity={}, len={})",
            self.capacity,
            self.inner.len()
        )
    }
}
