//! [`Signer`]: forwards to `sigwire_core::Signer`.

use std::fmt;
use std::sync::Arc;

use sigwire_core::{Algorithm, SignOptions};

use crate::error::SigwireError;
use crate::request::SigwireRequest;

/// The result of signing: the `Authorization` value to send, and the intermediate values.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Signature {
    /// The full `Authorization` header value to add to the request.
    pub authorization: String,
    /// The canonical string that was HMAC'd (no secret inside): compare it with the server's
    /// when debugging a `signature_mismatch`.
    pub canonical_string: String,
    /// The signature, lowercase hex.
    pub signature: String,
    /// The timestamp used (Unix seconds).
    pub timestamp: u64,
    /// The nonce used.
    pub nonce: String,
    /// The signed header names joined by `;`, e.g. `"host;content-type"`.
    pub signed_headers: String,
}

impl From<sigwire_core::Signature> for Signature {
    fn from(s: sigwire_core::Signature) -> Self {
        Signature {
            authorization: s.authorization,
            canonical_string: s.canonical_string,
            signature: s.signature,
            timestamp: s.timestamp,
            nonce: s.nonce,
            signed_headers: s.signed_headers,
        }
    }
}

/// Signs HTTP requests for one key id with `sigwire-v1`.
///
/// The secret is copied into Rust memory (zeroed on drop) and never shown by `toString()` /
/// `description` or any error.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct Signer {
    inner: sigwire_core::Signer,
}

impl fmt::Display for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Signer(keyId={}, algorithm={}, signedHeaders={:?}, secret=<redacted>)",
            self.inner.key_id(),
            self.inner.algorithm().as_str(),
            self.inner.signed_headers()
        )
    }
}

#[uniffi::export]
impl Signer {
    /// A signer for `key_id` with `secret` (at least 16 bytes).
    ///
    /// `algorithm` is `"hmac-sha256"` (default) or `"hmac-sha512"`; `signed_headers` are extra
    /// header names to sign after `host` and `content-type`; `signed_header_policy` is
    /// `"listed"` (default) or `"all-end-to-end"` (also sign every other header present,
    /// hop-by-hop ones excluded).
    /// Errors: `InvalidKeyId`, `InvalidSecret`, `UnsupportedAlgorithm`, `InvalidRequest` (bad
    /// name), `InvalidConfig` (unknown policy).
    #[uniffi::constructor(default(
        algorithm = "hmac-sha256",
        signed_headers = [],
        signed_header_policy = "listed"
    ))]
    pub fn new(
        key_id: String,
        secret: Vec<u8>,
        algorithm: String,
        signed_headers: Vec<String>,
        signed_header_policy: String,
    ) -> Result<Arc<Self>, SigwireError> {
        let algorithm: Algorithm = algorithm.parse()?;
        let policy: sigwire_core::SignedHeaderPolicy = signed_header_policy.parse()?;
        let inner = sigwire_core::Signer::new(&key_id, secret)?
            .with_algorithm(algorithm)
            .with_signed_headers(signed_headers)?
            .with_header_policy(policy);
        Ok(Arc::new(Signer { inner }))
    }

    /// Signs `request` with the current time and a fresh 128-bit random nonce; add
    /// `authorization` of the result as the `Authorization` header. Errors: `InvalidRequest`.
    pub fn sign(&self, request: &SigwireRequest) -> Result<Signature, SigwireError> {
        Ok(request.with_core(|r| self.inner.sign(r))?.into())
    }

    /// Signs `request` like `sign` and returns only the `Authorization` header value: the
    /// fastest way to sign (no intermediate values are copied back to Kotlin/Swift).
    /// Errors: `InvalidRequest`.
    pub fn sign_authorization(&self, request: &SigwireRequest) -> Result<String, SigwireError> {
        Ok(request.with_core(|r| self.inner.sign(r))?.authorization)
    }

    /// Signs `request` with a given `timestamp` (Unix seconds, e.g. from a skew-corrected clock)
    /// and/or `nonce` (tests and vectors); each defaults as in `sign`. Errors: `InvalidRequest`.
    #[uniffi::method(default(timestamp = None, nonce = None))]
    pub fn sign_with(
        &self,
        request: &SigwireRequest,
        timestamp: Option<u64>,
        nonce: Option<String>,
    ) -> Result<Signature, SigwireError> {
        let mut options = SignOptions::default();
        options.timestamp = timestamp;
        options.nonce = nonce.as_deref();
        Ok(request
            .with_core(|r| self.inner.sign_with(r, &options))?
            .into())
    }

    /// The canonical string that would be signed (same arguments as `sign_with`), for debugging
    /// a `signature_mismatch`: compare it with the server's. It contains no secret.
    #[uniffi::method(default(timestamp = None, nonce = None))]
    pub fn canonical_string(
        &self,
        request: &SigwireRequest,
        timestamp: Option<u64>,
        nonce: Option<String>,
    ) -> Result<String, SigwireError> {
        Ok(self.sign_with(request, timestamp, nonce)?.canonical_string)
    }

    /// The key id.
    pub fn key_id(&self) -> String {
        self.inner.key_id().to_owned()
    }

    /// The algorithm name, `"hmac-sha256"` or `"hmac-sha512"`.
    pub fn algorithm(&self) -> String {
        self.inner.algorithm().as_str().to_owned()
    }

    /// The extra signed header names given at construction.
    pub fn signed_headers(&self) -> Vec<String> {
        self.inner.signed_headers().to_vec()
    }
}
