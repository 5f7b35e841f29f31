//! `sigwire._native.HttpClient`: forwards to `sigwire_client::Client`, the Rust HTTP runtime.
//!
//! The client's futures run on one tokio runtime owned by this extension (multi-thread, two
//! workers, created on first use). A blocking call ([`HttpClient::request`]) waits with the GIL
//! released and checks for signals (Ctrl-C) every 50 ms; an asynchronous call
//! ([`HttpClient::start`]) runs on the runtime and hands the outcome to a Python callback, which
//! `sigwire.AsyncClient` turns into an asyncio future through `loop.call_soon_threadsafe`.
//! Errors become Python exceptions in one place, [`crate::errors::client_err`].

use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::Duration;

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyAny, PyByteArray, PyBytes, PyDict, PyList, PyString, PyTuple};
use sigwire_client::{Algorithm, Client, Method, RetryPolicy};
use sigwire_core::{ErrorCode, SignedHeaderPolicy};
use tokio::runtime::Runtime;

use crate::convert;
use crate::errors::{client_err, coded, CoreResultExt};

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The extension's tokio runtime, built on first use.
fn runtime() -> PyResult<&'static Runtime> {
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("sigwire-http")
        .enable_all()
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start the HTTP runtime: {e}")))?;
    // Another thread may have won the race; its runtime is used and this one dropped.
    Ok(RUNTIME.get_or_init(|| rt))
}

/// An optional argument that is given and not `None`.
fn present<'py>(value: Option<&Bound<'py, PyAny>>) -> Option<Bound<'py, PyAny>> {
    value.filter(|v| !v.is_none()).cloned()
}

/// A non-negative number of seconds (`None` or `inf`: no limit).
fn seconds(py: Python<'_>, what: &str, value: Option<f64>) -> PyResult<Option<Duration>> {
    match value {
        None => Ok(None),
        Some(s) if s == f64::INFINITY => Ok(None),
        Some(s) => Duration::try_from_secs_f64(s).map(Some).map_err(|_| {
            coded(
                py,
                ErrorCode::InvalidConfig,
                format!("{what} must be a non-negative number of seconds"),
            )
        }),
    }
}

/// A required, finite duration.
fn required_seconds(py: Python<'_>, what: &str, value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        coded(
            py,
            ErrorCode::InvalidConfig,
            format!("{what} must be a non-negative, finite number of seconds"),
        )
    })
}

/// The request body: `bytes`, `bytearray`, `memoryview` (any buffer) or `str` (UTF-8).
fn body_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if obj.is_instance_of::<PyString>() {
        return convert::text(obj, "body", ErrorCode::InvalidRequest).map(String::into_bytes);
    }
    if obj
        .py()
        .get_type::<pyo3::types::PyMemoryView>()
        .is(obj.get_type())
    {
        let bytes = obj.py().get_type::<PyBytes>().call1((obj,))?;
        return Ok(bytes.cast::<PyBytes>()?.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(
        "body must be bytes, bytearray, memoryview, str, a path (os.PathLike), a binary file object or an iterator of bytes",
    ))
}

/// Query parameters: a mapping or a sequence of `(name, value)` pairs of `str`.
fn query_pairs(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let items: Bound<'_, PyAny> = if let Ok(d) = obj.cast::<PyDict>() {
        d.items().into_any()
    } else {
        obj.clone()
    };
    let mut out = Vec::new();
    for item in items.try_iter()? {
        let item = item?;
        let pair = if let Ok(t) = item.cast::<PyTuple>() {
            (t.len() == 2).then(|| (t.get_item(0), t.get_item(1)))
        } else if let Ok(l) = item.cast::<PyList>() {
            (l.len() == 2).then(|| (l.get_item(0), l.get_item(1)))
        } else {
            None
        };
        let Some((k, v)) = pair else {
            return Err(PyTypeError::new_err(
                "each query parameter must be a (name, value) pair",
            ));
        };
        out.push((
            convert::text(&k?, "query name", ErrorCode::InvalidRequest)?,
            convert::text(&v?, "query value", ErrorCode::InvalidRequest)?,
        ));
    }
    Ok(out)
}

