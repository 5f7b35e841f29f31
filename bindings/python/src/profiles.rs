//! `sigwire._native._profiles`: the signing profiles of `sigwire_core::profiles` (AWS SigV4,
//! RFC 9421, exchange presets, webhooks).
//!
//! Host-value mapping and error mapping only: every byte that is signed or compared is decided
//! by the core, and every argument is checked and converted by `sigwire-profile-args` (the same
//! crate under the Node and browser bindings, so each runtime refuses the same input alike). The idiomatic classes (`sigwire.profiles.Binance`, `AwsSigV4`, `verify_webhook`,
//! …) are pure Python in `sdk-python/python/sigwire/profiles.py`; they call the functions and
//! classes here. A [`ProfileError`] becomes the `sigwire.profiles.ProfileError` subclass of its
//! machine code in one place, [`profile_err`]; messages come from the core and never contain a
//! secret.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyAny, PyDict, PyList, PyString};
use sigwire_core::profiles::aws_sigv4::{AwsSigV4 as CoreAwsSigV4, AwsSigV4Verifier};
use sigwire_core::profiles::rfc9421::{
    Component, Response, Rfc9421 as CoreRfc9421, Rfc9421Verified,
    Rfc9421Verifier as CoreRfc9421Verifier,
};
use sigwire_core::profiles::webhooks::{WebhookSecret, WebhookVerified};
use sigwire_core::profiles::{ProfileError, ProfileErrorCode, SigningInstructions};
use sigwire_core::{ErrorCode, Request};
use sigwire_profile_args as args;

use crate::convert::{self, Body};

static FROM_PROFILE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Converts a core [`ProfileError`] into the `sigwire.profiles` exception class of its code
/// (built by `sigwire.profiles._from_profile_error(code, message)`).
pub(crate) fn profile_err(py: Python<'_>, err: &ProfileError) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let factory = FROM_PROFILE.get_or_try_init(py, || {
            py.import("sigwire.profiles")?
                .getattr("_from_profile_error")
                .map(Bound::unbind)
        })?;
        let exc = factory
            .bind(py)
            .call1((err.code().as_str(), err.message()))?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|import_err| {
        let fallback =
            PyRuntimeError::new_err(format!("{}: {}", err.code().as_str(), err.message()));
        fallback.set_cause(py, Some(import_err));
        fallback
    })
}

/// `Result<T, ProfileError>` to `PyResult<T>` through [`profile_err`].
trait ProfileResultExt<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> ProfileResultExt<T> for Result<T, ProfileError> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| profile_err(py, &e))
    }
}

/// Header or query instructions as `(name, value, sensitive)` triples.
type Triples = Vec<(String, String, bool)>;

/// What a response signer returns: the signed header lines, the header instructions, the base.
type SignedResponse = (Vec<(String, String)>, Triples, String);

/// What every request signer returns: the signed URL, the signed header lines, and the
/// instructions that produced them (headers, then query parameters).
type Signed = (String, Vec<(String, String)>, Triples, Triples);

fn triples(params: &[sigwire_core::profiles::Param]) -> Triples {
    params
        .iter()
        .map(|p| (p.name().to_owned(), p.value().to_owned(), p.sensitive()))
        .collect()
}

fn applied(ins: &SigningInstructions, url: &str, lines: &[(String, String)]) -> Signed {
    (
        ins.apply_to_url(url),
        ins.apply_to_headers(lines),
        triples(ins.headers()),
        triples(ins.query_params()),
    )
}

/// The request arguments every signer and verifier takes, converted once.
struct Message<'py> {
    method: String,
    url: String,
    lines: Vec<(String, String)>,
    body: Body<'py>,
}

