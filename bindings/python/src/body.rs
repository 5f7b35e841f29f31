//! `sigwire.BodyHasher` and `sigwire.BodyDigest`: the core's incremental body digest
//! (`sigwire_core::signing::BodyHasher`), so a body that is never whole in memory (a file, an
//! iterator, an upload spooled to disk) is signed and verified by its digest.

use pyo3::prelude::*;
use pyo3::types::PyAny;
use sigwire_core::{signing, Algorithm, ErrorCode};

use crate::convert::{self, Body};
use crate::errors::coded;

/// An incremental body digest: feed the body with :meth:`update` in pieces of any size, then
/// :meth:`finish` gives the :class:`BodyDigest` to pass as ``body=`` to ``Signer.sign`` or
/// ``Verifier.verify``/``authenticate`` instead of the bytes.
///
/// ``BodyHasher(algorithm="hmac-sha256")``: the algorithm the request is (or was) signed with
/// (SHA-256 for ``hmac-sha256``, SHA-512 for ``hmac-sha512``). Pieces of 64 KiB or more are
/// hashed with the GIL released.
///
/// >>> h = BodyHasher()
/// >>> h.update(b'{"amount":'); h.update(b"100}")
/// >>> h.finish().size
/// 14
#[pyclass(module = "sigwire", name = "BodyHasher")]
pub struct BodyHasher {
    inner: Option<signing::BodyHasher>,
    algorithm: Algorithm,
}

#[pymethods]
impl BodyHasher {
    #[new]
    #[pyo3(signature = (algorithm = None), text_signature = "(algorithm='hmac-sha256')")]
    fn new(py: Python<'_>, algorithm: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let algorithm = convert::algorithm(py, algorithm)?;
        Ok(BodyHasher {
            inner: Some(signing::BodyHasher::new(algorithm)),
            algorithm,
        })
    }

    /// Adds the next piece of the body: ``bytes``, ``bytearray``, ``memoryview`` or ``str``
    /// (UTF-8). Raises ``InvalidRequest`` after :meth:`finish`.
    fn update(&mut self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let Some(hasher) = self.inner.as_mut() else {
            return Err(finished(py));
        };
        let body = Body::from_py(Some(data))?;
        body.with_bytes(py, |bytes| hasher.update(bytes));
        Ok(())
    }

    /// The digest of every piece added, in order; the hasher cannot be used afterwards.
    fn finish(&mut self, py: Python<'_>) -> PyResult<BodyDigest> {
        let hasher = self.inner.take().ok_or_else(|| finished(py))?;
        let digest = hasher.finish();
        Ok(BodyDigest {
            algorithm: digest.algorithm(),
            hex: digest.as_str().to_owned(),
            size: digest.len(),
        })
    }

    /// How many bytes were added so far.
    #[getter]
    fn size(&self) -> u64 {
        self.inner.as_ref().map_or(0, signing::BodyHasher::len)
    }

    /// The algorithm name, ``"hmac-sha256"`` or ``"hmac-sha512"``.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.algorithm.as_str()
    }

    fn __repr__(&self) -> String {
        format!(
            "BodyHasher(algorithm='{}', size={}, finished={})",
            self.algorithm.as_str(),
            self.size(),
            if self.inner.is_none() {
                "True"
            } else {
                "False"
            }
        )
    }
}

fn finished(py: Python<'_>) -> PyErr {
    coded(
        py,
        ErrorCode::InvalidRequest,
        "this BodyHasher is finished; make a new one for another body",
    )
}

/// A finished body digest: pass it as ``body=`` to ``Signer.sign``, ``Verifier.verify`` or
/// ``Verifier.authenticate`` to sign or verify a body that is not in memory. The signature is
/// the one the whole body would give, when the request is signed with :attr:`algorithm`.
#[pyclass(module = "sigwire", name = "BodyDigest", frozen)]
pub struct BodyDigest {
    pub(crate) algorithm: Algorithm,
    pub(crate) hex: String,
    size: u64,
}

#[pymethods]
impl BodyDigest {
    /// The algorithm name the digest belongs to.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.algorithm.as_str()
    }

    /// The digest, lowercase hex.
    #[getter]
    fn hex(&self) -> &str {
        &self.hex
    }

    /// The body's length in bytes.
    #[getter]
    fn size(&self) -> u64 {
        self.size
    }

    fn __repr__(&self) -> String {
        format!(
            "BodyDigest(algorithm='{}', hex='{}', size={})",
            self.algorithm.as_str(),
            self.hex,
            self.size
        )
    }
}
