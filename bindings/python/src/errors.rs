//! Core errors to Python exceptions, in one place.
//!
//! The exception classes live in `sigwire/_errors.py` (one subclass of `SigwireError` per machine
//! code). [`to_py_err`] is the only function that turns a `sigwire_core::Error` into one of them;
//! binding-level mistakes that have a machine code (a lone surrogate in a URL, a negative window)
//! are built as core errors first and go through the same function.

use std::cell::RefCell;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyAny;
use sigwire_core::{Error, ErrorCode};

static FROM_CORE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

thread_local! {
    /// The exception a Python replay store raised during the current `verify` on this thread,
    /// attached as `__cause__` of the resulting `ReplayStoreUnavailable`.
    static STORE_ERROR: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// Remembers the exception a Python replay store raised (see [`to_py_err`]).
pub(crate) fn stash_store_error(err: PyErr) {
    STORE_ERROR.with(|slot| *slot.borrow_mut() = Some(err));
}

/// Forgets any stashed replay store exception (called before each verification).
pub(crate) fn clear_store_error() {
    STORE_ERROR.with(|slot| slot.borrow_mut().take());
}

/// Converts a core error into the matching `sigwire.SigwireError` subclass.
///
/// The exception carries `.code`, `.message`, `.skew_seconds` and `.server_time`; its text is
/// the core's message, which never contains a secret.
pub(crate) fn to_py_err(py: Python<'_>, err: &Error) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let factory = FROM_CORE.get_or_try_init(py, || {
            py.import("sigwire._errors")?
                .getattr("_from_core")
                .map(Bound::unbind)
        })?;
        let exc = factory.bind(py).call1((
            err.code().as_str(),
            err.message(),
            err.skew_seconds(),
            err.server_time(),
        ))?;
        let pyerr = PyErr::from_value(exc);
        if err.code() == ErrorCode::ReplayStoreUnavailable {
            if let Some(cause) = STORE_ERROR.with(|slot| slot.borrow_mut().take()) {
                pyerr.set_cause(py, Some(cause));
            }
        }
        Ok(pyerr)
    };
    build().unwrap_or_else(|import_err| {
        let fallback =
            PyRuntimeError::new_err(format!("{}: {}", err.code().as_str(), err.message()));
        fallback.set_cause(py, Some(import_err));
        fallback
    })
}

/// `Result<T, sigwire_core::Error>` to `PyResult<T>` through [`to_py_err`].
pub(crate) trait CoreResultExt<T> {
    /// Maps the error with [`to_py_err`].
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> CoreResultExt<T> for Result<T, Error> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py_err(py, &e))
    }
}

/// A core error with `code` and `message`, already converted (for binding-level checks).
pub(crate) fn coded(py: Python<'_>, code: ErrorCode, message: impl Into<String>) -> PyErr {
    to_py_err(py, &Error::new(code, message))
}
