//! N-API binding of `sigwire-core` for Node.js.
//!
//! This crate is deliberately thin: it converts JavaScript arguments into core types, calls the
//! core, and converts the result or error back. Every rule of `sigwire-v1` lives in the core.
//! The JavaScript package in `sdk-node/` wraps these classes into the public API
//! (`Signer`, `Verifier`, `KeyStore`, `InMemoryReplayStore`, `SigwireError` and its subclasses).
//! The `client` module exposes the HTTP client of `sigwire-client` (`Client` in JavaScript), whose
//! calls run on napi's tokio runtime and return Promises.
//!
//! Errors cross the boundary as a JavaScript `Error` whose message is an encoded record
//! (see [`ERROR_MARKER`]); the JavaScript layer decodes it once into the right `SigwireError`
//! subclass. Every entry point is marked `catch_unwind`, and nothing here unwraps user input, so a
//! bug can never abort the Node process.

#![deny(missing_docs)]
#![deny(clippy::unwrap_used)]

mod client;

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::*;
use napi_derive::napi;
use sigwire_client::no_echo;
use sigwire_core::{
    Error as CoreError, ErrorCode, InMemoryKeyStore, InMemoryReplayStore, ReplayStore, Request,
    SignOptions, Signer, Verifier, DEFAULT_REPLAY_CAPACITY,
};

/// First field of an encoded native error. The record is
/// `sigwire␟<code>␟<http status>␟<skew seconds or empty>␟<server time or empty>␟<message>`,
/// fields separated by U+001F (unit separator), which no code, number or core message contains.
pub const ERROR_MARKER: &str = "sigwire";

const SEP: char = '\u{1f}';

/// Largest integer a JavaScript number holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Encodes a core error for the JavaScript layer.
fn to_js(err: CoreError) -> napi::Error {
    let skew = err
        .skew_seconds()
        .map(|s| s.to_string())
        .unwrap_or_default();
    let server_time = err.server_time().map(|s| s.to_string()).unwrap_or_default();
    // The separator is removed from the message so the record always splits into six fields.
    let message: String = err.message().chars().filter(|&c| c != SEP).collect();
    let reason = format!(
        "{ERROR_MARKER}{SEP}{}{SEP}{}{SEP}{skew}{SEP}{server_time}{SEP}{message}",
        err.code().as_str(),
        err.http_status(),
    );
    napi::Error::new(Status::GenericFailure, reason)
}

fn err(code: ErrorCode, message: impl Into<String>) -> napi::Error {
    to_js(CoreError::new(code, message))
}

/// Converts a JavaScript number into a whole number (seconds, capacity), refusing fractions, negatives, NaN and
/// values beyond 2^53 − 1 with `code`.
fn whole(value: f64, what: &str, code: ErrorCode) -> Result<u64> {
    if !value.is_finite() || value < 0.0 || value.fract() != 0.0 || value > MAX_SAFE_INTEGER {
        return Err(err(code, format!("{what} must be a non-negative integer")));
    }
    // In range and integral: the conversion is exact.
    Ok(value as u64)
}

/// Builds a borrowed core request; `headers` is a flat list `[name, value, name, value, …]`.
fn request<'a>(
    method: &'a str,
    url: &'a str,
    headers: &'a [String],
    body: &'a [u8],
) -> Result<Request<'a>> {
    if !headers.len().is_multiple_of(2) {
        return Err(err(
            ErrorCode::InvalidRequest,
            "headers must be name/value pairs",
        ));
    }
    let pairs = headers
        .chunks_exact(2)
        .map(|p| (p[0].as_str(), p[1].as_str()));
    Ok(Request::new(method, url).headers(pairs).body(body))
}

/// The result of signing, with every intermediate value (for debugging mismatches).
#[napi(object)]
pub struct NativeSignature {
    /// The full `Authorization` header value.
    pub authorization: String,
    /// The canonical string that was HMAC'd.
    pub canonical_string: String,
    /// The signature, lowercase hex.
    pub signature: String,
    /// The timestamp used (Unix seconds).
    pub timestamp: f64,
    /// The nonce used.
    pub nonce: String,
    /// The signed header names joined with `;`.
    pub signed_headers: String,
}