/// A finished call as Python values: `(status, [(name, value), ...], body, url, attempts)`.
type Outcome = Result<sigwire_client::Response, sigwire_client::Error>;

fn outcome_to_py(py: Python<'_>, outcome: Outcome) -> PyResult<Py<PyAny>> {
    let response = outcome.map_err(|e| client_err(py, &e))?;
    let headers = PyList::empty(py);
    for (name, value) in response.headers() {
        // Header values are bytes on the wire; read them as Latin-1, as Python HTTP libraries do.
        let value: String = value.as_bytes().iter().map(|&c| char::from(c)).collect();
        headers.append((name.as_str(), value))?;
    }
    let tuple = (
        response.status().as_u16(),
        headers,
        PyBytes::new(py, response.bytes()),
        response.url().as_str(),
        response.attempts(),
    );
    Ok(tuple.into_pyobject(py)?.into_any().unbind())
}

/// A call started with [`HttpClient::start`]; `cancel()` aborts it.
#[pyclass(module = "sigwire._native", name = "PendingCall", frozen)]
pub struct PendingCall {
    handle: tokio::task::AbortHandle,
}

#[pymethods]
impl PendingCall {
    /// Aborts the call (its callback is then never invoked). Idempotent.
    fn cancel(&self) {
        self.handle.abort();
    }

    /// Whether the call has finished or was aborted.
    fn done(&self) -> bool {
        self.handle.is_finished()
    }
}

/// The native HTTP client under ``sigwire.Client`` and ``sigwire.AsyncClient`` (use those).
///
/// Signs every attempt with ``sigwire-v1``, retries with backoff (``POST``/``PATCH`` only with an
/// ``Idempotency-Key``), honours ``Retry-After``, corrects the signing clock from the server's
/// time and never sends ``Authorization`` to another origin. The secret stays in Rust memory
/// and never appears in ``repr()`` or any exception.
#[pyclass(module = "sigwire._native", name = "HttpClient", frozen)]
pub struct HttpClient {
    inner: Client,
}