impl<'py> Message<'py> {
    fn from_py(
        method: &Bound<'py, PyAny>,
        url: &Bound<'py, PyAny>,
        headers: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Self> {
        Ok(Message {
            method: convert::text(method, "method", ErrorCode::InvalidRequest)?,
            url: convert::text(url, "url", ErrorCode::InvalidRequest)?,
            lines: convert::headers(headers)?,
            body: Body::from_py(body)?,
        })
    }

    /// Runs `f` over the core request (body bytes included).
    fn with_request<R: Send>(
        &self,
        py: Python<'py>,
        f: impl Send + FnOnce(&Request<'_>) -> R,
    ) -> R {
        let (method, url, lines) = (&self.method, &self.url, &self.lines);
        self.body.with_bytes(py, |bytes| {
            let request = Request::new(method, url)
                .headers(convert::header_refs(lines))
                .body(bytes);
            f(&request)
        })
    }
}

/// A verifier's keys from a Python `dict` of key id to secret: every id is `str`
/// (`InvalidKeyId` otherwise) and each value is converted by `secret(value)`; the pairs are then
/// checked when the verifier is built, not at the first request.
fn key_pairs<T>(
    dict: &Bound<'_, PyDict>,
    what: &str,
    secret: impl Fn(&Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<Vec<(String, T)>> {
    dict.iter()
        .map(|(k, v)| {
            Ok((
                convert::text(&k, what, ErrorCode::InvalidKeyId)?,
                secret(&v)?,
            ))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Exchange presets

/// One exchange preset (`kind` = `binance`, `coinbase`, `kraken`, `okx` or `bybit`).
/// Python: `sigwire.profiles.Binance(...)` and siblings.
#[pyclass(module = "sigwire.profiles", name = "_Exchange", frozen)]
pub struct Exchange {
    inner: args::Exchange,
}

#[pymethods]
impl Exchange {
    #[new]
    #[pyo3(signature = (kind, api_key, secret, *, passphrase = None, recv_window = None, simulated_trading = false))]
    fn new(
        py: Python<'_>,
        kind: &str,
        api_key: &str,
        secret: &Bound<'_, PyString>,
        passphrase: Option<String>,
        recv_window: Option<u64>,
        simulated_trading: bool,
    ) -> PyResult<Self> {
        let secret = convert::text(secret.as_any(), "secret", ErrorCode::InvalidSecret)?;
        // Python's `recv_window=None` adds none (Binance); the classes pass 5000 by default.
        let recv = recv_window.map_or(args::RecvWindow::Omit, args::RecvWindow::Millis);
        let options = args::ExchangeOptions::new(passphrase, recv, simulated_trading);
        let inner = args::Exchange::new(kind, api_key, &secret, &options).py_err(py)?;
        Ok(Exchange { inner })
    }

    /// Signs at `timestamp_ms` (Unix milliseconds; Coinbase uses whole seconds of it).
    #[pyo3(signature = (method, url, headers, body, timestamp_ms))]
    fn sign<'py>(
        &self,
        py: Python<'py>,
        method: &Bound<'py, PyAny>,
        url: &Bound<'py, PyAny>,
        headers: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
        timestamp_ms: u64,
    ) -> PyResult<Signed> {
        let m = Message::from_py(method, url, headers, body)?;
        let ins = m
            .with_request(py, |r| self.inner.sign(r, timestamp_ms))
            .py_err(py)?;
        Ok(applied(&ins, &m.url, &m.lines))
    }

    /// Kraken: the next strictly increasing nonce for this key at `now_ms`.
    fn next_nonce(&self, py: Python<'_>, now_ms: u64) -> PyResult<u64> {
        self.inner.next_nonce(now_ms).py_err(py)
    }

    /// Kraken: the form body `nonce=<nonce>&k=v…` to send and sign.
    #[staticmethod]
    fn kraken_body(nonce: u64, params: Vec<(String, String)>) -> String {
        args::kraken_body(nonce, &convert::header_refs(&params).collect::<Vec<_>>())
    }

    /// The API key (not secret).
    #[getter]
    fn api_key(&self) -> &str {
        self.inner.api_key()
    }
}

// ---------------------------------------------------------------------------------------------
// AWS SigV4

/// AWS SigV4 for one set of credentials, region and service. Python: `sigwire.profiles.AwsSigV4`.
#[pyclass(module = "sigwire.profiles", name = "_AwsSigV4", frozen)]
pub struct AwsSigV4 {
    inner: CoreAwsSigV4,
}

#[pymethods]
impl AwsSigV4 {
    #[new]
    #[pyo3(signature = (access_key_id, secret_access_key, region, service, *, session_token = None, s3 = false, sign_session_token = true))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        access_key_id: &str,
        secret_access_key: &Bound<'_, PyString>,
        region: &str,
        service: &str,
        session_token: Option<&Bound<'_, PyString>>,
        s3: bool,
        sign_session_token: bool,
    ) -> PyResult<Self> {
        let secret = convert::text(
            secret_access_key.as_any(),
            "secret_access_key",
            ErrorCode::InvalidSecret,
        )?;
        let token = session_token
            .map(|t| convert::text(t.as_any(), "session_token", ErrorCode::InvalidSecret))
            .transpose()?;
        let o = args::AwsOptions::new(s3, sign_session_token, None);
        let inner =
            args::aws_signer(access_key_id, secret, token, region, service, &o).py_err(py)?;
        Ok(AwsSigV4 { inner })
    }

    /// Signs at `unix_time` (seconds). `presign_expires` signs a presigned URL valid that many
    /// seconds; `unsigned_payload` signs `UNSIGNED-PAYLOAD` instead of the body's hash.
    /// Returns the signed request plus `(canonical_request, string_to_sign)`.
    #[pyo3(signature = (method, url, headers, body, unix_time, *, unsigned_payload = false, presign_expires = None))]
    #[allow(clippy::too_many_arguments)]
    fn sign<'py>(
        &self,
        py: Python<'py>,
        method: &Bound<'py, PyAny>,
        url: &Bound<'py, PyAny>,
        headers: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
        unix_time: u64,
        unsigned_payload: bool,
        presign_expires: Option<u64>,
    ) -> PyResult<(Signed, String, String)> {
        let m = Message::from_py(method, url, headers, body)?;
        let how = args::AwsSign::new(unsigned_payload, presign_expires);
        let out = m
            .with_request(py, |r| how.sign(&self.inner, r, unix_time))
            .py_err(py)?;
        Ok((
            applied(out.instructions(), &m.url, &m.lines),
            out.canonical_request().to_owned(),
            out.string_to_sign().to_owned(),
        ))
    }

    /// The fast path of `sign` in headers: only what a caller sends, `(url, header lines,
    /// rest)` (`args::sent`: the instructions applied as `apply_to_headers` does). `rest`
    /// keeps this request (its converted arguments, not the caller's objects) to give the
    /// instructions and stages later: `rest.finish(body)` signs it again at the same
    /// `unix_time` — the same bytes, SigV4 has no nonce. Pass `body` as `bytes`, and the same
    /// `bytes` to `finish`. `unix_time` `None` is now (the clock is read here).
    #[pyo3(signature = (method, url, headers, body, unix_time, unsigned_payload = false))]
    #[allow(clippy::too_many_arguments)]
    fn sign_headers<'py>(
        slf: &Bound<'py, Self>,
        method: &Bound<'py, PyAny>,
        url: &Bound<'py, PyAny>,
        headers: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
        unix_time: Option<u64>,
        unsigned_payload: bool,
    ) -> PyResult<(Bound<'py, PyString>, Bound<'py, PyList>, AwsRest)> {
        let py = slf.py();
        let unix_time = unix_time.unwrap_or_else(args::unix_now);
        let m = Message::from_py(method, url, headers, body)?;
        let how = args::AwsSign::new(unsigned_payload, None);
        let signer = &slf.get().inner;
        let out = m
            .with_request(py, |r| how.sign(signer, r, unix_time))
            .py_err(py)?;
        let lines = convert::header_refs(&m.lines).collect::<Vec<_>>();
        let (signed_url, fields) = args::sent(out.instructions(), &m.url, &lines);
        let list = PyList::empty(py);
        for pair in fields.chunks_exact(2) {
            if let [name, value] = pair {
                list.append((*name, *value))?;
            }
        }
        let signed_url = PyString::new(py, &signed_url);
        let rest = AwsRest {
            signer: slf.clone().unbind(),
            method: m.method,
            url: m.url,
            lines: m.lines,
            unix_time,
            unsigned_payload,
        };
        Ok((signed_url, list, rest))
    }

    /// Signs in headers like `AwsSigV4.sign` and returns only the headers signing sets:
    /// `X-Amz-Date` and `Authorization`, plus `X-Amz-Security-Token` with a session token and
    /// `x-amz-content-sha256` under the S3 rules. Set each on the request you send, replacing
    /// any header of the same name (as botocore's `SigV4Auth.add_auth` does), and send exactly
    /// `body`. `timestamp`: Unix seconds (default now).
    ///
    /// The fastest way to sign: one native call and one small dict. (This is
    /// `AwsSigV4.auth_headers` itself: each `AwsSigV4` binds it under that name, so `help()`
    /// shows this text.)
    #[pyo3(signature = (method, url, headers = None, body = None, *, timestamp = None, unsigned_payload = false))]
    #[allow(clippy::too_many_arguments)]
    fn auth_headers<'py>(
        &self,
        py: Python<'py>,
        method: &Bound<'py, PyAny>,
        url: &Bound<'py, PyAny>,
        headers: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
        timestamp: Option<u64>,
        unsigned_payload: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        // Borrowed text (`convert::Text`): this call copies no argument string in Rust.
        let method = convert::encoded(method, "method", ErrorCode::InvalidRequest)?;
        let url = convert::encoded(url, "url", ErrorCode::InvalidRequest)?;
        let lines = convert::encoded_headers(headers)?;
        let body = Body::from_py(body)?;
        let t = timestamp.unwrap_or_else(args::unix_now);
        let request = Request::new(method.as_str(), url.as_str())
            .headers(lines.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let out = body
            .with_bytes(py, |bytes| {
                let request = request.body(bytes);
                args::AwsSign::new(unsigned_payload, None).sign(&self.inner, &request, t)
            })
            .py_err(py)?;
        let set = PyDict::new(py);
        for p in out.instructions().headers() {
            set.set_item(aws_header_name(py, p.name()), p.value())?;
        }
        Ok(set)
    }

    /// The access key id (not secret).
    #[getter]
    fn access_key_id(&self) -> &str {
        self.inner.access_key_id()
    }
}

/// A header name SigV4 sets, as an interned Python `str` (made once per process).
fn aws_header_name<'py>(py: Python<'py>, name: &str) -> Bound<'py, PyString> {
    match name {
        "X-Amz-Date" => pyo3::intern!(py, "X-Amz-Date").clone(),
        "Authorization" => pyo3::intern!(py, "Authorization").clone(),
        "X-Amz-Security-Token" => pyo3::intern!(py, "X-Amz-Security-Token").clone(),
        "x-amz-content-sha256" => pyo3::intern!(py, "x-amz-content-sha256").clone(),
        other => PyString::new(py, other),
    }
}

/// What `_AwsSigV4.sign_headers` left for later: its request, converted, to sign again.
#[pyclass(module = "sigwire.profiles", name = "_AwsRest", frozen)]
pub struct AwsRest {
    signer: Py<AwsSigV4>,
    method: String,
    url: String,
    lines: Vec<(String, String)>,
    unix_time: u64,
    unsigned_payload: bool,
}

#[pymethods]
impl AwsRest {
    /// `(header params, query params, canonical_request, string_to_sign)` of the same request
    /// signed again with `body` (the `bytes` given to `sign_headers`).
    fn finish<'py>(
        &self,
        py: Python<'py>,
        body: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(Triples, Triples, String, String)> {
        let body = Body::from_py(body)?;
        let how = args::AwsSign::new(self.unsigned_payload, None);
        let signer = &self.signer.get().inner;
        let out = body
            .with_bytes(py, |bytes| {
                let request = Request::new(&self.method, &self.url)
                    .headers(convert::header_refs(&self.lines))
                    .body(bytes);
                how.sign(signer, &request, self.unix_time)
            })
            .py_err(py)?;
        Ok((
            triples(out.instructions().headers()),
            triples(out.instructions().query_params()),
            out.canonical_request().to_owned(),
            out.string_to_sign().to_owned(),
        ))
    }
}

/// Verifies SigV4 requests (headers or presigned). Python: `sigwire.profiles.AwsSigV4Verifier`.
#[pyclass(module = "sigwire.profiles", name = "_AwsSigV4Verifier", frozen)]
pub struct AwsVerifier {
    inner: AwsSigV4Verifier<args::AwsLookup>,
}

#[pymethods]
impl AwsVerifier {
    #[new]
    #[pyo3(signature = (region, service, credentials, *, s3 = false, max_clock_skew = None))]
    fn new(
        py: Python<'_>,
        region: &str,
        service: &str,
        credentials: &Bound<'_, PyDict>,
        s3: bool,
        max_clock_skew: Option<u64>,
    ) -> PyResult<Self> {
        let keys = key_pairs(credentials, "access key id", |v| {
            convert::text(v, "secret access key", ErrorCode::InvalidSecret)
        })?;
        let o = args::AwsOptions::new(s3, true, max_clock_skew);
        let inner = args::aws_verifier(region, service, keys, &o).py_err(py)?;
        Ok(AwsVerifier { inner })
    }

