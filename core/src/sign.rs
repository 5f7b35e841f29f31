//! [`Signer`]: holds a key id, a secret and settings, and signs requests with `sigwire-v1`.

use std::sync::Arc;

use crate::algorithm::Algorithm;
use crate::clock::{Clock, SystemClock};
use crate::credentials::{KeyId, Secret};
use crate::error::Error;
use crate::nonce::{NonceSource, OsNonce};
use crate::request::Request;
use crate::v1::canonical::{SignedHeaders, SigningParams};
use crate::v1::{self, Signature};

/// Per-call overrides; by default the signer's clock and nonce source are used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignOptions<'a> {
    /// Use this Unix timestamp instead of the clock.
    pub timestamp: Option<u64>,
    /// Use this nonce instead of a fresh random one (must follow SPEC §2).
    pub nonce: Option<&'a str>,
}

impl<'a> SignOptions<'a> {
    /// Options with a fixed timestamp and nonce (deterministic signatures, as in the vectors).
    pub fn fixed(timestamp: u64, nonce: &'a str) -> Self {
        SignOptions { timestamp: Some(timestamp), nonce: Some(nonce) }
    }
}

/// Signs requests for one key id.
///
/// ```
/// use sigwire_core::{Request, SignOptions, Signer};
///
/// let signer = Signer::new("client-1", b"0123456789abcdef0123456789abcdef".to_vec())?;
/// let request = Request::new("GET", "https://api.example.com/v1/orders?limit=10");
/// let signed = signer.sign_with(&request, &SignOptions::fixed(1_700_000_000, "AAAAAAAAAAAAAAAAAAAAAA"))?;
/// assert!(signed.authorization.starts_with("HMAC apiKey=\"client-1\", algorithm=\"hmac-sha256\""));
/// // A real call: current time, fresh 128-bit nonce.
/// let live = signer.sign(&request)?;
/// assert_eq!(live.nonce.len(), 22);
/// # Ok::<(), sigwire_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Signer {
    key_id: KeyId,
    secret: Secret,
    algorithm: Algorithm,
    extra_headers: Vec<String>,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
}

impl core::fmt::Debug for Signer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .field("algorithm", &self.algorithm)
            .field("secret", &self.secret)
            .field("signed_headers", &self.extra_headers)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer using `hmac-sha256`. Errors: `invalid_key_id`, `invalid_secret`.
    pub fn new(key_id: &str, secret: impl Into<Vec<u8>>) -> Result<Self, Error> {
        Ok(Signer {
            key_id: KeyId::new(key_id)?,
            secret: Secret::new(secret)?,
            algorithm: Algorithm::default(),
            extra_headers: Vec::new(),
            clock: Arc::new(SystemClock),
            nonces: Arc::new(OsNonce),
        })
    }

    /// Uses `algorithm` instead of the default `hmac-sha256`.
    #[must_use]
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Signs these headers too, after `host` and `content-type` (names are checked at sign time;
    /// each must then be present in the request). Errors: `invalid_request` for a bad name.
    pub fn with_signed_headers<I, S>(mut self, names: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        // Validate once now, against an empty request, so mistakes surface at construction.
        SignedHeaders::for_request(&Request::new("GET", "https://h/"), &names)?;
        self.extra_headers = names;
        Ok(self)
    }

    /// Uses `clock` for timestamps (tests, or a skew-corrected clock).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses `nonces` for nonces.
    #[must_use]
    pub fn with_nonce_source(mut self, nonces: Arc<dyn NonceSource>) -> Self {
        self.nonces = nonces;
        self
    }

    /// The key id.
    pub fn key_id(&self) -> &str {
        self.key_id.as_str()
    }

    /// The extra header names signed after `host` and `content-type`, as configured.
    pub fn signed_headers(&self) -> &[String] {
        &self.extra_headers
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Signs with the current time and a fresh nonce.
    pub fn sign(&self, request: &Request<'_>) -> Result<Signature, Error> {
        self.sign_with(request, &SignOptions::default())
    }

    /// Signs with optional fixed timestamp and nonce.
    pub fn sign_with(&self, request: &Request<'_>, options: &SignOptions<'_>) -> Result<Signature, Error> {
        let generated;
        let nonce = match options.nonce {
            Some(n) => n,
            None => {
                generated = self.nonces.nonce()?;
                generated.as_str()
            }
        };
        let timestamp = options.timestamp.unwrap_or_else(|| self.clock.now());
        let params = SigningParams { algorithm: self.algorithm, key_id: self.key_id.as_str(), timestamp, nonce };
        let signed = SignedHeaders::for_request(request, &self.extra_headers)?;
        v1::sign(&params, &self.secret, request, &signed)
    }

    /// The canonical string that would be signed (for debugging "signature invalid").
    pub fn canonical_string(&self, request: &Request<'_>, options: &SignOptions<'_>) -> Result<String, Error> {
        self.sign_with(request, options).map(|s| s.canonical_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn debug_hides_secret() {
        let s = Signer::new("k", b"very-secret-bytes-here".to_vec()).unwrap();
        let d = format!("{s:?}");
        assert!(d.contains("[redacted]") && !d.contains("very-secret"), "{d}");
    }

    #[test]
    fn construction_errors_are_typed() {
        assert_eq!(Signer::new("k", b"short".to_vec()).unwrap_err().code(), ErrorCode::InvalidSecret);
        assert_eq!(Signer::new("", vec![0u8; 16]).unwrap_err().code(), ErrorCode::InvalidKeyId);
        let s = Signer::new("k", vec![0u8; 16]).unwrap();
        assert_eq!(s.with_signed_headers(["bad name"]).unwrap_err().code(), ErrorCode::InvalidRequest);
    }

    #[test]
    fn uses_injected_clock() {
        let clock = Arc::new(crate::FixedClock::new(1234));
        let s = Signer::new("k", vec![0u8; 16]).unwrap().with_clock(clock);
        let sig = s.sign(&Request::new("GET", "https://h/")).unwrap();
        assert_eq!(sig.timestamp, 1234);
    }

    #[test]
    fn bad_nonce_refused() {
        let s = Signer::new("k", vec![0u8; 16]).unwrap();
        let e = s.sign_with(&Request::new("GET", "https://h/"), &SignOptions::fixed(1, "bad nonce!")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest);
    }
}
