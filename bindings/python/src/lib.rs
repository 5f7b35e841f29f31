//! `sigwire._native`: the PyO3 binding of `sigwire-core`.
//!
//! Thin by design: each class forwards to the core and only converts arguments
//! ([`convert`]) and errors ([`errors::to_py_err`], the one place a core error becomes a
//! Python exception). The idiomatic layer (exceptions, `requests`/`httpx` auth, ASGI/WSGI
//! middleware) is pure Python in `sdk-python/python/sigwire/`.

mod body;
mod client;
mod convert;
mod errors;
mod keys;
mod profiles;
mod signer;
mod stream;
mod verifier;
mod wire;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use sigwire_core::ErrorCode;

/// The native module, imported as `sigwire._native`.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<signer::Signer>()?;
    m.add_class::<verifier::Verifier>()?;
    m.add_class::<keys::KeyStore>()?;
    m.add_class::<keys::InMemoryReplayStore>()?;
    m.add_class::<body::BodyHasher>()?;
    m.add_class::<body::BodyDigest>()?;
    m.add_class::<client::HttpClient>()?;
    m.add_class::<client::PendingCall>()?;
    profiles::register(m)?; // sigwire._native._profiles (prof)
    m.add_class::<verifier::ReplayTicket>()?;
    m.add_class::<verifier::Prechecked>()?;
    m.add_class::<wire::Audience>()?;
    m.add_class::<wire::Rejection>()?;
    m.add_function(wrap_pyfunction!(wire::rejection, m)?)?;
    m.add_function(wrap_pyfunction!(wire::request_url, m)?)?;
    m.add_function(wrap_pyfunction!(wire::check_declared_length, m)?)?;

    m.add("SERVER_TIME_HEADER", sigwire_core::SERVER_TIME_HEADER)?;
    m.add("SCHEME", sigwire_core::v1::NAME)?;
    m.add("DEFAULT_WINDOW", sigwire_core::DEFAULT_WINDOW)?;
    m.add(
        "DEFAULT_REPLAY_CAPACITY",
        sigwire_core::DEFAULT_REPLAY_CAPACITY,
    )?;
    m.add("MIN_SECRET_LEN", sigwire_core::MIN_SECRET_LEN)?;
    m.add("LARGE_BODY_THRESHOLD", convert::LARGE_BODY)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;

    // Every machine code with its HTTP status, straight from the core, so the Python exception
    // table can be checked against it (and never drifts).
    let statuses = PyDict::new(py);
    let mut codes = Vec::with_capacity(ErrorCode::EVERY.len());
    for code in ErrorCode::EVERY {
        statuses.set_item(code.as_str(), code.http_status())?;
        codes.push(code.as_str());
    }
    m.add("ERROR_CODES", PyTuple::new(py, codes)?)?;
    m.add("ERROR_STATUS", statuses)?;
    Ok(())
}