    /// Verifies at `now` (Unix seconds): `(access_key_id, signed_headers, presigned, signed_at)`.
    fn verify<'py>(
        &self,
        py: Python<'py>,
        method: &Bound<'py, PyAny>,
        url: &Bound<'py, PyAny>,
        headers: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
        now: u64,
    ) -> PyResult<(String, Vec<String>, bool, u64)> {
        let m = Message::from_py(method, url, headers, body)?;
        let v = m
            .with_request(py, |r| self.inner.verify(r, now))
            .py_err(py)?;
        Ok((v.access_key_id, v.signed_headers, v.presigned, v.signed_at))
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 9421

fn verified_tuple(v: Rfc9421Verified) -> Rfc9421Tuple {
    (
        v.label,
        v.key_id,
        v.created,
        v.expires,
        v.nonce,
        v.tag,
        v.components.iter().map(Component::to_string).collect(),
    )
}

type Rfc9421Tuple = (
    String,
    String,
    u64,
    Option<u64>,
    Option<String>,
    Option<String>,
    Vec<String>,
);

/// Runs `f` over the response (status checked, header lines, body bytes).
fn with_response<'py, R: Send>(
    py: Python<'py>,
    status: u16,
    lines: &[(String, String)],
    body: &Body<'py>,
    f: impl Send + FnOnce(&Response<'_>) -> Result<R, ProfileError>,
) -> Result<R, ProfileError> {
    body.with_bytes(py, |bytes| {
        f(&args::response(
            u64::from(status),
            convert::header_refs(lines),
            bytes,
        )?)
    })
}

/// An RFC 9421 `hmac-sha256` signer. Python: `sigwire.profiles.Rfc9421`.
#[pyclass(module = "sigwire.profiles", name = "_Rfc9421", frozen)]
pub struct Rfc9421 {
    inner: CoreRfc9421,
}

#[pymethods]
impl Rfc9421 {
    #[new]
    #[pyo3(signature = (key_id, secret, *, label = None, components = None, expires_in = None, include_alg = false, tag = None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        key_id: &str,
        secret: &Bound<'_, PyAny>,
        label: Option<String>,
        components: Option<Vec<String>>,
        expires_in: Option<u64>,
        include_alg: bool,
        tag: Option<String>,
    ) -> PyResult<Self> {
        let secret = convert::secret(secret)?;
        let o = args::Rfc9421Options::signer(label, components, expires_in, include_alg, tag);
        Ok(Rfc9421 {
            inner: args::rfc9421_signer(key_id, secret, &o).py_err(py)?,
        })
    }

    /// Signs a request created at `created` (Unix seconds): the signed request and the
    /// signature base.
    #[pyo3(signature = (method, url, headers, body, created, nonce = None))]
    #[allow(clippy::too_many_arguments)]
    fn sign_request<'py>(
        &self,
        py: Python<'py>,
        method: &Bound<'py, PyAny>,
        url: &Bound<'py, PyAny>,
        headers: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
        created: u64,
        nonce: Option<String>,
    ) -> PyResult<(Signed, String)> {
        let m = Message::from_py(method, url, headers, body)?;
        let inputs = args::signature_inputs(created, nonce.as_deref());
        let out = m
            .with_request(py, |r| self.inner.sign_request(r, inputs))
            .py_err(py)?;
        Ok((
            applied(out.instructions(), &m.url, &m.lines),
            out.signature_base().to_owned(),
        ))
    }

