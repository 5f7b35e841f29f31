//! Python arguments to the core's borrowed types: text, header lines, bodies and secrets.
//!
//! Wrong types raise `TypeError`; values that have a machine code (a lone surrogate in a URL or
//! header, a secret that is not bytes-like) raise the matching `SigwireError` subclass.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyMemoryView, PyString, PyTuple};
use sigwire_core::{Algorithm, ErrorCode, Request};

use crate::body::BodyDigest;
use crate::errors::{coded, CoreResultExt};

/// Bodies of at least this many bytes are hashed with the GIL released (64 KiB).
pub(crate) const LARGE_BODY: usize = 64 * 1024;

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

/// An optional `algorithm` argument (`None` or absent: the default, `hmac-sha256`). Not `str`:
/// `TypeError`; unknown: `UnsupportedAlgorithm`, without echoing the value.
pub(crate) fn algorithm(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Algorithm> {
    match obj.filter(|a| !a.is_none()) {
        Some(a) => sigwire_client::no_echo::algorithm(&text(
            a,
            "algorithm",
            ErrorCode::UnsupportedAlgorithm,
        )?)
        .py_err(py),
        None => Ok(Algorithm::default()),
    }
}

/// A `str` argument as Rust text. Not `str`: `TypeError`. A lone surrogate: `code`.
pub(crate) fn text(obj: &Bound<'_, PyAny>, what: &str, code: ErrorCode) -> PyResult<String> {
    let s = obj
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be str, not {}", type_name(obj))))?;
    s.to_cow()
        .map(std::borrow::Cow::into_owned)
        .map_err(|_| lone_surrogate(obj.py(), what, code))
}

fn lone_surrogate(py: Python<'_>, what: &str, code: ErrorCode) -> PyErr {
    coded(
        py,
        code,
        format!("{what} is not valid Unicode (it contains a lone surrogate)"),
    )
}

/// Text as UTF-8 without a Rust copy, for the per-call fast paths: a `str` is encoded once by
/// Python and its `bytes` borrowed (under abi3-py39 there is no borrowed view of a `str`, and
/// [`text`] copies those bytes again into a `String`); or text made here (a `bytes` header).
pub(crate) enum Text<'py> {
    /// `str.encode()`'s result.
    Encoded(Bound<'py, PyBytes>),
    /// Converted in Rust.
    Owned(String),
}

impl Text<'_> {
    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            // UTF-8 from CPython's encoder; checked again without `unsafe` (short text).
            Text::Encoded(b) => std::str::from_utf8(b.as_bytes()).unwrap_or_default(),
            Text::Owned(s) => s,
        }
    }
}

/// [`text`] as a [`Text`]: the same checks and errors.
pub(crate) fn encoded<'py>(
    obj: &Bound<'py, PyAny>,
    what: &str,
    code: ErrorCode,
) -> PyResult<Text<'py>> {
    let s = obj
        .cast::<PyString>()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be str, not {}", type_name(obj))))?;
    s.encode_utf8()
        .map(Text::Encoded)
        .map_err(|_| lone_surrogate(obj.py(), what, code))
}

/// A header name or value: `str`, or `bytes` read as Latin-1 (as HTTP libraries store raw bytes).
fn header_text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().iter().map(|&c| char::from(c)).collect());
    }
    if obj.is_instance_of::<PyString>() {
        return text(obj, what, ErrorCode::InvalidRequest);
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be str or bytes, not {}",
        type_name(obj)
    )))
}

/// [`header_text`] as a [`Text`] (a `str` is not copied in Rust).
fn header_encoded<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Text<'py>> {
    if obj.is_instance_of::<PyString>() {
        return encoded(obj, what, ErrorCode::InvalidRequest);
    }
    header_text(obj, what).map(Text::Owned)
}

fn header_pair<'py, T>(
    item: &Bound<'py, PyAny>,
    out: &mut Vec<(T, T)>,
    convert: impl Fn(&Bound<'py, PyAny>, &str) -> PyResult<T>,
) -> PyResult<()> {
    let (name, value) = if let Ok(t) = item.cast::<PyTuple>() {
        if t.len() != 2 {
            return Err(PyTypeError::new_err(
                "each header must be a (name, value) pair",
            ));
        }
        (t.get_item(0)?, t.get_item(1)?)
    } else if let Ok(l) = item.cast::<PyList>() {
        if l.len() != 2 {
            return Err(PyTypeError::new_err(
                "each header must be a (name, value) pair",
            ));
        }
        (l.get_item(0)?, l.get_item(1)?)
    } else {
        return Err(PyTypeError::new_err(format!(
            "each header must be a (name, value) pair, not {}",
            type_name(item)
        )));
    };
    out.push((
        convert(&name, "header name")?,
        convert(&value, "header value")?,
    ));
    Ok(())
}