/// A signer for one key id. The secret stays in Rust memory and is never returned.
#[napi]
pub struct NativeSigner {
    inner: Signer,
    /// The extra signed header names as configured (error messages give their position).
    signed_headers: Vec<String>,
}

/// How error messages call the list of extra signed header names (`signedHeaders[2]`).
const SIGNED_HEADERS: &str = "signedHeaders";

#[napi]
impl NativeSigner {
    /// `new NativeSigner(keyId, secret, algorithm?, signedHeaders?)`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        key_id: String,
        secret: &[u8],
        algorithm: Option<String>,
        signed_headers: Option<Vec<String>>,
    ) -> Result<Self> {
        let mut signer = Signer::new(&key_id, secret.to_vec()).map_err(to_js)?;
        if let Some(name) = algorithm {
            signer = signer.with_algorithm(no_echo::algorithm(&name).map_err(to_js)?);
        }
        let names = signed_headers.unwrap_or_default();
        if !names.is_empty() {
            signer = signer
                .with_signed_headers(names.iter().cloned())
                .map_err(|e| to_js(no_echo::header_names(e, &names, SIGNED_HEADERS)))?;
        }
        Ok(NativeSigner {
            inner: signer,
            signed_headers: names,
        })
    }

    /// The key id.
    #[napi(getter, catch_unwind)]
    pub fn key_id(&self) -> String {
        self.inner.key_id().to_owned()
    }

    /// The algorithm's wire name.
    #[napi(getter, catch_unwind)]
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().as_str().to_owned()
    }

    /// Signs and returns only the `Authorization` header value (the fast path).
    #[napi(catch_unwind)]
    pub fn authorization(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        body: &[u8],
        timestamp: Option<f64>,
        nonce: Option<String>,
    ) -> Result<String> {
        self.sign_full(&method, &url, &headers, body, timestamp, nonce.as_deref())
            .map(|s| s.authorization)
    }

    /// Signs and returns every intermediate value, including the canonical string.
    #[napi(catch_unwind)]
    pub fn sign(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        body: &[u8],
        timestamp: Option<f64>,
        nonce: Option<String>,
    ) -> Result<NativeSignature> {
        let s = self.sign_full(&method, &url, &headers, body, timestamp, nonce.as_deref())?;
        Ok(NativeSignature {
            authorization: s.authorization,
            canonical_string: s.canonical_string,
            signature: s.signature,
            // Timestamps have at most 12 digits (SPEC §2), exact in an f64.
            timestamp: s.timestamp as f64,
            nonce: s.nonce,
            signed_headers: s.signed_headers,
        })
    }
}

impl NativeSigner {
    fn sign_full(
        &self,
        method: &str,
        url: &str,
        headers: &[String],
        body: &[u8],
        timestamp: Option<f64>,
        nonce: Option<&str>,
    ) -> Result<sigwire_core::Signature> {
        let req = request(method, url, headers, body)?;
        let mut options = SignOptions::default();
        options.timestamp = timestamp
            .map(|t| whole(t, "timestamp", ErrorCode::InvalidRequest))
            .transpose()?;
        options.nonce = nonce;
        self.inner.sign_with(&req, &options).map_err(|e| {
            to_js(no_echo::header_names(
                e,
                &self.signed_headers,
                SIGNED_HEADERS,
            ))
        })
    }
}

/// A key store in memory (wraps the core's `InMemoryKeyStore`): key ids with one or more
/// secrets, each optionally retired after a `notAfter` time.
#[napi]
pub struct NativeKeyStore {
    inner: Arc<InMemoryKeyStore>,
}

impl Default for NativeKeyStore {
    fn default() -> Self {
        Self::new()
    }
}

#[napi]
impl NativeKeyStore {
    /// An empty store.
    #[napi(constructor, catch_unwind)]
    pub fn new() -> Self {
        NativeKeyStore {
            inner: Arc::new(InMemoryKeyStore::new()),
        }
    }