    /// Signs a response: the signed header lines, the header instructions and the base.
    #[pyo3(signature = (status, headers, body, created, nonce = None))]
    fn sign_response<'py>(
        &self,
        py: Python<'py>,
        status: u16,
        headers: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
        created: u64,
        nonce: Option<String>,
    ) -> PyResult<SignedResponse> {
        let lines = convert::headers(headers)?;
        let body = Body::from_py(body)?;
        let inputs = args::signature_inputs(created, nonce.as_deref());
        let out = with_response(py, status, &lines, &body, |r| {
            self.inner.sign_response(r, inputs)
        })
        .py_err(py)?;
        let ins = out.instructions();
        Ok((
            ins.apply_to_headers(&lines),
            triples(ins.headers()),
            out.signature_base().to_owned(),
        ))
    }
}

/// Verifies RFC 9421 signatures with keys looked up by `keyid`.
/// Python: `sigwire.profiles.Rfc9421Verifier`.
#[pyclass(module = "sigwire.profiles", name = "_Rfc9421Verifier", frozen)]
pub struct Rfc9421Verifier {
    inner: CoreRfc9421Verifier<args::KeyLookup>,
}

#[pymethods]
impl Rfc9421Verifier {
    #[new]
    #[pyo3(signature = (keys, *, label = None, required_components = None, max_age = None, max_ahead = None))]
    fn new(
        py: Python<'_>,
        keys: &Bound<'_, PyDict>,
        label: Option<String>,
        required_components: Option<Vec<String>>,
        max_age: Option<u64>,
        max_ahead: Option<u64>,
    ) -> PyResult<Self> {
        let keys = key_pairs(keys, "keyid", convert::secret)?;
        let o = args::Rfc9421Options::verifier(label, required_components, max_age, max_ahead);
        Ok(Rfc9421Verifier {
            inner: args::rfc9421_verifier(keys, &o).py_err(py)?,
        })
    }

