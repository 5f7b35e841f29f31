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

mod body; // streamed bodies: BodyHasher, signing and verifying by digest (stream)
mod client;
mod profiles; // signing profiles (prof)
mod settle;
mod verifier;
mod wire;

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use sigwire_client::no_echo;
use sigwire_core::{Error as CoreError, ErrorCode, InMemoryKeyStore, Request, SignOptions, Signer};

/// First field of an encoded native error. The record is
/// `sigwire␟<code>␟<http status>␟<skew seconds or empty>␟<server time or empty>␟<message>`,
/// fields separated by U+001F (unit separator), which no code, number or core message contains.
pub const ERROR_MARKER: &str = "sigwire";

const SEP: char = '\u{1f}';

/// Largest integer a JavaScript number holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// Encodes a core error for the JavaScript layer.
pub(crate) fn to_js(err: CoreError) -> napi::Error {
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

pub(crate) fn err(code: ErrorCode, message: impl Into<String>) -> napi::Error {
    to_js(CoreError::new(code, message))
}

/// Converts a JavaScript number into a whole number (seconds, capacity), refusing fractions, negatives, NaN and
/// values beyond 2^53 − 1 with `code`.
pub(crate) fn whole(value: f64, what: &str, code: ErrorCode) -> Result<u64> {
    if !value.is_finite() || value < 0.0 || value.fract() != 0.0 || value > MAX_SAFE_INTEGER {
        return Err(err(code, format!("{what} must be a non-negative integer")));
    }
    // In range and integral: the conversion is exact.
    Ok(value as u64)
}

/// Builds a borrowed core request; `headers` is a flat list `[name, value, name, value, …]`.
pub(crate) fn request<'a>(
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
    /// `new NativeSigner(keyId, secret, algorithm?, signedHeaders?, headerPolicy?)`; the header
    /// policy is `"listed"` (default) or `"all-end-to-end"` (sign every end-to-end header present).
    #[napi(constructor, catch_unwind)]
    pub fn new(
        key_id: String,
        secret: &[u8],
        algorithm: Option<String>,
        signed_headers: Option<Vec<String>>,
        header_policy: Option<String>,
    ) -> Result<Self> {
        let mut signer = Signer::new(&key_id, secret.to_vec()).map_err(to_js)?;
        if let Some(policy) = header_policy {
            signer = signer.with_header_policy(policy.parse().map_err(to_js)?);
        }
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

    /// The signed-header policy: `"listed"` or `"all-end-to-end"`.
    #[napi(getter, catch_unwind)]
    pub fn header_policy(&self) -> String {
        self.inner.header_policy().as_str().to_owned()
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
    pub(crate) inner: Arc<InMemoryKeyStore>,
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

/// Every machine code, in documentation order (the JavaScript layer checks its table against it),
/// including `unsigned_header`, which the Node verifier can return (`requireSignedHeaders`).
#[napi(catch_unwind)]
pub fn error_codes() -> Vec<String> {
    ErrorCode::EVERY
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
