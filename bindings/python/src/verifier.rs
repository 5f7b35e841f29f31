//! `sigwire.Verifier`: forwards to `sigwire_core::Verifier`, with the key and replay stores.

use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{
    PyAny, PyBool, PyByteArray, PyBytes, PyDict, PyList, PyMemoryView, PyString, PyTuple,
};
use sigwire_core::{Error, ErrorCode, ReplayAnswer, ReplayPolicy, ReplayStore, Request};

use crate::convert::{self, SignedBody};
use crate::errors::{self, coded, CoreResultExt};
use crate::keys::{InMemoryReplayStore, KeyStore};

/// A replay store written in Python: any object with
/// ``check_and_record(key_id, nonce, expires_at, now) -> bool``.
///
/// Fails closed: an exception, or a result that is not a ``bool``, is `replay_store_unavailable`
/// (the exception is kept as ``__cause__``).
struct PyReplayStore(Py<PyAny>);

impl ReplayStore for PyReplayStore {
    fn check_and_record(
        &self,
        key_id: &str,
        nonce: &str,
        expires_at: u64,
        now: u64,
    ) -> Result<bool, Error> {
        Python::attach(|py| {
            let result = self.0.bind(py).call_method1(
                pyo3::intern!(py, "check_and_record"),
                (key_id, nonce, expires_at, now),
            );
            match result {
                Ok(v) => match v.cast::<PyBool>() {
                    Ok(b) => Ok(b.is_true()),
                    Err(_) => Err(Error::new(
                        ErrorCode::ReplayStoreUnavailable,
                        "the replay store's check_and_record must return a bool (is it async?)",
                    )),
                },
                Err(err) => {
                    errors::stash_store_error(err);
                    Err(Error::new(
                        ErrorCode::ReplayStoreUnavailable,
                        "the replay store raised an exception",
                    ))
                }
            }
        })
    }
}

/// Proof that a request is authentic and fresh, waiting for its nonce to be claimed: what
/// :meth:`Verifier.authenticate` returns. Claim ``(key_id, nonce)`` until ``expires_at``
/// (inclusive) in a replay store, or pass it to :meth:`Verifier.commit`.
#[pyclass(module = "sigwire", name = "ReplayTicket", frozen)]
pub struct ReplayTicket {
    inner: sigwire_core::ReplayTicket,
}

#[pymethods]
impl ReplayTicket {
    /// The key id whose secret signed the request.
    #[getter]
    fn key_id(&self) -> &str {
        &self.inner.key_id
    }

    /// The scheme that authenticated it, e.g. ``"sigwire-v1"``.
    #[getter]
    fn scheme(&self) -> &'static str {
        self.inner.scheme
    }

    /// The request's signing time, Unix seconds.
    #[getter]
    fn timestamp(&self) -> u64 {
        self.inner.timestamp
    }

    /// The nonce to claim, or ``None`` when the scheme carries none (nothing to claim).
    #[getter]
    fn nonce(&self) -> Option<&str> {
        self.inner.nonce.as_deref()
    }

    /// Keep the nonce until this Unix time, inclusive (``timestamp + window``).
    #[getter]
    fn expires_at(&self) -> u64 {
        self.inner.expires_at
    }

    /// The verifier time the request was authenticated at (the server time of any refusal).
    #[getter]
    fn authenticated_at(&self) -> u64 {
        self.inner.authenticated_at
    }

    /// How the nonce is claimed: ``"random_nonce"`` (remember it until ``expires_at``),
    /// ``"increasing_nonce"`` or ``"none"``.
    #[getter]
    fn replay(&self) -> &'static str {
        match self.inner.replay {
            ReplayPolicy::RandomNonce => "random_nonce",
            ReplayPolicy::IncreasingNonce => "increasing_nonce",
            _ => "none",
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "<sigwire.ReplayTicket key_id={:?} timestamp={} expires_at={}>",
            self.inner.key_id, self.inner.timestamp, self.inner.expires_at
        )
    }
}

/// What :meth:`Verifier.precheck` learned from the request line and headers alone: the claimed
/// key id (known to the key store, not yet proven) and the body digest the signature covers, so
/// a server hashes a spooled body with the right algorithm while it arrives.
#[pyclass(module = "sigwire", name = "Prechecked", frozen)]
pub struct Prechecked {
    inner: sigwire_core::Prechecked,
}

#[pymethods]
impl Prechecked {
    /// The key id the request claims.
    #[getter]
    fn key_id(&self) -> &str {
        &self.inner.key_id
    }