    /// Adds a secret to `keyId`, active until `notAfter` (Unix seconds, inclusive) or forever.
    #[napi(catch_unwind)]
    pub fn insert(&self, key_id: String, secret: &[u8], not_after: Option<f64>) -> Result<()> {
        let not_after = not_after
            .map(|t| whole(t, "notAfter", ErrorCode::InvalidConfig))
            .transpose()?;
        self.inner
            .insert(&key_id, secret.to_vec(), not_after)
            .map_err(to_js)
    }

    /// Adds `newSecret` and retires the existing secrets of `keyId` after `oldNotAfter`.
    #[napi(catch_unwind)]
    pub fn rotate(&self, key_id: String, new_secret: &[u8], old_not_after: f64) -> Result<()> {
        let old_not_after = whole(old_not_after, "oldNotAfter", ErrorCode::InvalidConfig)?;
        self.inner
            .rotate(&key_id, new_secret.to_vec(), old_not_after)
            .map_err(to_js)
    }

    /// Removes `keyId` and its secrets; returns whether it existed.
    #[napi(catch_unwind)]
    pub fn remove(&self, key_id: String) -> Result<bool> {
        self.inner.remove(&key_id).map_err(to_js)
    }
}

/// A bounded in-memory replay store (wraps the core's `InMemoryReplayStore`).
#[napi]
pub struct NativeReplayStore {
    inner: Arc<InMemoryReplayStore>,
}

#[napi]
impl NativeReplayStore {
    /// A store holding at most `capacity` live nonces (default 1 000 000).
    #[napi(constructor, catch_unwind)]
    pub fn new(capacity: Option<f64>) -> Result<Self> {
        let capacity = match capacity {
            None => DEFAULT_REPLAY_CAPACITY,
            Some(c) => {
                let c = whole(c, "capacity", ErrorCode::InvalidConfig)?;
                usize::try_from(c)
                    .map_err(|_| err(ErrorCode::InvalidConfig, "capacity is too large"))?
            }
        };
        if capacity == 0 {
            return Err(err(ErrorCode::InvalidConfig, "capacity must be at least 1"));
        }
        Ok(NativeReplayStore {
            inner: Arc::new(InMemoryReplayStore::with_capacity(capacity)),
        })
    }

    /// Records `(keyId, nonce)` until `expiresAt`; `true` when new, `false` for a replay.
    #[napi(catch_unwind)]
    pub fn check_and_record(
        &self,
        key_id: String,
        nonce: String,
        expires_at: f64,
        now: f64,
    ) -> Result<bool> {
        let expires_at = whole(expires_at, "expiresAt", ErrorCode::InvalidConfig)?;
        let now = whole(now, "now", ErrorCode::InvalidConfig)?;
        self.inner
            .check_and_record(&key_id, &nonce, expires_at, now)
            .map_err(to_js)
    }

    /// Number of nonces currently held.
    #[napi(getter, catch_unwind)]
    pub fn size(&self) -> f64 {
        self.inner.len() as f64
    }
}

/// What a replay store handled in JavaScript must record (returned after a successful check).
#[napi(object)]
pub struct NativeReplayCheck {
    /// The key id.
    pub key_id: String,
    /// The nonce.
    pub nonce: String,
    /// Record until this Unix time (inclusive).
    pub expires_at: f64,
    /// The verifier's time.
    pub now: f64,
}

/// A successful verification.
#[napi(object)]
pub struct NativeVerified {
    /// The key id whose secret matched.
    pub key_id: String,
    /// The scheme, e.g. `"sigwire-v1"`.
    pub scheme: String,
    /// The request's signing time.
    pub timestamp: f64,
    /// Set when the replay check is left to a JavaScript store: what it must record.
    pub replay: Option<NativeReplayCheck>,
}

/// A replay store that records nothing itself and hands the pair to JavaScript after the
/// signature has been checked (the core calls the replay store last, SPEC §6 step 5).
#[derive(Default)]
struct Deferred {
    pending: Mutex<Option<(String, String, u64, u64)>>,
}

impl ReplayStore for Deferred {
    fn check_and_record(
        &self,
        key_id: &str,
        nonce: &str,
        expires_at: u64,
        now: u64,
    ) -> std::result::Result<bool, CoreError> {
        let mut slot = self.pending.lock().map_err(|_| {
            CoreError::new(
                ErrorCode::ReplayStoreUnavailable,
                "replay hand-off lock poisoned",
            )
        })?;
        *slot = Some((key_id.to_owned(), nonce.to_owned(), expires_at, now));
        Ok(true)
    }
}

