//! `sigwire._native._profiles`: the signing profiles of `sigwire_core::profiles` (AWS SigV4,
//! RFC 9421, exchange presets, webhooks).
//!
//! Argument conversion and error mapping only: every byte that is signed or compared is decided
//! by the core. The idiomatic classes (`sigwire.profiles.Binance`, `AwsSigV4`, `verify_webhook`,
//! …) are pure Python in `sdk-python/python/sigwire/profiles.py`; they call the functions and
//! classes here. A [`ProfileError`] becomes the `sigwire.profiles.ProfileError` subclass of its
//! machine code in one place, [`profile_err`]; messages come from the core and never contain a
//! secret.

use std::collections::HashMap;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyAny, PyDict, PyString};
use sigwire_core::profiles::aws_sigv4::{
    AwsCredentials, AwsSigV4 as CoreAwsSigV4, AwsSigV4Settings, AwsSigV4Verifier, SessionTokenMode,
    SignatureLocation,
};
use sigwire_core::profiles::exchanges::{
    binance::{Binance, BinanceSettings},
    bybit::{Bybit, BybitSettings},
    coinbase::Coinbase,
    kraken::{Kraken, KrakenNonce},
    okx::{Okx, OkxSettings},
    ApiCredentials,
};
use sigwire_core::profiles::rfc9421::{
    Component, Response, Rfc9421 as CoreRfc9421, Rfc9421Key, Rfc9421Settings, Rfc9421Verified,
    Rfc9421Verifier as CoreRfc9421Verifier, SignatureInputs,
};
use sigwire_core::profiles::webhooks::{
    github, sigwire as sigwire_webhook, slack, standard, stripe, WebhookSecret, WebhookSettings,
    WebhookVerified,
};
use sigwire_core::profiles::{ProfileError, ProfileErrorCode, SignableBody, SigningInstructions};
use sigwire_core::{ErrorCode, Request};

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