    /// The scheme that will verify the request, e.g. ``"sigwire-v1"``.
    #[getter]
    fn scheme(&self) -> &'static str {
        self.inner.scheme
    }

    /// The request's signing time, Unix seconds (inside the window).
    #[getter]
    fn timestamp(&self) -> u64 {
        self.inner.timestamp
    }

    /// The algorithm whose body digest the signature covers (``"hmac-sha256"`` or
    /// ``"hmac-sha512"``): hash a streamed body with it (:class:`BodyHasher`). ``None`` when the
    /// scheme needs the body bytes themselves.
    #[getter]
    fn body_algorithm(&self) -> Option<&'static str> {
        self.inner.body_algorithm.map(|a| a.as_str())
    }

    fn __repr__(&self) -> String {
        format!(
            "<sigwire.Prechecked key_id={:?} timestamp={} body_algorithm={:?}>",
            self.inner.key_id,
            self.inner.timestamp,
            self.body_algorithm()
        )
    }
}

/// Verifies signed requests (server side): ``sigwire-v1`` syntax, timestamp window, key lookup
/// with rotation, constant-time signature check, then replay protection.
///
/// ``Verifier(keys, window=300, replay_store=None, *, require_signed_headers=None)``
///
/// * ``keys``: a :class:`KeyStore`, or a mapping ``{key_id: secret}`` where a value may also be a
///   list of secrets (all active; rotate later through :attr:`keys`).
/// * ``window``: accepted clock skew in seconds, either side (default 300).
/// * ``replay_store``: an :class:`InMemoryReplayStore` (default: a new one), or any object with
///   ``check_and_record(key_id, nonce, expires_at, now) -> bool`` (e.g. backed by Redis).
/// * ``require_signed_headers``: header names that must be signed whenever a request carries them
///   (e.g. ``["x-http-method-override"]``): present but not in the signature is
///   ``UnsignedHeader`` (401), checked with the header alone (also by :meth:`precheck`). Absent
///   headers are fine. ``authorization`` or a name that is not a header token is ``InvalidConfig``.
///
/// >>> secret = b"0123456789abcdef0123456789abcdef"
/// >>> verifier = Verifier({"client-1": secret})
/// >>> headers = Signer("client-1", secret).sign("GET", "https://api.example.com/v1/orders")
/// >>> verifier.verify("GET", "https://api.example.com/v1/orders", headers, b"")
/// 'client-1'
#[pyclass(module = "sigwire", name = "Verifier", frozen)]
pub struct Verifier {
    inner: sigwire_core::Verifier,
    keys: Py<KeyStore>,
    replay: Option<Py<PyAny>>,
    python_store: bool,
}

fn is_secret_like(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyByteArray>()
        || obj.is_instance_of::<PyMemoryView>()
}

/// A `KeyStore` from the `keys` argument: a `KeyStore` (shared), or a mapping of secrets.
fn key_store(py: Python<'_>, keys: &Bound<'_, PyAny>) -> PyResult<Py<KeyStore>> {
    if let Ok(store) = keys.cast::<KeyStore>() {
        return Ok(store.clone().unbind());
    }
    let items = if let Ok(d) = keys.cast::<PyDict>() {
        d.items().into_any()
    } else if !is_secret_like(keys) && keys.hasattr(pyo3::intern!(py, "items"))? {
        keys.call_method0(pyo3::intern!(py, "items"))?
    } else {
        return Err(PyTypeError::new_err(
            "keys must be a sigwire.KeyStore or a mapping {key_id: secret or [secrets]}",
        ));
    };
    let store = KeyStore::empty();
    for item in items.try_iter()? {
        let (key_id, value): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
        if is_secret_like(&value) {
            store.insert_py(py, &key_id, &value, None)?;
        } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
            let secrets: Vec<Bound<'_, PyAny>> = value.extract()?;
            if secrets.is_empty() {
                return Err(coded(
                    py,
                    ErrorCode::InvalidSecret,
                    "a key id needs at least one secret",
                ));
            }
            // Inserted last to first, so the first listed is the newest (tried first).
            for s in secrets.iter().rev() {
                store.insert_py(py, &key_id, s, None)?;
            }
        } else {
            return Err(PyTypeError::new_err(
                "each value of keys must be a secret (bytes or str) or a list of secrets",
            ));
        }
    }
    Py::new(py, store)
}