impl HttpClient {
    /// The request builder for one call, from Python arguments.
    #[allow(clippy::too_many_arguments)]
    fn builder(
        &self,
        py: Python<'_>,
        method: &Bound<'_, PyAny>,
        path: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        query: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        idempotency_key: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        total_timeout: Option<f64>,
        sign: bool,
    ) -> PyResult<sigwire_client::RequestBuilder> {
        let method = convert::text(method, "method", ErrorCode::InvalidRequest)?;
        let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            .map_err(|_| coded(py, ErrorCode::InvalidRequest, "invalid HTTP method"))?;
        let path = convert::text(path, "path", ErrorCode::InvalidRequest)?;
        let mut builder = self.inner.request(method, &path);
        for (name, value) in convert::headers(headers)? {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some(q) = query.filter(|q| !q.is_none()) {
            builder = builder.query(query_pairs(q)?);
        }
        if let Some(b) = body.filter(|b| !b.is_none()) {
            builder = match crate::stream::stream_body(b)? {
                Some(streamed) => builder.body_stream(streamed),
                None => builder.body(body_bytes(b)?),
            };
        }
        if let Some(k) = idempotency_key.filter(|k| !k.is_none()) {
            builder = builder.idempotency_key(&convert::text(
                k,
                "idempotency_key",
                ErrorCode::InvalidRequest,
            )?);
        }
        // A per-call limit: `None` keeps the client's; `inf` means no limit.
        if let Some(t) = timeout {
            builder = builder.attempt_timeout(seconds(py, "timeout", Some(t))?);
        }
        if let Some(t) = total_timeout {
            builder = builder.total_timeout(seconds(py, "total_timeout", Some(t))?);
        }
        if !sign {
            builder = builder.unsigned();
        }
        Ok(builder)
    }
}

#[pymethods]
impl HttpClient {
    #[new]
    #[pyo3(signature = (
        base_url, key_id = None, secret = None, *, algorithm = "hmac-sha256", signed_headers = None,
        signed_header_policy = None, profile = None, sensitive_headers = None, default_headers = None, user_agent = None, connect_timeout = Some(10.0),
        attempt_timeout = Some(30.0), total_timeout = Some(60.0), max_attempts = 3,
        base_delay = 0.1, max_delay = 5.0, max_retry_after = 30.0, idempotency_keys = true,
        max_redirects = 5, clock_skew_correction = true, clock_skew_threshold = 2.0,
        max_clock_skew = 86400.0
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        base_url: &Bound<'_, PyAny>,
        key_id: Option<&Bound<'_, PyAny>>,
        secret: Option<&Bound<'_, PyAny>>,
        algorithm: &str,
        signed_headers: Option<Vec<String>>,
        signed_header_policy: Option<&Bound<'_, PyAny>>,
        profile: Option<&Bound<'_, PyAny>>,
        sensitive_headers: Option<Vec<String>>,
        default_headers: Option<&Bound<'_, PyAny>>,
        user_agent: Option<String>,
        connect_timeout: Option<f64>,
        attempt_timeout: Option<f64>,
        total_timeout: Option<f64>,
        max_attempts: u32,
        base_delay: f64,
        max_delay: f64,
        max_retry_after: f64,
        idempotency_keys: bool,
        max_redirects: usize,
        clock_skew_correction: bool,
        clock_skew_threshold: f64,
        max_clock_skew: f64,
    ) -> PyResult<Self> {
        let base_url = convert::text(base_url, "base_url", ErrorCode::InvalidConfig)?;
        let algorithm: Algorithm = sigwire_client::no_echo::algorithm(algorithm).py_err(py)?;
        let retry = RetryPolicy::default()
            .max_attempts(max_attempts)
            .base_delay(required_seconds(py, "base_delay", base_delay)?)
            .max_delay(required_seconds(py, "max_delay", max_delay)?)
            .max_retry_after(required_seconds(py, "max_retry_after", max_retry_after)?)
            .idempotency_keys(idempotency_keys);
        let mut builder = Client::builder().base_url(&base_url);
        builder = match (present(profile), present(key_id), present(secret)) {
            (Some(p), None, None) => crate::profiles::client_profile(builder, &p)?,
            (None, Some(k), Some(s)) => builder
                .credentials(
                    &convert::text(&k, "key_id", ErrorCode::InvalidKeyId)?,
                    convert::secret(&s)?,
                )
                .algorithm(algorithm),
            _ => {
                return Err(coded(
                    py,
                    ErrorCode::InvalidConfig,
                    "pass key_id and secret, or profile= (a sigwire.profiles signer)",
                ))
            }
        };
        if let Some(p) = present(signed_header_policy) {
            let policy: SignedHeaderPolicy =
                convert::text(&p, "signed_header_policy", ErrorCode::InvalidConfig)?
                    .parse()
                    .py_err(py)?;
            builder = builder.signed_header_policy(policy);
        }
        builder = builder
            .connect_timeout(seconds(py, "connect_timeout", connect_timeout)?)
            .attempt_timeout(seconds(py, "attempt_timeout", attempt_timeout)?)
            .total_timeout(seconds(py, "total_timeout", total_timeout)?)
            .retry(retry)
            .max_redirects(max_redirects)
            .clock_skew_correction(clock_skew_correction)
            .clock_skew_threshold(required_seconds(
                py,
                "clock_skew_threshold",
                clock_skew_threshold,
            )?)
            .max_clock_skew(required_seconds(py, "max_clock_skew", max_clock_skew)?);
        if let Some(names) = signed_headers {
            builder = builder.signed_headers(names);
        }
        if let Some(names) = sensitive_headers {
            builder = builder.sensitive_headers(names);
        }
        for (name, value) in convert::headers(default_headers)? {
            builder = builder.default_header(&name, &value);
        }
        if let Some(ua) = user_agent {
            builder = builder.user_agent(&ua);
        }
        // reqwest needs a tokio context to build its connection pool.
        let rt = runtime()?;
        let _guard = rt.enter();
        let inner = builder.build().map_err(|e| client_err(py, &e))?;
        Ok(HttpClient { inner })
    }