/// Header lines in order. Accepts `None`, a `dict`/mapping, `httpx.Headers` (repeated lines kept
/// through `multi_items()`), or an iterable of `(name, value)` pairs.
pub(crate) fn headers(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    header_lines(obj, header_text)
}

/// [`headers`] as [`Text`] pairs (`str` names and values are not copied in Rust).
pub(crate) fn encoded_headers<'py>(
    obj: Option<&Bound<'py, PyAny>>,
) -> PyResult<Vec<(Text<'py>, Text<'py>)>> {
    header_lines(obj, header_encoded)
}

fn header_lines<'py, T>(
    obj: Option<&Bound<'py, PyAny>>,
    convert: impl Fn(&Bound<'py, PyAny>, &str) -> PyResult<T>,
) -> PyResult<Vec<(T, T)>> {
    let mut out = Vec::new();
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(out);
    };
    if let Ok(d) = obj.cast::<PyDict>() {
        out.reserve(d.len());
        for (k, v) in d.iter() {
            out.push((convert(&k, "header name")?, convert(&v, "header value")?));
        }
        return Ok(out);
    }
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "headers must be a mapping or a list of (name, value) pairs, not a string",
        ));
    }
    let py = obj.py();
    let iterable = if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        obj.clone()
    } else if obj.hasattr(pyo3::intern!(py, "multi_items"))? {
        obj.call_method0(pyo3::intern!(py, "multi_items"))?
    } else if obj.hasattr(pyo3::intern!(py, "items"))? {
        obj.call_method0(pyo3::intern!(py, "items"))?
    } else {
        obj.clone()
    };
    let iter = iterable.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "headers must be a mapping or a list of (name, value) pairs, not {}",
            type_name(obj)
        ))
    })?;
    for item in iter {
        header_pair(&item?, &mut out, &convert)?;
    }
    Ok(out)
}

/// A request body as the core sees it: the exact bytes, borrowed from Python where that is safe.
pub(crate) enum Body<'py> {
    /// No body.
    Empty,
    /// Immutable `bytes` (also a `str` encoded to UTF-8, or a whole-object `memoryview` of bytes).
    Shared(Bound<'py, PyBytes>),
    /// A `bytearray`, borrowed only while the GIL is held and no Python code runs.
    Mutable(Bound<'py, PyByteArray>),
    /// A private copy (large `bytearray`s, strided `memoryview`s).
    Owned(Vec<u8>),
}

impl<'py> Body<'py> {
    /// Reads a body argument: `None`, `bytes`, `bytearray`, `memoryview` or `str` (UTF-8).
    pub(crate) fn from_py(obj: Option<&Bound<'py, PyAny>>) -> PyResult<Self> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            return Ok(Body::Empty);
        };
        let py = obj.py();
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(Body::Shared(b.clone()));
        }
        if let Ok(s) = obj.cast::<PyString>() {
            return match s.encode_utf8() {
                Ok(b) => Ok(Body::Shared(b)),
                Err(_) => Err(coded(
                    py,
                    ErrorCode::InvalidRequest,
                    "body str is not valid Unicode (it contains a lone surrogate); pass bytes",
                )),
            };
        }
        if let Ok(b) = obj.cast::<PyByteArray>() {
            return Ok(Body::Mutable(b.clone()));
        }
        if let Ok(view) = obj.cast::<PyMemoryView>() {
            return Self::from_memoryview(view);
        }
        Err(PyTypeError::new_err(format!(
            "body must be bytes, bytearray, memoryview or str, not {}",
            type_name(obj)
        )))
    }

    /// A `memoryview` covering a whole `bytes`/`bytearray` object is read in place; any other
    /// view (a slice, strided, over another exporter) is copied once with `tobytes()`.
    fn from_memoryview(view: &Bound<'py, PyMemoryView>) -> PyResult<Self> {
        let py = view.py();
        let base = view.getattr(pyo3::intern!(py, "obj"))?;
        let contiguous: bool = view.getattr(pyo3::intern!(py, "c_contiguous"))?.extract()?;
        let nbytes: usize = view.getattr(pyo3::intern!(py, "nbytes"))?.extract()?;
        if contiguous {
            if let Ok(b) = base.cast::<PyBytes>() {
                if b.as_bytes().len() == nbytes {
                    return Ok(Body::Shared(b.clone()));
                }
            } else if let Ok(b) = base.cast::<PyByteArray>() {
                if b.len() == nbytes {
                    return Ok(Body::Mutable(b.clone()));
                }
            }
        }
        let copy = view
            .call_method0(pyo3::intern!(py, "tobytes"))?
            .cast_into::<PyBytes>()?;
        Ok(Body::Shared(copy))
    }

    /// Replaces a borrowed `bytearray` by a copy: required when Python code may run while the
    /// bytes are in use (a Python replay store), since that code could resize the array.
    pub(crate) fn detach_mutable(self) -> Self {
        match self {
            Body::Mutable(b) => Body::Owned(b.to_vec()),
            other => other,
        }
    }

    /// Runs `f` over the body bytes. Bodies of [`LARGE_BODY`] bytes or more run with the GIL
    /// released so other Python threads progress while they are hashed.
    pub(crate) fn with_bytes<R, F>(&self, py: Python<'py>, f: F) -> R
    where
        F: Send + FnOnce(&[u8]) -> R,
        R: Send,
    {
        match self {
            Body::Empty => f(&[]),
            Body::Shared(b) => {
                // `bytes` is immutable and `b` keeps it alive, so the slice stays valid
                // without the GIL.
                let bytes = b.as_bytes();
                if bytes.len() >= LARGE_BODY {
                    py.detach(|| f(bytes))
                } else {
                    f(bytes)
                }
            }
            Body::Mutable(b) => {
                if b.len() >= LARGE_BODY {
                    // Another thread could resize the array once the GIL is released: hash a copy.
                    let copy = b.to_vec();
                    py.detach(|| f(&copy))
                } else {
                    // SAFETY: the GIL is held for the whole call and `f` is pure Rust that runs no
                    // Python code (bodies that may meet Python code are copied first by
                    // `detach_mutable`), so nothing can mutate or resize the array meanwhile.
                    #[allow(unsafe_code)]
                    let bytes = unsafe { b.as_bytes() };
                    f(bytes)
                }
            }
            Body::Owned(v) => {
                if v.len() >= LARGE_BODY {
                    py.detach(|| f(v))
                } else {
                    f(v)
                }
            }
        }
    }
}