fn invalid(code: ProfileErrorCode, message: impl Into<String>) -> ProfileError {
    ProfileError::new(code, message)
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

/// A verifier's key table from a Python `dict` of key id to secret: every id is `str`
/// (`InvalidKeyId` otherwise) and each value becomes a credential through `make(id, value)`, so
/// a bad secret fails when the verifier is built, not at the first request.
fn key_map<T>(
    dict: &Bound<'_, PyDict>,
    what: &str,
    mut make: impl FnMut(&str, &Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<HashMap<String, T>> {
    let mut map = HashMap::with_capacity(dict.len());
    for (k, v) in dict.iter() {
        let id = convert::text(&k, what, ErrorCode::InvalidKeyId)?;
        let value = make(&id, &v)?;
        map.insert(id, value);
    }
    Ok(map)
}

// ---------------------------------------------------------------------------------------------
// Exchange presets

enum ExchangeKind {
    Binance(Binance),
    Coinbase(Coinbase),
    Kraken(Kraken, KrakenNonce),
    Okx(Okx),
    Bybit(Bybit),
}

/// One exchange preset (`kind` = `binance`, `coinbase`, `kraken`, `okx` or `bybit`).
/// Python: `sigwire.profiles.Binance(...)` and siblings.
#[pyclass(module = "sigwire.profiles", name = "_Exchange", frozen)]
pub struct Exchange {
    inner: ExchangeKind,
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
        let plain = |s: &str| ApiCredentials::new(api_key, s);
        let b64 = |s: &str| ApiCredentials::from_base64_secret(api_key, s);
        let with_pass = |c: ApiCredentials| match &passphrase {
            Some(p) => c.with_passphrase(p.as_str()),
            None => c,
        };
        let inner = match kind {
            "binance" => {
                let mut s = BinanceSettings::default();
                s.recv_window = recv_window;
                ExchangeKind::Binance(Binance::new(plain(&secret).py_err(py)?).with_settings(s))
            }
            "coinbase" => ExchangeKind::Coinbase(
                Coinbase::new(with_pass(b64(&secret).py_err(py)?)).py_err(py)?,
            ),
            "kraken" => {
                ExchangeKind::Kraken(Kraken::new(b64(&secret).py_err(py)?), KrakenNonce::new())
            }
            "okx" => {
                let mut s = OkxSettings::default();
                s.simulated_trading = simulated_trading;
                ExchangeKind::Okx(
                    Okx::new(with_pass(plain(&secret).py_err(py)?))
                        .py_err(py)?
                        .with_settings(s),
                )
            }
            "bybit" => {
                let mut s = BybitSettings::default();
                if let Some(w) = recv_window {
                    s.recv_window = w;
                }
                ExchangeKind::Bybit(Bybit::new(plain(&secret).py_err(py)?).with_settings(s))
            }
            other => {
                return Err(profile_err(
                    py,
                    &invalid(
                        ProfileErrorCode::InvalidSettings,
                        format!("unknown exchange {other:?}"),
                    ),
                ))
            }
        };
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
            .with_request(py, |r| match &self.inner {
                ExchangeKind::Binance(b) => b.sign(r, timestamp_ms),
                ExchangeKind::Coinbase(c) => c.sign(r, timestamp_ms / 1000),
                ExchangeKind::Kraken(k, _) => k.sign(r),
                ExchangeKind::Okx(o) => o.sign(r, timestamp_ms),
                ExchangeKind::Bybit(b) => b.sign(r, timestamp_ms),
            })
            .py_err(py)?;
        Ok(applied(&ins, &m.url, &m.lines))
    }

    /// Kraken: the next strictly increasing nonce for this key at `now_ms`.
    fn next_nonce(&self, py: Python<'_>, now_ms: u64) -> PyResult<u64> {
        match &self.inner {
            ExchangeKind::Kraken(_, n) => Ok(n.next(now_ms)),
            _ => Err(profile_err(
                py,
                &invalid(
                    ProfileErrorCode::InvalidRequest,
                    "only Kraken uses a nonce source",
                ),
            )),
        }
    }

    /// Kraken: the form body `nonce=<nonce>&k=v…` to send and sign.
    #[staticmethod]
    fn kraken_body(nonce: u64, params: Vec<(String, String)>) -> String {
        let refs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        Kraken::body_with_nonce(nonce, &refs)
    }

    /// The API key (not secret).
    #[getter]
    fn api_key(&self) -> String {
        use sigwire_core::signing::SigningScheme;
        match &self.inner {
            ExchangeKind::Binance(s) => s.credential().api_key().to_owned(),
            ExchangeKind::Coinbase(s) => s.credential().api_key().to_owned(),
            ExchangeKind::Kraken(s, _) => s.credential().api_key().to_owned(),
            ExchangeKind::Okx(s) => s.credential().api_key().to_owned(),
            ExchangeKind::Bybit(s) => s.credential().api_key().to_owned(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// AWS SigV4

fn aws_settings(s3: bool, sign_session_token: bool) -> AwsSigV4Settings {
    let mut settings = if s3 {
        AwsSigV4Settings::s3()
    } else {
        AwsSigV4Settings::default()
    };
    if !sign_session_token {
        settings.session_token_mode = SessionTokenMode::Exclude;
    }
    settings
}

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
        let mut creds = AwsCredentials::new(access_key_id, secret).py_err(py)?;
        if let Some(t) = session_token {
            creds = creds.with_session_token(convert::text(
                t.as_any(),
                "session_token",
                ErrorCode::InvalidSecret,
            )?);
        }
        let inner = CoreAwsSigV4::new(creds, region, service)
            .py_err(py)?
            .with_settings(aws_settings(s3, sign_session_token));
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
        let signer = match presign_expires {
            Some(expires) => {
                let mut s = self.inner.settings().clone();
                s.signature_location = SignatureLocation::QueryParams;
                s.expires_in = expires;
                std::borrow::Cow::Owned(self.inner.clone().with_settings(s))
            }
            None => std::borrow::Cow::Borrowed(&self.inner),
        };
        let out = m
            .with_request(py, |r| {
                let body = if unsigned_payload {
                    SignableBody::Unsigned
                } else {
                    SignableBody::Bytes(r.body_bytes())
                };
                signer.sign(r, body, unix_time)
            })
            .py_err(py)?;
        Ok((
            applied(out.instructions(), &m.url, &m.lines),
            out.canonical_request().to_owned(),
            out.string_to_sign().to_owned(),
        ))
    }

    /// The access key id (not secret).
    #[getter]
    fn access_key_id(&self) -> &str {
        self.inner.access_key_id()
    }
}

type AwsLookup = Box<dyn Fn(&str) -> Option<AwsCredentials> + Send + Sync>;

/// Verifies SigV4 requests (headers or presigned). Python: `sigwire.profiles.AwsSigV4Verifier`.
#[pyclass(module = "sigwire.profiles", name = "_AwsSigV4Verifier", frozen)]
pub struct AwsVerifier {
    inner: AwsSigV4Verifier<AwsLookup>,
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
        let keys = key_map(credentials, "access key id", |id, v| {
            let secret = convert::text(v, "secret access key", ErrorCode::InvalidSecret)?;
            AwsCredentials::new(id, secret).py_err(py)
        })?;
        let mut settings = aws_settings(s3, true);
        if let Some(skew) = max_clock_skew {
            settings.max_clock_skew = skew;
        }
        let lookup: AwsLookup = Box::new(move |id: &str| keys.get(id).cloned());
        let inner = AwsSigV4Verifier::new(region, service, lookup).with_settings(settings);
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

fn components(ids: Option<Vec<String>>) -> Result<Option<Vec<Component>>, ProfileError> {
    ids.map(|ids| ids.iter().map(|s| Component::parse(s)).collect())
        .transpose()
}

fn rfc9421_key(py: Python<'_>, id: &str, secret: &Bound<'_, PyAny>) -> PyResult<Rfc9421Key> {
    Rfc9421Key::new(id, convert::secret(secret)?).py_err(py)
}

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

#[allow(clippy::too_many_arguments)]
fn rfc9421_settings(
    label: Option<String>,
    components_: Option<Vec<String>>,
    expires_in: Option<u64>,
    include_alg: bool,
    tag: Option<String>,
    required: Option<Vec<String>>,
    max_age: Option<u64>,
    max_ahead: Option<u64>,
) -> Result<Rfc9421Settings, ProfileError> {
    let mut s = Rfc9421Settings::default();
    if let Some(l) = label {
        s.label = l;
    }
    if let Some(c) = components(components_)? {
        s.components = c;
    }
    s.expires_in = expires_in;
    s.include_alg = include_alg;
    s.tag = tag;
    if let Some(r) = components(required)? {
        if r.contains(&Component::Status) {
            s.required_response_components = r;
        } else {
            s.required_request_components = r;
        }
    }
    if let Some(a) = max_age {
        s.max_age = a;
    }
    if let Some(a) = max_ahead {
        s.max_ahead = a;
    }
    Ok(s)
}

/// Response arguments converted once: status, header lines, body.
fn with_response<'py, R: Send>(
    py: Python<'py>,
    status: u16,
    lines: &[(String, String)],
    body: &Body<'py>,
    f: impl Send + FnOnce(&Response<'_>) -> R,
) -> R {
    body.with_bytes(py, |bytes| {
        let response = Response::new(status)
            .headers(convert::header_refs(lines))
            .body(bytes);
        f(&response)
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
        let key = rfc9421_key(py, key_id, secret)?;
        let settings = rfc9421_settings(
            label,
            components,
            expires_in,
            include_alg,
            tag,
            None,
            None,
            None,
        )
        .py_err(py)?;
        Ok(Rfc9421 {
            inner: CoreRfc9421::new(key).with_settings(settings),
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
        let mut inputs = SignatureInputs::at(created);
        if let Some(n) = nonce.as_deref() {
            inputs = inputs.nonce(n);
        }
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
        let mut inputs = SignatureInputs::at(created);
        if let Some(n) = nonce.as_deref() {
            inputs = inputs.nonce(n);
        }
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

type KeyLookup = Box<dyn Fn(&str) -> Option<Rfc9421Key> + Send + Sync>;

/// Verifies RFC 9421 signatures with keys looked up by `keyid`.
/// Python: `sigwire.profiles.Rfc9421Verifier`.
#[pyclass(module = "sigwire.profiles", name = "_Rfc9421Verifier", frozen)]
pub struct Rfc9421Verifier {
    inner: CoreRfc9421Verifier<KeyLookup>,
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
        let map = key_map(keys, "keyid", |id, v| rfc9421_key(py, id, v))?;
        let settings = rfc9421_settings(
            None,
            None,
            None,
            false,
            None,
            required_components,
            max_age,
            max_ahead,
        )
        .py_err(py)?;
        let lookup: KeyLookup = Box::new(move |id: &str| map.get(id).cloned());
        let mut inner = CoreRfc9421Verifier::new(lookup).with_settings(settings);
        if let Some(l) = label {
            inner = inner.label(l);
        }
        Ok(Rfc9421Verifier { inner })
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
            if provider == "standard" {
                if let Ok(text) = s.cast::<PyString>() {
                    let text = convert::text(text.as_any(), "secret", ErrorCode::InvalidSecret)?;
                    return WebhookSecret::from_standard(&text).py_err(py);
                }
            }
            WebhookSecret::new(convert::secret(s)?).py_err(py)
        })
        .collect()
}

fn unknown_provider(provider: &str) -> ProfileError {
    invalid(
        ProfileErrorCode::InvalidSettings,
        format!("unknown webhook provider {provider:?} (stripe, github, slack, standard, sigwire)"),
    )
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
    let mut settings = WebhookSettings::default();
    settings.tolerance = tolerance;
    let verified: Result<WebhookVerified, ProfileError> = body.with_bytes(py, |bytes| {
        let h: Vec<(&str, &str)> = convert::header_refs(&lines).collect();
        match provider {
            "stripe" => stripe::verify(&h, bytes, &secrets, now, settings),
            "github" => github::verify(&h, bytes, &secrets),
            "slack" => slack::verify(&h, bytes, &secrets, now, settings),
            "standard" => standard::verify(&h, bytes, &secrets, now, settings),
            "sigwire" => sigwire_webhook::verify(&h, bytes, &secrets, now, settings),
            other => Err(unknown_provider(other)),
        }
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
    let need_id = || {
        id.as_deref().ok_or_else(|| {
            invalid(
                ProfileErrorCode::InvalidRequest,
                format!("{provider} webhooks need a message id"),
            )
        })
    };
    let one = |what: &str| {
        secrets
            .first()
            .filter(|_| secrets.len() == 1)
            .ok_or_else(|| {
                invalid(
                    ProfileErrorCode::InvalidCredentials,
                    format!("{what} signs with exactly one secret"),
                )
            })
    };
    let ins: Result<SigningInstructions, ProfileError> =
        body.with_bytes(py, |bytes| match provider {
            "stripe" => stripe::sign(&secrets, timestamp, bytes),
            "github" => one("github").map(|s| github::sign(s, bytes)),
            "slack" => one("slack").map(|s| slack::sign(s, timestamp, bytes)),
            "standard" => standard::sign(&secrets, need_id()?, timestamp, bytes),
            "sigwire" => sigwire_webhook::sign(&secrets, need_id()?, timestamp, bytes),
            other => Err(unknown_provider(other)),
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
        return Ok(match &e.get().inner {
            ExchangeKind::Binance(b) => builder.profile(b.clone()),
            ExchangeKind::Coinbase(c) => builder.profile(c.clone()),
            ExchangeKind::Okx(o) => builder.profile(o.clone()),
            ExchangeKind::Bybit(b) => builder.profile(b.clone()),
            ExchangeKind::Kraken(..) => {
                return Err(profile_err(
                    py,
                    &invalid(
                        ProfileErrorCode::InvalidSettings,
                        "Kraken signs a nonce inside the body: build it with Kraken.body(), sign \
                         with Kraken.sign() and send the signed request",
                    ),
                ))
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
    m.add_class::<AwsVerifier>()?;
    m.add_class::<Rfc9421>()?;
    m.add_class::<Rfc9421Verifier>()?;
    m.add_function(wrap_pyfunction!(verify_webhook, &m)?)?;
    m.add_function(wrap_pyfunction!(sign_webhook, &m)?)?;
    m.add("ERROR_STATUS", codes(py)?)?;
    parent.add_submodule(&m)
}