    /// Verifies a request at `now` (Unix seconds).
    fn verify_request<'py>(
        &self,
        py: Python<'py>,
        method: &Bound<'py, PyAny>,
        url: &Bound<'py, PyAny>,
        headers: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
        now: u64,
    ) -> PyResult<Rfc9421Tuple> {
        let m = Message::from_py(method, url, headers, body)?;
        m.with_request(py, |r| self.inner.verify_request(r, now))
            .map(verified_tuple)
            .py_err(py)
    }

    /// Verifies a response at `now` (Unix seconds).
    fn verify_response<'py>(
        &self,
        py: Python<'py>,
        status: u16,
        headers: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
        now: u64,
    ) -> PyResult<Rfc9421Tuple> {
        let lines = convert::headers(headers)?;
        let body = Body::from_py(body)?;
        with_response(py, status, &lines, &body, |r| {
            self.inner.verify_response(r, now)
        })
        .map(verified_tuple)
        .py_err(py)
    }
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/// Webhook secrets: `str` or bytes-like each. Standard Webhooks reads a `str` as `whsec_<base64>`;
/// every other provider uses the secret's bytes (a `str` as UTF-8).
fn webhook_secrets(
    py: Python<'_>,
    provider: &str,
    secrets: &[Bound<'_, PyAny>],
) -> PyResult<Vec<WebhookSecret>> {
    secrets
        .iter()
        .map(|s| {
            if let Ok(text) = s.cast::<PyString>() {
                let text = convert::text(text.as_any(), "secret", ErrorCode::InvalidSecret)?;
                return args::webhook_secret(provider, args::SecretArg::Text(&text)).py_err(py);
            }
            let bytes = convert::secret(s)?;
            args::webhook_secret(provider, args::SecretArg::Bytes(&bytes)).py_err(py)
        })
        .collect()
}

/// Verifies a webhook: `(timestamp, id, secret_index)`.
#[pyfunction]
#[pyo3(signature = (provider, secrets, headers, body, now, tolerance))]
fn verify_webhook<'py>(
    py: Python<'py>,
    provider: &str,
    secrets: Vec<Bound<'py, PyAny>>,
    headers: Option<&Bound<'py, PyAny>>,
    body: Option<&Bound<'py, PyAny>>,
    now: u64,
    tolerance: u64,
) -> PyResult<(Option<u64>, Option<String>, usize)> {
    let secrets = webhook_secrets(py, provider, &secrets)?;
    let lines = convert::headers(headers)?;
    let body = Body::from_py(body)?;
    let verified: Result<WebhookVerified, ProfileError> = body.with_bytes(py, |bytes| {
        let h: Vec<(&str, &str)> = convert::header_refs(&lines).collect();
        args::verify_webhook(provider, &h, bytes, &secrets, now, tolerance)
    });
    let v = verified.py_err(py)?;
    Ok((v.timestamp, v.id, v.secret_index))
}

