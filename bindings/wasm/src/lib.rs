//! WebAssembly binding of `sigwire-core`, for browsers, bundlers, edge workers and Node.
//!
//! This crate is deliberately thin: it converts arguments and maps errors, nothing else. All
//! signing and verification logic lives in `sigwire-core`. The JavaScript API (`Signer`,
//! `Verifier`, typed `SigwireError` classes, `signedFetch`) is in `sdk-wasm/src/`, which checks
//! JavaScript types before calling in here.
//!
//! No function here panics on any input: every conversion returns a [`Failure`] (thrown in
//! JavaScript, then mapped to a typed error by the wrapper). The module is built with
//! `panic=immediate-abort`, so a panic would be a trap; the JavaScript wrapper still guards
//! against that and replaces a trapped instance with a fresh one.

use std::borrow::Cow;
use std::sync::Arc;

mod no_echo;
mod verifier;

use sigwire_core::{
    Error, ErrorCode, InMemoryKeyStore, InMemoryReplayStore, ReplayStore as _, Request,
    SignOptions, Signature, Signer, SERVER_TIME_HEADER,
};
use wasm_bindgen::prelude::*;

/// Largest integer a JavaScript number holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// An error from the core (or from argument conversion), thrown to JavaScript.
///
/// The wrapper reads its fields and throws the matching `SigwireError` subclass instead.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Failure {
    code: ErrorCode,
    message: String,
    skew_seconds: Option<i64>,
    server_time: Option<u64>,
}

#[wasm_bindgen]
impl Failure {
    /// The stable machine code, e.g. `"signature_mismatch"`.
    #[wasm_bindgen(getter)]
    pub fn code(&self) -> String {
        self.code.as_str().to_owned()
    }

    /// The human-readable message (never contains a secret).
    #[wasm_bindgen(getter)]
    pub fn message(&self) -> String {
        self.message.clone()
    }

    /// For `stale_timestamp`: request timestamp minus server time, in seconds.
    #[wasm_bindgen(getter, js_name = skewSeconds)]
    pub fn skew_seconds(&self) -> Option<f64> {
        self.skew_seconds.map(|s| s as f64)
    }

    /// For verification errors: the verifier's Unix time in seconds.
    #[wasm_bindgen(getter, js_name = serverTime)]
    pub fn server_time(&self) -> Option<f64> {
        self.server_time.map(|t| t as f64)
    }

    /// The HTTP status a server answers with.
    #[wasm_bindgen(getter, js_name = httpStatus)]
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure {
            code: e.code(),
            message: e.message().to_owned(),
            skew_seconds: e.skew_seconds(),
            server_time: e.server_time(),
        }
    }
}

fn failure(code: ErrorCode, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
        skew_seconds: None,
        server_time: None,
    }
}

/// A JavaScript number holding a whole number of Unix seconds (or a count) -> `u64`.
fn whole_seconds(value: f64, what: &str, code: ErrorCode) -> Result<u64, Failure> {
    if (0.0..=MAX_SAFE_INTEGER).contains(&value) && value.fract() == 0.0 {
        // Exact: a non-negative integer below 2^53 converts to u64 without loss.
        Ok(value as u64)
    } else {
        Err(failure(
            code,
            format!("{what} must be a non-negative integer of at most 2^53 - 1"),
        ))
    }
}

pub(crate) fn optional_seconds(
    value: Option<f64>,
    what: &str,
    code: ErrorCode,
) -> Result<Option<u64>, Failure> {
    value.map(|v| whole_seconds(v, what, code)).transpose()
}

/// Header lines as the wrapper packs them: every name and value followed by `\0`, in order
/// (`name\0value\0name\0value\0…`). Inside a piece, `\u{1}` escapes `\0` (as `\u{1}0`) and
/// itself (as `\u{1}1`), so any JavaScript string round-trips exactly. One string crosses into
/// WebAssembly instead of one per header, which is most of the cost of a call.
pub(crate) fn unpack(packed: &str) -> Result<Vec<Cow<'_, str>>, Failure> {
    let mut pieces = Vec::new();
    for piece in packed.split_terminator('\0') {
        pieces.push(if piece.contains('\u{1}') {
            Cow::Owned(unescape(piece)?)
        } else {
            Cow::Borrowed(piece)
        });
    }
    if !packed.is_empty() && !packed.ends_with('\0') {
        return Err(bad_packing());
    }
    if pieces.len() % 2 != 0 {
        return Err(failure(
            ErrorCode::InvalidRequest,
            "headers must be name/value pairs",
        ));
    }
    Ok(pieces)
}