/// Verifies signed requests against a key store, a window and a replay store.
#[napi]
pub struct NativeVerifier {
    inner: Verifier,
    deferred: Option<Arc<Deferred>>,
}

#[napi]
impl NativeVerifier {
    /// `new NativeVerifier(keys, windowSeconds, replayStore?, deferReplay)`: with `deferReplay`,
    /// successful results carry `replay` for a JavaScript store to check.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        keys: &NativeKeyStore,
        window_seconds: f64,
        replay_store: Option<&NativeReplayStore>,
        defer_replay: bool,
    ) -> Result<Self> {
        let window = whole(window_seconds, "windowSeconds", ErrorCode::InvalidConfig)?;
        let mut builder = Verifier::builder(keys.inner.clone()).window(window);
        let mut deferred = None;
        if defer_replay {
            let d = Arc::new(Deferred::default());
            builder = builder.replay_store(d.clone());
            deferred = Some(d);
        } else if let Some(store) = replay_store {
            builder = builder.replay_store(store.inner.clone());
        }
        Ok(NativeVerifier {
            inner: builder.build(),
            deferred,
        })
    }

    /// The window in seconds.
    #[napi(getter, catch_unwind)]
    pub fn window_seconds(&self) -> f64 {
        self.inner.window() as f64
    }

    /// The verifier's clock (Unix seconds), for the server time header.
    #[napi(catch_unwind)]
    pub fn now(&self) -> f64 {
        self.inner.now() as f64
    }

    /// Verifies a request and returns only the key id (the fast path; not for deferred replay).
    #[napi(catch_unwind)]
    pub fn verify_key_id(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        body: &[u8],
        now: Option<f64>,
    ) -> Result<String> {
        if self.deferred.is_some() {
            return Err(err(
                ErrorCode::InvalidConfig,
                "verify_key_id cannot hand the replay check to JavaScript",
            ));
        }
        let req = request(&method, &url, &headers, body)?;
        let verified = match now {
            Some(t) => self
                .inner
                .verify_at(&req, whole(t, "now", ErrorCode::InvalidConfig)?),
            None => self.inner.verify(&req),
        }
        .map_err(to_js)?;
        Ok(verified.key_id)
    }

    /// Verifies a request (at `now` when given, else the system clock).
    #[napi(catch_unwind)]
    pub fn verify(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        body: &[u8],
        now: Option<f64>,
    ) -> Result<NativeVerified> {
        let req = request(&method, &url, &headers, body)?;
        let verified = match now {
            Some(t) => self
                .inner
                .verify_at(&req, whole(t, "now", ErrorCode::InvalidConfig)?),
            None => self.inner.verify(&req),
        }
        .map_err(to_js)?;
        let replay = match &self.deferred {
            None => None,
            Some(d) => {
                let taken = d
                    .pending
                    .lock()
                    .map_err(|_| {
                        err(
                            ErrorCode::ReplayStoreUnavailable,
                            "replay hand-off lock poisoned",
                        )
                    })?
                    .take();
                taken.map(|(key_id, nonce, expires_at, now)| NativeReplayCheck {
                    key_id,
                    nonce,
                    expires_at: expires_at as f64,
                    now: now as f64,
                })
            }
        };
        Ok(NativeVerified {
            key_id: verified.key_id,
            scheme: verified.scheme.to_owned(),
            timestamp: verified.timestamp as f64,
            replay,
        })
    }
}

/// Every machine code, in documentation order (the JavaScript layer checks its table against it).
#[napi(catch_unwind)]
pub fn error_codes() -> Vec<String> {
    ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect()
}

/// The HTTP status a server answers with for `code` (`0` for an unknown code).
#[napi(catch_unwind)]
pub fn http_status(code: String) -> u32 {
    ErrorCode::from_code(&code).map_or(0, |c| u32::from(c.http_status()))
}

/// The name of the header carrying the server's time on failures.
#[napi(catch_unwind)]
pub fn server_time_header() -> String {
    sigwire_core::SERVER_TIME_HEADER.to_owned()
}