    /// Sends a request and waits for the response, with the GIL released.
    ///
    /// Returns ``(status, [(name, value), ...], body, url, attempts)``; raises a
    /// ``SigwireError`` subclass. ``timeout``/``total_timeout``: ``None`` keeps the client's
    /// limit, ``inf`` means no limit.
    #[pyo3(signature = (
        method, path, *, headers = None, query = None, body = None, idempotency_key = None,
        timeout = None, total_timeout = None, sign = true
    ))]
    #[allow(clippy::too_many_arguments)]
    fn request(
        &self,
        py: Python<'_>,
        method: &Bound<'_, PyAny>,
        path: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        query: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        idempotency_key: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        total_timeout: Option<f64>,
        sign: bool,
    ) -> PyResult<Py<PyAny>> {
        let builder = self.builder(
            py,
            method,
            path,
            headers,
            query,
            body,
            idempotency_key,
            timeout,
            total_timeout,
            sign,
        )?;
        let rt = runtime()?;
        let (tx, rx) = mpsc::channel::<Outcome>();
        let rx = std::sync::Mutex::new(rx);
        let task = rt.spawn(async move {
            let _ = tx.send(builder.send().await);
        });
        loop {
            let received = py.detach(|| match rx.lock() {
                Ok(rx) => rx.recv_timeout(Duration::from_millis(50)),
                Err(_) => Err(mpsc::RecvTimeoutError::Disconnected),
            });
            match received {
                Ok(outcome) => return outcome_to_py(py, outcome),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(e) = py.check_signals() {
                        task.abort();
                        return Err(e);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(PyRuntimeError::new_err("the HTTP call was aborted"));
                }
            }
        }
    }

    /// Starts a request on the runtime; ``callback(ok, value)`` is called once from a runtime
    /// thread with ``(True, (status, headers, body, url, attempts))`` or ``(False, exception)``.
    #[pyo3(signature = (
        callback, method, path, *, headers = None, query = None, body = None,
        idempotency_key = None, timeout = None, total_timeout = None, sign = true
    ))]
    #[allow(clippy::too_many_arguments)]
    fn start(
        &self,
        py: Python<'_>,
        callback: Py<PyAny>,
        method: &Bound<'_, PyAny>,
        path: &Bound<'_, PyAny>,
        headers: Option<&Bound<'_, PyAny>>,
        query: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
        idempotency_key: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        total_timeout: Option<f64>,
        sign: bool,
    ) -> PyResult<PendingCall> {
        let builder = self.builder(
            py,
            method,
            path,
            headers,
            query,
            body,
            idempotency_key,
            timeout,
            total_timeout,
            sign,
        )?;
        let rt = runtime()?;
        let task = rt.spawn(async move {
            let outcome = builder.send().await;
            // Never attach to an interpreter that is shutting down.
            Python::try_attach(|py| {
                let args = match outcome_to_py(py, outcome) {
                    Ok(value) => (true, value),
                    Err(e) => (false, e.into_value(py).into_any()),
                };
                if let Err(e) = callback.bind(py).call1(args) {
                    e.write_unraisable(py, Some(callback.bind(py)));
                }
            });
        });
        Ok(PendingCall {
            handle: task.abort_handle(),
        })
    }

    /// The base URL.
    #[getter]
    fn base_url(&self) -> String {
        self.inner.base_url().as_str().to_owned()
    }

    /// The key id.
    #[getter]
    fn key_id(&self) -> String {
        self.inner.key_id().to_owned()
    }

    /// The clock offset now applied when signing (server − local, seconds).
    #[getter]
    fn clock_offset(&self) -> i64 {
        self.inner.clock_offset()
    }

    fn __repr__(&self) -> String {
        format!(
            "HttpClient(base_url={:?}, key_id={:?})",
            self.inner.base_url().as_str(),
            self.inner.key_id()
        )
    }
}