#[pymethods]
impl Verifier {
    #[new]
    #[pyo3(signature = (keys, window = 300, replay_store = None, *, require_signed_headers = None))]
    fn new(
        py: Python<'_>,
        keys: &Bound<'_, PyAny>,
        window: i64,
        replay_store: Option<&Bound<'_, PyAny>>,
        require_signed_headers: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let window = u64::try_from(window).map_err(|_| {
            coded(
                py,
                ErrorCode::InvalidConfig,
                "window must be 0 or more seconds",
            )
        })?;
        let keys = key_store(py, keys)?;
        let store_arc = Arc::clone(&keys.borrow(py).inner);
        let mut builder = sigwire_core::Verifier::builder(store_arc).window(window);
        if let Some(names) = require_signed_headers {
            builder = builder.require_signed_headers(names).py_err(py)?;
        }
        let mut python_store = false;
        let replay = match replay_store.filter(|r| !r.is_none()) {
            None => None,
            Some(r) => {
                if let Ok(mem) = r.cast::<InMemoryReplayStore>() {
                    builder =
                        builder.replay_store(Arc::clone(&mem.get().inner) as Arc<dyn ReplayStore>);
                } else if r.hasattr(pyo3::intern!(py, "check_and_record"))? {
                    python_store = true;
                    builder = builder.replay_store(Arc::new(PyReplayStore(r.clone().unbind())));
                } else {
                    return Err(PyTypeError::new_err(
                        "replay_store must be a sigwire.InMemoryReplayStore or have a check_and_record method",
                    ));
                }
                Some(r.clone().unbind())
            }
        };
        Ok(Verifier {
            inner: builder.build(),
            keys,
            replay,
            python_store,
        })
    }