/// Signs a webhook (as a provider would): the header lines to send.
#[pyfunction]
#[pyo3(signature = (provider, secrets, body, timestamp, id = None))]
fn sign_webhook<'py>(
    py: Python<'py>,
    provider: &str,
    secrets: Vec<Bound<'py, PyAny>>,
    body: Option<&Bound<'py, PyAny>>,
    timestamp: u64,
    id: Option<String>,
) -> PyResult<Vec<(String, String)>> {
    let secrets = webhook_secrets(py, provider, &secrets)?;
    let body = Body::from_py(body)?;
    let ins: Result<SigningInstructions, ProfileError> = body.with_bytes(py, |bytes| {
        args::sign_webhook(provider, &secrets, bytes, timestamp, id.as_deref())
    });
    Ok(ins.py_err(py)?.apply_to_headers(&[]))
}

/// Applies a `sigwire.profiles` signer (the Python object or its native half) to a client
/// builder, for `sigwire.Client(base_url, profile=...)`: the client then signs every attempt with
/// that profile instead of `sigwire-v1`. Kraken is refused (its nonce lives in the body, which the
/// client does not build): sign with `Kraken.sign()` and send the result.
pub(crate) fn client_profile(
    builder: sigwire_client::ClientBuilder,
    profile: &Bound<'_, PyAny>,
) -> PyResult<sigwire_client::ClientBuilder> {
    let py = profile.py();
    let native = match profile.getattr(pyo3::intern!(py, "_native")) {
        Ok(n) => n,
        Err(_) => profile.clone(),
    };
    if let Ok(e) = native.cast::<Exchange>() {
        let inner = &e.get().inner;
        return Ok(match inner {
            args::Exchange::Binance(b) => builder.profile(b.clone()),
            args::Exchange::Coinbase(c) => builder.profile(c.clone()),
            args::Exchange::Okx(o) => builder.profile(o.clone()),
            args::Exchange::Bybit(b) => builder.profile(b.clone()),
            args::Exchange::Kraken(..) => {
                let why = inner.client_refusal().unwrap_or_default();
                return Err(profile_err(
                    py,
                    &ProfileError::new(ProfileErrorCode::InvalidSettings, why),
                ));
            }
        });
    }
    if let Ok(a) = native.cast::<AwsSigV4>() {
        return Ok(builder.profile(a.get().inner.clone()));
    }
    if let Ok(r) = native.cast::<Rfc9421>() {
        return Ok(builder.profile(r.get().inner.clone()));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(
        "profile must be a sigwire.profiles signer (Binance, Coinbase, Okx, Bybit, AwsSigV4, Rfc9421)",
    ))
}

/// Every profile machine code with its HTTP status.
fn codes(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    for code in ProfileErrorCode::ALL {
        out.set_item(code.as_str(), code.http_status())?;
    }
    Ok(out)
}

/// Adds the `_profiles` submodule to `sigwire._native`.
pub(crate) fn register(parent: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = parent.py();
    let m = PyModule::new(py, "_profiles")?;
    m.add_class::<Exchange>()?;
    m.add_class::<AwsSigV4>()?;
    m.add_class::<AwsRest>()?;
    m.add_class::<AwsVerifier>()?;
    m.add_class::<Rfc9421>()?;
    m.add_class::<Rfc9421Verifier>()?;
    m.add_function(wrap_pyfunction!(verify_webhook, &m)?)?;
    m.add_function(wrap_pyfunction!(sign_webhook, &m)?)?;
    m.add("ERROR_STATUS", codes(py)?)?;
    parent.add_submodule(&m)
}