fn unescape(piece: &str) -> Result<String, Failure> {
    let mut out = String::with_capacity(piece.len());
    let mut chars = piece.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1}' {
            match chars.next() {
                Some('0') => out.push('\0'),
                Some('1') => out.push('\u{1}'),
                _ => return Err(bad_packing()),
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

fn bad_packing() -> Failure {
    failure(
        ErrorCode::InvalidRequest,
        "headers are not packed as the wrapper packs them",
    )
}

/// Builds the core's borrowed request view from unpacked header pieces.
pub(crate) fn request<'a>(
    method: &'a str,
    url: &'a str,
    pieces: &'a [Cow<'a, str>],
    body: &'a [u8],
) -> Request<'a> {
    let pairs = pieces.chunks_exact(2).filter_map(|pair| match pair {
        [name, value] => Some((name.as_ref(), value.as_ref())),
        _ => None,
    });
    Request::new(method, url).headers(pairs).body(body)
}

/// Signs requests for one key id (`sigwire_core::Signer`).
#[wasm_bindgen]
pub struct WasmSigner {
    inner: Signer,
}

#[wasm_bindgen]
impl WasmSigner {
    /// A signer. `secret` is moved into Rust memory (zeroized when the signer is freed);
    /// `algorithm` defaults to `hmac-sha256`; `signed_headers` are signed after host and
    /// content-type; `header_policy` is `"listed"` (default) or `"all-end-to-end"`. Errors:
    /// `invalid_key_id`, `invalid_secret`, `unsupported_algorithm`, `invalid_request` (bad
    /// header name), `invalid_config` (unknown policy).
    #[wasm_bindgen(constructor)]
    pub fn new(
        key_id: &str,
        secret: Vec<u8>,
        algorithm: Option<String>,
        signed_headers: Vec<String>,
        header_policy: Option<String>,
    ) -> Result<WasmSigner, Failure> {
        let mut signer = Signer::new(key_id, secret)?;
        if let Some(policy) = header_policy {
            signer = signer.with_header_policy(policy.parse()?);
        }
        if let Some(name) = algorithm {
            signer = signer.with_algorithm(no_echo::algorithm(&name)?);
        }
        if !signed_headers.is_empty() {
            signer = signer.with_signed_headers(signed_headers)?;
        }
        Ok(WasmSigner { inner: signer })
    }

    /// The key id.
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> String {
        self.inner.key_id().to_owned()
    }

    /// The algorithm's wire name.
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().as_str().to_owned()
    }

    /// The signed-header policy: `"listed"` or `"all-end-to-end"`.
    #[wasm_bindgen(getter, js_name = headerPolicy)]
    pub fn header_policy(&self) -> String {
        self.inner.header_policy().as_str().to_owned()
    }

    /// Signs and returns only the `Authorization` header value (the fast path).
    /// `headers` are packed (see `unpack`); `timestamp` and `nonce`
    /// default to now and a fresh random nonce (`crypto.getRandomValues`).
    pub fn authorization(
        &self,
        method: &str,
        url: &str,
        headers: &str,
        body: &[u8],
        timestamp: Option<f64>,
        nonce: Option<String>,
    ) -> Result<String, Failure> {
        Ok(self
            .signature(method, url, headers, body, timestamp, nonce.as_deref())?
            .authorization)
    }

    /// Same as `body` passed as a string: it is signed as its UTF-8 bytes, encoded once
    /// straight into WebAssembly memory.
    #[wasm_bindgen(js_name = authorizationText)]
    pub fn authorization_text(
        &self,
        method: &str,
        url: &str,
        headers: &str,
        body: &str,
        timestamp: Option<f64>,
        nonce: Option<String>,
    ) -> Result<String, Failure> {
        Ok(self
            .signature(
                method,
                url,
                headers,
                body.as_bytes(),
                timestamp,
                nonce.as_deref(),
            )?
            .authorization)
    }

    /// Signs and returns every intermediate value (for debugging mismatches).
    pub fn sign(
        &self,
        method: &str,
        url: &str,
        headers: &str,
        body: &[u8],
        timestamp: Option<f64>,
        nonce: Option<String>,
    ) -> Result<WasmSignature, Failure> {
        Ok(WasmSignature(self.signature(
            method,
            url,
            headers,
            body,
            timestamp,
            nonce.as_deref(),
        )?))
    }
}

impl WasmSigner {
    fn signature(
        &self,
        method: &str,
        url: &str,
        headers: &str,
        body: &[u8],
        timestamp: Option<f64>,
        nonce: Option<&str>,
    ) -> Result<Signature, Failure> {
        let pieces = unpack(headers)?;
        let request = request(method, url, &pieces, body);
        let mut options = SignOptions::default();
        options.timestamp = optional_seconds(timestamp, "timestamp", ErrorCode::InvalidRequest)?;
        options.nonce = nonce;
        Ok(self.inner.sign_with(&request, &options)?)
    }
}

/// Every value of one signature.
#[wasm_bindgen]
pub struct WasmSignature(Signature);

#[wasm_bindgen]
impl WasmSignature {
    /// The `Authorization` header value.
    #[wasm_bindgen(getter)]
    pub fn authorization(&self) -> String {
        self.0.authorization.clone()
    }

    /// The canonical string that was signed.
    #[wasm_bindgen(getter, js_name = canonicalString)]
    pub fn canonical_string(&self) -> String {
        self.0.canonical_string.clone()
    }