    /// Verifies a received request and returns the key id whose secret signed it.
    ///
    /// Pass the request exactly as received: ``method``, the full ``url`` as the client sent it
    /// (scheme, host, raw path and query), every header line (including ``Authorization``)
    /// and the raw body bytes (``bytes``, ``bytearray``, ``memoryview`` or ``str``), or the
    /// :class:`BodyDigest` of a body hashed while it was spooled (same algorithm as the request's).
    /// ``now`` (Unix seconds) defaults to the current time.
    ///
    /// Raises a ``SigwireError`` subclass: ``MissingAuthorization``, ``MalformedAuthorization``,
    /// ``UnsupportedAlgorithm``, ``StaleTimestamp`` (with ``.skew_seconds``), ``UnknownKey``,
    /// ``SignatureMismatch``, ``ReplayedNonce``, ``InvalidRequest`` or ``ReplayStoreUnavailable``;
    /// each carries ``.server_time`` for the ``X-Sigwire-Server-Time`` response header.
    #[pyo3(
        signature = (method, url, headers = None, body = None, *, now = None),
        text_signature = "($self, method, url, headers=None, body=b'', *, now=None)"
    )]
    fn verify(
        &self,
        py: Python<'_>,
        method: &Bound<'_, PyAny>,
        url: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        now: Option<u64>,
    ) -> PyResult<String> {
        let method = convert::text(method, "method", ErrorCode::InvalidRequest)?;
        let url = convert::text(url, "url", ErrorCode::InvalidRequest)?;
        let lines = convert::headers(headers)?;
        let mut body = SignedBody::from_py(body)?;
        if self.python_store {
            body = body.detach_mutable();
            errors::clear_store_error();
        }
        let inner = &self.inner;
        let head = Request::new(&method, &url).headers(convert::header_refs(&lines));
        body.with_request(py, head, |request| match now {
            Some(now) => inner.verify_at(&request, now),
            None => inner.verify(&request),
        })
        .map(|verified| verified.key_id)
        .py_err(py)
    }

    /// The checks that need only the request line and headers, run before the body is read;
    /// returns a :class:`Prechecked` (the claimed ``key_id`` and the ``body_algorithm`` to hash
    /// a streamed body with).
    ///
    /// Raises ``MissingAuthorization``, ``MalformedAuthorization``, ``UnsupportedAlgorithm``,
    /// ``StaleTimestamp`` or ``UnknownKey`` (with ``.server_time``), so a server can refuse a
    /// request without reading (or accepting, with ``Expect: 100-continue``) its body. The
    /// signature, the signed headers' presence and replay are not checked here: a request that
    /// passes still goes through :meth:`verify` with its body. Nothing is recorded.
    #[pyo3(
        signature = (method, url, headers = None, *, now = None),
        text_signature = "($self, method, url, headers=None, *, now=None)"
    )]
    fn precheck(
        &self,
        py: Python<'_>,
        method: &Bound<'_, PyAny>,
        url: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        now: Option<u64>,
    ) -> PyResult<Prechecked> {
        let method = convert::text(method, "method", ErrorCode::InvalidRequest)?;
        let url = convert::text(url, "url", ErrorCode::InvalidRequest)?;
        let lines = convert::headers(headers)?;
        let request = Request::new(&method, &url).headers(convert::header_refs(&lines));
        let now = now.unwrap_or_else(|| self.inner.now());
        self.inner
            .precheck(&request, now)
            .map(|inner| Prechecked { inner })
            .py_err(py)
    }

    /// Step one of two: every check except replay — the ``Authorization`` header, the window,
    /// the key and the signature over ``method``, ``url``, ``headers`` and ``body`` — and returns a
    /// :class:`ReplayTicket`. Nothing is recorded: claim ``(ticket.key_id, ticket.nonce)`` in your
    /// own (e.g. asynchronous Redis) store until ``ticket.expires_at``, or call :meth:`commit`.
    /// Raises the same errors as :meth:`verify`, except ``ReplayedNonce`` and
    /// ``ReplayStoreUnavailable``.
    #[pyo3(
        signature = (method, url, headers = None, body = None, *, now = None),
        text_signature = "($self, method, url, headers=None, body=b'', *, now=None)"
    )]
    fn authenticate(
        &self,
        py: Python<'_>,
        method: &Bound<'_, PyAny>,
        url: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        now: Option<u64>,
    ) -> PyResult<ReplayTicket> {
        let method = convert::text(method, "method", ErrorCode::InvalidRequest)?;
        let url = convert::text(url, "url", ErrorCode::InvalidRequest)?;
        let lines = convert::headers(headers)?;
        let body = SignedBody::from_py(body)?;
        let now = now.unwrap_or_else(|| self.inner.now());
        let inner = &self.inner;
        let head = Request::new(&method, &url).headers(convert::header_refs(&lines));
        body.with_request(py, head, |request| inner.authenticate(&request, now))
            .map(|inner| ReplayTicket { inner })
            .py_err(py)
    }

    /// Step two of two: claims the ticket's nonce in this verifier's replay store and returns the
    /// key id. Raises ``ReplayedNonce`` when it was already claimed, ``ReplayStoreUnavailable``
    /// when the store cannot record it (never an accept).
    fn commit(&self, py: Python<'_>, ticket: &ReplayTicket) -> PyResult<String> {
        errors::clear_store_error();
        self.inner
            .commit(ticket.inner.clone())
            .map(|verified| verified.key_id)
            .py_err(py)
    }

    /// Step two of two with a replay store you own (e.g. asynchronous Redis) that has tried to
    /// claim ``(ticket.key_id, ticket.nonce)``: ``outcome`` is ``"fresh"`` (recorded now),
    /// ``"replayed"`` (already there), ``"unavailable"`` (the store failed) or ``"before_epoch"``
    /// (a shared store refused a timestamp at or before its epoch). Returns the key id; raises
    /// ``ReplayedNonce``, ``ReplayStoreUnavailable`` or ``StaleTimestamp`` with the core's
    /// message and ``.server_time``. Anything else counts as ``"unavailable"``: never an accept.
    /// A ticket without a random nonce is settled by this verifier's own policy (as
    /// :meth:`commit`), whatever the outcome, except ``"before_epoch"``.
    fn settle(&self, py: Python<'_>, ticket: &ReplayTicket, outcome: &str) -> PyResult<String> {
        self.inner
            .settle(ticket.inner.clone(), ReplayAnswer::parse(outcome))
            .map(|verified| verified.key_id)
            .py_err(py)
    }

    /// The verifier's current time (Unix seconds), for the ``X-Sigwire-Server-Time`` header.
    fn now(&self) -> u64 {
        self.inner.now()
    }

    /// The header names that must be signed when present (lowercased).
    #[getter]
    fn require_signed_headers(&self) -> Vec<String> {
        self.inner.required_signed_headers().to_vec()
    }

    /// The timestamp window in seconds.
    #[getter]
    fn window(&self) -> u64 {
        self.inner.window()
    }

    /// The :class:`KeyStore` this verifier reads (rotate or remove keys through it, live).
    #[getter]
    fn keys(&self, py: Python<'_>) -> Py<KeyStore> {
        self.keys.clone_ref(py)
    }

    /// The replay store given at construction, or ``None`` for the built-in one.
    #[getter]
    fn replay_store(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.replay.as_ref().map(|r| r.clone_ref(py))
    }

    fn __repr__(&self) -> String {
        format!(
            "<sigwire.Verifier: window={}, keys={:?}>",
            self.inner.window(),
            self.keys.get().inner
        )
    }
}
