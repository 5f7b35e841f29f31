//! `sigwire.Signer`: forwards to `sigwire_core::Signer`.

use pyo3::prelude::*;
use pyo3::types::{PyAny, PyDict};
use sigwire_client::no_echo;
use sigwire_core::{ErrorCode, Request, SignOptions, Signature, SignedHeaderPolicy};

use crate::convert::{self, SignedBody};
use crate::errors::{coded, CoreResultExt};

/// Signs HTTP requests for one key id with ``sigwire-v1``.
///
/// ``Signer(key_id, secret, algorithm="hmac-sha256", signed_headers=None, *,
/// signed_header_policy="listed")``
///
/// * ``key_id``: the public key id (1-128 characters of ``A-Z a-z 0-9 - . _ ~ + / = : @``).
/// * ``secret``: at least 16 bytes (``bytes``, ``bytearray``, ``memoryview`` or UTF-8 ``str``).
///   It is copied into Rust memory and never shown by ``repr()`` or any exception.
/// * ``algorithm``: ``"hmac-sha256"`` (default) or ``"hmac-sha512"``.
/// * ``signed_headers``: extra header names to sign after ``host`` (and ``content-type``).
/// * ``signed_header_policy``: ``"listed"`` (default: host, content-type and ``signed_headers``)
///   or ``"all-end-to-end"``: also every other header present when signing (hop-by-hop headers,
///   ``Connection``-named ones, ``Content-Length``, ``Expect`` and ``Authorization`` excepted), so a
///   header added on the path (``X-HTTP-Method-Override: DELETE``) breaks the signature. Set every
///   header you send before signing; a repeated or non-ASCII header is ``InvalidRequest``.
///
/// Raises ``InvalidKeyId``, ``InvalidSecret``, ``UnsupportedAlgorithm`` or ``InvalidRequest``
/// (a bad header name).
///
/// >>> signer = Signer("client-1", b"0123456789abcdef0123456789abcdef")
/// >>> signer.sign("GET", "https://api.example.com/v1/orders?limit=10")["Authorization"][:27]
/// 'HMAC apiKey="client-1", alg'
#[pyclass(module = "sigwire", name = "Signer", frozen)]
pub struct Signer {
    inner: sigwire_core::Signer,
    extra_headers: Vec<String>,
}

