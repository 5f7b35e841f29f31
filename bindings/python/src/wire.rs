//! `sigwire._native` functions over `sigwire_core::wire`: the one rejection response, the signed
//! URL rebuilt from what a server received, the declared-length check and the audience
//! (the authorities a server serves). The ASGI and WSGI middleware call these instead of
//! mirroring them, so every server stack answers alike.

use pyo3::prelude::*;
use pyo3::types::PyAny;
use sigwire_core::wire::{self, Audience as CoreAudience, Rejection as CoreRejection};
use sigwire_core::{Error, ErrorCode};

use crate::convert;
use crate::errors::{coded, CoreResultExt};

/// A failure response: ``status``, ``code``, ``server_time``, ``headers`` and ``body``.
///
/// Build one with :func:`rejection` (from a machine code) or get one from
/// :func:`check_declared_length`. ``headers`` are ``Content-Type: application/json``,
/// ``Cache-Control: no-store`` and ``X-Sigwire-Server-Time``; ``body`` is
/// ``{"error":"<code>"}`` (nothing about keys or the expected signature).
#[pyclass(module = "sigwire", name = "Rejection", frozen, eq)]
#[derive(PartialEq)]
pub struct Rejection {
    inner: CoreRejection,
}

#[pymethods]
impl Rejection {
    /// The HTTP status (401, 400, 413, 421, 503, …).
    #[getter]
    fn status(&self) -> u16 {
        self.inner.status()
    }

    /// The machine code, e.g. ``"signature_mismatch"``.
    #[getter]
    fn code(&self) -> &'static str {
        self.inner.code()
    }

    /// The server time sent in ``X-Sigwire-Server-Time`` (Unix seconds).
    #[getter]
    fn server_time(&self) -> u64 {
        self.inner.server_time()
    }

    /// The response headers as ``[(name, value)]``.
    #[getter]
    fn headers(&self) -> Vec<(&'static str, String)> {
        self.inner.headers().into_iter().collect()
    }

    /// The response body, ``b'{"error":"<code>"}'``.
    #[getter]
    fn body(&self) -> Vec<u8> {
        self.inner.body().into_bytes()
    }

    fn __repr__(&self) -> String {
        format!(
            "<sigwire.Rejection {} {}>",
            self.inner.status(),
            self.inner.code()
        )
    }
}

/// The rejection for machine ``code`` at ``server_time``: a verification code (its status from
/// the core: 401, 400, 503, …), ``"body_too_large"`` (413) or ``"misdirected_request"`` (421).
/// An unknown code raises ``ValueError``.
#[pyfunction]
pub fn rejection(code: &str, server_time: u64) -> PyResult<Rejection> {
    let inner = match code {
        wire::BODY_TOO_LARGE => CoreRejection::body_too_large(server_time),
        wire::MISDIRECTED_REQUEST => CoreRejection::misdirected(server_time),
        other => match ErrorCode::from_code(other) {
            Some(c) => CoreRejection::from_error(&Error::new(c, ""), server_time),
            None => {
                return Err(pyo3::exceptions::PyValueError::new_err(
                    "not a sigwire machine code",
                ))
            }
        },
    };
    Ok(Rejection { inner })
}

/// The absolute URL a client signed, rebuilt from what the server received:
/// ``request_url("https", "API.example.com:443", "/v1/x?a=1")`` is
/// ``"https://api.example.com/v1/x?a=1"`` (host lowercased, default port dropped). Raises
/// ``InvalidRequest`` for a scheme other than http/https, a bad authority or a target that is not
/// in origin form.
#[pyfunction]
pub fn request_url(
    py: Python<'_>,
    scheme: &Bound<'_, PyAny>,
    authority: &Bound<'_, PyAny>,
    path_and_query: &Bound<'_, PyAny>,
) -> PyResult<String> {
    let scheme = convert::text(scheme, "scheme", ErrorCode::InvalidRequest)?;
    let authority = convert::text(authority, "authority", ErrorCode::InvalidRequest)?;
    let target = convert::text(path_and_query, "path_and_query", ErrorCode::InvalidRequest)?;
    wire::request_url(&scheme, &authority, &target).py_err(py)
}

/// Checks the declared ``Content-Length`` lines against ``limit`` before any byte is read:
/// returns ``(length or None, None)``, or ``(None, rejection)`` — 413 ``body_too_large`` above the
/// limit, 400 ``invalid_request`` when a value is not a decimal number or lines disagree.
#[pyfunction]
pub fn check_declared_length(
    values: Vec<String>,
    limit: usize,
    now: u64,
) -> (Option<u64>, Option<Rejection>) {
    match wire::check_declared_length(values.iter().map(String::as_str), limit, now) {
        Ok(n) => (n, None),
        Err(inner) => (None, Some(Rejection { inner })),
    }
}

/// The authorities (``host[:port]``) a server serves, canonicalised for ``scheme``.
///
/// ``Audience(["api.example.com"], "https")``; ``audience.allows(host_header)`` is ``False``
/// for a request meant for another service (answer it with 421 ``misdirected_request``). An
/// empty list or an invalid authority raises ``InvalidConfig``.
///
/// >>> Audience(["api.example.com"], "https").allows("API.example.com:443")
/// True
#[pyclass(module = "sigwire", name = "Audience", frozen)]
pub struct Audience {
    inner: CoreAudience,
}

#[pymethods]
impl Audience {
    #[new]
    #[pyo3(signature = (authorities, scheme = "http"))]
    fn new(py: Python<'_>, authorities: Vec<String>, scheme: &str) -> PyResult<Self> {
        if authorities.is_empty() {
            return Err(coded(
                py,
                ErrorCode::InvalidConfig,
                "declare at least one authority (host[:port]) the server serves",
            ));
        }
        CoreAudience::new(&authorities, scheme)
            .map(|inner| Audience { inner })
            .py_err(py)
    }

    /// Whether ``authority`` (a ``Host`` header as received) is one of the declared ones.
    fn allows(&self, authority: &str) -> bool {
        self.inner.allows(authority)
    }

    /// The canonical authorities, in order.
    #[getter]
    fn authorities(&self) -> Vec<String> {
        self.inner.authorities().to_vec()
    }

    /// The scheme they were canonicalised for (``"http"`` or ``"https"``).
    #[getter]
    fn scheme(&self) -> &'static str {
        self.inner.scheme()
    }

    fn __repr__(&self) -> String {
        format!(
            "<sigwire.Audience {}: {}>",
            self.inner.scheme(),
            self.inner.authorities().join(", ")
        )
    }
}