/// A `body=` argument of `sign`/`verify`/`authenticate`: the bytes, or a
/// [`BodyDigest`] standing for a body that is not in memory (hashed while it was streamed).
pub(crate) enum SignedBody<'py> {
    /// The body bytes.
    Bytes(Body<'py>),
    /// The body's digest (algorithm, lowercase hex).
    Digest(Algorithm, String),
}

impl<'py> SignedBody<'py> {
    /// Reads a body argument: a `BodyDigest`, or anything [`Body::from_py`] takes.
    pub(crate) fn from_py(obj: Option<&Bound<'py, PyAny>>) -> PyResult<Self> {
        if let Some(digest) = obj.and_then(|o| o.cast::<BodyDigest>().ok()) {
            let digest = digest.get();
            return Ok(SignedBody::Digest(digest.algorithm, digest.hex.clone()));
        }
        Ok(SignedBody::Bytes(Body::from_py(obj)?))
    }

    /// The digest's algorithm, for a precomputed body.
    pub(crate) fn digest_algorithm(&self) -> Option<Algorithm> {
        match self {
            SignedBody::Digest(algorithm, _) => Some(*algorithm),
            SignedBody::Bytes(_) => None,
        }
    }

    /// See [`Body::detach_mutable`].
    pub(crate) fn detach_mutable(self) -> Self {
        match self {
            SignedBody::Bytes(body) => SignedBody::Bytes(body.detach_mutable()),
            digest => digest,
        }
    }

    /// Runs `f` over `head` completed with the body: its bytes ([`Body::with_bytes`], the GIL
    /// released for large ones) or its precomputed digest.
    pub(crate) fn with_request<R, F>(&self, py: Python<'py>, head: Request<'_>, f: F) -> R
    where
        F: Send + for<'r> FnOnce(Request<'r>) -> R,
        R: Send,
    {
        match self {
            SignedBody::Bytes(body) => body.with_bytes(py, move |bytes| f(head.body(bytes))),
            SignedBody::Digest(algorithm, hex) => f(head.precomputed_body_digest(*algorithm, hex)),
        }
    }
}

/// A secret: `bytes`, `bytearray`, `memoryview` or `str` (UTF-8). Copied into Rust memory,
/// where the core zeroizes it on drop; no Python object keeps a reference to it.
pub(crate) fn secret(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let py = obj.py();
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return match s.encode_utf8() {
            Ok(b) => Ok(b.as_bytes().to_vec()),
            Err(_) => Err(coded(
                py,
                ErrorCode::InvalidSecret,
                "secret str is not valid Unicode (lone surrogate)",
            )),
        };
    }
    if obj.is_instance_of::<PyMemoryView>() {
        let b = obj
            .call_method0(pyo3::intern!(py, "tobytes"))?
            .cast_into::<PyBytes>()?;
        return Ok(b.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "secret must be bytes, bytearray, memoryview or str, not {}",
        type_name(obj)
    )))
}

/// Borrowed `(name, value)` views of owned header lines, for `Request::headers`.
pub(crate) fn header_refs(lines: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    lines.iter().map(|(n, v)| (n.as_str(), v.as_str()))
}