impl Signer {
    /// Signs with optional fixed timestamp and nonce; the body is hashed without the GIL when large.
    #[allow(clippy::too_many_arguments)]
    fn signature(
        &self,
        py: Python<'_>,
        method: &Bound<'_, PyAny>,
        url: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        timestamp: Option<u64>,
        nonce: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Signature> {
        let method = convert::text(method, "method", ErrorCode::InvalidRequest)?;
        let url = convert::text(url, "url", ErrorCode::InvalidRequest)?;
        let lines = convert::headers(headers)?;
        let nonce = match nonce.filter(|n| !n.is_none()) {
            Some(n) => Some(convert::text(n, "nonce", ErrorCode::InvalidRequest)?),
            None => None,
        };
        let body = SignedBody::from_py(body)?;
        if let Some(algorithm) = body.digest_algorithm() {
            if algorithm != self.inner.algorithm() {
                return Err(coded(
                    py,
                    ErrorCode::InvalidRequest,
                    format!(
                        "the BodyDigest is for {} but this Signer signs with {}; hash the body with BodyHasher(\"{}\")",
                        algorithm.as_str(),
                        self.inner.algorithm().as_str(),
                        self.inner.algorithm().as_str()
                    ),
                ));
            }
        }
        let inner = &self.inner;
        let head = Request::new(&method, &url).headers(convert::header_refs(&lines));
        body.with_request(py, head, |request| {
            let mut options = SignOptions::default();
            options.timestamp = timestamp;
            options.nonce = nonce.as_deref();
            inner
                .sign_with(&request, &options)
                .map_err(|e| no_echo::header_names(e, &self.extra_headers, "signed_headers"))
        })
        .py_err(py)
    }
}

#[pymethods]
impl Signer {
    #[new]
    #[pyo3(
        signature = (key_id, secret, algorithm = None, signed_headers = None, *, signed_header_policy = None),
        text_signature = "(key_id, secret, algorithm='hmac-sha256', signed_headers=None, *, signed_header_policy='listed')"
    )]
    fn new(
        py: Python<'_>,
        key_id: &Bound<'_, PyAny>,
        secret: &Bound<'_, PyAny>,
        algorithm: Option<&Bound<'_, PyAny>>,
        signed_headers: Option<Vec<String>>,
        signed_header_policy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let key_id = convert::text(key_id, "key_id", ErrorCode::InvalidKeyId)?;
        let secret = convert::secret(secret)?;
        let algorithm = convert::algorithm(py, algorithm)?;
        let policy: SignedHeaderPolicy = match signed_header_policy.filter(|p| !p.is_none()) {
            Some(p) => convert::text(p, "signed_header_policy", ErrorCode::InvalidConfig)?
                .parse()
                .py_err(py)?,
            None => SignedHeaderPolicy::default(),
        };
        let extra_headers = signed_headers.unwrap_or_default();
        let inner = sigwire_core::Signer::new(&key_id, secret)
            .py_err(py)?
            .with_algorithm(algorithm)
            .with_signed_headers(extra_headers.iter().cloned())
            .map_err(|e| no_echo::header_names(e, &extra_headers, "signed_headers"))
            .py_err(py)?
            .with_header_policy(policy);
        Ok(Signer {
            inner,
            extra_headers,
        })
    }

    /// Signs a request and returns the headers to add: ``{"Authorization": "HMAC apiKey=..."}``.
    ///
    /// ``method`` and ``url`` must be exactly what is sent (the final URL, query included).
    /// ``headers`` is a mapping or a list of ``(name, value)`` pairs (repeated names allowed) and
    /// must contain every signed header. ``body`` is the exact bytes sent: ``bytes``,
    /// ``bytearray``, ``memoryview`` or ``str`` (signed as UTF-8); ``None`` means empty; or a
    /// :class:`BodyDigest` (from :class:`BodyHasher`, same algorithm) for a body streamed
    /// from a file or an iterator.
    /// ``timestamp`` (Unix seconds) and ``nonce`` default to now and a fresh 128-bit nonce.
    ///
    /// Bodies of 64 KiB or more are hashed with the GIL released.
    /// Raises ``InvalidRequest`` when the request cannot be canonicalised, ``TypeError`` for
    /// arguments of the wrong type.
    #[pyo3(
        signature = (method, url, headers = None, body = None, *, timestamp = None, nonce = None),
        text_signature = "($self, method, url, headers=None, body=b'', *, timestamp=None, nonce=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn sign<'py>(
        &self,
        py: Python<'py>,
        method: &Bound<'py, PyAny>,
        url: &Bound<'py, PyAny>,
        headers: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
        timestamp: Option<u64>,
        nonce: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let signed = self.signature(py, method, url, headers, body, timestamp, nonce)?;
        let out = PyDict::new(py);
        out.set_item(pyo3::intern!(py, "Authorization"), signed.authorization)?;
        Ok(out)
    }

    /// The canonical string that would be signed, for debugging a ``SignatureMismatch``:
    /// compare it with the server's. It contains no secret. Same arguments as :meth:`sign`.
    #[pyo3(
        signature = (method, url, headers = None, body = None, *, timestamp = None, nonce = None),
        text_signature = "($self, method, url, headers=None, body=b'', *, timestamp=None, nonce=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn canonical_string(
        &self,
        py: Python<'_>,
        method: &Bound<'_, PyAny>,
        url: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        timestamp: Option<u64>,
        nonce: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        Ok(self
            .signature(py, method, url, headers, body, timestamp, nonce)?
            .canonical_string)
    }

    /// The key id.
    #[getter]
    fn key_id(&self) -> &str {
        self.inner.key_id()
    }

    /// The algorithm name, ``"hmac-sha256"`` or ``"hmac-sha512"``.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.inner.algorithm().as_str()
    }

    /// The signed-header policy, ``"listed"`` or ``"all-end-to-end"``.
    #[getter]
    fn signed_header_policy(&self) -> &'static str {
        self.inner.header_policy().as_str()
    }

    /// The extra signed header names given at construction.
    #[getter]
    fn signed_headers(&self) -> Vec<String> {
        self.extra_headers.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // Key ids and algorithm names are plain ASCII without quotes; header names go through
        // Python's repr. The secret is never shown.
        let headers = pyo3::types::PyList::new(py, &self.extra_headers)?.repr()?;
        Ok(format!(
            "Signer(key_id='{}', algorithm='{}', signed_headers={}, secret=<redacted>)",
            self.inner.key_id(),
            self.inner.algorithm().as_str(),
            headers
        ))
    }
}