    /// The signature, lowercase hex.
    #[wasm_bindgen(getter)]
    pub fn signature(&self) -> String {
        self.0.signature.clone()
    }

    /// The timestamp used (Unix seconds).
    #[wasm_bindgen(getter)]
    pub fn timestamp(&self) -> f64 {
        self.0.timestamp as f64
    }

    /// The nonce used.
    #[wasm_bindgen(getter)]
    pub fn nonce(&self) -> String {
        self.0.nonce.clone()
    }

    /// The signed header names joined by `;`.
    #[wasm_bindgen(getter, js_name = signedHeaders)]
    pub fn signed_headers(&self) -> String {
        self.0.signed_headers.clone()
    }
}

/// Secrets per key id with rotation (`sigwire_core::InMemoryKeyStore`).
#[wasm_bindgen]
pub struct WasmKeyStore {
    pub(crate) inner: Arc<InMemoryKeyStore>,
}

impl Default for WasmKeyStore {
    fn default() -> Self {
        WasmKeyStore {
            inner: Arc::new(InMemoryKeyStore::new()),
        }
    }
}

#[wasm_bindgen]
impl WasmKeyStore {
    /// An empty store.
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmKeyStore {
        WasmKeyStore::default()
    }

    /// Adds a secret to `key_id`, active until `not_after` (Unix seconds, inclusive) or forever.
    pub fn insert(
        &self,
        key_id: &str,
        secret: Vec<u8>,
        not_after: Option<f64>,
    ) -> Result<(), Failure> {
        let not_after = optional_seconds(not_after, "notAfter", ErrorCode::InvalidConfig)?;
        Ok(self.inner.insert(key_id, secret, not_after)?)
    }

    /// Adds `new_secret` and retires the existing secrets after `old_not_after`.
    pub fn rotate(
        &self,
        key_id: &str,
        new_secret: Vec<u8>,
        old_not_after: f64,
    ) -> Result<(), Failure> {
        let old_not_after = whole_seconds(old_not_after, "oldNotAfter", ErrorCode::InvalidConfig)?;
        Ok(self.inner.rotate(key_id, new_secret, old_not_after)?)
    }

    /// Removes `key_id`; returns whether it existed.
    pub fn remove(&self, key_id: &str) -> Result<bool, Failure> {
        Ok(self.inner.remove(key_id)?)
    }
}

/// A bounded in-memory replay store (`sigwire_core::InMemoryReplayStore`).
#[wasm_bindgen]
pub struct WasmReplayStore {
    pub(crate) inner: Arc<InMemoryReplayStore>,
}

#[wasm_bindgen]
impl WasmReplayStore {
    /// A store holding at most `capacity` live nonces (default 1 000 000).
    #[wasm_bindgen(constructor)]
    pub fn new(capacity: Option<f64>) -> Result<WasmReplayStore, Failure> {
        let store = match optional_seconds(capacity, "capacity", ErrorCode::InvalidConfig)? {
            Some(n) => InMemoryReplayStore::with_capacity(usize::try_from(n).unwrap_or(usize::MAX)),
            None => InMemoryReplayStore::default(),
        };
        Ok(WasmReplayStore {
            inner: Arc::new(store),
        })
    }

    /// Records `(key_id, nonce)` until `expires_at`; `true` when new, `false` when already seen.
    #[wasm_bindgen(js_name = checkAndRecord)]
    pub fn check_and_record(
        &self,
        key_id: &str,
        nonce: &str,
        expires_at: f64,
        now: f64,
    ) -> Result<bool, Failure> {
        let expires_at = whole_seconds(expires_at, "expiresAt", ErrorCode::InvalidConfig)?;
        let now = whole_seconds(now, "now", ErrorCode::InvalidConfig)?;
        Ok(self
            .inner
            .check_and_record(key_id, nonce, expires_at, now)?)
    }

    /// Number of nonces held.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }
}

/// Every machine code, in the core's order, joined by `,` (`unsigned_header` included).
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> String {
    ErrorCode::EVERY
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The HTTP status for a machine code (0 for an unknown code).
#[wasm_bindgen(js_name = httpStatus)]
pub fn http_status(code: &str) -> u16 {
    ErrorCode::from_code(code).map_or(0, ErrorCode::http_status)
}

/// The header carrying the verifier's time on failures: `X-Sigwire-Server-Time`.
#[wasm_bindgen(js_name = serverTimeHeader)]
pub fn server_time_header() -> String {
    SERVER_TIME_HEADER.to_owned()
}

/// Self-test hook, not part of the JavaScript API: panics on purpose so that the tests can prove
/// a panic never kills the module (with `panic=immediate-abort` it is a WebAssembly trap; the
/// wrapper turns it into a typed error and continues on a fresh instance).
#[wasm_bindgen(js_name = __selfTestPanic)]
#[allow(clippy::panic)]
pub fn self_test_panic() {
    panic!("sigwire-wasm self-test panic");
}
