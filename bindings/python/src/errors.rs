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

static FROM_CLIENT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Converts a `sigwire_client` error into a Python exception: the one mapping of client errors.
///
/// A core signing error goes through [`to_py_err`]; a signature the server rejected becomes the
/// same class the verifier raises for that machine code; the other kinds become the client
/// classes of `sigwire/_errors.py` (`SigwireTimeout`, `ConnectError`, `HttpStatusError`, …),
/// built by `_from_client(kind, message, attrs)`. Messages never contain the secret or the
/// `Authorization` value.
pub(crate) fn client_err(py: Python<'_>, err: &sigwire_client::Error) -> PyErr {
    use sigwire_client::Error as E;
    if let E::Sign(core) = err {
        return to_py_err(py, core);
    }
    let build = || -> PyResult<PyErr> {
        let attrs = pyo3::types::PyDict::new(py);
        attrs.set_item("attempts", err.attempts())?;
        match err {
            E::Timeout { kind, .. } => attrs.set_item("timeout_kind", kind.as_str())?,
            E::Status {
                status,
                headers,
                body,
                ..
            } => {
                attrs.set_item("status", status.as_u16())?;
                attrs.set_item("body", pyo3::types::PyBytes::new(py, body))?;
                let lines = pyo3::types::PyList::empty(py);
                for (name, value) in headers.iter() {
                    let value: String = value.as_bytes().iter().map(|&c| char::from(c)).collect();
                    lines.append((name.as_str(), value))?;
                }
                attrs.set_item("headers", lines)?;
            }
            E::SignatureRejected {
                status,
                code,
                server_time,
            } => {
                attrs.set_item("status", status.as_u16())?;
                attrs.set_item("code", code)?;
                attrs.set_item("server_time", *server_time)?;
            }
            E::ClockSkewTooLarge {
                offset_seconds,
                max_seconds,
            } => {
                attrs.set_item("offset_seconds", *offset_seconds)?;
                attrs.set_item("max_seconds", *max_seconds)?;
            }
            E::TooManyRedirects { limit } => attrs.set_item("limit", *limit)?,
            _ => {}
        }
        let factory = FROM_CLIENT.get_or_try_init(py, || {
            py.import("sigwire._errors")?
                .getattr("_from_client")
                .map(Bound::unbind)
        })?;
        let exc = factory
            .bind(py)
            .call1((err.kind(), err.to_string(), attrs))?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|import_err| {
        let fallback = PyRuntimeError::new_err(format!("{}: {err}", err.kind()));
        fallback.set_cause(py, Some(import_err));
        fallback
    })
}
